//! Evaluation of the task-signal model on hand-written prompts (`cargo xtask eval
//! task-signal`): the heuristic, the ML model and the cascade, per head, joint and policy pair.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigil_contracts::{Domain, TaskComplexity, TaskNature};
use vigil_task_signal::{Cascade, CascadeParams, HeuristicClassifier, TaskSignalClassifier};

use crate::card::Card;
use crate::{Error, Result};

/// A labelled prompt, as in `fixtures/task-signal/*.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledPrompt {
    /// The prompt.
    pub text: String,
    /// Expected complexity.
    pub complexity: TaskComplexity,
    /// Expected nature.
    pub nature: TaskNature,
    /// Expected domain.
    pub domain: Domain,
}

/// The hand-written evaluation set shipped with the repository.
pub fn fixtures_path() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/trainer → workspace root.
    let root = manifest.parent().and_then(Path::parent).unwrap_or(manifest);
    root.join("fixtures/task-signal/handwritten.jsonl")
}

/// Reads labelled prompts, naming the line of any malformed record.
pub fn read_labelled(path: &Path) -> Result<Vec<LabelledPrompt>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: LabelledPrompt = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        out.push(p);
    }
    Ok(out)
}

/// Per-head and joint accuracy of one classifier on labelled prompts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Complexity accuracy.
    pub complexity: f64,
    /// Nature accuracy.
    pub nature: f64,
    /// Domain accuracy.
    pub domain: f64,
    /// All three right.
    pub joint: f64,
    /// Complexity and nature right (the policy-relevant pair).
    pub policy: f64,
}

/// Scores of the heuristic, the ML model and the cascade on one labelled set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Prompts evaluated.
    pub prompts: usize,
    /// The regex heuristic (keyword domain).
    pub heuristic: Accuracy,
    /// The ML model alone.
    pub ml: Accuracy,
    /// Heuristic → ML cascade.
    pub cascade: Accuracy,
    /// How often the cascade adopted the ML answer.
    pub cascade_ml_share: f64,
}

fn accuracy_of(
    data: &[LabelledPrompt],
    predict: impl Fn(&str) -> (TaskComplexity, TaskNature, Domain),
) -> Accuracy {
    let n = data.len().max(1) as f64;
    let (mut c, mut na, mut d, mut j, mut p) = (0, 0, 0, 0, 0);
    for row in data {
        let (pc, pn, pd) = predict(&row.text);
        let ok = (pc == row.complexity, pn == row.nature, pd == row.domain);
        c += usize::from(ok.0);
        na += usize::from(ok.1);
        d += usize::from(ok.2);
        j += usize::from(ok.0 && ok.1 && ok.2);
        p += usize::from(ok.0 && ok.1);
    }
    Accuracy {
        complexity: c as f64 / n,
        nature: na as f64 / n,
        domain: d as f64 / n,
        joint: j as f64 / n,
        policy: p as f64 / n,
    }
}

/// Scores the heuristic, `ml` and the cascade on `data`.
pub fn evaluate(data: &[LabelledPrompt], ml: &TaskSignalClassifier) -> Result<EvalReport> {
    let heuristic = HeuristicClassifier::new();
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default())?;
    let labels = |c: &vigil_contracts::Classification| {
        (c.signal.complexity, c.signal.nature, c.signal.domain)
    };
    let ml_share = data
        .iter()
        .filter(|r| cascade.classify_text(&r.text).classifier == vigil_task_signal::Decider::Ml)
        .count() as f64
        / data.len().max(1) as f64;
    Ok(EvalReport {
        prompts: data.len(),
        heuristic: accuracy_of(data, |t| labels(&heuristic.classify_text(t))),
        ml: accuracy_of(data, |t| labels(&ml.classify_text(t))),
        cascade: accuracy_of(data, |t| labels(&cascade.classify_text(t).classification)),
        cascade_ml_share: ml_share,
    })
}

pub(super) fn eval_table(r: &EvalReport) -> String {
    let rows: Vec<Vec<String>> = [
        ("heuristic", &r.heuristic),
        ("ml", &r.ml),
        ("cascade", &r.cascade),
    ]
    .iter()
    .map(|(name, a)| {
        vec![
            (*name).to_owned(),
            format!("{:.3}", a.complexity),
            format!("{:.3}", a.nature),
            format!("{:.3}", a.domain),
            format!("{:.3}", a.policy),
            format!("{:.3}", a.joint),
        ]
    })
    .collect();
    Card::table(
        &[
            "classifier",
            "complexity",
            "nature",
            "domain",
            "complexity+nature",
            "joint",
        ],
        &rows,
    )
}

/// `cargo xtask eval task-signal`: the model from `VIGIL_TASK_SIGNAL_MODEL` or the embedded one,
/// on `data` or the hand-written fixtures.
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixtures_path);
    let prompts = read_labelled(&path)?;
    let (ml, source) = TaskSignalClassifier::load(None)?;
    let report = evaluate(&prompts, &ml)?;
    let mut out = std::io::stdout().lock();
    let written = if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report)
                .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        )
    } else {
        writeln!(
            out,
            "task-signal on {} ({} prompts), model: {source}\n\n{}\ncascade adopted the ML answer for {:.1}% of prompts",
            path.display(),
            report.prompts,
            eval_table(&report),
            100.0 * report.cascade_ml_share
        )
    };
    written.map_err(Error::io("cannot write to stdout"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task_signal::data::{GeneratorParams, generate};
    use crate::testing::temp_file;

    #[test]
    fn handwritten_fixtures_are_complete_and_labelled() {
        let rows = read_labelled(&fixtures_path()).unwrap();
        assert!(rows.len() >= 150, "{} prompts", rows.len());
        for c in TaskComplexity::ALL {
            assert!(
                rows.iter().filter(|r| r.complexity == *c).count() >= 30,
                "{c}"
            );
        }
        for n in TaskNature::ALL {
            assert!(rows.iter().filter(|r| r.nature == *n).count() >= 30, "{n}");
        }
        for d in Domain::ALL {
            assert!(rows.iter().filter(|r| r.domain == *d).count() >= 20, "{d}");
        }
        // Not produced by the generator: no hand-written prompt appears in the generated data.
        let ds = generate(42, &GeneratorParams::default());
        let generated: std::collections::BTreeSet<String> = ds
            .train
            .iter()
            .chain(&ds.calibration)
            .chain(&ds.validation)
            .map(|r| r.text.trim().to_lowercase())
            .collect();
        assert!(
            rows.iter()
                .all(|r| !generated.contains(&r.text.trim().to_lowercase()))
        );
    }

    #[test]
    fn malformed_labelled_lines_are_named() {
        let (_dir, path) = temp_file(
            "bad.jsonl",
            "{\"text\":\"fix it\",\"complexity\":\"focused\",\"nature\":\"mutative\",\"domain\":\"coding\"}\n\n{\"text\":\"x\",\"complexity\":\"huge\",\"nature\":\"mutative\",\"domain\":\"coding\"}\n",
        );
        let err = read_labelled(&path).unwrap_err().to_string();
        assert!(err.ends_with(":3: complexity: unknown complexity \"huge\" (expected one of: focused, moderate, expansive) at column 31"), "{err}");
    }

    #[test]
    fn accuracy_counts_heads_joint_and_policy() {
        let data = vec![
            LabelledPrompt {
                text: "a".into(),
                complexity: TaskComplexity::Focused,
                nature: TaskNature::Mutative,
                domain: Domain::Coding,
            },
            LabelledPrompt {
                text: "b".into(),
                complexity: TaskComplexity::Moderate,
                nature: TaskNature::Readonly,
                domain: Domain::General,
            },
        ];
        let a = accuracy_of(&data, |_| {
            (
                TaskComplexity::Focused,
                TaskNature::Mutative,
                Domain::General,
            )
        });
        assert_eq!(a.complexity, 0.5);
        assert_eq!(a.nature, 0.5);
        assert_eq!(a.domain, 0.5);
        assert_eq!(a.policy, 0.5);
        assert_eq!(a.joint, 0.0);
    }
}
