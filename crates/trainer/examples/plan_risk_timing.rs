//! Times only the plan-risk rows of `cargo xtask bench`, and finds the slow plans.
//!
//! `cargo run --release -p vigil-trainer --example plan_risk_timing -- [bench N | slow | loop SECS]`
//! - `bench N`: runs `plan_risk::bench()` N times (default 5) and prints every row.
//! - `slow`: the hand-written plans without observations, first-sight and warm time per plan,
//!   slowest first.
//! - `first`: one first-sight pass over them after the bench's warm-up (for callgrind).
//! - `warm N`: N warm passes over them after a first one (for callgrind).
//! - `loop SECS`: decides the plans without observations for SECS seconds (for `perf record`).

use std::time::Instant;

use vigil_contracts::Plan;
use vigil_plan_risk::PlanMonitor;
use vigil_trainer::plan_risk::bench::{bench, handwritten_plans};

fn bare() -> Vec<Plan> {
    handwritten_plans()
        .expect("fixtures")
        .into_iter()
        .filter(|p| p.steps.iter().all(|s| s.observation.is_none()))
        .collect()
}

#[inline(never)]
fn first_pass(monitor: &PlanMonitor, plans: &[Plan]) {
    for p in plans {
        std::hint::black_box(monitor.decide(p));
    }
}

#[inline(never)]
fn warm_passes(monitor: &PlanMonitor, plans: &[Plan], n: usize) {
    for _ in 0..n {
        first_pass(monitor, plans);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("bench");
    let n: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    match mode {
        "slow" => {
            let monitor = PlanMonitor::embedded().expect("monitor");
            let plans = bare();
            let mut rows: Vec<(usize, f64, f64)> = Vec::new();
            let mut first = Vec::new();
            for p in &plans {
                let t = Instant::now();
                std::hint::black_box(monitor.decide(p));
                first.push(t.elapsed().as_nanos() as f64);
            }
            for (i, p) in plans.iter().enumerate() {
                let mut ts: Vec<f64> = (0..200)
                    .map(|_| {
                        let t = Instant::now();
                        std::hint::black_box(monitor.decide(p));
                        t.elapsed().as_nanos() as f64
                    })
                    .collect();
                ts.sort_by(f64::total_cmp);
                rows.push((i, first[i], ts[100]));
            }
            rows.sort_by(|a, b| b.2.total_cmp(&a.2));
            println!("plan  first_ns  warm_p50_ns  steps  request");
            for (i, f, w) in rows.iter().take(25) {
                let p = &plans[*i];
                println!(
                    "{i:4} {f:9.0} {w:11.0} {:6}  {}",
                    p.steps.len(),
                    p.request
                        .as_deref()
                        .unwrap_or("")
                        .chars()
                        .take(70)
                        .collect::<String>()
                );
            }
            let mut fs = first.clone();
            fs.sort_by(f64::total_cmp);
            println!(
                "first-sight: max {:.0} ns, median {:.0} ns",
                fs[fs.len() - 1],
                fs[fs.len() / 2]
            );
            let mut by_first: Vec<usize> = (0..plans.len()).collect();
            by_first.sort_by(|a, b| first[*b].total_cmp(&first[*a]));
            println!(
                "slowest first sight: {:?}",
                by_first
                    .iter()
                    .take(10)
                    .map(|i| (*i, first[*i] as u64))
                    .collect::<Vec<_>>()
            );
        }
        "first" => {
            // For `valgrind --tool=callgrind --toggle-collect='*first_pass*'`: the first-sight
            // pass alone, after the bench's warm-up.
            let monitor = PlanMonitor::embedded().expect("monitor");
            let warm = vigil_trainer::plan_risk::bench::bench_plan();
            for _ in 0..200 {
                std::hint::black_box(monitor.decide(&warm));
            }
            let plans = bare();
            first_pass(&monitor, &plans);
        }
        "warm" => {
            // For callgrind with `--toggle-collect='*warm_passes*'`: N passes after a first one.
            let monitor = PlanMonitor::embedded().expect("monitor");
            let plans = bare();
            first_pass(&monitor, &plans);
            warm_passes(&monitor, &plans, n as usize);
        }
        "loop" => {
            let monitor = PlanMonitor::embedded().expect("monitor");
            let plans = bare();
            let t = Instant::now();
            let mut calls = 0u64;
            while t.elapsed().as_secs_f64() < n {
                for p in &plans {
                    std::hint::black_box(monitor.decide(p));
                }
                calls += plans.len() as u64;
            }
            println!(
                "{calls} calls, {:.0} ns/call",
                t.elapsed().as_nanos() as f64 / calls as f64
            );
        }
        _ => {
            for _ in 0..n as usize {
                for t in bench().expect("bench") {
                    println!(
                        "{:55} p50 {:8.2} p99 {:8.2} p99.9 {:8.2} first p99 {:8.2} us",
                        t.name,
                        t.p50_ns / 1e3,
                        t.p99_ns / 1e3,
                        t.p999_ns / 1e3,
                        t.first_sight_p99_ns.unwrap_or(0.0) / 1e3
                    );
                }
            }
        }
    }
}
