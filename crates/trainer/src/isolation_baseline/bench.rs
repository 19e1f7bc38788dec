//! isolation-baseline's part of `cargo xtask bench`: per-call latency of detect, training and recording,
//! next to harombe's published figures.

use vigil_isolation_baseline::{
    AgentMonitor, BaselineLearner, EventDetectorParams, LearnerParams, ManualClock,
};

use super::data::Generator;
use super::train::AGENT;
use crate::Result;
use crate::timing::{Timing, time_calls};

/// `cargo xtask bench`: detect, training on 10,000 events, recording 5,000 events.
pub fn bench() -> Result<Vec<Timing>> {
    let mut generator = Generator::new(7);
    let history = generator.events(10_000);
    let probes = generator.events(1_000);
    let mut monitor = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        ManualClock::new(generator.now()),
    )?;
    monitor.train(AGENT, &history[..1_000])?;
    let detector = monitor.detector();
    let mut detect = time_calls(
        "isolation-baseline detect (1k-event model)",
        1_000,
        20_000,
        |i| detector.detect(AGENT, &probes[i % probes.len()]),
    );
    detect.reference_p50_ns = Some(14.1e6);
    // Run each timed operation once outside the timer, so a failure is reported rather than
    // timed as a fast no-op (the timed closures below then cannot fail: same inputs, no I/O).
    AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        ManualClock::new(generator.now()),
    )?
    .train(AGENT, &history)?;
    BaselineLearner::with_clock(LearnerParams::default(), ManualClock::new(generator.now()))?;
    let mut fit = time_calls("isolation-baseline train (10k events)", 1, 9, |_| {
        let mut m = AgentMonitor::new(
            EventDetectorParams::default(),
            LearnerParams::default(),
            ManualClock::new(generator.now()),
        )
        .ok()?;
        m.train(AGENT, &history).ok()
    });
    fit.reference_p50_ns = Some(532e6);
    let mut record = time_calls("isolation-baseline record 5,000 events", 1, 9, |_| {
        let mut learner = BaselineLearner::with_clock(
            LearnerParams::default(),
            ManualClock::new(generator.now()),
        )
        .ok()?;
        for e in &history[..5_000] {
            learner.record_event(AGENT, e.clone());
        }
        Some(learner)
    });
    record.reference_p50_ns = Some(6.9e9);
    Ok(vec![detect, fit, record])
}
