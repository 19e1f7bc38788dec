//! False-positive and detection rates of the agent detector on the seeded generator.
//!
//! ```sh
//! cargo run --release -p vigil-trainer --example isolation_baseline_fpr            # evaluation seeds 1–5
//! cargo run --release -p vigil-trainer --example isolation_baseline_fpr -- tune    # tuning seeds 101–105
//! cargo run --release -p vigil-trainer --example isolation_baseline_fpr -- tune --alert 0.4
//! ```
//!
//! For each training size (100 / 1,000 / 10,000) and seed, one simulated agent
//! ([`vigil_trainer::isolation_baseline::Generator`]) is trained on its first `n` events; the
//! false-positive rate is measured on the next 2,000 events of the same agent (later in time,
//! never trained on), and the detection rate on the hand-written anomalies of
//! `fixtures/isolation-baseline/anomalies.jsonl` (20 events in 6 categories). The thresholds of
//! the combined score were chosen on the tuning seeds only.

use std::collections::BTreeMap;
use std::time::Instant;

use vigil_contracts::{AgentEvent, ThreatLevel};
use vigil_isolation_baseline::{EventDetector, EventDetectorParams};
use vigil_trainer::isolation_baseline::Generator;

const FRESH: usize = 2_000;

fn anomalies() -> Vec<(String, AgentEvent)> {
    parse(include_str!(
        "../../../fixtures/isolation-baseline/anomalies.jsonl"
    ))
}

/// Hand-written typical events of the simulated agent (weekday, common types, usual values).
fn hand_written_normal() -> Vec<AgentEvent> {
    parse(include_str!(
        "../../../fixtures/isolation-baseline/normal.jsonl"
    ))
    .into_iter()
    .map(|(_, e)| e)
    .collect()
}

fn parse(text: &str) -> Vec<(String, AgentEvent)> {
    text.lines()
        .map(|l| {
            let e: AgentEvent = vigil_contracts::from_json_str(l).expect("fixture line parses");
            let category = e
                .extra
                .get("category")
                .and_then(|c| c.as_str())
                .unwrap_or("normal")
                .to_owned();
            (category, e)
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let tune = args.iter().any(|a| a == "tune");
    // `--alert X` evaluates another alert threshold of the combined score.
    let mut params = EventDetectorParams::default();
    if let Some(i) = args.iter().position(|a| a == "--alert") {
        params.score.alert_threshold = args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .expect("--alert takes a number");
        println!("alert threshold {}", params.score.alert_threshold);
    }
    let seeds: Vec<u64> = if tune {
        (101..=105).collect()
    } else {
        (1..=5).collect()
    };
    let anomalies = anomalies();
    let hand_normal = hand_written_normal();
    println!(
        "seeds {seeds:?}; fresh normal events per seed: {FRESH}; anomalies: {}",
        anomalies.len()
    );
    println!(
        "| n | FPR combined | FPR reference | hand-written normal flagged (combined / reference) | detected combined | detected reference | train ms (median) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut levels_by_size = BTreeMap::new();
    for n in [100usize, 1_000, 10_000] {
        let (mut fp_c, mut fp_r, mut normal) = (0usize, 0usize, 0usize);
        let (mut tp_c, mut tp_r) = (0usize, 0usize);
        let (mut hand_c, mut hand_r) = (0usize, 0usize);
        let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut levels: BTreeMap<(String, ThreatLevel), usize> = BTreeMap::new();
        let mut train_ms = Vec::new();
        let mut normal_scores = Vec::new();
        for &seed in &seeds {
            let mut g = Generator::new(seed);
            let train = g.events(n);
            let fresh = g.events(FRESH);
            let mut d = EventDetector::new(params).unwrap();
            let t0 = Instant::now();
            d.train("agent", &train).unwrap();
            train_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            for e in &fresh {
                let s = d.score("agent", e).unwrap();
                normal += 1;
                fp_c += usize::from(s.combined_is_anomaly);
                fp_r += usize::from(s.reference.is_anomaly);
                normal_scores.push(s.combined);
            }
            for e in &hand_normal {
                let s = d.score("agent", e).unwrap();
                hand_c += usize::from(s.combined_is_anomaly);
                hand_r += usize::from(s.reference.is_anomaly);
            }
            for (cat, e) in &anomalies {
                let s = d.score("agent", e).unwrap();
                tp_c += usize::from(s.combined_is_anomaly);
                tp_r += usize::from(s.reference.is_anomaly);
                let c = by_category.entry(cat.clone()).or_default();
                c.0 += usize::from(s.combined_is_anomaly);
                c.1 += 1;
                *levels
                    .entry((cat.clone(), s.combined_threat_level))
                    .or_default() += 1;
            }
        }
        train_ms.sort_by(f64::total_cmp);
        normal_scores.sort_by(f64::total_cmp);
        let total_anomalies = anomalies.len() * seeds.len();
        println!(
            "| {n} | {:.2}% | {:.2}% | {hand_c} / {hand_r} of {} | {:.1}% | {:.1}% | {:.2} |",
            100.0 * fp_c as f64 / normal as f64,
            100.0 * fp_r as f64 / normal as f64,
            hand_normal.len() * seeds.len(),
            100.0 * tp_c as f64 / total_anomalies as f64,
            100.0 * tp_r as f64 / total_anomalies as f64,
            train_ms[train_ms.len() / 2],
        );
        let q = |p: f64| normal_scores[((normal_scores.len() - 1) as f64 * p) as usize];
        println!(
            "|   | normal combined score p50 {:.3} / p95 {:.3} / p99 {:.3} / max {:.3} | | | | | |",
            q(0.5),
            q(0.95),
            q(0.99),
            q(1.0)
        );
        levels_by_size.insert(n, (by_category, levels));
    }
    for (n, (by_category, levels)) in levels_by_size {
        println!("\nn = {n}: detection by category (combined) and threat levels reached");
        for (cat, (hit, total)) in by_category {
            let lv: Vec<String> = levels
                .iter()
                .filter(|((c, _), _)| *c == cat)
                .map(|((_, l), k)| format!("{l} {k}"))
                .collect();
            println!("  {cat:15} {hit}/{total}  levels: {}", lv.join(", "));
        }
    }
}
