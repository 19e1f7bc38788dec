//! The Redis backend against a real `redis-server` (see `redis_support.rs`).
#![cfg(feature = "redis")]

// One Redis test helper for every crate that tests against a real server.
#[path = "../../server/tests/support/redis.rs"]
#[allow(dead_code)]
mod redis_support;

use chrono::{DateTime, Duration, FixedOffset};
use vigil_contracts::AgentEvent;
use vigil_isolation_baseline::store::{self, BaselineStore};
use vigil_isolation_baseline::{
    AgentMonitor, Error, EventDetectorParams, LearnerParams, ManualClock, RedisStore, TrainOutcome,
};

fn t0() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap()
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_trainers_on_two_connections_lose_no_events() {
    let Some(redis) = redis_support::redis("racing_trainers_on_two_connections") else {
        return;
    };
    let prefix = redis_support::unique_prefix("race");
    let tasks: Vec<_> = (0..2)
        .map(|w| {
            // One store (one connection) per writer, as two processes would have.
            let store = RedisStore::new(&redis.url, &prefix).unwrap();
            tokio::spawn(async move {
                for batch in 0..25 {
                    let (mut m, clock) = monitor();
                    let evs = events(8, 10_000 * w + 80 * batch);
                    store::train(&store, &mut m, &clock, None, "ops", &evs)
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let store = RedisStore::new(&redis.url, &prefix).unwrap();
    let log = store.read_log("ops").await.unwrap();
    assert_eq!(log.events.len(), 400);
    assert_eq!(log.version, "50-r");
    let (mut m, clock) = monitor();
    assert!(
        store::load(&store, &mut m, &clock, None, "ops")
            .await
            .unwrap()
    );
    assert_eq!(m.learner().history("ops").len(), 400);
}

#[tokio::test]
async fn cached_fit_round_trips_and_matches_a_file_store_fit() {
    let Some(redis) = redis_support::redis("cached_fit_round_trips") else {
        return;
    };
    let store = RedisStore::new(&redis.url, &redis_support::unique_prefix("cache")).unwrap();
    let (mut a, ca) = monitor();
    let report = store::train(&store, &mut a, &ca, None, "ops", &events(150, 0))
        .await
        .unwrap();
    assert_eq!(report.outcome, TrainOutcome::Trained { events: 150 });
    let cached = store.load_cached("ops").await.unwrap().unwrap();
    assert!(cached.log_version.as_deref().unwrap().starts_with("1-r/"));
    // The same events through a file store give the same model: the fit is a function of the log.
    let dir = tempfile::tempdir().unwrap();
    let files = vigil_isolation_baseline::FileStore::new(dir.path());
    let (mut b, cb) = monitor();
    store::train(&files, &mut b, &cb, None, "ops", &events(150, 0))
        .await
        .unwrap();
    assert_eq!(
        a.snapshot("ops").unwrap().detector,
        b.snapshot("ops").unwrap().detector
    );
    assert!(store.load_cached("nobody").await.unwrap().is_none());
    let err = store.read_log("a b").await.unwrap_err();
    assert!(matches!(err, Error::InvalidAgentId { .. }), "{err}");
}

#[tokio::test]
async fn an_unreachable_redis_is_unavailable_not_a_panic() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = RedisStore::new(&format!("redis://127.0.0.1:{port}/"), "x:").unwrap();
    let err = store.ping().await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "baseline store unavailable: Redis at redis://127.0.0.1:{port}/"
        )),
        "{err}"
    );
    let err = RedisStore::new("http://nope", "x:").unwrap_err();
    assert!(err.to_string().contains("not a valid Redis URL"), "{err}");
}
