//! Flat-array boosted-tree inference.
//!
//! A trained ensemble is five parallel node arrays (`feature`, `threshold`, `left`, `right`,
//! `value`) plus one root index per tree; tree `t` adds to the raw score of class
//! `t % n_classes`. A node with `left == 0` is a leaf (no child can be node 0, which is the first
//! root). Leaf values already include the learning rate. A sample goes left iff
//! `x[feature] <= threshold`.

use serde::{Deserialize, Serialize};
use vigil_features::linear::softmax_in_place;

use crate::{Error, Result};

/// A multiclass boosted-tree ensemble in flat arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeEnsemble {
    /// Number of classes (softmax outputs).
    pub n_classes: u32,
    /// Number of input features.
    pub n_features: u32,
    /// Initial raw score per class (log priors).
    pub base: Vec<f32>,
    /// Root node of every tree; tree `t` belongs to class `t % n_classes`.
    pub roots: Vec<u32>,
    /// Split feature per node (unused for leaves).
    pub feature: Vec<u32>,
    /// Split threshold per node: left iff `x[feature] <= threshold`.
    pub threshold: Vec<f32>,
    /// Left child per node; 0 marks a leaf.
    pub left: Vec<u32>,
    /// Right child per node.
    pub right: Vec<u32>,
    /// Leaf value (learning rate applied); 0 for inner nodes.
    pub value: Vec<f32>,
}

impl TreeEnsemble {
    /// Checks every index and number so that [`TreeEnsemble::raw_scores`] can never panic or
    /// loop: children point strictly forward, features are in range, numbers are finite.
    pub fn validate(&self) -> Result<()> {
        let n = self.feature.len();
        let k = self.n_classes as usize;
        let bad = |m: String| Err(Error::Model(m));
        if k < 2 {
            return bad(format!("n_classes is {k}, expected at least 2"));
        }
        if self.base.len() != k {
            return bad(format!(
                "base has {} values for {k} classes",
                self.base.len()
            ));
        }
        if [
            self.threshold.len(),
            self.left.len(),
            self.right.len(),
            self.value.len(),
        ]
        .iter()
        .any(|&l| l != n)
        {
            return bad("node arrays have different lengths".into());
        }
        if self.roots.len() % k != 0 {
            return bad(format!(
                "{} trees is not a multiple of {k} classes",
                self.roots.len()
            ));
        }
        if let Some(r) = self.roots.iter().find(|&&r| r as usize >= n) {
            return bad(format!("root {r} is outside {n} nodes"));
        }
        if self.base.iter().any(|v| !v.is_finite()) {
            return bad("base score is not finite".into());
        }
        for i in 0..n {
            if !self.value[i].is_finite() || self.threshold[i].is_nan() {
                return bad(format!("node {i} has a non-finite value or threshold"));
            }
            let (l, r) = (self.left[i] as usize, self.right[i] as usize);
            if l == 0 {
                continue;
            }
            if l <= i || r <= i || l >= n || r >= n {
                return bad(format!(
                    "node {i} has children {l}/{r} out of order or range"
                ));
            }
            if self.feature[i] >= self.n_features {
                return bad(format!(
                    "node {i} splits on feature {} of {}",
                    self.feature[i], self.n_features
                ));
            }
        }
        Ok(())
    }

    /// Raw (pre-softmax) scores of `x` into `out` (`out.len() == n_classes`).
    #[inline]
    pub fn raw_scores(&self, x: &[f32], out: &mut [f32]) {
        let k = self.n_classes as usize;
        out[..k].copy_from_slice(&self.base);
        for (t, &root) in self.roots.iter().enumerate() {
            let mut i = root as usize;
            while self.left[i] != 0 {
                i = if x[self.feature[i] as usize] <= self.threshold[i] {
                    self.left[i] as usize
                } else {
                    self.right[i] as usize
                };
            }
            out[t % k] += self.value[i];
        }
    }

    /// Softmax probabilities of `x` into `out`.
    #[inline]
    pub fn probabilities(&self, x: &[f32], out: &mut [f32]) {
        self.raw_scores(x, out);
        softmax_in_place(&mut out[..self.n_classes as usize], 1.0);
    }

    /// Number of trees.
    pub fn trees(&self) -> usize {
        self.roots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes, one stump per class on feature 0.
    pub(crate) fn stumps() -> TreeEnsemble {
        TreeEnsemble {
            n_classes: 2,
            n_features: 1,
            base: vec![0.0, 0.0],
            roots: vec![0, 3],
            feature: vec![0, 0, 0, 0, 0, 0],
            threshold: vec![0.5, 0.0, 0.0, 0.5, 0.0, 0.0],
            left: vec![1, 0, 0, 4, 0, 0],
            right: vec![2, 0, 0, 5, 0, 0],
            value: vec![0.0, 1.0, -1.0, 0.0, -1.0, 1.0],
        }
    }

    #[test]
    fn stumps_route_left_on_equal() {
        let t = stumps();
        t.validate().unwrap();
        let mut out = [0.0; 2];
        t.raw_scores(&[0.5], &mut out);
        assert_eq!(out, [1.0, -1.0]);
        t.raw_scores(&[0.6], &mut out);
        assert_eq!(out, [-1.0, 1.0]);
        t.probabilities(&[0.0], &mut out);
        assert!((out[0] - 0.880_797).abs() < 1e-5);
        assert!((out[0] + out[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn broken_ensembles_are_refused() {
        let mut t = stumps();
        t.left[0] = 0;
        t.left[3] = 2; // backwards
        assert!(t.validate().unwrap_err().to_string().contains("node 3"));
        let mut t = stumps();
        t.feature[0] = 7;
        assert!(
            t.validate()
                .unwrap_err()
                .to_string()
                .contains("feature 7 of 1")
        );
        let mut t = stumps();
        t.value[1] = f32::NAN;
        assert!(t.validate().is_err());
        let mut t = stumps();
        t.roots.push(0);
        assert!(t.validate().unwrap_err().to_string().contains("multiple"));
    }
}
