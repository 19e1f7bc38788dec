//! Fuzz targets, one per parser (issue 16): JSON Lines records, plans, windows (and raw-call
//! sessions), model artifacts and LLM responses.
//!
//! `cargo fuzz` needs a libFuzzer build of the whole workspace; these targets run in-process on
//! stable instead: a seeded proptest generator mutates real inputs (the fixtures, the committed
//! artifacts, provider answers) — byte flips, cuts, duplicated and deleted spans, hostile tokens
//! (huge numbers, deep nesting, look-alike and invisible characters, escapes) — and each target
//! must answer every mutant with a value or an error, never a panic.
//!
//! They are `#[ignore]`d; run them for a time budget per target (seconds, default 5) with
//!
//! ```text
//! VIGIL_FUZZ_SECS=180 cargo test --release -p vigil-cli --test fuzz -- --ignored --test-threads=1 --nocapture
//! ```
//!
//! `VIGIL_FUZZ_SEED` changes the generator's seed (default 0). Each target prints its case count.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use vigil_contracts::{
    AgentEvent, AnomalyResult, NormalizedIntent, Plan, TaskSignal, from_json_str,
};
use vigil_features::intent::{IntentNormalizer, RawCall};
use vigil_llm_verifier::Provider;
use vigil_llm_verifier::verdict::parse_verdict;
use vigil_llm_verifier::verifier::answer_text;

/// Tokens spliced into inputs: the values and shapes that have broken parsers before.
const HOSTILE: &[&str] = &[
    "1e308",
    "-1e308",
    "1e999",
    "-0",
    "18446744073709551616",
    "-9223372036854775809",
    "0.000000000000000000000000001",
    "NaN",
    "null",
    "true",
    "\"\"",
    "{}",
    "[]",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\n\"",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":",
    "\"ｇｍａｉｌ.ｆｏｒｗａｒｄ\"",
    "\"http://１６９.２５４.１６９.２５４/\"",
    "\"\u{200b}\u{202e}\u{feff}\"",
    "\"\u{fdfa}\u{fdfa}\u{fdfa}\"",
    "\"\u{10ffff}\"",
    "\"𝐫𝐦 -𝐫𝐟 /\"",
    "\"2026-13-45T99:99:99Z\"",
    "\"9999-12-31T23:59:59Z\"",
    ",",
    ":",
    "\"",
    "\\",
    "```json\n",
    "```",
];

/// One edit of an input.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the byte at (position mod length) with a byte.
    Byte(usize, u8),
    /// Delete up to `len` bytes from a position.
    Delete(usize, usize),
    /// Duplicate up to `len` bytes from a position, in place.
    Duplicate(usize, usize),
    /// Insert a hostile token at a position.
    Insert(usize, usize),
    /// Cut the input at a position.
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Byte(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), 1usize..256).prop_map(|(p, n)| Edit::Duplicate(p, n)),
        (any::<usize>(), 0..HOSTILE.len()).prop_map(|(p, t)| Edit::Insert(p, t)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for e in edits {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
        match *e {
            Edit::Byte(p, v) if !b.is_empty() => {
                let i = p % b.len();
                b[i] = v;
            }
            Edit::Byte(..) => {}
            Edit::Delete(p, n) => {
                let i = at(p, b.len());
                let j = (i + n).min(b.len());
                b.drain(i..j);
            }
            Edit::Duplicate(p, n) => {
                let i = at(p, b.len());
                let j = (i + n).min(b.len());
                let span = b[i..j].to_vec();
                b.splice(j..j, span);
            }
            Edit::Insert(p, t) => {
                let i = at(p, b.len());
                b.splice(i..i, HOSTILE[t].bytes());
            }
            Edit::Truncate(p) => {
                let i = at(p, b.len());
                b.truncate(i);
            }
        }
    }
    b
}

/// Mutants of the seeds: a seed, then up to `max_edits` edits.
fn mutants(seeds: Vec<Vec<u8>>, max_edits: usize) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len();
    (0..n, prop::collection::vec(edit(), 0..=max_edits))
        .prop_map(move |(i, edits)| apply(&seeds[i], &edits))
}

/// Runs `target` on mutants for the time budget; panics (naming the input) if it panics.
/// `target` returns whether the input got past parsing (counted and reported as `deep`).
fn fuzz(
    name: &str,
    strategy: impl Strategy<Value = Vec<u8>>,
    mut target: impl FnMut(&[u8]) -> bool,
) {
    let secs: u64 = std::env::var("VIGIL_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("VIGIL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut cases = 0u64;
    let mut deep = 0u64;
    // Keep the default hook from printing every caught panic; report the input instead.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failure = None;
    while Instant::now() < deadline {
        let input = strategy
            .new_tree(&mut runner)
            .expect("the strategy generates")
            .current();
        cases += 1;
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(true) => deep += 1,
            Ok(false) => {}
            Err(p) => {
                let why = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failure = Some((input, why));
                break;
            }
        }
    }
    std::panic::set_hook(hook);
    if let Some((input, why)) = failure {
        panic!(
            "fuzz {name}: panic {why:?} after {cases} cases on input {:?}",
            String::from_utf8_lossy(&input)
        );
    }
    eprintln!(
        "fuzz {name}: {cases} cases ({deep} past parsing) in {secs} s (seed {seed}), no panic"
    );
}

fn fixture_lines(path: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.as_bytes().to_vec())
        .collect()
}

/// The `"plan"` of each plan-risk fixture line, as JSON text.
fn plan_seeds() -> Vec<Vec<u8>> {
    fixture_lines("fixtures/plan-risk/plans.jsonl")
        .into_iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(&l).unwrap();
            serde_json::to_vec(&v["plan"]).unwrap()
        })
        .collect()
}

#[test]
#[ignore = "fuzzing: run with --ignored and VIGIL_FUZZ_SECS"]
fn fuzz_jsonl_records() {
    let mut seeds = fixture_lines("fixtures/isolation-baseline/normal.jsonl");
    seeds.extend(fixture_lines("fixtures/isolation-baseline/anomalies.jsonl"));
    seeds.extend(plan_seeds());
    let intent = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/contracts/axor_intent.json"),
    )
    .unwrap();
    seeds.push(intent);
    seeds.push(br#"{"raw_input":"refactor the parser","complexity":"moderate","nature":"mutating","domain":"coding","requires_context":true,"focus_files":[]}"#.to_vec());
    seeds
        .push(br#"{"score":0.93,"class":"critical","reasons":["cloud_metadata_access"]}"#.to_vec());
    fuzz("jsonl_records", mutants(seeds, 8), |bytes| {
        let Ok(line) = std::str::from_utf8(bytes) else {
            return false;
        };
        let typed = [
            from_json_str::<AgentEvent>(line).is_ok(),
            from_json_str::<NormalizedIntent>(line).is_ok(),
            from_json_str::<TaskSignal>(line).is_ok(),
            from_json_str::<AnomalyResult>(line).is_ok(),
            from_json_str::<Plan>(line).is_ok(),
        ];
        let _ = from_json_str::<serde_json::Value>(line);
        typed.contains(&true)
    });
}

#[test]
#[ignore = "fuzzing: run with --ignored and VIGIL_FUZZ_SECS"]
fn fuzz_plans() {
    let monitor = vigil_plan_risk::PlanMonitor::embedded().unwrap();
    fuzz("plans", mutants(plan_seeds(), 8), |bytes| {
        let Ok(line) = std::str::from_utf8(bytes) else {
            return false;
        };
        // `vigil check plan` echoes through `PlanEcho`: it must accept, refuse and write
        // exactly what parsing a `Plan` does.
        let echo = from_json_str::<vigil_contracts::plan::PlanEcho>(line);
        let parsed = from_json_str::<Plan>(line);
        match (&echo, &parsed) {
            (Ok(e), Ok(p)) => assert_eq!(
                serde_json::to_string(e).unwrap(),
                serde_json::to_string(p).unwrap()
            ),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!(
                "PlanEcho and Plan disagree: {echo:?} vs {:?}",
                parsed.is_ok()
            ),
        }
        let Ok(plan) = parsed else {
            return false;
        };
        let a = monitor.assess(&plan);
        assert!(a.decision.risk.is_finite(), "risk {}", a.decision.risk);
        // Twice as a session (money summed, findings condensed): no panic, finite risk.
        let mut session = vigil_plan_risk::SessionMonitor::new(&monitor);
        for _ in 0..2 {
            let t = session.assess_turn(&plan);
            assert!(t.decision.risk.is_finite());
        }
        assert!(session.state().transferred.is_finite());
        true
    });
}

#[test]
#[ignore = "fuzzing: run with --ignored and VIGIL_FUZZ_SECS"]
fn fuzz_windows_and_sessions() {
    let detector = vigil_anomaly::MLAnomalyDetector::embedded().unwrap();
    let mut seeds = fixture_lines("fixtures/anomaly/sessions.jsonl");
    // The same sessions as windows of intents.
    let windows: Vec<Vec<u8>> = seeds
        .iter()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).ok()?;
            let calls: Vec<RawCall> = serde_json::from_value(v["calls"].clone()).ok()?;
            let w = IntentNormalizer::default().normalize_session(&calls).ok()?;
            serde_json::to_vec(&serde_json::json!({ "window": w })).ok()
        })
        .collect();
    seeds.extend(windows);
    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(default)]
        window: Option<Vec<NormalizedIntent>>,
        #[serde(default)]
        calls: Option<Vec<RawCall>>,
    }
    fuzz("windows_and_sessions", mutants(seeds, 8), |bytes| {
        let Ok(line) = std::str::from_utf8(bytes) else {
            return false;
        };
        let Ok(l) = from_json_str::<Line>(line) else {
            return false;
        };
        let window = match (l.window, l.calls) {
            (Some(w), _) => w,
            (None, Some(calls)) => match IntentNormalizer::default().normalize_session(&calls) {
                Ok(w) => w,
                Err(_) => return false,
            },
            _ => return false,
        };
        if vigil_anomaly::MLAnomalyDetector::validate_window(&window).is_err() {
            return false;
        }
        let r = detector.score_window(&window);
        assert!((0.0..=1.0).contains(&r.score), "score {}", r.score);
        true
    });
}

#[test]
#[ignore = "fuzzing: run with --ignored and VIGIL_FUZZ_SECS"]
fn fuzz_model_artifacts() {
    let seeds = vec![
        vigil_anomaly::EMBEDDED.to_vec(),
        vigil_plan_risk::model::EMBEDDED.to_vec(),
        vigil_injection::EMBEDDED.to_vec(),
        vigil_task_signal::EMBEDDED.to_vec(),
    ];
    fuzz("model_artifacts", mutants(seeds, 4), |bytes| {
        let loaded = [
            vigil_anomaly::AnomalyModel::from_bytes(bytes).is_ok(),
            vigil_plan_risk::model::RiskModel::from_bytes(bytes).is_ok(),
            vigil_injection::InjectionDetector::from_bytes(bytes).is_ok(),
            vigil_task_signal::TaskSignalClassifier::from_bytes(bytes).is_ok(),
        ];
        loaded.contains(&true)
    });
}

#[test]
#[ignore = "fuzzing: run with --ignored and VIGIL_FUZZ_SECS"]
fn fuzz_llm_responses() {
    let verdict =
        r#"{"score": 0.82, "class": "critical", "reasons": ["secret read then sent out"]}"#;
    let quoted = serde_json::to_string(verdict).unwrap();
    let fenced = serde_json::to_string(&format!("```json\n{verdict}\n```")).unwrap();
    let seeds = vec![
        format!(r#"{{"id":"msg_1","type":"message","role":"assistant","content":[{{"type":"text","text":{quoted}}}],"stop_reason":"end_turn"}}"#).into_bytes(),
        format!(r#"{{"model":"llama3","message":{{"role":"assistant","content":{fenced}}},"done":true}}"#).into_bytes(),
        format!(r#"{{"id":"c1","choices":[{{"index":0,"message":{{"role":"assistant","content":{quoted}}}}}]}}"#).into_bytes(),
        verdict.as_bytes().to_vec(),
    ];
    fuzz("llm_responses", mutants(seeds, 8), |bytes| {
        let mut verdicts = 0;
        for provider in [Provider::Anthropic, Provider::Ollama, Provider::OpenAi] {
            if let Ok(text) = answer_text(provider, bytes) {
                if let Ok(v) = parse_verdict(&text) {
                    assert!((0.0..=1.0).contains(&v.score), "score {}", v.score);
                    verdicts += 1;
                }
            }
        }
        if let Ok(text) = std::str::from_utf8(bytes) {
            let _ = parse_verdict(text);
        }
        verdicts > 0
    });
}
