//! `cargo xtask eval isolation-baseline`: the smoke agent's verdicts on the hand-written anomalies
//! (or on a file of labelled events).

use std::path::Path;

use vigil_contracts::AgentEvent;
use vigil_isolation_baseline::{AgentMonitor, EventDetectorParams, LearnerParams, ManualClock};

use super::data::{Generator, TRAIN_EVENTS, anomalies};
use super::train::AGENT;
use crate::{Error, Result};

/// Detection on the hand-written fixtures (or a file of `AgentEvent`s with a `category` field).
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    let mut generator = Generator::new(42);
    let history = generator.events(TRAIN_EVENTS);
    let mut monitor = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        ManualClock::new(generator.now()),
    )?;
    monitor.train(AGENT, &history)?;
    let events: Vec<AgentEvent> = match data {
        None => anomalies()?,
        Some(path) => std::fs::read_to_string(path)
            .map_err(Error::io(format!("cannot read {}", path.display())))?
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                vigil_contracts::from_json_str(l)
                    .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))
            })
            .collect::<Result<_>>()?,
    };
    let rows: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            let r = monitor.detector().detect(AGENT, e);
            serde_json::json!({
                "category": e.extra.get("category").cloned().unwrap_or(serde_json::Value::Null),
                "is_anomaly": r.is_anomaly,
                "anomaly_score": r.anomaly_score,
                "threat_level": r.threat_level,
            })
        })
        .collect();
    let caught = rows.iter().filter(|r| r["is_anomaly"] == true).count();
    if json {
        println!(
            "{}",
            serde_json::json!({"events": rows.len(), "flagged": caught, "rows": rows})
        );
    } else {
        println!(
            "isolation-baseline: {caught} of {} events flagged",
            rows.len()
        );
        for r in &rows {
            println!(
                "  {:<14} {:<5} {:.3} {}",
                r["category"].as_str().unwrap_or("-"),
                r["is_anomaly"],
                r["anomaly_score"].as_f64().unwrap_or(0.0),
                r["threat_level"].as_str().unwrap_or("-")
            );
        }
    }
    Ok(())
}
