//! Sparse, L2-regularized multinomial logistic regression, fitted with L-BFGS.
//!
//! smartcore's logistic regression is dense-only and gives no probabilities, so vigil fits its
//! own: minimize `Σ_i w_i · (−ln p_{y_i}(x_i)) / Σ_i w_i + λ/2 · ‖W‖²` (bias not regularized),
//! where `w_i` are sample weights (all 1, or "balanced": n / (k · n_class)). `λ = 1 / (C · n)`
//! mirrors scikit-learn's `C`. The result is a [`SoftmaxWeights`]: feature-major weights and a
//! bias per class, the layout `vigil_features::linear::SoftmaxModel` loads.
//!
//! ```
//! use vigil_learn::logistic::{LogisticParams, SparseRow, fit_softmax};
//!
//! // Feature 0 marks class 0, feature 1 marks class 1.
//! let (a, b) = ([0u32], [1u32]);
//! let one = [1.0f32];
//! let rows = [SparseRow::new(&a, &one), SparseRow::new(&b, &one)];
//! let params = LogisticParams::default().check().unwrap();
//! let fit = fit_softmax(&rows, &[0, 1], 2, 2, &params).unwrap();
//! let mut z = [0.0; 2];
//! fit.logits_into(&rows[0], &mut z);
//! assert!(z[0] > z[1]);
//! ```

use crate::link::softmax_in_place;
use crate::optim::{LbfgsParams, ValidLbfgsParams, minimize};
use crate::{Error, Result};

/// A borrowed sparse row: strictly increasing feature indices and their values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SparseRow<'a> {
    indices: &'a [u32],
    values: &'a [f32],
}

impl<'a> SparseRow<'a> {
    /// A row of `indices` (strictly increasing) and their `values`; extra entries of the
    /// longer slice are ignored.
    pub fn new(indices: &'a [u32], values: &'a [f32]) -> Self {
        SparseRow { indices, values }
    }

    /// Iterates `(index, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f32)> + 'a {
        self.indices
            .iter()
            .zip(self.values)
            .map(|(&i, &v)| (i as usize, v))
    }
}

/// How rows are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassWeight {
    /// Every row counts once.
    Uniform,
    /// Rows weighted by n / (k · n_class), as scikit-learn's `class_weight='balanced'`.
    Balanced,
}

/// Hyperparameters of [`fit_softmax`]; [`LogisticParams::check`] turns them into
/// [`ValidLogisticParams`].
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

/// [`LogisticParams`] that passed [`LogisticParams::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidLogisticParams {
    params: LogisticParams,
    lbfgs: ValidLbfgsParams,
}

impl LogisticParams {
    /// Checks `C` (finite, > 0) and the optimizer settings.
    pub fn check(self) -> Result<ValidLogisticParams> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(Error::InvalidParams(format!(
                "C = {} must be finite and > 0",
                self.c
            )));
        }
        Ok(ValidLogisticParams {
            params: self,
            lbfgs: self.lbfgs.check()?,
        })
    }
}

impl ValidLogisticParams {
    /// The checked parameters.
    pub fn get(&self) -> &LogisticParams {
        &self.params
    }
}

/// A fitted multinomial logistic regression: `W·x + b` per class.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxWeights {
    /// Input dimension.
    pub n_features: usize,
    /// Number of classes.
    pub n_classes: usize,
    /// Feature-major weights: `weights[feature * n_classes + class]`.
    pub weights: Vec<f32>,
    /// One bias per class.
    pub bias: Vec<f32>,
}

impl SoftmaxWeights {
    /// Raw scores `W·x + b` into `out` (`n_classes` entries), in f32 as the runtime computes
    /// them. Indices beyond `n_features` are ignored.
    pub fn logits_into(&self, x: &SparseRow<'_>, out: &mut [f32]) {
        let k = self.n_classes;
        out[..k].copy_from_slice(&self.bias);
        for (i, v) in x.iter() {
            if i < self.n_features {
                for (o, w) in out[..k].iter_mut().zip(&self.weights[i * k..(i + 1) * k]) {
                    *o += w * v;
                }
            }
        }
    }

    /// Class probabilities `softmax(W·x + b)`.
    pub fn probabilities(&self, x: &SparseRow<'_>) -> Vec<f32> {
        let mut out = vec![0.0; self.n_classes];
        self.logits_into(x, &mut out);
        softmax_in_place(&mut out, 1.0);
        out
    }
}

/// Fits a softmax regression on sparse rows with labels in `0..n_classes`.
pub fn fit_softmax(
    rows: &[SparseRow<'_>],
    labels: &[usize],
    n_classes: usize,
    n_features: usize,
    params: &ValidLogisticParams,
) -> Result<SoftmaxWeights> {
    let k = n_classes;
    if k < 2 {
        return Err(Error::InvalidInput(format!(
            "need at least 2 classes, got {k}"
        )));
    }
    if rows.len() != labels.len() || rows.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{} rows but {} labels",
            rows.len(),
            labels.len()
        )));
    }
    if let Some((i, &y)) = labels.iter().enumerate().find(|(_, y)| **y >= k) {
        return Err(Error::InvalidInput(format!(
            "label of row {i} is {y}, but there are only {k} classes"
        )));
    }
    let (lbfgs, params) = (&params.lbfgs, params.get());
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
    let theta = minimize(objective, vec![0.0; wlen + k], lbfgs).x;
    Ok(SoftmaxWeights {
        n_features,
        n_classes: k,
        weights: theta[..wlen].iter().map(|&v| v as f32).collect(),
        bias: theta[wlen..].iter().map(|&v| v as f32).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::argmax;

    /// Owned sparse rows (zeros dropped) the tests borrow [`SparseRow`]s from.
    struct Owned(Vec<(Vec<u32>, Vec<f32>)>);

    impl Owned {
        fn from_dense<'a>(rows: impl IntoIterator<Item = &'a [f32]>) -> Self {
            Owned(
                rows.into_iter()
                    .map(|d| {
                        let nz = d.iter().enumerate().filter(|(_, v)| **v != 0.0);
                        (
                            nz.clone().map(|(i, _)| i as u32).collect(),
                            nz.map(|(_, v)| *v).collect(),
                        )
                    })
                    .collect(),
            )
        }

        fn rows(&self) -> Vec<SparseRow<'_>> {
            self.0.iter().map(|(i, v)| SparseRow::new(i, v)).collect()
        }
    }

    fn params(p: LogisticParams) -> ValidLogisticParams {
        p.check().unwrap()
    }

    fn blobs() -> (Owned, Vec<usize>) {
        // Three classes, each marked by its own feature, plus a shared noisy feature.
        let mut dense = Vec::new();
        let mut labels = Vec::new();
        for i in 0..90 {
            let y = i % 3;
            let mut d = vec![0.0f32; 4];
            d[y] = 1.0;
            d[3] = (i % 7) as f32 / 7.0;
            dense.push(d);
            labels.push(y);
        }
        (Owned::from_dense(dense.iter().map(Vec::as_slice)), labels)
    }

    #[test]
    fn separable_classes_are_learned() {
        let (owned, labels) = blobs();
        let rows = owned.rows();
        let m = fit_softmax(&rows, &labels, 3, 4, &params(LogisticParams::default())).unwrap();
        let preds: Vec<usize> = rows.iter().map(|x| argmax(&m.probabilities(x))).collect();
        assert_eq!(preds, labels);
        let probe = Owned::from_dense([[0.0, 1.0, 0.0, 0.0].as_slice()]);
        let p = m.probabilities(&probe.rows()[0]);
        assert!(p[1] > 0.8, "{p:?}");
    }

    #[test]
    fn fitting_is_deterministic() {
        let (owned, labels) = blobs();
        let rows = owned.rows();
        let p = params(LogisticParams::default());
        let a = fit_softmax(&rows, &labels, 3, 4, &p).unwrap();
        let b = fit_softmax(&rows, &labels, 3, 4, &p).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn stronger_regularization_shrinks_confidence() {
        let (owned, labels) = blobs();
        let rows = owned.rows();
        let probe = Owned::from_dense([[1.0, 0.0, 0.0, 0.0].as_slice()]);
        let x = probe.rows()[0];
        let loose = fit_softmax(&rows, &labels, 3, 4, &params(LogisticParams::default())).unwrap();
        let tight = fit_softmax(
            &rows,
            &labels,
            3,
            4,
            &params(LogisticParams {
                c: 0.01,
                ..Default::default()
            }),
        )
        .unwrap();
        assert!(tight.probabilities(&x)[0] < loose.probabilities(&x)[0]);
    }

    #[test]
    fn balanced_weights_favour_the_minority() {
        // 20 rows of class 0, 4 of class 1, all on one ambiguous feature.
        let owned = Owned::from_dense((0..24).map(|_| [1.0f32].as_slice()));
        let rows = owned.rows();
        let labels: Vec<usize> = (0..24).map(|i| usize::from(i >= 20)).collect();
        let uniform =
            fit_softmax(&rows, &labels, 2, 1, &params(LogisticParams::default())).unwrap();
        let balanced = fit_softmax(
            &rows,
            &labels,
            2,
            1,
            &params(LogisticParams {
                class_weight: ClassWeight::Balanced,
                ..Default::default()
            }),
        )
        .unwrap();
        let x = rows[0];
        assert!(uniform.probabilities(&x)[1] < 0.25);
        assert!((balanced.probabilities(&x)[1] - 0.5).abs() < 0.05);
    }

    #[test]
    fn bad_inputs_are_refused() {
        let (owned, labels) = blobs();
        let rows = owned.rows();
        let p = params(LogisticParams::default());
        let err = fit_softmax(&rows, &labels[..3], 3, 4, &p).unwrap_err();
        assert_eq!(err.to_string(), "90 rows but 3 labels");
        let err = fit_softmax(&rows, &labels, 2, 4, &p).unwrap_err();
        assert!(err.to_string().starts_with("label of row 2 is 2"), "{err}");
        let bad_c = LogisticParams {
            c: 0.0,
            ..LogisticParams::default()
        };
        assert_eq!(
            bad_c.check().unwrap_err().to_string(),
            "C = 0 must be finite and > 0"
        );
    }
}
