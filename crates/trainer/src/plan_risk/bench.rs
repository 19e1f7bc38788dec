//! Timing of the plan-risk hot paths for `cargo xtask bench`: a full decision on one 5-step
//! plan, on a 5-step plan whose every step has an observation (each scored by
//! `vigil-injection`), on the hand-written plans cycled, and the closed-form scorer alone.

use vigil_contracts::Plan;
use vigil_plan_risk::PlanMonitor;

use super::eval::{FIXTURES, read_fixtures, workspace_file};
use crate::timing::{Timing, time_calls};
use crate::{Error, Result};

/// NEXUS's published median latency per plan (0.205 ms).
pub const REFERENCE_P50_NS: f64 = 205e3;

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

/// `cargo xtask bench` timings: a full 5-step decision and the closed-form scorer alone.
pub fn bench() -> Result<Vec<Timing>> {
    let monitor = PlanMonitor::embedded()?;
    let plan = bench_plan();
    let mut decide_t = time_calls("plan-risk decide (5-step plan)", 2_000, 20_000, |_| {
        monitor.decide(&plan)
    });
    decide_t.reference_p50_ns = Some(REFERENCE_P50_NS);
    let observed = bench_plan_with_observations();
    let mut observed_t = time_calls(
        "plan-risk decide (5 steps, 5 observations)",
        2_000,
        20_000,
        |_| monitor.decide(&observed),
    );
    observed_t.reference_p50_ns = Some(REFERENCE_P50_NS);
    // The same plan over and over keeps the regex engines' lazy DFA caches warm; cycling
    // through the hand-written plans shows the cost on text the matchers have not seen.
    let varied: Vec<Plan> = read_fixtures(&workspace_file(FIXTURES))?
        .into_iter()
        .filter_map(|f| f.plan)
        .collect();
    if varied.is_empty() {
        return Err(Error::Invalid(format!(
            "{FIXTURES} holds no single-plan fixtures to time"
        )));
    }
    let mut varied_t = time_calls(
        "plan-risk decide (hand-written plans, cycled)",
        varied.len(),
        20_000,
        |i| monitor.decide(&varied[i % varied.len()]),
    );
    varied_t.reference_p50_ns = Some(REFERENCE_P50_NS);
    let x = monitor.assess(&plan).features;
    let score_t = time_calls(
        "plan-risk scorer (31-float closed form)",
        2_000,
        50_000,
        |_| monitor.model().risk(&x),
    );
    Ok(vec![decide_t, observed_t, varied_t, score_t])
}
