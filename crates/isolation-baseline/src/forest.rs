//! The standard Isolation Forest (Liu, Ting & Zhou 2008), seeded, on flat arrays.
//!
//! Parity with scikit-learn's `IsolationForest` is behavioural, not numeric (the RNGs differ):
//! ψ = min(256, n) samples per tree drawn without replacement, every split picks a feature
//! uniformly among those not constant in the node and a threshold uniformly in [min, max),
//! depth limit ⌈log2 ψ⌉, leaf path length `depth + c(n_leaf)`, `score_samples = -2^(-E[h]/c(ψ))`
//! and `offset` = the contamination quantile (linear interpolation) of the training scores.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Rows walked together in batch scoring.
const LANES: usize = 8;

/// Euler–Mascheroni constant, as in scikit-learn.
const EULER_GAMMA: f64 = 0.577_215_664_9;

/// Average path length of an unsuccessful BST search among `n` points: the normaliser `c(n)`.
///
/// ```
/// use vigil_isolation_baseline::forest::average_path_length;
/// assert_eq!(average_path_length(1), 0.0);
/// assert_eq!(average_path_length(2), 1.0);
/// assert!((average_path_length(256) - 10.244770).abs() < 1e-5);
/// ```
pub fn average_path_length(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * ((n - 1.0).ln() + EULER_GAMMA) - 2.0 * (n - 1.0) / n
        }
    }
}

/// Hyperparameters of [`IsolationForest::fit`], with scikit-learn's / harombe's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    /// Number of trees (100).
    pub n_trees: usize,
    /// Samples per tree before capping at n (256).
    pub max_samples: usize,
    /// Share of the training data expected to be anomalous; sets `offset` (0.05).
    pub contamination: f64,
    /// RNG seed (42).
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_trees: 100,
            max_samples: 256,
            contamination: 0.05,
            seed: 42,
        }
    }
}

impl ForestParams {
    /// Checks every value is usable.
    pub fn check(&self) -> Result<()> {
        if !(1..=10_000).contains(&self.n_trees) {
            return Err(Error::param("n_trees", self.n_trees, "between 1 and 10000"));
        }
        if !(2..=1 << 20).contains(&self.max_samples) {
            return Err(Error::param(
                "max_samples",
                self.max_samples,
                "between 2 and 1048576",
            ));
        }
        if !(self.contamination > 0.0 && self.contamination <= 0.5) {
            return Err(Error::param(
                "contamination",
                self.contamination,
                "in (0, 0.5]",
            ));
        }
        Ok(())
    }
}

/// A fitted forest. All trees share flat arrays; a node's right child sits right after its left
/// child, and `left == 0` marks a leaf (the root is never a child).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    n_features: usize,
    psi: usize,
    /// Root node index of each tree.
    roots: Vec<u32>,
    /// Split feature (unused at a leaf).
    feature: Vec<u32>,
    /// Split threshold (go left when `x <= threshold`), or at a leaf its path length
    /// `depth + c(n_leaf)`.
    value: Vec<f64>,
    /// Left child index, 0 at a leaf.
    left: Vec<u32>,
    /// `score_samples` below this value is an outlier (contamination quantile).
    offset: f64,
}

impl IsolationForest {
    /// Fits on row-major `rows` of `n_features` columns (at least 2 rows, all finite).
    pub fn fit(rows: &[f64], n_features: usize, params: &ForestParams) -> Result<Self> {
        Self::fit_scored(rows, n_features, params).map(|(forest, _)| forest)
    }

    /// Like [`fit`](Self::fit), also returning the anomaly scores s(x) of the training rows
    /// (computed anyway for the offset).
    pub fn fit_scored(
        rows: &[f64],
        n_features: usize,
        params: &ForestParams,
    ) -> Result<(Self, Vec<f64>)> {
        params.check()?;
        if n_features == 0 || rows.len() % n_features != 0 {
            return Err(Error::InvalidData(format!(
                "{} values do not make rows of {n_features} features",
                rows.len()
            )));
        }
        let n = rows.len() / n_features;
        if n < 2 {
            return Err(Error::InvalidData(format!(
                "{n} rows; the forest needs at least 2"
            )));
        }
        if let Some(i) = rows.iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidData(format!(
                "row {} feature {} is {}",
                i / n_features,
                i % n_features,
                rows[i]
            )));
        }
        let psi = params.max_samples.min(n);
        let depth_limit = (psi.max(2) as f64).log2().ceil() as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let mut forest = IsolationForest {
            n_features,
            psi,
            roots: Vec::with_capacity(params.n_trees),
            feature: Vec::new(),
            value: Vec::new(),
            left: Vec::new(),
            offset: 0.0,
        };
        let mut builder = TreeBuilder {
            rows,
            n_features,
            depth_limit,
            lo: vec![0.0; n_features],
            hi: vec![0.0; n_features],
            candidates: Vec::with_capacity(n_features),
            stack: Vec::new(),
        };
        for _ in 0..params.n_trees {
            let mut sample = rand::seq::index::sample(&mut rng, n, psi).into_vec();
            builder.build(&mut forest, &mut sample, &mut rng);
        }
        let scores = forest.anomaly_scores(rows);
        let mut negated: Vec<f64> = scores.iter().map(|s| -s).collect();
        forest.offset = quantile(&mut negated, params.contamination);
        Ok((forest, scores))
    }

    /// Number of features a row must have.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Samples per tree (ψ).
    pub fn samples_per_tree(&self) -> usize {
        self.psi
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.roots.len()
    }

    /// Total number of nodes over all trees.
    pub fn n_nodes(&self) -> usize {
        self.left.len()
    }

    /// The decision offset: `score_samples < offset` is an outlier (scikit-learn's `offset_`).
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// Mean path length E[h(x)] of `row` over the trees.
    pub fn mean_path_length(&self, row: &[f64]) -> f64 {
        let mut total = 0.0;
        for &root in &self.roots {
            let mut node = root as usize;
            loop {
                let left = self.left[node] as usize;
                if left == 0 {
                    break;
                }
                let x = row.get(self.feature[node] as usize).copied().unwrap_or(0.0);
                // NaN goes right, like any value above the threshold.
                node = if x <= self.value[node] {
                    left
                } else {
                    left + 1
                };
            }
            total += self.value[node];
        }
        total / self.roots.len().max(1) as f64
    }

    /// Path length of `row` in the tree rooted at `root`.
    #[inline]
    fn path_length(&self, root: u32, row: &[f64]) -> f64 {
        let mut node = root as usize;
        loop {
            let left = self.left[node] as usize;
            if left == 0 {
                return self.value[node];
            }
            let x = row.get(self.feature[node] as usize).copied().unwrap_or(0.0);
            // Branch-free step (the comparison is a coin flip for the predictor); NaN goes
            // right, like any value above the threshold.
            node = left + goes_right(x, self.value[node]);
        }
    }

    /// Path lengths of `LANES` consecutive rows walked in lock-step for `depth` steps (a leaf
    /// stays put), so the independent walks overlap their memory latency.
    #[inline]
    fn path_lengths_lanes(&self, root: u32, block: &[f64], depth: usize) -> [f64; LANES] {
        let f = self.n_features;
        let mut nodes = [root as usize; LANES];
        for _ in 0..depth {
            for (k, node) in nodes.iter_mut().enumerate() {
                let left = self.left[*node] as usize;
                let x = block
                    .get(k * f + self.feature[*node] as usize)
                    .copied()
                    .unwrap_or(0.0);
                let next = left + goes_right(x, self.value[*node]);
                *node = if left == 0 { *node } else { next };
            }
        }
        nodes.map(|n| self.value[n])
    }

    /// [`anomaly_score`](Self::anomaly_score) of every row of row-major `rows`, tree by tree so
    /// each tree stays in cache (training scores 10,000 rows this way).
    pub fn anomaly_scores(&self, rows: &[f64]) -> Vec<f64> {
        let f = self.n_features.max(1);
        let mut total = vec![0.0; rows.len() / f];
        let depth = (self.psi.max(2) as f64).log2().ceil() as usize;
        let lanes = total.len() / LANES * LANES;
        for &root in &self.roots {
            for (t, block) in total[..lanes]
                .chunks_exact_mut(LANES)
                .zip(rows.chunks_exact(f * LANES))
            {
                for (t, h) in t
                    .iter_mut()
                    .zip(self.path_lengths_lanes(root, block, depth))
                {
                    *t += h;
                }
            }
            for (t, row) in total[lanes..]
                .iter_mut()
                .zip(rows[lanes * f..].chunks_exact(f))
            {
                *t += self.path_length(root, row);
            }
        }
        let c = average_path_length(self.psi);
        let trees = self.roots.len().max(1) as f64;
        total
            .into_iter()
            .map(|t| {
                if c == 0.0 {
                    0.5
                } else {
                    (-(t / trees) / c).exp2()
                }
            })
            .collect()
    }

    /// The anomaly score s(x) = 2^(−E[h(x)]/c(ψ)) in (0, 1]: about 0.5 for typical points,
    /// towards 1 for points isolated early.
    pub fn anomaly_score(&self, row: &[f64]) -> f64 {
        let c = average_path_length(self.psi);
        if c == 0.0 {
            return 0.5;
        }
        (-self.mean_path_length(row) / c).exp2()
    }

    /// scikit-learn's `score_samples`: −s(x) (lower is more abnormal).
    pub fn score_samples(&self, row: &[f64]) -> f64 {
        -self.anomaly_score(row)
    }

    /// scikit-learn's `predict`: −1 for an outlier (`score_samples < offset`), 1 otherwise.
    pub fn predict(&self, row: &[f64]) -> i8 {
        if self.score_samples(row) < self.offset {
            -1
        } else {
            1
        }
    }

    /// Checks the arrays are consistent, so a tampered-but-checksummed artifact cannot make
    /// scoring index out of bounds or loop.
    pub fn validate(&self) -> Result<()> {
        let n = self.left.len();
        let bad = |what: String| Err(Error::InvalidData(format!("forest: {what}")));
        if self.feature.len() != n || self.value.len() != n {
            return bad("node arrays differ in length".into());
        }
        if self.roots.is_empty() || self.psi < 2 {
            return bad(format!(
                "{} trees, {} samples per tree",
                self.roots.len(),
                self.psi
            ));
        }
        if let Some(r) = self.roots.iter().find(|&&r| r as usize >= n) {
            return bad(format!("root {r} outside {n} nodes"));
        }
        for i in 0..n {
            let left = self.left[i] as usize;
            // Children always come after their parent, so following them cannot loop.
            if left != 0 && (left <= i || left + 1 >= n) {
                return bad(format!("node {i} has child {left} of {n}"));
            }
            if left != 0 && self.feature[i] as usize >= self.n_features {
                return bad(format!("node {i} splits on feature {}", self.feature[i]));
            }
            if !self.value[i].is_finite() {
                return bad(format!("node {i} has value {}", self.value[i]));
            }
        }
        if !self.offset.is_finite() {
            return bad(format!("offset is {}", self.offset));
        }
        Ok(())
    }
}

/// Scratch space reused across trees.
struct TreeBuilder<'a> {
    rows: &'a [f64],
    n_features: usize,
    depth_limit: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    candidates: Vec<usize>,
    /// (node, start, end, depth) ranges of the sample buffer still to split.
    stack: Vec<(usize, usize, usize, usize)>,
}

impl TreeBuilder<'_> {
    fn build(&mut self, forest: &mut IsolationForest, sample: &mut [usize], rng: &mut ChaCha8Rng) {
        let root = forest.left.len();
        forest.roots.push(root as u32);
        push_node(forest);
        self.stack.push((root, 0, sample.len(), 0));
        while let Some((node, start, end, depth)) = self.stack.pop() {
            let size = end - start;
            if depth >= self.depth_limit || size <= 1 || !self.split_range(&sample[start..end]) {
                forest.value[node] = depth as f64 + average_path_length(size);
                continue;
            }
            let feature = self.candidates[rng.gen_range(0..self.candidates.len())];
            let (lo, hi) = (self.lo[feature], self.hi[feature]);
            let mut threshold = lo + rng.r#gen::<f64>() * (hi - lo);
            if threshold >= hi {
                threshold = lo; // keeps the right side non-empty, as scikit-learn does
            }
            // Partition: rows with x <= threshold first.
            let part = &mut sample[start..end];
            let mut mid = 0;
            for i in 0..part.len() {
                if self.rows[part[i] * self.n_features + feature] <= threshold {
                    part.swap(i, mid);
                    mid += 1;
                }
            }
            let left = forest.left.len();
            push_node(forest);
            push_node(forest);
            forest.feature[node] = feature as u32;
            forest.value[node] = threshold;
            forest.left[node] = left as u32;
            self.stack.push((left + 1, start + mid, end, depth + 1));
            self.stack.push((left, start, start + mid, depth + 1));
        }
    }

    /// Fills `lo`/`hi` and the list of non-constant features; false when all are constant.
    fn split_range(&mut self, part: &[usize]) -> bool {
        let f = self.n_features;
        let first = &self.rows[part[0] * f..part[0] * f + f];
        self.lo.copy_from_slice(first);
        self.hi.copy_from_slice(first);
        for &i in &part[1..] {
            let row = &self.rows[i * f..i * f + f];
            for ((lo, hi), &x) in self.lo.iter_mut().zip(self.hi.iter_mut()).zip(row) {
                *lo = lo.min(x);
                *hi = hi.max(x);
            }
        }
        self.candidates.clear();
        self.candidates
            .extend((0..f).filter(|&j| self.hi[j] > self.lo[j]));
        !self.candidates.is_empty()
    }
}

/// 1 when `x` goes to the right child: above the threshold, or NaN (which fails every `<=`).
#[inline]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // the negation is what sends NaN right
fn goes_right(x: f64, threshold: f64) -> usize {
    usize::from(!(x <= threshold))
}

fn push_node(forest: &mut IsolationForest) {
    forest.feature.push(0);
    forest.value.push(0.0);
    forest.left.push(0);
}

/// The `q` quantile of `values` with linear interpolation (numpy's default). Reorders `values`
/// (selection, O(n), not a full sort).
pub(crate) fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let pos = q.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    let (_, &mut at, above) = values.select_nth_unstable_by(i, f64::total_cmp);
    if frac == 0.0 || above.is_empty() {
        return at;
    }
    let next = above.iter().copied().fold(f64::INFINITY, f64::min);
    at + frac * (next - at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n * 2).map(|_| rng.gen_range(-1.0..1.0)).collect()
    }

    #[test]
    fn outliers_score_higher_and_offset_matches_contamination() {
        let rows = blob(500, 1);
        let forest = IsolationForest::fit(&rows, 2, &ForestParams::default()).unwrap();
        forest.validate().unwrap();
        let batch = forest.anomaly_scores(&rows);
        for (b, row) in batch.iter().zip(rows.chunks_exact(2)) {
            assert!((b - forest.anomaly_score(row)).abs() < 1e-12);
        }
        assert_eq!(forest.samples_per_tree(), 256);
        assert_eq!(forest.n_trees(), 100);
        let inlier = forest.anomaly_score(&[0.0, 0.0]);
        let outlier = forest.anomaly_score(&[8.0, -8.0]);
        assert!(inlier < 0.5, "{inlier}");
        assert!(outlier > 0.6, "{outlier}");
        assert_eq!(forest.predict(&[8.0, -8.0]), -1);
        assert_eq!(forest.predict(&[0.0, 0.0]), 1);
        let flagged = rows
            .chunks_exact(2)
            .filter(|r| forest.predict(r) == -1)
            .count();
        // The offset is the 5% quantile of the training scores: 25 of 500 (ties aside).
        assert!((24..=26).contains(&flagged), "{flagged}");
    }

    #[test]
    fn depth_is_limited_and_seed_is_deterministic() {
        let rows = blob(300, 2);
        let p = ForestParams::default();
        let a = IsolationForest::fit(&rows, 2, &p).unwrap();
        let b = IsolationForest::fit(&rows, 2, &p).unwrap();
        assert_eq!(a, b);
        let c = IsolationForest::fit(&rows, 2, &ForestParams { seed: 7, ..p }).unwrap();
        assert_ne!(a, c);
        // Depth limit 8 → at most 2^9 - 1 nodes per tree.
        assert!(a.n_nodes() <= 100 * 511);
    }

    #[test]
    fn constant_data_gives_equal_scores_of_one_half() {
        let rows = vec![1.0; 40];
        let forest = IsolationForest::fit(&rows, 2, &ForestParams::default()).unwrap();
        // Every tree is one leaf of 20 points: E[h] = c(20) = c(ψ), so s = 0.5 exactly.
        assert!((forest.anomaly_score(&[1.0, 1.0]) - 0.5).abs() < 1e-12);
        assert!((forest.anomaly_score(&[100.0, 1.0]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_refused() {
        let p = ForestParams::default();
        assert!(IsolationForest::fit(&[1.0, 2.0], 2, &p).is_err());
        let err = IsolationForest::fit(&[1.0, f64::NAN, 2.0, 3.0], 2, &p).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid training data: row 0 feature 1 is NaN"
        );
        let err = ForestParams {
            contamination: 0.7,
            ..p
        }
        .check()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid parameter contamination = 0.7: in (0, 0.5]"
        );
    }

    #[test]
    fn quantile_interpolates_linearly() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&mut v, 0.05), 1.2);
        assert_eq!(quantile(&mut v, 0.5), 3.0);
        assert_eq!(quantile(&mut v, 1.0), 5.0);
    }
}
