//! Per-call latency percentiles of `detect` (criterion reports means and medians; this adds p99).
//!
//! ```sh
//! cargo run --release -p vigil-trainer --example isolation_baseline_latency
//! ```

use std::time::Instant;

use vigil_isolation_baseline::{EventDetector, EventDetectorParams};
use vigil_trainer::isolation_baseline::Generator;

fn main() {
    println!("| training events | detect p50 | p99 | max |");
    println!("|---|---|---|---|");
    for n in [100usize, 1_000, 10_000] {
        let mut g = Generator::new(9);
        let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
        d.train("agent", &g.events(n)).unwrap();
        let probes = g.events(1_000);
        for p in probes.iter().take(50) {
            std::hint::black_box(d.detect("agent", p));
        }
        let mut times: Vec<f64> = Vec::with_capacity(20_000);
        for k in 0..20_000 {
            let p = &probes[k % probes.len()];
            let t0 = Instant::now();
            std::hint::black_box(d.detect("agent", std::hint::black_box(p)));
            times.push(t0.elapsed().as_secs_f64() * 1e6);
        }
        times.sort_by(f64::total_cmp);
        let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
        println!(
            "| {n} | {:.2} µs | {:.2} µs | {:.2} µs |",
            q(0.5),
            q(0.99),
            q(1.0)
        );
    }
}
