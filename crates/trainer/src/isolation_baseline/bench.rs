//! isolation-baseline's part of `cargo xtask bench`: per-call latency of detect (over 1,000
//! generated probes and the 20 hand-written anomalies), training and recording, next to
//! harombe's figures.

use vigil_isolation_baseline::{
    AgentMonitor, BaselineLearner, EventDetectorParams, LearnerParams, ManualClock,
};

use super::data::{Generator, anomalies};
use super::train::AGENT;
use crate::Result;
use crate::timing::{Timing, passes_for, time_calls, time_corpus};

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
    let mut probes = probes;
    probes.extend(anomalies()?);
    for _ in 0..200 {
        std::hint::black_box(detector.detect(AGENT, &history[0]));
    }
    let p = probes.len();
    let detect = time_corpus(
        "isolation-baseline detect (1k-event model)",
        &format!("{p} events: generated probes + hand-written anomalies"),
        p,
        passes_for(p, 20_000),
        |i| detector.detect(AGENT, &probes[i]),
    )
    .against("harombe.detect");
    // Run each timed operation once outside the timer, so a failure is reported rather than
    // timed as a fast no-op (the timed closures below then cannot fail: same inputs, no I/O).
    AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        ManualClock::new(generator.now()),
    )?
    .train(AGENT, &history)?;
    BaselineLearner::with_clock(LearnerParams::default(), ManualClock::new(generator.now()))?;
    let fit = time_calls(
        "isolation-baseline train (10k events)",
        "10,000 generated events",
        1,
        9,
        |_| {
            let mut m = AgentMonitor::new(
                EventDetectorParams::default(),
                LearnerParams::default(),
                ManualClock::new(generator.now()),
            )
            .ok()?;
            m.train(AGENT, &history).ok()
        },
    );
    let fit = fit.against("harombe.train_10k");
    let record = time_calls(
        "isolation-baseline record 5,000 events",
        "5,000 generated events",
        1,
        9,
        |_| {
            let mut learner = BaselineLearner::with_clock(
                LearnerParams::default(),
                ManualClock::new(generator.now()),
            )
            .ok()?;
            for e in &history[..5_000] {
                learner.record_event(AGENT, e.clone());
            }
            Some(learner)
        },
    );
    Ok(vec![detect, fit, record.against("harombe.record_5k")])
}
