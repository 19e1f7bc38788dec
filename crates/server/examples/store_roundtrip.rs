//! Round trip of the baseline store, file vs Redis: append one event + read the log back, and
//! save + load a cached fit of 300 events. Prints medians and p99 in microseconds.
//!
//! ```text
//! cargo run --release -p vigil-server --example store_roundtrip -- redis://127.0.0.1:6379/ 2000
//! ```

use std::time::Instant;

use chrono::{DateTime, Duration};
use vigil_contracts::AgentEvent;
use vigil_isolation_baseline::store::{self, BaselineStore};
use vigil_isolation_baseline::{
    AgentMonitor, EventDetectorParams, FileStore, LearnerParams, ManualClock, RedisStore,
    StoredEvent,
};

fn events(n: i64) -> Vec<AgentEvent> {
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap();
    (0..n)
        .map(|i| AgentEvent {
            agent_id: None,
            timestamp: t0 + Duration::minutes(10 * i),
            event_type: ["tool_call", "api_call", "file_read"][(i % 3) as usize].into(),
            resource_count: 2 + i % 3,
            duration_ms: (200 + 25 * (i % 7)) as f64,
            success: true,
            extra: Default::default(),
        })
        .collect()
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    format!("p50 {:.0} µs, p99 {:.0} µs", at(0.5), at(0.99))
}

async fn measure(name: &str, s: &dyn BaselineStore, n: usize) {
    let one = [StoredEvent::from(&events(1)[0])];
    let agent = format!("bench-{}", std::process::id());
    let mut append = Vec::with_capacity(n);
    let mut read = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        s.append(&agent, &one).await.unwrap();
        append.push(t.elapsed().as_secs_f64() * 1e6);
    }
    for _ in 0..n.min(200) {
        let t = Instant::now();
        let log = s.read_log(&agent).await.unwrap();
        read.push(t.elapsed().as_secs_f64() * 1e6);
        assert_eq!(log.events.len(), n);
    }
    let clock = ManualClock::earliest();
    let mut m = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock.clone(),
    )
    .unwrap();
    let fit_agent = format!("{agent}-fit");
    store::train(s, &mut m, &clock, None, &fit_agent, &events(300))
        .await
        .unwrap();
    let snapshot = s.load_cached(&fit_agent).await.unwrap().unwrap();
    let mut cache = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        s.save_cached(&snapshot).await.unwrap();
        let back = s.load_cached(&fit_agent).await.unwrap().unwrap();
        cache.push(t.elapsed().as_secs_f64() * 1e6);
        assert_eq!(back.history.len(), 300);
    }
    println!("{name}: append 1 event: {}", stats(append));
    println!("{name}: read a log of {n} events: {}", stats(read));
    println!("{name}: save + load a 300-event fit: {}", stats(cache));
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "redis://127.0.0.1:6379/".into());
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("vigil-bench-{}", std::process::id()));
    measure("file ", &FileStore::new(&dir), n).await;
    measure("redis", &RedisStore::new(&url, "vigil-bench:").unwrap(), n).await;
    let _ = std::fs::remove_dir_all(dir);
}
