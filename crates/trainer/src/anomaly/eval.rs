//! Evaluation of the anomaly model on hand-written sessions (`cargo xtask eval anomaly`): every
//! fixture's final window scored by the detector, as accuracy, recall per class and misses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::{AnomalyClass, NormalizedIntent};
use vigil_features::intent::{IntentNormalizer, RawCall};
use vigil_learn::metrics::ConfusionMatrix;

use super::data::LABELS;
use crate::error::Context;
use crate::{Error, Result};

/// Held-out evaluation numbers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    /// Rows evaluated.
    pub rows: usize,
    /// Accuracy.
    pub accuracy: f64,
    /// Recall per class, `normal`, `suspicious`, `critical`.
    pub recall: BTreeMap<String, f64>,
    /// Confusion matrix.
    pub confusion: ConfusionMatrix,
    /// Rows the model got wrong, by name (fixtures only).
    pub misses: Vec<String>,
}

impl EvalReport {
    pub(super) fn new(truth: &[usize], pred: &[usize], misses: Vec<String>) -> Self {
        let confusion = ConfusionMatrix::new(&LABELS, truth, pred);
        let recall = LABELS
            .iter()
            .enumerate()
            .map(|(i, l)| ((*l).to_owned(), confusion.recall(i)))
            .collect();
        EvalReport {
            rows: truth.len(),
            accuracy: confusion.accuracy(),
            recall,
            confusion,
            misses,
        }
    }
}

/// A hand-written labelled session (`fixtures/anomaly/*.jsonl`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Short name.
    pub name: String,
    /// Expected class of the final window.
    pub label: AnomalyClass,
    /// Working directory (default `/workspace`).
    #[serde(default)]
    pub workdir: Option<String>,
    /// The session's raw calls (normalized by vigil's normalizer).
    #[serde(default)]
    pub calls: Vec<RawCall>,
    /// An already-normalized window (axor-core's or another normalizer's `NormalizedIntent`s),
    /// scored as given; exclusive with `calls`.
    #[serde(default)]
    pub window: Option<Vec<NormalizedIntent>>,
}

/// `fixtures/anomaly/sessions.jsonl` in the workspace.
pub fn fixtures_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/anomaly/sessions.jsonl")
}

/// axor-classifier-simple 0.2.1's anomaly hard set (`fixtures/external/axor/anomaly.jsonl`):
/// measuring only.
pub fn axor_hard_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/external/axor/anomaly.jsonl")
}

/// Reads labelled sessions (one JSON object per line, `#` comments and blank lines skipped).
pub fn read_fixtures(path: &Path) -> Result<Vec<Fixture>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let f: Fixture = vigil_contracts::from_json_str(t)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        if f.window.is_some() && !f.calls.is_empty() {
            return Err(Error::Invalid(format!(
                "{}:{}: give either \"calls\" or \"window\", not both",
                path.display(),
                i + 1
            )));
        }
        if let Some(w) = &f.window {
            MLAnomalyDetector::validate_window(w)
                .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        }
        out.push(f);
    }
    Ok(out)
}

/// Scores every fixture as `vigil anomaly` does: a given window on its last intents, a session
/// of raw calls on its worst window ([`MLAnomalyDetector::score_session`]).
pub fn evaluate_fixtures(detector: &MLAnomalyDetector, fixtures: &[Fixture]) -> Result<EvalReport> {
    let mut truth = Vec::new();
    let mut pred = Vec::new();
    let mut misses = Vec::new();
    for f in fixtures {
        let r = match &f.window {
            Some(w) => detector.score_window(w),
            None => detector.score_session(
                &IntentNormalizer::new(
                    f.workdir
                        .as_deref()
                        .unwrap_or(IntentNormalizer::DEFAULT_WORKDIR),
                )
                .normalize_session(&f.calls)
                .context(|| format!("fixture {}", f.name))?,
            ),
        };
        let t = f.label.index();
        let p = r.class.index();
        if t != p {
            misses.push(format!(
                "{}: expected {}, got {} {:.3} {:?}",
                f.name, f.label, r.class, r.score, r.reasons
            ));
        }
        truth.push(t);
        pred.push(p);
    }
    Ok(EvalReport::new(&truth, &pred, misses))
}

/// `cargo xtask eval anomaly`: scores the hand-written fixtures (or `data`) with the embedded
/// model (or `$VIGIL_ANOMALY_MODEL`) and prints a table or JSON.
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixtures_path);
    let fixtures = read_fixtures(&path)?;
    let detector = MLAnomalyDetector::load(None)?;
    let r = evaluate_fixtures(&detector, &fixtures)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("anomaly on {} ({} sessions)", path.display(), r.rows);
        println!("accuracy {:.4}", r.accuracy);
        for (k, v) in &r.recall {
            println!("recall {k:<10} {v:.4}");
        }
        println!("\n{}", r.confusion.to_markdown());
        for m in &r.misses {
            println!("miss: {m}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::temp_file;

    #[test]
    fn a_malformed_fixture_line_is_named_by_path_and_line() {
        let (dir, path) = temp_file(
            "sessions.jsonl",
            "# comment\n\n{\"name\": \"x\", \"label\": \"alarming\", \"calls\": []}\n",
        );
        let e = read_fixtures(&path).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        let text = e.to_string();
        let prefix = format!("{}:3: ", path.display());
        assert!(
            text.starts_with(&prefix) && text.contains("\"alarming\""),
            "{text}"
        );
        let missing = dir.path().join("missing.jsonl");
        let e = read_fixtures(&missing).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("cannot read {}: ", missing.display())),
            "{e}"
        );
    }

    #[test]
    fn hand_written_fixtures_parse_and_are_labelled() {
        let f = read_fixtures(&fixtures_path()).unwrap();
        assert!(f.len() >= 60, "{}", f.len());
        for class in [
            AnomalyClass::Normal,
            AnomalyClass::Suspicious,
            AnomalyClass::Critical,
        ] {
            assert!(
                f.iter().filter(|x| x.label == class).count() >= 10,
                "{class}"
            );
        }
        let names: std::collections::BTreeSet<&str> = f.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names.len(), f.len(), "fixture names are unique");
    }

    #[test]
    fn pre_normalized_windows_are_read_and_checked() {
        let (_dir, path) = temp_file(
            "w.jsonl",
            "{\"name\": \"a\", \"label\": \"normal\", \"window\": [{\"tool\":\"read\",\"operation\":\"file_read\",\"target_kind\":\"workdir\"}]}\n\
             {\"name\": \"b\", \"label\": \"normal\", \"window\": [], \"calls\": [{\"tool\":\"read\",\"args\":{\"path\":\"a\"}}]}\n",
        );
        let e = read_fixtures(&path).unwrap_err().to_string();
        assert!(
            e.ends_with(":2: give either \"calls\" or \"window\", not both"),
            "{e}"
        );
        let axor = read_fixtures(&axor_hard_path()).unwrap();
        assert_eq!(axor.len(), 32);
        assert!(
            axor.iter()
                .all(|f| f.calls.is_empty() && f.window.as_ref().is_some_and(|w| w.len() == 10))
        );
    }
}
