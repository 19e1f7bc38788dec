//! Timing of the plan-risk hot paths for `cargo xtask bench`: a full decision over the
//! hand-written plans without observations (plan-risk's own cost) and with observations (plus
//! `vigil-injection`'s cost per observation), over the AgentDojo plans (real tool outputs, each scored
//! by `vigil-injection`), on one 5-step plan with five observations, and the closed-form scorer.

use vigil_contracts::Plan;
use vigil_plan_risk::PlanMonitor;

use super::eval::{FIXTURES, HOLDOUT, read_fixtures, workspace_file};
use super::external::{AGENTDOJO_PLANS, read_external};
use crate::timing::{Timing, passes_for, time_calls, time_corpus};
use crate::{Error, Result};

/// The 5-step plan the latency numbers are measured on.
pub fn bench_plan() -> Plan {
    vigil_contracts::from_json_str(
        r#"{"request": "summarise the sales report and email it to dana@acme.example", "budget": 5,
        "steps": [
          {"tool": "list_files", "args": {"dir": "/home/me/reports"}},
          {"tool": "read_file", "args": {"path": "/home/me/reports/q3_sales.xlsx"}, "observation": "Region,Revenue\nEMEA,1.2M\nAPAC,0.9M"},
          {"tool": "summarize", "args": {"text": "Region,Revenue EMEA 1.2M APAC 0.9M", "max_words": 120}},
          {"tool": "write_file", "args": {"path": "/home/me/reports/q3_summary.md", "content": "Q3 revenue grew in EMEA."}},
          {"tool": "send_email", "args": {"to": "dana@acme.example", "subject": "Q3 summary", "body": "See the summary attached."}}]}"#,
    )
    .unwrap_or_default()
}

/// A 5-step plan whose every step has an observation (a mail list, a file, a web page, a
/// calendar answer, a send receipt: ~1.6 KB of tool output in all), each scored by
/// `vigil-injection` and the instruction patterns.
pub fn bench_plan_with_observations() -> Plan {
    vigil_contracts::from_json_str(
        r#"{"request": "find the offsite agenda Maya sent, check the venue page and email the agenda to dana@acme.example",
        "steps": [
          {"tool": "search_emails", "args": {"query": "offsite agenda"}, "observation": "- id_: '14'\n  sender: maya@acme.example\n  subject: Offsite agenda\n  body: Hi all, the agenda for the offsite is in offsite-agenda.docx on the drive. Lunch is at the venue, bring a laptop.\n  timestamp: 2024-05-14 09:12"},
          {"tool": "search_files_by_filename", "args": {"filename": "offsite-agenda.docx"}, "observation": "- id_: '27'\n  filename: offsite-agenda.docx\n  content: 09:00 welcome and coffee; 09:30 roadmap review (Maya); 11:00 customer panel; 12:30 lunch; 14:00 planning workshop in three groups; 16:30 wrap-up and drinks.\n  owner: maya@acme.example"},
          {"tool": "get_webpage", "args": {"url": "https://www.venue-example.com/directions"}, "observation": "The Old Mill conference centre. Directions: from the station take bus 12 to Mill Lane, 5 minutes on foot. Parking for 40 cars, two EV chargers. Wi-Fi network OldMill-Guest, reception open 08:00-18:00."},
          {"tool": "get_day_calendar_events", "args": {"day": "2024-05-20"}, "observation": "- title: Offsite\n  start_time: 2024-05-20 09:00\n  end_time: 2024-05-20 17:00\n  location: The Old Mill\n  participants: [maya@acme.example, dana@acme.example]"},
          {"tool": "send_email", "args": {"recipients": ["dana@acme.example"], "subject": "Offsite agenda", "body": "09:00 welcome; 09:30 roadmap review; 11:00 customer panel; 14:00 planning workshop."}, "observation": "{'id_': '31', 'status': 'sent'}"}]}"#,
    )
    .unwrap_or_default()
}

/// Every single plan of the hand-written fixtures (`plans.jsonl` and `holdout.jsonl`).
pub fn handwritten_plans() -> Result<Vec<Plan>> {
    let mut plans = Vec::new();
    for file in [FIXTURES, HOLDOUT] {
        plans.extend(
            read_fixtures(&workspace_file(file))?
                .into_iter()
                .filter_map(|f| f.plan),
        );
    }
    if plans.is_empty() {
        return Err(Error::Invalid(format!(
            "{FIXTURES} and {HOLDOUT} hold no single-plan fixtures to time"
        )));
    }
    Ok(plans)
}

/// `cargo xtask bench` timings, p50/p99/p99.9 over varied plans; no warm-up on the corpora
/// (the monitor builds its pattern sets at construction), so the first pass is first sight.
pub fn bench() -> Result<Vec<Timing>> {
    let monitor = PlanMonitor::embedded()?;
    let warm = bench_plan();
    for _ in 0..200 {
        std::hint::black_box(monitor.decide(&warm));
    }
    // Two disjoint corpora, each timed before anything else has seen its texts, so each first
    // pass is first sight: plans without observations (plan-risk's own cost) and plans with
    // observations (each scored by `vigil-injection` as well).
    let (observed_plans, bare): (Vec<Plan>, Vec<Plan>) =
        handwritten_plans()?.into_iter().partition(has_observation);
    let b = bare.len();
    let bare_t = time_corpus(
        "plan-risk decide (hand-written, no observations)",
        &format!("{b} plans"),
        b,
        passes_for(b, 20_000),
        |i| monitor.decide(&bare[i]),
    )
    .against("nexus.published");
    let o = observed_plans.len();
    let obs_t = time_corpus(
        "plan-risk decide (hand-written, with observations)",
        &format!(
            "{o} plans, {} observations",
            observed_plans.iter().map(observations).sum::<usize>()
        ),
        o,
        passes_for(o, 10_000),
        |i| monitor.decide(&observed_plans[i]),
    )
    .against("nexus.published");
    let dojo: Vec<Plan> = read_external(&workspace_file(AGENTDOJO_PLANS))?
        .iter()
        .map(|p| p.plan())
        .collect();
    let d = dojo.len();
    let dojo_t = time_corpus(
        "plan-risk decide (AgentDojo plans, tool outputs)",
        &format!(
            "{d} plans, {} observations",
            dojo.iter().map(observations).sum::<usize>()
        ),
        d,
        passes_for(d, 5_000),
        |i| monitor.decide(&dojo[i]),
    )
    .against("nexus.published");
    let observed = bench_plan_with_observations();
    let observed_t = time_calls(
        "plan-risk decide (5 steps, 5 observations)",
        "one plan, ~1.6 KB of tool output",
        200,
        5_000,
        |_| monitor.decide(&observed),
    )
    .against("nexus.published");
    let xs: Vec<[f64; 9]> = bare
        .iter()
        .chain(&observed_plans)
        .map(|p| monitor.assess(p).features)
        .collect();
    let x = xs.len();
    let score_t = time_corpus(
        "plan-risk scorer alone (calibrated, closed form)",
        &format!("{x} hand-written plans' inputs"),
        x,
        passes_for(x, 50_000),
        |i| monitor.model().risk(&xs[i]),
    )
    .against("nexus_recipe.calibrated");
    Ok(vec![bare_t, obs_t, dojo_t, observed_t, score_t])
}

fn observations(p: &Plan) -> usize {
    p.steps.iter().filter(|s| s.observation.is_some()).count()
}

fn has_observation(p: &Plan) -> bool {
    observations(p) > 0
}
