//! A plan walked from its JSON text ([`RawPlan`], what `vigil plan-risk` reads) is decided
//! exactly as the parsed [`Plan`]: same decisions, features, violations and session memory, and
//! the same error for a record that is not a plan.

use serde_json::Value;
use vigil_contracts::plan::RawPlan;
use vigil_contracts::{Plan, from_json_str};
use vigil_plan_risk::{PlanMonitor, SessionMonitor};

/// Every plan of the hand-written fixture sets, as its JSON text.
fn fixture_plans() -> Vec<String> {
    let mut out = Vec::new();
    for text in [
        include_str!("../../../fixtures/plan-risk/plans.jsonl"),
        include_str!("../../../fixtures/plan-risk/holdout.jsonl"),
    ] {
        for line in text.lines().filter(|l| l.starts_with('{')) {
            let record: Value = serde_json::from_str(line).unwrap();
            if record["plan"].is_object() {
                out.push(record["plan"].to_string());
            }
        }
    }
    assert!(out.len() > 50, "{} fixture plans", out.len());
    out
}

#[test]
fn raw_plans_are_decided_as_parsed_plans() {
    let monitor = PlanMonitor::embedded().unwrap();
    let plans = fixture_plans();
    for text in &plans {
        let raw = RawPlan::parse(text).unwrap();
        let plan: Plan = from_json_str(text).unwrap();
        assert_eq!(monitor.assess(&raw), monitor.assess(&plan), "{text}");
    }
    // One session over all of them: the memory carried across turns is the same too.
    let (mut a, mut b) = (SessionMonitor::new(&monitor), SessionMonitor::new(&monitor));
    for text in &plans {
        let raw = RawPlan::parse(text).unwrap();
        let plan: Plan = from_json_str(text).unwrap();
        assert_eq!(a.assess_turn(&raw), b.assess_turn(&plan), "{text}");
    }
    assert_eq!(a.into_state(), b.into_state());
}

#[test]
fn raw_plans_fail_with_the_parsed_plans_message() {
    for bad in [
        r#"{"steps": [{"tool": "bash", "args": {"command": "rm -rf /", "command": "ls"}}]}"#,
        r#"{"steps": [{"tool": "ls"}, {"tool": "bash", "args": "rm -rf /"}]}"#,
        r#"{"steps": [{"tool": "ls", "nope": 1}]}"#,
        r#"{"steps": [], "budget": -1}"#,
        r#"{"steps": [], "extra": true}"#,
        r#"{"request": "x"}"#,
        r#"{"steps": [{"tool": "ls"}]} trailing"#,
        r#"{"steps": [{"tool": "ls", "estimated_cost": -2}]}"#,
        r#"[1, 2]"#,
    ] {
        let want = from_json_str::<Plan>(bad).unwrap_err().to_string();
        let got = RawPlan::parse(bad).unwrap_err().to_string();
        assert_eq!(got, want, "{bad}");
    }
}

/// Peak memory of `vigil plan-risk` on a 16 MB plan is measured, not asserted: run
/// `cargo test --release -p vigil-plan-risk --test raw_plan -- --ignored --nocapture` after
/// `cargo build --release -p vigil-cli`, or follow `docs/memory.md`. This test checks that such a
/// plan (300,000 steps) walks from its text to the same decision as the parsed plan.
#[test]
#[ignore = "large input; a manual check, see docs/memory.md"]
fn a_300k_step_plan_walks_from_its_text() {
    let steps: Vec<String> = (0..300_000)
        .map(|i| match i % 4 {
            0 => format!(r#"{{"tool":"read_file","args":{{"path":"/d/{i}"}}}}"#),
            1 => format!(
                r#"{{"tool":"send_email","args":{{"to":"u{}@x.io","body":"hi"}}}}"#,
                i % 97
            ),
            2 => format!(r#"{{"tool":"http_get","args":{{"url":"https://h.io/{i}"}}}}"#),
            _ => format!(r#"{{"tool":"bash","args":{{"command":"ls {i}"}}}}"#),
        })
        .collect();
    let text = format!(r#"{{"request":"tidy up","steps":[{}]}}"#, steps.join(","));
    let monitor = PlanMonitor::embedded().unwrap();
    let raw = monitor.assess(&RawPlan::parse(&text).unwrap());
    let parsed = monitor.assess(&from_json_str::<Plan>(&text).unwrap());
    assert_eq!(raw, parsed);
    println!("{} bytes: {:?}", text.len(), raw.decision.intervention);
}
