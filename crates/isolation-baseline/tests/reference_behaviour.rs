//! harombe's test behaviours (reference §7), on a fixed clock and a seeded RNG.

use chrono::{DateTime, Duration, FixedOffset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigil_contracts::{AgentEvent, ThreatLevel};
use vigil_features::event as event_features;
use vigil_isolation_baseline::{
    AgentMonitor, BaselineLearner, EventDetector, EventDetectorParams, FileStore, LearnerParams,
    ManualClock, ScoreMode, TrainOutcome,
};

/// Wednesday noon: no weekend factor (harombe's integration test failed on Saturdays).
fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-18T12:00:00Z").unwrap()
}

fn event(t: DateTime<FixedOffset>, kind: &str, rc: i64, dur: f64, success: bool) -> AgentEvent {
    AgentEvent {
        agent_id: None,
        timestamp: t,
        event_type: kind.to_owned(),
        resource_count: rc,
        duration_ms: dur,
        success,
        extra: Default::default(),
    }
}

/// 100 events, one per hour back from now, tool_call, rc 1–4, duration 100–499.
fn normal_events() -> Vec<AgentEvent> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    (0..100)
        .map(|i| {
            event(
                now() - Duration::hours(i),
                "tool_call",
                rng.gen_range(1..=4),
                rng.gen_range(100..500) as f64,
                true,
            )
        })
        .collect()
}

fn anomalous_events() -> [AgentEvent; 2] {
    [
        event(now(), "tool_call", 50, 5000.0, true),
        event(now() - Duration::hours(1), "rare_event", 3, 200.0, false),
    ]
}

fn trained() -> EventDetector {
    let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
    assert_eq!(
        d.train("agent-1", &normal_events()).unwrap(),
        TrainOutcome::Trained { events: 100 }
    );
    d
}

fn learner(clock: &ManualClock) -> BaselineLearner {
    let params = LearnerParams {
        window_days: 7,
        min_samples: 10,
    };
    BaselineLearner::with_clock(params, clock.clone()).unwrap()
}

// ---- detector (1–8) ----

#[test]
fn t01_seven_feature_names() {
    let d = EventDetector::new(EventDetectorParams::default()).unwrap();
    assert_eq!(d.feature_names().len(), 7);
    assert_eq!(d.feature_names()[5], "event_type_encoded");
}

#[test]
fn t02_features_are_seven_finite_floats() {
    let f = event_features::extract(&normal_events()[0]);
    assert_eq!(f.len(), 7);
    assert!(f.iter().all(|x| x.is_finite()));
}

#[test]
fn t03_trained_agent_has_a_model_that_predicts() {
    let d = trained();
    assert!(d.has_model("agent-1"));
    let p = d
        .reference_score("agent-1", &normal_events()[0])
        .unwrap()
        .predict;
    assert!(p == -1 || p == 1);
}

#[test]
fn t04_normal_probe_is_none_or_low() {
    let d = trained();
    let r = d.detect("agent-1", &event(now(), "tool_call", 3, 300.0, true));
    assert!(r.threat_level <= ThreatLevel::Low, "{r:?}");
    assert!((0.0..=1.0).contains(&r.anomaly_score));
    assert_eq!(r.agent_id, "agent-1");
    // Stronger than harombe: with the combined score it is not flagged at all.
    assert!(!r.is_anomaly, "{r:?}");
    assert_eq!(
        r.explanation.as_deref(),
        Some(
            format!(
                "Anomaly score {:.2}: Pattern differs from baseline",
                r.anomaly_score
            )
            .as_str()
        )
    );
}

#[test]
fn t05_anomalous_event_scores_high() {
    let d = trained();
    let r = d.detect("agent-1", &anomalous_events()[0]);
    assert!(r.anomaly_score > 0.3 && (r.is_anomaly || r.anomaly_score > 0.4));
    // harombe relaxed this to "0.56 does not always flag"; the combined score flags it, HIGH+.
    assert!(r.is_anomaly);
    assert!(r.threat_level >= ThreatLevel::High, "{r:?}");
    assert_eq!(r.contributing_factors["high_resource_usage"], 1.0);
    assert_eq!(r.contributing_factors["long_duration"], 1.0);
}

#[test]
fn t06_unknown_agent_is_not_anomalous() {
    let d = trained();
    let probe = anomalous_events()[0].clone();
    let r = d.detect("nobody", &probe);
    assert!(!r.is_anomaly);
    assert_eq!(r.threat_level, ThreatLevel::None);
    assert_eq!(r.anomaly_score, 0.0);
    assert!(r.contributing_factors.is_empty());
    assert_eq!(
        r.explanation.as_deref(),
        Some("No baseline model available")
    );
    assert_eq!(r.timestamp, probe.timestamp);
}

#[test]
fn t07_save_then_load_scores_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("nested/baselines"));
    let clock = ManualClock::new(now());
    let mut m = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock.clone(),
    )
    .unwrap();
    m.train("agent-1", &normal_events()).unwrap();
    let path = m.save("agent-1", &store).unwrap();
    assert_eq!(
        path,
        dir.path()
            .join("nested/baselines/agent-1_anomaly_model.vgl")
    );
    let mut fresh = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock,
    )
    .unwrap();
    fresh.load("agent-1", &store).unwrap();
    for probe in anomalous_events().iter().chain(&normal_events()[..5]) {
        let a = m.check("agent-1", probe);
        let b = fresh.check("agent-1", probe);
        assert_eq!(a.result.is_anomaly, b.result.is_anomaly);
        assert!((a.result.anomaly_score - b.result.anomaly_score).abs() < 0.01);
        assert_eq!(a, b); // in fact bit-identical
    }
}

#[test]
fn t07_detector_level_save_model_and_load_model() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let d = trained();
    let path = d.save_model("agent-1", &store).unwrap();
    assert_eq!(path, dir.path().join("agent-1_anomaly_model.vgl"));
    let mut fresh = EventDetector::new(EventDetectorParams::default()).unwrap();
    fresh.load_model("agent-1", &store).unwrap();
    let probe = &anomalous_events()[0];
    assert_eq!(d.detect("agent-1", probe), fresh.detect("agent-1", probe));
    assert_eq!(fresh.training_data("agent-1").len(), 100);
    assert_eq!(
        d.save_model("nobody", &store).unwrap_err().to_string(),
        "No model trained for nobody"
    );
    assert_eq!(
        fresh.load_model("nobody", &store).unwrap_err().to_string(),
        "No saved model found for nobody"
    );
}

#[test]
fn t08_normal_feedback_grows_the_training_set() {
    let mut d = trained();
    let out = d
        .update_from_feedback("agent-1", &anomalous_events()[0], false)
        .unwrap();
    assert!(out.added && !out.retrained);
    assert_eq!(d.training_data("agent-1").len(), 101);
}

// ---- learner (9–19) ----

#[test]
fn t09_construction() {
    let l = learner(&ManualClock::new(now()));
    assert_eq!(l.params().window_days, 7);
    assert_eq!(l.params().min_samples, 10);
    assert!(l.baselines().is_empty());
}

#[test]
fn t10_record_one_event() {
    let mut l = learner(&ManualClock::new(now()));
    l.record_event("a", normal_events()[0].clone());
    assert_eq!(l.history("a").len(), 1);
}

#[test]
fn t11_t12_min_samples() {
    let mut l = learner(&ManualClock::new(now()));
    for e in &normal_events()[..5] {
        l.record_event("a", e.clone());
    }
    assert!(l.compute_baseline("a").is_none());
    for e in &normal_events()[5..20] {
        l.record_event("a", e.clone());
    }
    let b = l.compute_baseline("a").unwrap();
    assert!(b.event_count >= 20);
    assert_eq!(b.learned_at, now());
    assert_eq!(b.time_window_days, 7);
}

#[test]
fn t13_hourly_distribution() {
    let mut l = learner(&ManualClock::new(now()));
    for h in 0..24 {
        l.record_event("a", event(now() - Duration::hours(h), "x", 1, 1.0, true));
    }
    let p = &l.compute_baseline("a").unwrap().pattern;
    assert_eq!(p.hourly_distribution.len(), 24);
    assert!((p.hourly_distribution.iter().sum::<f64>() - 1.0).abs() < 0.01);
    assert!(
        p.hourly_distribution
            .iter()
            .all(|v| (v - 1.0 / 24.0).abs() < 0.01)
    );
}

#[test]
fn t14_daily_distribution() {
    let mut l = learner(&ManualClock::new(now()));
    for d in 0..7 {
        for k in 0..2 {
            let t = now() - Duration::days(d) - Duration::minutes(k);
            l.record_event("a", event(t, "x", 1, 1.0, true));
        }
    }
    let p = &l.compute_baseline("a").unwrap().pattern;
    assert_eq!(p.daily_distribution.len(), 7);
    assert!((p.daily_distribution.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(
        p.daily_distribution
            .iter()
            .all(|v| (v - 1.0 / 7.0).abs() < 1e-9)
    );
}

fn ten_oclock_learner(clock: &ManualClock) -> BaselineLearner {
    let mut l = learner(clock);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for i in 0..20 {
        let t = DateTime::parse_from_rfc3339("2026-11-18T10:00:00Z").unwrap()
            - Duration::days(i % 5)
            - Duration::minutes(i);
        l.record_event(
            "a",
            event(
                t,
                "tool_call",
                rng.gen_range(1..=4),
                rng.gen_range(100..500) as f64,
                true,
            ),
        );
    }
    l
}

#[test]
fn t15_t16_t17_deviation_factors() {
    let clock = ManualClock::new(now());
    let mut l = ten_oclock_learner(&clock);
    let at_three = DateTime::parse_from_rfc3339("2026-11-18T03:00:00Z").unwrap();
    let dev = l.detect_anomalies("a", &event(at_three, "tool_call", 2, 300.0, true));
    assert_eq!(dev.factors["temporal"], 1.0);
    let dev = l.detect_anomalies("a", &event(now(), "tool_call", 100, 300.0, true));
    assert!(dev.factors["resource"] > 0.5);
    assert_eq!(dev.factors["resource"], 1.0);
    let dev = l.detect_anomalies("a", &event(now(), "extremely_rare_event", 2, 300.0, true));
    assert_eq!(dev.factors["event_type"], 1.0);
    assert_eq!(dev.combined, Some(1.0));
    // No baseline: nothing at all.
    assert_eq!(
        l.detect_anomalies("other", &normal_events()[0]).combined,
        None
    );
}

#[test]
fn t18_feedback_adds_exactly_one_event() {
    let clock = ManualClock::new(now());
    let mut l = ten_oclock_learner(&clock);
    assert!(l.update_from_feedback("a", &normal_events()[0], false));
    assert_eq!(l.history("a").len(), 21);
    // Anomalous feedback keeps it out (and takes it back out if it was recorded).
    assert!(l.update_from_feedback("a", &normal_events()[0], true));
    assert_eq!(l.history("a").len(), 20);
    assert!(!l.update_from_feedback("a", &anomalous_events()[0], true));
}

#[test]
fn t19_window_drops_old_events() {
    let mut l = learner(&ManualClock::new(now()));
    for i in 0..10 {
        l.record_event(
            "a",
            event(now() - Duration::days(30 + i), "x", 1, 1.0, true),
        );
    }
    l.record_event("a", event(now() - Duration::hours(1), "x", 1, 1.0, true));
    assert_eq!(l.history("a").len(), 1);
    // The boundary is strict: exactly window_days old is dropped.
    l.record_event("a", event(now() - Duration::days(7), "x", 1, 1.0, true));
    assert_eq!(l.history("a").len(), 1);
}

// ---- integration (20) ----

#[test]
fn t20_integration_normal_and_anomalous_probes() {
    let clock = ManualClock::new(now());
    let params = LearnerParams {
        window_days: 7,
        min_samples: 10,
    };
    let mut m = AgentMonitor::new(EventDetectorParams::default(), params, clock).unwrap();
    m.train("agent-1", &normal_events()).unwrap();

    let normal = m.check("agent-1", &event(now(), "tool_call", 3, 250.0, true));
    assert!(!normal.result.is_anomaly || normal.result.anomaly_score < 0.6);
    let high = normal
        .baseline
        .factors
        .values()
        .filter(|v| **v > 0.7)
        .count();
    assert!(
        high * 2 < normal.baseline.factors.len(),
        "{:?}",
        normal.baseline
    );

    let three = DateTime::parse_from_rfc3339("2026-11-18T03:00:00Z").unwrap();
    let bad = m.check(
        "agent-1",
        &event(three, "rare_operation", 50, 5000.0, false),
    );
    assert!(bad.result.is_anomaly);
    assert_eq!(bad.result.threat_level, ThreatLevel::Critical);
    assert!(bad.baseline.factors.values().any(|v| *v > 0.5));
    assert_eq!(
        bad.result.explanation.as_deref().unwrap(),
        format!(
            "Anomaly score {:.2}: High resource usage (50); Long duration (5000ms); \
             Unusual time (3:00); Rare event type (rare_operation); Operation failed",
            bad.result.anomaly_score
        )
    );
}

// ---- robustness ----

#[test]
fn poisoned_training_still_trains_and_extremes_stay_in_range() {
    let mut events = normal_events()[..80].to_vec();
    for i in 0..20 {
        events.push(event(
            now() - Duration::minutes(i),
            "extremely_rare_event",
            999,
            99999.0,
            true,
        ));
    }
    let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
    assert!(matches!(
        d.train("p", &events).unwrap(),
        TrainOutcome::Trained { .. }
    ));
    for probe in [
        event(now(), "tool_call", 999_999, 300.0, true),
        event(now(), "tool_call", -1, 300.0, true),
        event(now(), "", 3, 300.0, true),
    ] {
        let r = d.detect("p", &probe);
        assert!((0.0..=1.0).contains(&r.anomaly_score), "{r:?}");
        let reference = d.reference_score("p", &probe).unwrap().score;
        assert!((0.0..=1.0).contains(&reference));
    }
}

#[test]
fn five_events_give_no_model_and_untrained_agents_score_zero() {
    let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
    assert_eq!(
        d.train("a", &normal_events()[..5]).unwrap(),
        TrainOutcome::InsufficientData {
            events: 5,
            needed: 10
        }
    );
    assert!(!d.has_model("a"));
    let r = d.detect("a", &normal_events()[0]);
    assert_eq!((r.anomaly_score, r.is_anomaly), (0.0, false));
}

#[test]
fn poisoned_baseline_keeps_the_common_type_common() {
    let clock = ManualClock::new(now());
    let mut l = BaselineLearner::with_clock(LearnerParams::default(), clock).unwrap();
    // 150 ordinary tool calls over the last five days, 40 minutes apart.
    for i in 0..150 {
        l.record_event(
            "a",
            event(
                now() - Duration::days(5) + Duration::minutes(40 * i),
                "tool_call",
                1 + i % 4,
                (100 + 3 * i) as f64,
                true,
            ),
        );
    }
    for i in 0..30 {
        l.record_event(
            "a",
            event(
                now() - Duration::minutes(i),
                "extremely_rare_event",
                999,
                99999.0,
                true,
            ),
        );
    }
    let b = l.compute_baseline("a").unwrap();
    assert!(b.pattern.common_event_types["tool_call"] > 0.5);
    assert!((b.pattern.common_event_types.values().sum::<f64>() - 1.0).abs() < 1e-9);
}

#[test]
fn fifty_events_are_below_one_hundred_min_samples() {
    let mut l =
        BaselineLearner::with_clock(LearnerParams::default(), ManualClock::new(now())).unwrap();
    for e in &normal_events()[..50] {
        l.record_event("a", e.clone());
    }
    assert!(l.compute_baseline("a").is_none());
}

#[test]
fn reference_mode_reports_harombes_score() {
    let params = EventDetectorParams {
        mode: ScoreMode::Reference,
        ..EventDetectorParams::default()
    };
    let mut d = EventDetector::new(params).unwrap();
    d.train("a", &normal_events()).unwrap();
    let probe = anomalous_events()[0].clone();
    let r = d.detect("a", &probe);
    let reference = d.reference_score("a", &probe).unwrap();
    assert_eq!(r.anomaly_score, reference.score);
    assert_eq!(r.is_anomaly, reference.is_anomaly);
    // The forest saturates beyond its training range: harombe's score stays below 0.85.
    let extreme = d
        .reference_score("a", &event(now(), "tool_call", 999_999, 999_999.0, true))
        .unwrap();
    assert!(extreme.score < 0.85, "{extreme:?}");
}

/// Fix 4: one extreme event among the history does not stretch the learned scale until every
/// later event reads as usual (harombe's raw mean and std did: duration factor 1.0 → 0.0).
#[test]
fn one_extreme_event_does_not_cancel_the_learned_scale() {
    for (rc, dur) in [(2, 1.7e308), (i64::MAX, 300.0), (i64::MIN, 300.0)] {
        let clock = ManualClock::new(now());
        let mut l = ten_oclock_learner(&clock);
        let t = DateTime::parse_from_rfc3339("2026-11-18T10:30:00Z").unwrap();
        l.record_event("a", event(t, "tool_call", rc, dur, true));
        let dev = l.detect_anomalies("a", &event(now(), "tool_call", 400, 1e9, true));
        assert_eq!(dev.factors["duration"], 1.0, "{rc} {dur}");
        assert_eq!(dev.factors["resource"], 1.0, "{rc} {dur}");
        // An ordinary event still reads as ordinary.
        let dev = l.detect_anomalies("a", &event(now(), "tool_call", 2, 300.0, true));
        assert!(
            dev.factors["duration"] < 0.5,
            "{rc} {dur}: {:?}",
            dev.factors
        );
        assert!(
            dev.factors["resource"] < 0.5,
            "{rc} {dur}: {:?}",
            dev.factors
        );
        let p = &l.compute_baseline("a").unwrap().pattern;
        assert!(p.avg_event_duration_ms < 1_000.0 && p.std_event_duration_ms < 1_000.0);
    }
}
