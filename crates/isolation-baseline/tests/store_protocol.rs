//! The store's write protocol (issue 16 items 5 and 6): concurrent trainers never lose each
//! other's events, and a future-dated event does not empty the baseline.

use chrono::{DateTime, Duration, FixedOffset};
use vigil_contracts::AgentEvent;
use vigil_isolation_baseline::store::{self, BaselineStore};
use vigil_isolation_baseline::{
    AgentMonitor, EventDetectorParams, FileStore, LearnerParams, ManualClock, TrainOutcome,
};

fn t0() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap()
}

/// Steady work: one event every 10 minutes from `t0() + offset_min`.
fn events(n: i64, offset_min: i64) -> Vec<AgentEvent> {
    (0..n)
        .map(|i| AgentEvent {
            agent_id: Some("ops".into()),
            timestamp: t0() + Duration::minutes(offset_min + 10 * i),
            event_type: ["tool_call", "api_call", "file_read"][(i % 3) as usize].into(),
            resource_count: 2 + i % 3,
            duration_ms: (200 + 25 * (i % 7)) as f64,
            success: true,
            extra: Default::default(),
        })
        .collect()
}

fn monitor() -> (AgentMonitor, ManualClock) {
    let clock = ManualClock::earliest();
    let m = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock.clone(),
    )
    .unwrap();
    (m, clock)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn two_racing_trainers_lose_no_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    // Two writers, 25 batches of 8 events each, appended and refitted at the same time.
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = FileStore::new(path);
                for batch in 0..25 {
                    let (mut m, clock) = monitor();
                    let evs = events(8, 10_000 * w + 80 * batch);
                    block_on(store::train(&store, &mut m, &clock, None, "ops", &evs)).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = FileStore::new(&path);
    let log = store.read_log_sync("ops").unwrap();
    assert_eq!(log.events.len(), 2 * 25 * 8);
    // A reader refits from the union (the cached fit may be either writer's last one).
    let (mut m, clock) = monitor();
    assert!(block_on(store::load(&store, &mut m, &clock, None, "ops")).unwrap());
    assert_eq!(m.learner().history("ops").len(), 400);
    assert_eq!(m.snapshot("ops").unwrap().detector.training_data.len(), 400);
}

#[test]
fn training_again_accumulates_and_two_refits_are_identical() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let (mut a, ca) = monitor();
    let first = block_on(store::train(
        &store,
        &mut a,
        &ca,
        None,
        "ops",
        &events(150, 0),
    ))
    .unwrap();
    assert_eq!(first.outcome, TrainOutcome::Trained { events: 150 });
    let (mut b, cb) = monitor();
    let second = block_on(store::train(
        &store,
        &mut b,
        &cb,
        None,
        "ops",
        &events(120, 1500),
    ))
    .unwrap();
    assert_eq!(second.log_events, 270);
    assert_eq!(second.outcome, TrainOutcome::Trained { events: 270 });
    // The cache matches the log: a reader takes it as is, and equals a fresh refit.
    let (mut c, cc) = monitor();
    assert!(block_on(store::load(&store, &mut c, &cc, None, "ops")).unwrap());
    assert_eq!(
        c.snapshot("ops").unwrap().detector,
        b.snapshot("ops").unwrap().detector
    );
    let cached = block_on(store.load_cached("ops")).unwrap().unwrap();
    assert!(cached.log_version.unwrap().starts_with("2-"));
}

#[test]
fn a_future_dated_event_does_not_empty_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let mut evs = events(300, 0);
    let mut future = evs[0].clone();
    future.timestamp = t0() + Duration::days(120);
    evs.push(future);
    let (mut m, clock) = monitor();
    let report = block_on(store::train(&store, &mut m, &clock, None, "ops", &evs)).unwrap();
    assert_eq!(report.future_events, 1);
    assert_eq!(report.now, Some(t0() + Duration::minutes(10 * 299)));
    assert_eq!(report.outcome, TrainOutcome::Trained { events: 300 });
    let probe = events(301, 0).pop().unwrap();
    let verdict = m.check("ops", &probe);
    assert_eq!(verdict.baseline.factors.len(), 4, "{:?}", verdict.baseline);
}

#[test]
fn hostile_ids_and_a_file_in_place_of_the_store_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let (mut m, clock) = monitor();
    let err = block_on(store::train(
        &store,
        &mut m,
        &clock,
        None,
        "../x",
        &events(3, 0),
    ))
    .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid agent id \"../x\""),
        "{err}"
    );
    let file = dir.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    let store = FileStore::new(&file);
    let err = block_on(store::train(
        &store,
        &mut m,
        &clock,
        None,
        "ops",
        &events(3, 0),
    ))
    .unwrap_err();
    assert!(err.to_string().contains("cannot create"), "{err}");
    assert!(block_on(store.ping()).is_err());
}
