//! The isolation-baseline smoke fit: harombe's reference configuration on one seeded simulated
//! agent, its false-positive rate on the agent's next events and its detection of the
//! hand-written anomalies, both gated, then the agent's artifact (through the store) and its card.

use std::time::Instant;

use vigil_contracts::ThreatLevel;
use vigil_isolation_baseline::{
    AgentMonitor, EventDetectorParams, FileStore, LearnerParams, ManualClock,
};

use super::card::{self, CardNumbers};
use super::data::{FRESH_EVENTS, Generator, TRAIN_EVENTS, anomalies};
use crate::gate::{Gate, TrainOptions, TrainReport};
use crate::{Error, Result};

/// Highest false-positive rate the gate accepts (the goal; harombe: 6.6% at 1,000).
pub const MAX_FPR: f64 = 0.05;
/// Lowest detection rate on the hand-written anomalies the gate accepts.
pub const MIN_DETECTION: f64 = 0.70;
/// The agent id the smoke fit is stored under.
pub const AGENT: &str = "smoke";

/// Fits, evaluates, gates and writes the smoke agent and its card.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    let started = Instant::now();
    let mut generator = Generator::new(opts.seed);
    let history = generator.events(TRAIN_EVENTS);
    let fresh = generator.events(FRESH_EVENTS);
    let clock = ManualClock::new(generator.now());
    let mut monitor = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock,
    )?;
    monitor.train(AGENT, &history)?;
    let artifact = monitor.save(AGENT, &FileStore::new(&opts.artifact_dir))?;
    let seconds = started.elapsed().as_secs_f64();

    let detector = monitor.detector();
    let flagged = fresh
        .iter()
        .filter(|e| detector.detect(AGENT, e).is_anomaly)
        .count();
    let fpr = flagged as f64 / fresh.len() as f64;
    let anomalies = anomalies()?;
    let results: Vec<_> = anomalies
        .iter()
        .map(|e| detector.detect(AGENT, e))
        .collect();
    let caught = results.iter().filter(|r| r.is_anomaly).count();
    let detection = caught as f64 / anomalies.len().max(1) as f64;
    let reference_flagged = fresh
        .iter()
        .filter(|e| {
            detector
                .reference_score(AGENT, e)
                .is_some_and(|r| r.is_anomaly)
        })
        .count();
    let reference_fpr = reference_flagged as f64 / fresh.len() as f64;
    let mut levels = [0usize; 5];
    for r in &results {
        levels[r.threat_level.index()] += 1;
    }

    let gates = vec![
        Gate::at_most("false-positive rate on 2,000 fresh events", fpr, MAX_FPR),
        Gate::at_least(
            "detection of hand-written anomalies",
            detection,
            opts.min_accuracy.unwrap_or(MIN_DETECTION),
        ),
    ];
    card::write(
        &CardNumbers {
            seed: opts.seed,
            fpr,
            flagged,
            reference_fpr,
            reference_flagged,
            anomalies: anomalies.len(),
            detection,
            caught,
            levels,
            gates: &gates,
        },
        &opts.card_dir,
    )?;

    let mut metrics = std::collections::BTreeMap::new();
    metrics.insert("false_positive_rate".to_owned(), fpr);
    metrics.insert("reference_false_positive_rate".to_owned(), reference_fpr);
    metrics.insert("detection_rate".to_owned(), detection);
    metrics.insert(
        "anomalies_high_or_critical".to_owned(),
        results
            .iter()
            .filter(|r| r.threat_level >= ThreatLevel::High)
            .count() as f64,
    );
    Ok(TrainReport {
        model: "isolation-baseline".into(),
        train_rows: history.len(),
        validation_rows: fresh.len() + anomalies.len(),
        metrics,
        gates,
        artifact_bytes: std::fs::metadata(&artifact)
            .map_err(Error::io(format!(
                "cannot read the size of {}",
                artifact.display()
            )))?
            .len(),
        artifact,
        seconds,
    })
}
