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
use crate::optim::{LbfgsParams, Summation, ValidLbfgsParams, minimize};
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

    // Features no row uses keep weight 0 for ever (their gradient is λ·0), so the optimizer
    // works on the used ones only: every sum over the full vector differs from the sum over the
    // compact one by added zeros, so the fit is bit-for-bit the same, just smaller.
    let (active, compact) = compact_rows(rows, n_features);
    let clen = active.len() * k;
    let data = Objective {
        x: &compact,
        labels,
        weight: &weight,
        total_weight,
        lambda,
        sum: lbfgs.get().summation,
    };
    let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
        match k {
            2 => softmax_objective::<2>(theta, grad, &data),
            3 => softmax_objective::<3>(theta, grad, &data),
            4 => softmax_objective::<4>(theta, grad, &data),
            5 => softmax_objective::<5>(theta, grad, &data),
            _ => softmax_objective_dyn(theta, grad, k, &data),
        }
    };
    let theta = minimize(objective, vec![0.0; clen + k], lbfgs).x;
    let mut weights = vec![0.0f32; wlen];
    for (j, &f) in active.iter().enumerate() {
        for c in 0..k {
            weights[f as usize * k + c] = theta[j * k + c] as f32;
        }
    }
    Ok(SoftmaxWeights {
        n_features,
        n_classes: k,
        weights,
        bias: theta[clen..].iter().map(|&v| v as f32).collect(),
    })
}

/// Rows re-indexed onto the features they use (`active`, ascending): compact index `j` is
/// feature `active[j]`. Entries at or beyond `n_features` are dropped (they carry no weight).
struct CompactRows {
    /// Row start offsets into `indices`/`values` (`n + 1` entries).
    offsets: Vec<usize>,
    indices: Vec<u32>,
    /// Kept in f32 (as given) to halve the memory streamed per pass; widened exactly on use.
    values: Vec<f32>,
}

fn compact_rows(rows: &[SparseRow<'_>], n_features: usize) -> (Vec<u32>, CompactRows) {
    let mut used = vec![false; n_features];
    for x in rows {
        for (i, _) in x.iter() {
            if i < n_features {
                used[i] = true;
            }
        }
    }
    let mut map = vec![u32::MAX; n_features];
    let mut active = Vec::new();
    for (f, _) in used.iter().enumerate().filter(|(_, u)| **u) {
        map[f] = active.len() as u32;
        active.push(f as u32);
    }
    let mut out = CompactRows {
        offsets: Vec::with_capacity(rows.len() + 1),
        indices: Vec::new(),
        values: Vec::new(),
    };
    out.offsets.push(0);
    for x in rows {
        for (i, v) in x.iter() {
            if i < n_features {
                out.indices.push(map[i]);
                out.values.push(v);
            }
        }
        out.offsets.push(out.indices.len());
    }
    (active, out)
}

/// What the objective reads besides the parameters.
struct Objective<'a> {
    x: &'a CompactRows,
    labels: &'a [usize],
    weight: &'a [f64],
    total_weight: f64,
    lambda: f64,
    sum: Summation,
}

/// `b + Σ_j w[idx_j]·val_j` per class (`K` classes, feature-major `w`), summed as `sum` says:
/// sequentially from the bias, or in four lanes added to the bias at the end.
fn accumulate<const K: usize>(
    w: &[f64],
    b: &[f64],
    idx: &[u32],
    val: &[f32],
    sum: Summation,
    z: &mut [f64; K],
) {
    z.copy_from_slice(b);
    match sum {
        Summation::Sequential => {
            for (&i, &v) in idx.iter().zip(val) {
                let v = f64::from(v);
                let wi = &w[i as usize * K..][..K];
                for c in 0..K {
                    z[c] += wi[c] * v;
                }
            }
        }
        Summation::Lanes => {
            let mut acc = [[0.0f64; K]; 4];
            let (ci, cv) = (idx.chunks_exact(4), val.chunks_exact(4));
            let (ri, rv) = (ci.remainder(), cv.remainder());
            for (i4, v4) in ci.zip(cv) {
                for l in 0..4 {
                    let v = f64::from(v4[l]);
                    let wi = &w[i4[l] as usize * K..][..K];
                    for c in 0..K {
                        acc[l][c] += wi[c] * v;
                    }
                }
            }
            for (l, (&i, &v)) in ri.iter().zip(rv).enumerate() {
                let v = f64::from(v);
                let wi = &w[i as usize * K..][..K];
                for c in 0..K {
                    acc[l][c] += wi[c] * v;
                }
            }
            for c in 0..K {
                z[c] += (acc[0][c] + acc[1][c]) + (acc[2][c] + acc[3][c]);
            }
        }
    }
}

/// Adds `λ·w` to the gradient and returns `‖w‖²` (summed as `sum` says).
fn regularize(w: &[f64], gw: &mut [f64], lambda: f64, sum: Summation) -> f64 {
    for (g, &wj) in gw.iter_mut().zip(w) {
        *g += lambda * wj;
    }
    match sum {
        Summation::Sequential => {
            let mut reg = 0.0;
            for &wj in w {
                reg += wj * wj;
            }
            reg
        }
        Summation::Lanes => sum.dot(w, w),
    }
}

/// The loss and gradient of [`fit_softmax`] for `K` classes (unrolled). The order of every
/// floating-point sum is fixed: rows in order, features in index order (or the four lanes of
/// [`Summation::Lanes`]), classes in order.
fn softmax_objective<const K: usize>(theta: &[f64], grad: &mut [f64], data: &Objective<'_>) -> f64 {
    let Objective {
        x,
        labels,
        weight,
        total_weight,
        lambda,
        sum,
    } = *data;
    grad.iter_mut().for_each(|g| *g = 0.0);
    let wlen = theta.len() - K;
    let (w, b) = theta.split_at(wlen);
    let (gw, gb) = grad.split_at_mut(wlen);
    let mut loss = 0.0;
    for (r, (&y, &sw)) in labels.iter().zip(weight).enumerate() {
        let (lo, hi) = (x.offsets[r], x.offsets[r + 1]);
        let (idx, val) = (&x.indices[lo..hi], &x.values[lo..hi]);
        let mut z = [0.0f64; K];
        accumulate::<K>(w, b, idx, val, sum, &mut z);
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
        let log_norm = max + sum.ln();
        loss += sw * (log_norm - z[y]);
        let mut res = [0.0f64; K];
        for c in 0..K {
            let p = (z[c] - log_norm).exp();
            res[c] = sw * (p - if c == y { 1.0 } else { 0.0 }) / total_weight;
            gb[c] += res[c];
        }
        for (&i, &v) in idx.iter().zip(val) {
            let v = f64::from(v);
            let gi = &mut gw[i as usize * K..][..K];
            for c in 0..K {
                gi[c] += res[c] * v;
            }
        }
    }
    let reg = regularize(w, gw, lambda, sum);
    loss / total_weight + 0.5 * lambda * reg
}

/// [`softmax_objective`] for any number of classes.
fn softmax_objective_dyn(theta: &[f64], grad: &mut [f64], k: usize, data: &Objective<'_>) -> f64 {
    let Objective {
        x,
        labels,
        weight,
        total_weight,
        lambda,
        sum,
    } = *data;
    grad.iter_mut().for_each(|g| *g = 0.0);
    let wlen = theta.len() - k;
    let (w, b) = theta.split_at(wlen);
    let (gw, gb) = grad.split_at_mut(wlen);
    let mut loss = 0.0;
    let mut z = vec![0.0f64; k];
    let mut res = vec![0.0f64; k];
    let mut lanes = vec![0.0f64; 4 * k];
    for (r, (&y, &sw)) in labels.iter().zip(weight).enumerate() {
        let (lo, hi) = (x.offsets[r], x.offsets[r + 1]);
        let (idx, val) = (&x.indices[lo..hi], &x.values[lo..hi]);
        z.copy_from_slice(b);
        match sum {
            Summation::Sequential => {
                for (&i, &v) in idx.iter().zip(val) {
                    let v = f64::from(v);
                    for (zc, wc) in z.iter_mut().zip(&w[i as usize * k..][..k]) {
                        *zc += wc * v;
                    }
                }
            }
            Summation::Lanes => {
                lanes.iter_mut().for_each(|a| *a = 0.0);
                for (j, (&i, &v)) in idx.iter().zip(val).enumerate() {
                    let v = f64::from(v);
                    let lane = &mut lanes[(j % 4) * k..][..k];
                    for (a, wc) in lane.iter_mut().zip(&w[i as usize * k..][..k]) {
                        *a += wc * v;
                    }
                }
                for (c, zc) in z.iter_mut().enumerate() {
                    *zc += (lanes[c] + lanes[k + c]) + (lanes[2 * k + c] + lanes[3 * k + c]);
                }
            }
        }
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
        let log_norm = max + sum.ln();
        loss += sw * (log_norm - z[y]);
        for c in 0..k {
            let p = (z[c] - log_norm).exp();
            res[c] = sw * (p - if c == y { 1.0 } else { 0.0 }) / total_weight;
            gb[c] += res[c];
        }
        for (&i, &v) in idx.iter().zip(val) {
            let v = f64::from(v);
            for (gc, rc) in gw[i as usize * k..][..k].iter_mut().zip(&res) {
                *gc += rc * v;
            }
        }
    }
    let reg = regularize(w, gw, lambda, sum);
    loss / total_weight + 0.5 * lambda * reg
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

    /// The straightforward fit (full weight vector, one pass per class): what the compact,
    /// unrolled objective must reproduce bit for bit.
    fn naive_fit(
        rows: &[SparseRow<'_>],
        labels: &[usize],
        k: usize,
        n_features: usize,
        params: &ValidLogisticParams,
    ) -> SoftmaxWeights {
        let n = rows.len();
        let lambda = 1.0 / (params.get().c * n as f64);
        let wlen = n_features * k;
        let total_weight = n as f64;
        let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
            grad.iter_mut().for_each(|g| *g = 0.0);
            let (w, b) = theta.split_at(wlen);
            let mut loss = 0.0;
            let mut z = vec![0.0f64; k];
            for (x, &y) in rows.iter().zip(labels) {
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
                loss += 1.0 * (log_norm - z[y]);
                for c in 0..k {
                    let p = (z[c] - log_norm).exp();
                    let r = 1.0 * (p - if c == y { 1.0 } else { 0.0 }) / total_weight;
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
        let theta = minimize(objective, vec![0.0; wlen + k], &params.lbfgs).x;
        SoftmaxWeights {
            n_features,
            n_classes: k,
            weights: theta[..wlen].iter().map(|&v| v as f32).collect(),
            bias: theta[wlen..].iter().map(|&v| v as f32).collect(),
        }
    }

    #[test]
    fn compact_unrolled_fit_equals_the_naive_fit_bit_for_bit() {
        // 40 features of which only the even ones below 30 are used (and one index beyond
        // n_features, which carries no weight), for every unrolled class count and one that is not.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for k in [2usize, 3, 4, 5, 7] {
            let mut owned = Vec::new();
            let mut labels = Vec::new();
            for r in 0..120 {
                let y = r % k;
                let mut idx: Vec<u32> = (0..15)
                    .filter(|_| next() % 3 == 0)
                    .map(|j| 2 * j)
                    .chain([2 * (y as u32 % 15), 41])
                    .collect();
                idx.sort_unstable();
                idx.dedup();
                let vals: Vec<f32> = idx.iter().map(|_| (next() % 1000) as f32 / 500.0).collect();
                owned.push((idx, vals));
                labels.push(y);
            }
            let rows: Vec<SparseRow<'_>> =
                owned.iter().map(|(i, v)| SparseRow::new(i, v)).collect();
            let p = params(LogisticParams::default());
            let fast = fit_softmax(&rows, &labels, k, 40, &p).unwrap();
            let naive = naive_fit(&rows, &labels, k, 40, &p);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&fast.weights), bits(&naive.weights), "k = {k}");
            assert_eq!(bits(&fast.bias), bits(&naive.bias), "k = {k}");
            assert!(
                fast.weights[k..2 * k].iter().all(|w| *w == 0.0),
                "feature 1 is unused"
            );
        }
    }

    #[test]
    fn lane_summation_fits_the_same_model_up_to_rounding() {
        let (owned, labels) = blobs();
        let rows = owned.rows();
        let seq = params(LogisticParams::default());
        let mut lanes = LogisticParams::default();
        lanes.lbfgs.summation = crate::optim::Summation::Lanes;
        let lanes = params(lanes);
        for k in [3usize, 7] {
            let labels: Vec<usize> = labels.iter().map(|y| y % k).collect();
            let a = fit_softmax(&rows, &labels, k, 4, &seq).unwrap();
            let b = fit_softmax(&rows, &labels, k, 4, &lanes).unwrap();
            let again = fit_softmax(&rows, &labels, k, 4, &lanes).unwrap();
            assert_eq!(b, again, "deterministic");
            for (x, y) in a
                .weights
                .iter()
                .chain(&a.bias)
                .zip(b.weights.iter().chain(&b.bias))
            {
                assert!((x - y).abs() < 1e-3, "{x} vs {y}");
            }
        }
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
