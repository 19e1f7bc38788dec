//! Accuracy gates and the per-model training report `cargo xtask train` prints.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A minimum (or maximum) a held-out metric must reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// What is measured, e.g. `complexity accuracy (template-held-out)`.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// The bound.
    pub threshold: f64,
    /// `true` when the value must be at most the bound (errors, ECE), `false` for at least.
    pub at_most: bool,
}

impl Gate {
    /// A gate that requires `value ≥ threshold`.
    pub fn at_least(name: impl Into<String>, value: f64, threshold: f64) -> Self {
        Gate {
            name: name.into(),
            value,
            threshold,
            at_most: false,
        }
    }

    /// A gate that requires `value ≤ threshold`.
    pub fn at_most(name: impl Into<String>, value: f64, threshold: f64) -> Self {
        Gate {
            name: name.into(),
            value,
            threshold,
            at_most: true,
        }
    }

    /// Whether the gate holds (NaN never passes).
    pub fn passed(&self) -> bool {
        if self.at_most {
            self.value <= self.threshold
        } else {
            self.value >= self.threshold
        }
    }
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = if self.at_most { "≤" } else { "≥" };
        let verdict = if self.passed() { "pass" } else { "FAIL" };
        write!(
            f,
            "{}: {:.4} (gate {op} {:.4}) {verdict}",
            self.name, self.value, self.threshold
        )
    }
}

/// What one model's training run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Model name (`task-signal`, `anomaly`, ...).
    pub model: String,
    /// Rows used for fitting.
    pub train_rows: usize,
    /// Rows held out for validation.
    pub validation_rows: usize,
    /// Headline held-out metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Gates checked.
    pub gates: Vec<Gate>,
    /// Where the artifact was written.
    pub artifact: std::path::PathBuf,
    /// Its size in bytes.
    pub artifact_bytes: u64,
    /// Wall-clock training time in seconds (not written into artifacts or cards' numbers that
    /// must be reproducible).
    pub seconds: f64,
}

impl TrainReport {
    /// Gates that failed.
    pub fn failed_gates(&self) -> Vec<&Gate> {
        self.gates.iter().filter(|g| !g.passed()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_compare_in_the_right_direction() {
        assert!(Gate::at_least("acc", 0.91, 0.90).passed());
        assert!(!Gate::at_least("acc", 0.89, 0.90).passed());
        assert!(Gate::at_most("ece", 0.04, 0.05).passed());
        assert!(!Gate::at_most("ece", 0.06, 0.05).passed());
        assert!(!Gate::at_least("acc", f64::NAN, 0.5).passed());
        assert_eq!(
            Gate::at_least("acc", 0.5, 0.9).to_string(),
            "acc: 0.5000 (gate ≥ 0.9000) FAIL"
        );
    }
}

/// Options every model's training entry point takes.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Directory the artifact is written to.
    pub artifact_dir: std::path::PathBuf,
    /// Directory the model card and its pictures are written to (`docs/models`).
    pub card_dir: std::path::PathBuf,
    /// Seed for data generation and training.
    pub seed: u64,
    /// Overrides the model's default minimum-accuracy gate.
    pub min_accuracy: Option<f64>,
}
