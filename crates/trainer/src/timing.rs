//! Per-call latency measurement for `cargo xtask bench`: p50/p99/p99.9 of single calls over a
//! varied corpus, as the reference documents report them (criterion benches give the
//! statistically careful means).
//!
//! A hot path is timed over *many different inputs* (the hand-written fixtures and the committed
//! external sets), never one input repeated: regex engines and caches that warm up on a text make
//! a repeated input look faster than real traffic. The first pass over the corpus is kept apart
//! as "first sight" (every input seen for the first time by this process), so a cost paid only
//! on unseen text shows up instead of hiding among warm calls.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use vigil_learn::metrics::percentile;

/// Latency of one hot path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// What was timed, e.g. `task-signal cascade classify (CLI default)`.
    pub name: String,
    /// What it was timed on, e.g. `300 prompts: hand-written + axor hard set`.
    pub corpus: String,
    /// Calls timed (first pass included).
    pub calls: usize,
    /// Median per-call time, nanoseconds.
    pub p50_ns: f64,
    /// 99th-percentile per-call time, nanoseconds.
    pub p99_ns: f64,
    /// 99.9th-percentile per-call time, nanoseconds.
    pub p999_ns: f64,
    /// 99th percentile of the first pass alone (each input's first call in this process);
    /// `None` when the path was not timed over a corpus (one input, or one call per sample).
    pub first_sight_p99_ns: Option<f64>,
    /// Id of the like-for-like reference figure in `bench/reference.json`, if there is one.
    pub reference: Option<String>,
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

    /// This timing compared with `reference_p50_ns`, a like-for-like reference median.
    pub fn speedup(&self, reference_p50_ns: f64) -> f64 {
        reference_p50_ns / self.p50_ns.max(1e-9)
    }

    /// Names the like-for-like reference figure (an id in `bench/reference.json`).
    pub fn against(mut self, reference: &str) -> Self {
        self.reference = Some(reference.to_owned());
        self
    }
}

fn summarize(name: &str, corpus: &str, mut samples: Vec<f64>, first: Option<Vec<f64>>) -> Timing {
    samples.sort_by(f64::total_cmp);
    let first_sight_p99_ns = first.map(|mut f| {
        f.sort_by(f64::total_cmp);
        percentile(&f, 0.99)
    });
    Timing {
        name: name.to_owned(),
        corpus: corpus.to_owned(),
        calls: samples.len(),
        p50_ns: percentile(&samples, 0.50),
        p99_ns: percentile(&samples, 0.99),
        p999_ns: percentile(&samples, 0.999),
        first_sight_p99_ns,
        reference: None,
    }
}

/// Times `calls` individual invocations of `f` after `warmup` untimed ones. `f` gets the call
/// index so it can cycle through inputs; its result is passed to `std::hint::black_box`.
/// For operations that are not per-input (loading a model, a training run).
pub fn time_calls<R>(
    name: &str,
    corpus: &str,
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
    summarize(name, corpus, samples, None)
}

/// Times `f` over every input of a corpus of `inputs` items, `passes` times, with no warm-up on
/// the corpus itself (warm the code up beforehand on an input outside it). The first pass is
/// also summarized alone as first sight. Passes after the first visit the inputs in a seeded
/// shuffled order, so no input is always preceded by the same one.
pub fn time_corpus<R>(
    name: &str,
    corpus: &str,
    inputs: usize,
    passes: usize,
    mut f: impl FnMut(usize) -> R,
) -> Timing {
    let passes = passes.max(1);
    let mut samples = Vec::with_capacity(inputs * passes);
    let mut order: Vec<usize> = (0..inputs).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for pass in 0..passes {
        if pass > 0 {
            // Fisher–Yates with a fixed xorshift stream: the same order on every run.
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
        }
        for &i in &order {
            let start = Instant::now();
            std::hint::black_box(f(i));
            samples.push(start.elapsed().as_nanos() as f64);
        }
    }
    let first = samples[..inputs.min(samples.len())].to_vec();
    summarize(name, corpus, samples, Some(first))
}

/// Passes needed for about `target` calls over `inputs` inputs (at least 2: one first-sight
/// pass and one warm pass).
pub fn passes_for(inputs: usize, target: usize) -> usize {
    target.div_ceil(inputs.max(1)).max(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_calls_counts_and_compares() {
        let mut t = time_calls("noop", "none", 2, 10, |i| i * 2);
        assert_eq!(t.calls, 10);
        assert!(t.p99_ns >= t.p50_ns && t.p999_ns >= t.p99_ns);
        assert_eq!(t.first_sight_p99_ns, None);
        t.p50_ns = 1_000.0;
        assert_eq!(t.speedup(5_000_000.0), 5000.0);
        assert_eq!(t.throughput(), 1e6);
        assert_eq!(t.against("axor.x").reference.as_deref(), Some("axor.x"));
    }

    #[test]
    fn time_corpus_visits_every_input_every_pass() {
        let mut seen = vec![0usize; 7];
        let t = time_corpus("count", "7 ints", 7, 3, |i| seen[i] += 1);
        assert_eq!(seen, vec![3; 7]);
        assert_eq!(t.calls, 21);
        assert!(t.first_sight_p99_ns.is_some());
        assert_eq!(passes_for(7, 20), 3);
        assert_eq!(passes_for(1000, 20), 2);
        assert_eq!(passes_for(0, 5), 5);
    }
}
