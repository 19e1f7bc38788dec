//! Criterion benches: training, detection, recording, baseline statistics and the store.
//!
//! ```sh
//! cargo bench -p vigil-trainer --bench isolation_baseline
//! ```

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use vigil_isolation_baseline::{
    AgentMonitor, BaselineLearner, EventDetector, EventDetectorParams, FileStore, LearnerParams,
    ManualClock,
};
use vigil_trainer::isolation_baseline::Generator;

fn train(c: &mut Criterion) {
    let mut group = c.benchmark_group("train");
    group.sample_size(20);
    for n in [100usize, 1_000, 10_000] {
        let events = Generator::new(1).events(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &events, |b, events| {
            b.iter(|| {
                let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
                d.train("a", black_box(events)).unwrap();
                d
            })
        });
    }
    group.finish();
}

fn detect(c: &mut Criterion) {
    let mut group = c.benchmark_group("detect");
    for n in [100usize, 1_000, 10_000] {
        let mut g = Generator::new(2);
        let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
        d.train("a", &g.events(n)).unwrap();
        let probes = g.events(64);
        let mut i = 0;
        group.bench_function(BenchmarkId::new("result", n), |b| {
            b.iter(|| {
                i = (i + 1) % probes.len();
                d.detect("a", black_box(&probes[i]))
            })
        });
        group.bench_function(BenchmarkId::new("scores_only", n), |b| {
            b.iter(|| {
                i = (i + 1) % probes.len();
                d.score("a", black_box(&probes[i]))
            })
        });
    }
    group.finish();
}

fn learner(c: &mut Criterion) {
    let mut g = Generator::new(3);
    let events = g.events(5_000);
    let now = g.now();
    let params = LearnerParams::default();
    c.bench_function("learner/record_5000", |b| {
        b.iter(|| {
            let mut l = BaselineLearner::with_clock(params, ManualClock::new(now)).unwrap();
            for e in &events {
                l.record_event("a", black_box(e.clone()));
            }
            l
        })
    });
    let mut l = BaselineLearner::with_clock(params, ManualClock::new(now)).unwrap();
    for e in &events {
        l.record_event("a", e.clone());
    }
    c.bench_function("learner/compute_baseline_5000", |b| {
        b.iter(|| l.compute_baseline(black_box("a")).map(|b| b.event_count))
    });
    let probe = g.event();
    c.bench_function("learner/detect_anomalies", |b| {
        b.iter(|| l.detect_anomalies("a", black_box(&probe)))
    });
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    let mut g = Generator::new(4);
    let clock = ManualClock::new(g.now());
    let mut m = AgentMonitor::new(
        EventDetectorParams::default(),
        LearnerParams::default(),
        clock,
    )
    .unwrap();
    m.train("a", &g.events(1_000)).unwrap();
    c.bench_function("store/save_1000", |b| {
        b.iter(|| m.save("a", &store).unwrap())
    });
    c.bench_function("store/load_1000", |b| {
        b.iter(|| m.load("a", &store).unwrap())
    });
}

criterion_group!(benches, train, detect, learner, store);
criterion_main!(benches);
