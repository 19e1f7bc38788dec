//! What vigil fixes in harombe: rarity, saturation, feedback, rate, recording, the store.

use chrono::{DateTime, Duration, FixedOffset};
use vigil_contracts::{AgentEvent, Artifact, ThreatLevel};
use vigil_features::event as event_features;
use vigil_isolation_baseline::model::KIND;
use vigil_isolation_baseline::store::validate_agent_id;
use vigil_isolation_baseline::{
    AgentMonitor, AgentSnapshot, BaselineLearner, Error, EventDetector, EventDetectorParams,
    FileStore, LearnerParams, ManualClock,
};
use vigil_trainer::isolation_baseline::Generator;

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn trained(n: usize, seed: u64) -> (EventDetector, Generator) {
    let mut g = Generator::new(seed);
    let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
    d.train("a", &g.events(n)).unwrap();
    (d, g)
}

/// A weekday-noon tool call with typical values.
fn typical(g: &mut Generator) -> AgentEvent {
    AgentEvent {
        timestamp: at("2026-03-04T12:00:00Z"),
        event_type: "tool_call".into(),
        resource_count: 3,
        duration_ms: 300.0,
        success: true,
        ..g.event()
    }
}

#[test]
fn a_never_seen_event_type_raises_the_score_to_an_alert() {
    let (d, mut g) = trained(1000, 11);
    let normal = typical(&mut g);
    let novel = AgentEvent {
        event_type: "credential_dump".into(),
        ..normal.clone()
    };
    let (n, x) = (
        d.score("a", &normal).unwrap(),
        d.score("a", &novel).unwrap(),
    );
    assert!(!n.combined_is_anomaly);
    assert_eq!(x.components.event_type, 0.75);
    assert!(
        x.combined >= 0.75 && x.combined > n.combined + 0.5,
        "{n:?} {x:?}"
    );
    assert_eq!(x.combined_threat_level, ThreatLevel::Medium);
}

#[test]
fn a_type_rarely_seen_weighs_more_than_a_common_one() {
    let (d, mut g) = trained(10_000, 12);
    let normal = typical(&mut g);
    // shell_exec is 3% of events, tool_call 40%: neither is below 1%, so no type evidence.
    let shell = AgentEvent {
        event_type: "shell_exec".into(),
        resource_count: 2,
        duration_ms: 2500.0,
        ..normal.clone()
    };
    assert_eq!(d.score("a", &shell).unwrap().components.event_type, 0.0);
    assert_eq!(d.score("a", &normal).unwrap().components.event_type, 0.0);
}

#[test]
fn extreme_events_reach_critical_where_the_forest_saturates() {
    let (d, mut g) = trained(1000, 13);
    let base = typical(&mut g);
    let big = AgentEvent {
        resource_count: 50,
        ..base.clone()
    };
    let huge = AgentEvent {
        resource_count: 999_999,
        duration_ms: 999_999.0,
        ..base.clone()
    };
    let (b, h) = (d.score("a", &big).unwrap(), d.score("a", &huge).unwrap());
    // 17 times the usual resource count: an alert on its own.
    assert!(b.combined_is_anomaly, "{b:?}");
    assert!(b.components.resource_count > 0.6, "{b:?}");
    assert_eq!(h.combined_threat_level, ThreatLevel::Critical);
    assert!(h.combined > 0.99);
    // harombe's score saturates below its 0.7 band: a million resources is only LOW.
    assert!(h.reference.score < 0.7, "{h:?}");
    assert!(h.reference.threat_level <= ThreatLevel::Low);
}

#[test]
fn false_positives_fed_back_as_normal_stop_alerting_after_the_scheduled_retrain() {
    let (mut d, mut g) = trained(300, 14);
    let deploy = |g: &mut Generator| AgentEvent {
        event_type: "deploy".into(),
        ..typical(g)
    };
    let first = deploy(&mut g);
    assert!(d.detect("a", &first).is_anomaly);
    for i in 0..9 {
        let out = d.update_from_feedback("a", &deploy(&mut g), false).unwrap();
        assert!(out.added && !out.retrained, "feedback {i}");
    }
    // Still the old model: nothing retrained yet.
    assert!(d.detect("a", &first).is_anomaly);
    let out = d.update_from_feedback("a", &deploy(&mut g), false).unwrap();
    assert!(out.retrained);
    assert_eq!(d.training_data("a").len(), 310);
    assert!(
        !d.detect("a", &first).is_anomaly,
        "{:?}",
        d.detect("a", &first)
    );
}

#[test]
fn events_confirmed_anomalous_are_taken_out_and_the_model_refitted() {
    let mut g = Generator::new(15);
    let mut events = g.events(200);
    let attack = AgentEvent {
        event_type: "exfiltrate".into(),
        resource_count: 500,
        ..events[10].clone()
    };
    events.extend(std::iter::repeat_n(attack.clone(), 5));
    let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
    d.train("a", &events).unwrap();
    let before = d.score("a", &attack).unwrap();
    // 5 of 205 events (2.4%): a known type, no type evidence.
    assert_eq!(before.components.event_type, 0.0);
    let out = d.update_from_feedback("a", &attack, true).unwrap();
    assert_eq!((out.removed, out.retrained, out.added), (5, true, false));
    assert_eq!(d.training_data("a").len(), 200);
    let after = d.score("a", &attack).unwrap();
    assert_eq!(after.components.event_type, 0.75);
    assert!(after.combined > before.combined, "{before:?} → {after:?}");
    assert_eq!(after.combined_threat_level, ThreatLevel::Critical);
    // Unknown to the training set: nothing to do.
    let out = d.update_from_feedback("a", &attack, true).unwrap();
    assert_eq!((out.removed, out.retrained), (0, false));
}

#[test]
fn rate_is_positive_for_newest_first_histories_and_none_for_one_instant() {
    let now = at("2026-11-18T12:00:00Z");
    let clock = ManualClock::new(now);
    let params = LearnerParams {
        window_days: 7,
        min_samples: 10,
    };
    let mut l = BaselineLearner::with_clock(params, clock).unwrap();
    let mut g = Generator::new(1);
    for i in 0..20 {
        // Newest first, one minute apart: harombe reports −60/h.
        let e = AgentEvent {
            timestamp: now - Duration::minutes(i),
            ..g.event()
        };
        l.record_event("a", e);
    }
    let times: Vec<_> = l.history("a").map(|e| e.timestamp).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "kept in time order");
    let rate = l.compute_baseline("a").unwrap().pattern.avg_events_per_hour;
    assert!((rate.unwrap() - 60.0).abs() < 1e-9);
    for _ in 0..12 {
        let e = AgentEvent {
            timestamp: now,
            ..g.event()
        };
        l.record_event("b", e);
    }
    assert_eq!(
        l.compute_baseline("b").unwrap().pattern.avg_events_per_hour,
        None
    );
}

#[test]
fn get_baseline_recomputes_only_after_the_window() {
    let now = at("2026-11-18T12:00:00Z");
    let clock = ManualClock::new(now);
    let params = LearnerParams {
        window_days: 7,
        min_samples: 10,
    };
    let mut l = BaselineLearner::with_clock(params, clock.clone()).unwrap();
    let mut g = Generator::starting_at(2, now - Duration::days(2));
    for e in g.events(50) {
        l.record_event("a", e);
    }
    l.compute_baseline("a").unwrap();
    clock.set(now + Duration::days(6));
    assert_eq!(l.get_baseline("a").unwrap().learned_at, now);
    clock.set(now + Duration::days(7) + Duration::hours(1));
    // Recomputed, but the history is older than the window by then: pruned on the next record.
    l.record_event(
        "a",
        AgentEvent {
            timestamp: now + Duration::days(7),
            ..g.event()
        },
    );
    assert!(l.get_baseline("a").is_none());
}

fn monitor(clock: &ManualClock) -> AgentMonitor {
    AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock.clone(),
    )
    .unwrap()
}

#[test]
fn store_round_trip_is_exact_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let mut g = Generator::new(21);
    let events = g.events(1000);
    let clock = ManualClock::new(g.now());
    let mut a = monitor(&clock);
    a.train("agent.one", &events).unwrap();
    let path = a.save("agent.one", &store).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    // Training twice with the same seed writes byte-identical artifacts.
    let mut b = monitor(&clock);
    b.train("agent.one", &events).unwrap();
    b.save("agent.one", &store).unwrap();
    assert_eq!(bytes, std::fs::read(&path).unwrap());
    assert!(bytes.len() < 1_500_000, "{} bytes", bytes.len());

    let mut c = monitor(&clock);
    c.load("agent.one", &store).unwrap();
    assert_eq!(a.snapshot("agent.one"), c.snapshot("agent.one"));
    for e in g.events(50) {
        assert_eq!(a.check("agent.one", &e), c.check("agent.one", &e));
    }
    assert_eq!(store.agents().unwrap(), vec!["agent.one".to_owned()]);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn truncated_corrupt_and_foreign_artifacts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let mut g = Generator::new(22);
    let clock = ManualClock::new(g.now());
    let mut m = monitor(&clock);
    m.train("a", &g.events(100)).unwrap();
    let path = m.save("a", &store).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = m.load("a", &store).unwrap_err().to_string();
    assert!(
        err.contains("truncated") && err.contains("a_anomaly_model.vgl"),
        "{err}"
    );

    let mut flipped = bytes.clone();
    flipped[100] ^= 0x55;
    std::fs::write(&path, &flipped).unwrap();
    let err = m.load("a", &store).unwrap_err().to_string();
    assert!(err.contains("checksum mismatch"), "{err}");

    // A valid artifact of agent "a" copied under another agent's name.
    std::fs::write(&path, &bytes).unwrap();
    std::fs::write(dir.path().join("b_anomaly_model.vgl"), &bytes).unwrap();
    let err = m.load("b", &store).unwrap_err().to_string();
    assert!(err.contains("holds agent \"a\""), "{err}");

    // Another kind of artifact, with our payload or with its own.
    let snapshot = m.snapshot("a").unwrap();
    let other = Artifact::new("task-signal", &event_features::schema(), 1, snapshot);
    other
        .write(&dir.path().join("c_anomaly_model.vgl"))
        .unwrap();
    let err = m.load("c", &store).unwrap_err().to_string();
    assert!(
        err.contains(&format!("expected model kind \"{KIND}\"")),
        "{err}"
    );
    let other = Artifact::new("task-signal", &event_features::schema(), 1, vec![1u8, 2]);
    other
        .write(&dir.path().join("d_anomaly_model.vgl"))
        .unwrap();
    let err = m.load("d", &store).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "d_anomaly_model.vgl: expected model kind \"{KIND}\", found \"task-signal\""
        )),
        "{err}"
    );

    assert_eq!(
        m.load("nobody", &store).unwrap_err().to_string(),
        "No saved model found for nobody"
    );
    // The failed loads left the good agent usable.
    m.load("a", &store).unwrap();
}

#[test]
fn hostile_agent_ids_are_refused_before_touching_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("inner"));
    let mut g = Generator::new(23);
    let clock = ManualClock::new(g.now());
    let mut m = monitor(&clock);
    for id in ["../../etc", "..", ".hidden", "a/b", "a\\b", "", "x\0y", "é"] {
        m.train(id, &g.events(20)).unwrap();
        let err = m.save(id, &store).unwrap_err();
        assert!(matches!(err, Error::InvalidAgentId { .. }), "{id:?}: {err}");
        assert!(matches!(store.load(id), Err(Error::InvalidAgentId { .. })));
    }
    assert_eq!(
        validate_agent_id("../../etc").unwrap_err().to_string(),
        "invalid agent id \"../../etc\": only ASCII letters, digits and _ - . @ are allowed in a file name"
    );
    assert!(!dir.path().join("inner").exists());
    assert!(!dir.path().join("etc_anomaly_model.vgl").exists());
    // An agent that never trained has nothing to save.
    assert_eq!(
        m.save("ghost", &store).unwrap_err().to_string(),
        "No model trained for ghost"
    );
}

#[test]
fn a_snapshot_with_a_broken_forest_is_refused_on_import() {
    let mut g = Generator::new(24);
    let clock = ManualClock::new(g.now());
    let mut m = monitor(&clock);
    m.train("a", &g.events(100)).unwrap();
    let snapshot: AgentSnapshot = m.snapshot("a").unwrap();
    let mut value = serde_json::to_value(&snapshot).unwrap();
    value["detector"]["model"]["forest"]["left"][0] = serde_json::json!(999_999);
    let broken: AgentSnapshot = serde_json::from_value(value).unwrap();
    let err = m.restore(broken).unwrap_err().to_string();
    assert!(
        err.starts_with("invalid training data: forest: node 0 has child 999999"),
        "{err}"
    );
}

#[test]
fn absurd_but_finite_values_train_and_score_without_overflow() {
    let mut g = Generator::new(25);
    let mut events = g.events(100);
    events[3].duration_ms = 1e300;
    events[4].resource_count = i64::MAX;
    let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
    d.train("a", &events).unwrap();
    let probe = AgentEvent {
        duration_ms: -1e300,
        ..g.event()
    };
    let r = d.detect("a", &probe);
    assert!(r.anomaly_score.is_finite() && r.is_anomaly, "{r:?}");
}
