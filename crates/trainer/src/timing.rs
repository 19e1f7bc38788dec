//! Per-call latency measurement for `cargo xtask bench`: p50/p99 of single calls, as the
//! reference documents report them (criterion benches give the statistically careful means).

use std::time::Instant;

use serde::{Deserialize, Serialize};
use vigil_learn::metrics::percentile;

/// Latency of one hot path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// What was timed, e.g. `task-signal classify`.
    pub name: String,
    /// Calls timed.
    pub calls: usize,
    /// Median per-call time, nanoseconds.
    pub p50_ns: f64,
    /// 99th-percentile per-call time, nanoseconds.
    pub p99_ns: f64,
    /// The reference system's p50 for the same operation, nanoseconds, when published.
    pub reference_p50_ns: Option<f64>,
}

impl Timing {
    /// Calls per second at the median.
    pub fn throughput(&self) -> f64 {
        if self.p50_ns > 0.0 {
            1e9 / self.p50_ns
        } else {
            0.0
        }
    }

    /// How many times faster than the reference at p50.
    pub fn speedup(&self) -> Option<f64> {
        self.reference_p50_ns.map(|r| r / self.p50_ns.max(1e-9))
    }
}

/// Times `calls` individual invocations of `f` after `warmup` untimed ones. `f` gets the call
/// index so it can cycle through inputs; its result is passed to `std::hint::black_box`.
pub fn time_calls<R>(
    name: &str,
    warmup: usize,
    calls: usize,
    mut f: impl FnMut(usize) -> R,
) -> Timing {
    for i in 0..warmup {
        std::hint::black_box(f(i));
    }
    let mut samples = Vec::with_capacity(calls);
    for i in 0..calls {
        let start = Instant::now();
        std::hint::black_box(f(i));
        samples.push(start.elapsed().as_nanos() as f64);
    }
    samples.sort_by(f64::total_cmp);
    Timing {
        name: name.to_owned(),
        calls,
        p50_ns: percentile(&samples, 0.50),
        p99_ns: percentile(&samples, 0.99),
        reference_p50_ns: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_calls_counts_and_compares() {
        let mut t = time_calls("noop", 2, 10, |i| i * 2);
        assert_eq!(t.calls, 10);
        assert!(t.p99_ns >= t.p50_ns);
        t.p50_ns = 1_000.0;
        t.reference_p50_ns = Some(5_000_000.0);
        assert_eq!(t.speedup(), Some(5000.0));
        assert_eq!(t.throughput(), 1e6);
    }
}
