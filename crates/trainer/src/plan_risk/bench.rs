//! Timing of the plan-risk hot paths for `cargo xtask bench`: a full decision on one 5-step
//! plan, on the hand-written plans cycled, and the closed-form scorer alone.

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

/// `cargo xtask bench` timings: a full 5-step decision and the closed-form scorer alone.
pub fn bench() -> Result<Vec<Timing>> {
    let monitor = PlanMonitor::embedded()?;
    let plan = bench_plan();
    let mut decide_t = time_calls("plan-risk decide (5-step plan)", 2_000, 20_000, |_| {
        monitor.decide(&plan)
    });
    decide_t.reference_p50_ns = Some(REFERENCE_P50_NS);
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
    Ok(vec![decide_t, varied_t, score_t])
}
