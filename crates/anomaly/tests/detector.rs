//! Detector behaviour: empty windows, bands, reasons, loading precedence, corrupt models and the
//! gray-zone verifier (mock verifiers: ok, error, slow).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use vigil_anomaly::{DetectorParams, EMBEDDED, MLAnomalyDetector};
use vigil_contracts::{
    AnomalyClass, AnomalyDetector, AnomalyResult, CanonicalIntent, LlmVerifier, NormalizedIntent,
    PolicyName, TaskSignalHint, VerifierError,
};
use vigil_features::intent::{IntentNormalizer, RawCall};

fn session(calls: &[RawCall]) -> Vec<NormalizedIntent> {
    IntentNormalizer::default()
        .normalize_session(calls)
        .unwrap()
}

fn bash(c: &str) -> RawCall {
    RawCall::new("bash", &[("command", c)])
}

/// A window the embedded model puts in the upper gray zone (suspicious, score ≥ 0.50).
fn gray_window() -> Vec<NormalizedIntent> {
    session(&[
        bash("curl -s http://10.20.0.11:8500/v1/agent/members"),
        bash("curl -s http://10.20.0.12:8500/v1/kv/?recurse"),
    ])
}

fn critical_window() -> Vec<NormalizedIntent> {
    session(&[bash("curl http://169.254.169.254/latest/meta-data/")])
}

fn normal_window() -> Vec<NormalizedIntent> {
    session(&[
        RawCall::new("read", &[("path", "src/main.rs")]),
        bash("cargo test"),
    ])
}

enum Mode {
    Answer(AnomalyResult),
    Fail,
    Slow,
}

struct MockVerifier {
    mode: Mode,
    calls: AtomicUsize,
    seen: std::sync::Mutex<Vec<CanonicalIntent>>,
}

impl MockVerifier {
    fn new(mode: Mode) -> Arc<Self> {
        Arc::new(MockVerifier {
            mode,
            calls: AtomicUsize::new(0),
            seen: std::sync::Mutex::new(Vec::new()),
        })
    }
}

#[async_trait::async_trait]
impl LlmVerifier for MockVerifier {
    async fn verify(
        &self,
        window: &[CanonicalIntent],
        _hint: Option<TaskSignalHint>,
        _policy: Option<PolicyName>,
    ) -> Result<AnomalyResult, VerifierError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().unwrap().extend_from_slice(window);
        match &self.mode {
            Mode::Answer(r) => Ok(r.clone()),
            Mode::Fail => Err(VerifierError::Status {
                status: 529,
                body: "overloaded".into(),
            }),
            Mode::Slow => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(AnomalyResult::empty())
            }
        }
    }
}

#[test]
fn empty_window_is_zero_and_normal() {
    let d = MLAnomalyDetector::embedded().unwrap();
    assert_eq!(d.score_window(&[]), AnomalyResult::empty());
}

#[test]
fn classes_match_the_reference_bands_and_reasons_never_contradict() {
    let d = MLAnomalyDetector::embedded().unwrap();
    for (w, class) in [
        (normal_window(), AnomalyClass::Normal),
        (gray_window(), AnomalyClass::Suspicious),
        (critical_window(), AnomalyClass::Critical),
    ] {
        let r = d.score_window(&w);
        assert_eq!(r.class, class, "{r:?}");
        assert_eq!(AnomalyClass::from_score(r.score), r.class);
        if class == AnomalyClass::Normal {
            assert_eq!(r.reasons, vec!["normal"]);
        } else {
            assert!(!r.reasons.is_empty());
            assert!(
                r.reasons
                    .iter()
                    .all(|x| x != "normal" && x != "unusual_activity_pattern")
            );
        }
    }
    let r = d.score_window(&gray_window());
    assert!(r.score >= 0.50, "{r:?}");
    assert_eq!(r.reasons, vec!["private_network_access"]);
}

#[test]
fn only_the_last_window_size_intents_count() {
    let d = MLAnomalyDetector::embedded().unwrap();
    let mut w = critical_window();
    w.extend(normal_window().into_iter().cycle().take(10));
    assert_eq!(d.score_window(&w).class, AnomalyClass::Normal);
    let d = d
        .with_params(DetectorParams {
            window_size: 3,
            ..DetectorParams::default()
        })
        .unwrap();
    let mut w = normal_window();
    w.extend(critical_window());
    assert_eq!(d.score_window(&w).class, AnomalyClass::Critical);
}

#[test]
fn bad_params_are_refused_by_name() {
    let d = MLAnomalyDetector::embedded().unwrap();
    let e = d
        .clone()
        .with_params(DetectorParams {
            window_size: 0,
            ..DetectorParams::default()
        })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid parameter window_size: 0 is outside 1..=10"
    );
    let e = d
        .with_params(DetectorParams {
            suspicious_threshold: 0.8,
            critical_threshold: 0.7,
            ..DetectorParams::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("0.8 / 0.7"), "{e}");
}

#[test]
fn model_loading_precedence_and_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.vgl");
    std::fs::write(&good, EMBEDDED).unwrap();
    let bad = dir.path().join("bad.vgl");
    let mut bytes = EMBEDDED.to_vec();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&bad, &bytes).unwrap();

    // Env precedence is tested through the CLI (set_var needs unsafe, which the workspace forbids).
    assert!(MLAnomalyDetector::load(Some(&good)).is_ok());
    let e = MLAnomalyDetector::load(Some(&bad)).unwrap_err().to_string();
    assert!(e.contains("checksum mismatch"), "{e}");
    let e = MLAnomalyDetector::from_path(&dir.path().join("missing.vgl"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cannot read model file"), "{e}");
    let e = vigil_anomaly::model::AnomalyModel::from_bytes(b"not a model")
        .unwrap_err()
        .to_string();
    assert!(e.contains("model artifact"), "{e}");
}

#[tokio::test]
async fn gray_zone_asks_the_verifier_and_returns_its_answer() {
    let answer = AnomalyResult {
        score: 0.2,
        class: AnomalyClass::Normal,
        reasons: vec!["expected_for_ops_task".into()],
    };
    let v = MockVerifier::new(Mode::Answer(answer.clone()));
    let d = MLAnomalyDetector::embedded()
        .unwrap()
        .with_verifier(v.clone());
    let r = d.score(&gray_window(), None, None).await.unwrap();
    assert_eq!(r, answer);
    assert_eq!(v.calls.load(Ordering::SeqCst), 1);
    let seen = v.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        gray_window()
            .iter()
            .map(NormalizedIntent::canonicalize)
            .collect::<Vec<_>>()
    );
    // Normal and critical windows never reach the verifier.
    d.score(&normal_window(), None, None).await.unwrap();
    let c = d.score(&critical_window(), None, None).await.unwrap();
    assert_eq!(c.class, AnomalyClass::Critical);
    assert_eq!(v.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn verifier_score_is_reconciled_with_its_class() {
    let v = MockVerifier::new(Mode::Answer(AnomalyResult {
        score: 0.1,
        class: AnomalyClass::Critical,
        reasons: vec![],
    }));
    let d = MLAnomalyDetector::embedded().unwrap().with_verifier(v);
    let r = d.score(&gray_window(), None, None).await.unwrap();
    assert_eq!(r.class, AnomalyClass::Critical);
    assert_eq!(r.score, 0.75);
    // No reasons from the verifier: the window's evidence fills in.
    assert_eq!(r.reasons, vec!["private_network_access"]);
}

#[tokio::test]
async fn gray_zone_threshold_is_configurable() {
    let v = MockVerifier::new(Mode::Fail);
    let d = MLAnomalyDetector::embedded()
        .unwrap()
        .with_verifier(v.clone())
        .with_params(DetectorParams {
            gray_zone_threshold: 0.99,
            ..DetectorParams::default()
        })
        .unwrap();
    let r = d.score(&gray_window(), None, None).await.unwrap();
    assert_eq!(r.class, AnomalyClass::Suspicious);
    assert_eq!(v.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn verifier_error_falls_back_to_ml_or_fails_closed() {
    let ml = MLAnomalyDetector::embedded()
        .unwrap()
        .score_window(&gray_window());
    let v = MockVerifier::new(Mode::Fail);
    let d = MLAnomalyDetector::embedded()
        .unwrap()
        .with_verifier(v.clone());
    assert_eq!(d.score(&gray_window(), None, None).await.unwrap(), ml);
    let closed = d
        .with_params(DetectorParams {
            fail_closed_on_verifier_error: true,
            ..DetectorParams::default()
        })
        .unwrap();
    let r = closed.score(&gray_window(), None, None).await.unwrap();
    assert_eq!(r.class, AnomalyClass::Critical);
    assert_eq!(r.score, 0.75);
    assert_eq!(r.reasons, vec!["verifier_error_fail_closed"]);
    assert_eq!(v.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unparseable_verifier_answer_is_a_failure_not_a_verdict() {
    let ml = MLAnomalyDetector::embedded()
        .unwrap()
        .score_window(&gray_window());
    // What vigil-llm-verifier (and axor) return when the model's reply is garbage.
    let garbage = AnomalyResult {
        score: 0.5,
        class: AnomalyClass::Suspicious,
        reasons: vec!["verifier_parse_error".into()],
    };
    let d = MLAnomalyDetector::embedded()
        .unwrap()
        .with_verifier(MockVerifier::new(Mode::Answer(garbage)));
    // Fall back: the ML result, not the placeholder 0.5.
    assert_eq!(d.score(&gray_window(), None, None).await.unwrap(), ml);
    let closed = d
        .with_params(DetectorParams {
            fail_closed_on_verifier_error: true,
            ..DetectorParams::default()
        })
        .unwrap();
    let r = closed.score(&gray_window(), None, None).await.unwrap();
    assert_eq!(r.class, AnomalyClass::Critical);
    assert_eq!(r.reasons, vec!["verifier_error_fail_closed"]);
}

#[tokio::test]
async fn slow_verifier_times_out() {
    let ml = MLAnomalyDetector::embedded()
        .unwrap()
        .score_window(&gray_window());
    let v = MockVerifier::new(Mode::Slow);
    let params = DetectorParams {
        verifier_timeout: Duration::from_millis(50),
        ..DetectorParams::default()
    };
    let d = MLAnomalyDetector::embedded()
        .unwrap()
        .with_verifier(v.clone())
        .with_params(params.clone())
        .unwrap();
    assert_eq!(d.score(&gray_window(), None, None).await.unwrap(), ml);
    let closed = d
        .with_params(DetectorParams {
            fail_closed_on_verifier_error: true,
            ..params
        })
        .unwrap();
    let r = closed.score(&gray_window(), None, None).await.unwrap();
    assert_eq!(r.reasons, vec!["verifier_error_fail_closed"]);
}

#[tokio::test]
async fn out_of_range_reputation_is_refused_with_the_field() {
    let d = MLAnomalyDetector::embedded().unwrap();
    let mut w = normal_window();
    w[1].target_resource_reputation = 1.5;
    let e = d.score(&w, None, None).await.unwrap_err().to_string();
    assert_eq!(
        e,
        "window[1].target_resource_reputation: 1.5 is outside [0, 1]"
    );
}
