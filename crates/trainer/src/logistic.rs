//! Sparse, L2-regularized multinomial logistic regression, fitted with L-BFGS.
//!
//! smartcore's logistic regression is dense-only and gives no probabilities, so vigil fits its
//! own: minimize `Σ_i w_i · (−ln p_{y_i}(x_i)) / Σ_i w_i + λ/2 · ‖W‖²` (bias not regularized),
//! where `w_i` are sample weights (all 1, or "balanced": n / (k · n_class)). `λ = 1 / (C · n)`
//! mirrors scikit-learn's `C`. The result is a [`SoftmaxModel`] the runtime crates load.

use vigil_features::linear::{SoftmaxModel, softmax_in_place};
use vigil_features::sparse::SparseVec;

use crate::optim::{LbfgsParams, minimize};

/// How rows are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassWeight {
    /// Every row counts once.
    Uniform,
    /// Rows weighted by n / (k · n_class), as scikit-learn's `class_weight='balanced'`.
    Balanced,
}

/// Hyperparameters of [`fit_softmax`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticParams {
    /// Inverse regularization strength (scikit-learn's `C`; reference 4.0).
    pub c: f64,
    /// Row weighting.
    pub class_weight: ClassWeight,
    /// Optimizer settings.
    pub lbfgs: LbfgsParams,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            c: 4.0,
            class_weight: ClassWeight::Uniform,
            lbfgs: LbfgsParams {
                max_iter: 300,
                gradient_tol: 1e-5,
                relative_tol: 1e-7,
                ..LbfgsParams::default()
            },
        }
    }
}

/// Why a fit could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Inputs that cannot be fitted.
    #[error("{0}")]
    Invalid(String),
}

/// Fits a softmax model on sparse rows with labels in `0..classes.len()`.
pub fn fit_softmax(
    rows: &[SparseVec],
    labels: &[usize],
    classes: &[&str],
    n_features: usize,
    params: &LogisticParams,
) -> Result<SoftmaxModel, FitError> {
    let k = classes.len();
    if k < 2 {
        return Err(FitError::Invalid(format!(
            "need at least 2 classes, got {k}"
        )));
    }
    if rows.len() != labels.len() || rows.is_empty() {
        return Err(FitError::Invalid(format!(
            "{} rows but {} labels",
            rows.len(),
            labels.len()
        )));
    }
    if let Some((i, &y)) = labels.iter().enumerate().find(|(_, y)| **y >= k) {
        return Err(FitError::Invalid(format!(
            "label of row {i} is {y}, but there are only {k} classes"
        )));
    }
    if !(params.c.is_finite() && params.c > 0.0) {
        return Err(FitError::Invalid(format!(
            "C = {} must be finite and > 0",
            params.c
        )));
    }
    let n = rows.len();
    let mut counts = vec![0usize; k];
    for &y in labels {
        counts[y] += 1;
    }
    let weight: Vec<f64> = labels
        .iter()
        .map(|&y| match params.class_weight {
            ClassWeight::Uniform => 1.0,
            ClassWeight::Balanced => n as f64 / (k as f64 * counts[y] as f64),
        })
        .collect();
    let total_weight: f64 = weight.iter().sum();
    let lambda = 1.0 / (params.c * n as f64);
    let wlen = n_features * k;

    let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let (w, b) = theta.split_at(wlen);
        let mut loss = 0.0;
        let mut z = vec![0.0f64; k];
        for ((x, &y), &sw) in rows.iter().zip(labels).zip(&weight) {
            z.copy_from_slice(b);
            for (i, v) in x.iter() {
                if i < n_features {
                    for c in 0..k {
                        z[c] += w[i * k + c] * f64::from(v);
                    }
                }
            }
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
            let log_norm = max + sum.ln();
            loss += sw * (log_norm - z[y]);
            for c in 0..k {
                let p = (z[c] - log_norm).exp();
                let r = sw * (p - if c == y { 1.0 } else { 0.0 }) / total_weight;
                grad[wlen + c] += r;
                for (i, v) in x.iter() {
                    if i < n_features {
                        grad[i * k + c] += r * f64::from(v);
                    }
                }
            }
        }
        let mut reg = 0.0;
        for j in 0..wlen {
            reg += w[j] * w[j];
            grad[j] += lambda * w[j];
        }
        loss / total_weight + 0.5 * lambda * reg
    };
    let theta = minimize(objective, vec![0.0; wlen + k], params.lbfgs).x;
    let weights: Vec<f32> = theta[..wlen].iter().map(|&v| v as f32).collect();
    let bias: Vec<f32> = theta[wlen..].iter().map(|&v| v as f32).collect();
    SoftmaxModel::new(
        classes.iter().map(|s| (*s).to_owned()).collect(),
        n_features,
        weights,
        bias,
        1.0,
    )
    .map_err(|e| FitError::Invalid(e.to_string()))
}

/// Class probabilities of every row (convenience for evaluation).
pub fn predict_all(model: &SoftmaxModel, rows: &[SparseVec]) -> Vec<Vec<f32>> {
    rows.iter().map(|x| model.probabilities(x)).collect()
}

/// Raw logits of every row (for calibration).
pub fn logits_all(model: &SoftmaxModel, rows: &[SparseVec]) -> Vec<Vec<f32>> {
    let k = model.classes().len();
    rows.iter()
        .map(|x| {
            let mut z = vec![0.0; k];
            model.logits_into(x, &mut z);
            z
        })
        .collect()
}

/// Index of the largest value (first on ties).
pub fn argmax(p: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in p.iter().enumerate() {
        if v > p[best] {
            best = i;
        }
    }
    best
}

/// Softmax of logits at temperature `t` (re-exported for calibration code).
pub fn softmax(z: &[f32], t: f32) -> Vec<f32> {
    let mut out = z.to_vec();
    softmax_in_place(&mut out, t);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> (Vec<SparseVec>, Vec<usize>) {
        // Three classes, each marked by its own feature, plus a shared noisy feature.
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..90 {
            let y = i % 3;
            let mut dense = vec![0.0f32; 4];
            dense[y] = 1.0;
            dense[3] = (i % 7) as f32 / 7.0;
            rows.push(SparseVec::from_dense(&dense));
            labels.push(y);
        }
        (rows, labels)
    }

    #[test]
    fn separable_classes_are_learned() {
        let (rows, labels) = blobs();
        let m = fit_softmax(
            &rows,
            &labels,
            &["a", "b", "c"],
            4,
            &LogisticParams::default(),
        )
        .unwrap();
        let preds: Vec<usize> = predict_all(&m, &rows).iter().map(|p| argmax(p)).collect();
        assert_eq!(preds, labels);
        let p = m.probabilities(&SparseVec::from_dense(&[0.0, 1.0, 0.0, 0.0]));
        assert!(p[1] > 0.8, "{p:?}");
    }

    #[test]
    fn fitting_is_deterministic() {
        let (rows, labels) = blobs();
        let a = fit_softmax(
            &rows,
            &labels,
            &["a", "b", "c"],
            4,
            &LogisticParams::default(),
        )
        .unwrap();
        let b = fit_softmax(
            &rows,
            &labels,
            &["a", "b", "c"],
            4,
            &LogisticParams::default(),
        )
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn stronger_regularization_shrinks_confidence() {
        let (rows, labels) = blobs();
        let x = SparseVec::from_dense(&[1.0, 0.0, 0.0, 0.0]);
        let loose = fit_softmax(
            &rows,
            &labels,
            &["a", "b", "c"],
            4,
            &LogisticParams::default(),
        )
        .unwrap();
        let tight = fit_softmax(
            &rows,
            &labels,
            &["a", "b", "c"],
            4,
            &LogisticParams {
                c: 0.01,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(tight.probabilities(&x)[0] < loose.probabilities(&x)[0]);
    }

    #[test]
    fn balanced_weights_favour_the_minority() {
        // 20 rows of class 0, 4 of class 1, all on one ambiguous feature.
        let rows: Vec<SparseVec> = (0..24).map(|_| SparseVec::from_dense(&[1.0])).collect();
        let labels: Vec<usize> = (0..24).map(|i| usize::from(i >= 20)).collect();
        let uniform =
            fit_softmax(&rows, &labels, &["a", "b"], 1, &LogisticParams::default()).unwrap();
        let balanced = fit_softmax(
            &rows,
            &labels,
            &["a", "b"],
            1,
            &LogisticParams {
                class_weight: ClassWeight::Balanced,
                ..Default::default()
            },
        )
        .unwrap();
        let x = SparseVec::from_dense(&[1.0]);
        assert!(uniform.probabilities(&x)[1] < 0.25);
        assert!((balanced.probabilities(&x)[1] - 0.5).abs() < 0.05);
    }

    #[test]
    fn bad_inputs_are_refused() {
        let (rows, labels) = blobs();
        let err = fit_softmax(
            &rows,
            &labels[..3],
            &["a", "b", "c"],
            4,
            &LogisticParams::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "90 rows but 3 labels");
        let err =
            fit_softmax(&rows, &labels, &["a", "b"], 4, &LogisticParams::default()).unwrap_err();
        assert!(err.to_string().starts_with("label of row 2 is 2"), "{err}");
    }
}
