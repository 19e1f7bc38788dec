//! Latency of one plan decision (5 steps, unannotated) and of the closed-form scorer alone.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use vigil_contracts::{Plan, from_json_str};
use vigil_plan_risk::PlanMonitor;

fn five_step_plan() -> Plan {
    from_json_str(
        r#"{"request": "summarise the sales report and email it to dana@acme.example", "budget": 5,
        "steps": [
          {"tool": "list_files", "args": {"dir": "/home/me/reports"}},
          {"tool": "read_file", "args": {"path": "/home/me/reports/q3_sales.xlsx"}, "observation": "Region,Revenue\nEMEA,1.2M\nAPAC,0.9M"},
          {"tool": "summarize", "args": {"text": "Region,Revenue EMEA 1.2M APAC 0.9M", "max_words": 120}},
          {"tool": "write_file", "args": {"path": "/home/me/reports/q3_summary.md", "content": "Q3 revenue grew in EMEA."}},
          {"tool": "send_email", "args": {"to": "dana@acme.example", "subject": "Q3 summary", "body": "See the summary attached."}}]}"#,
    )
    .expect("bench plan parses")
}

fn bench(c: &mut Criterion) {
    let monitor = PlanMonitor::embedded().expect("embedded model loads");
    let plan = five_step_plan();
    c.bench_function("plan-risk decide (5-step plan)", |b| {
        b.iter(|| monitor.decide(black_box(&plan)))
    });
    let x = monitor.assess(&plan).features;
    c.bench_function("plan-risk scorer closed form", |b| {
        b.iter(|| monitor.model().risk(black_box(&x)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
