//! Flat-array boosted-tree inference.
//!
//! A trained ensemble is five parallel node arrays (`feature`, `threshold`, `left`, `right`,
//! `value`) plus one root index per tree; tree `t` adds to the raw score of class
//! `t % n_classes`. A node with `left == 0` is a leaf (no child can be node 0, which is the first
//! root). Leaf values already include the learning rate. A sample goes left iff
//! `x[feature] <= threshold`.
//!
//! [`CompleteTrees`] is the same ensemble re-laid at load time for the detector's hot path: every
//! tree padded to one depth, splits numbered, walked without branches; same leaves, same sums.

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

/// One split of a [`CompleteTrees`] node: right iff `!(x[feature] <= threshold)`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    threshold: f32,
    feature: u32,
}

/// A [`TreeEnsemble`] rewritten at load time as complete binary trees of one depth `D` (the
/// ensemble's deepest tree), for branch-free inference without bounds checks.
///
/// Tree `t` owns `M = 2^D` split slots and `M` leaves. The slots are a 1-based heap (root at
/// 1, the children of `i` at `2i` and `2i + 1`; slot 0 unused), so after `D` steps the walk is at
/// `M + leaf`. A leaf of the original tree above depth `D` becomes a subtree of dummy splits
/// whose leaves all hold its value, so whatever those splits answer, the walk ends on the same
/// value. Every sample therefore reaches the same leaf values as [`TreeEnsemble::raw_scores`],
/// added in the same tree order: the raw scores are bit-identical.
///
/// A slot holds the id of its split among the ensemble's distinct `(feature, threshold)` pairs
/// (at most 256), so a sample's answers to all of them are computed once per call and a step of
/// the walk is two byte loads.
#[derive(Debug, Clone, PartialEq)]
pub struct CompleteTrees {
    depth: u32,
    n_classes: usize,
    n_features: usize,
    base: Vec<f32>,
    /// The distinct splits, by id.
    conditions: Vec<Split>,
    /// Split id per heap slot, `M` per tree (dummy slots: any id).
    slots: Vec<u8>,
    leaves: Vec<f32>,
}

impl CompleteTrees {
    /// Deepest tree that is laid out complete (`2^8` leaves per tree); deeper ensembles keep the
    /// node walk.
    pub const MAX_DEPTH: u32 = 8;

    /// The complete layout of a validated ensemble ([`TreeEnsemble::validate`]), or `None` when
    /// its deepest tree is deeper than [`CompleteTrees::MAX_DEPTH`] or it has more than 256
    /// distinct splits.
    pub fn new(e: &TreeEnsemble) -> Option<Self> {
        let n = e.left.len();
        if e.n_classes < 2 || e.roots.len() % e.n_classes as usize != 0 {
            return None;
        }
        // Children point strictly forward, so heights fill in from the last node back.
        let mut height = vec![0u32; n];
        for i in (0..n).rev() {
            if e.left[i] != 0 {
                let (l, r) = (e.left[i] as usize, e.right[i] as usize);
                height[i] = 1 + height[l].max(height[r]);
            }
        }
        let depth = e
            .roots
            .iter()
            .map(|&r| height[r as usize])
            .max()
            .unwrap_or(0);
        if depth > Self::MAX_DEPTH {
            return None;
        }
        let m = 1usize << depth;
        let dummy = Split {
            threshold: 0.0,
            feature: 0,
        };
        let mut splits = vec![dummy; e.roots.len() * m];
        let mut leaves = vec![0.0; e.roots.len() * m];
        for (k, &root) in e.roots.iter().enumerate() {
            let (s, l) = (
                &mut splits[k * m..(k + 1) * m],
                &mut leaves[k * m..(k + 1) * m],
            );
            fill(e, root as usize, 1, depth, s, l);
        }
        // Number the distinct splits (by threshold bits) in order of first use.
        let mut conditions: Vec<Split> = Vec::new();
        let mut slots = Vec::with_capacity(splits.len());
        for s in &splits {
            let same = |c: &Split| {
                c.feature == s.feature && c.threshold.to_bits() == s.threshold.to_bits()
            };
            let id = match conditions.iter().position(same) {
                Some(id) => id,
                None => {
                    conditions.push(*s);
                    conditions.len() - 1
                }
            };
            slots.push(u8::try_from(id).ok()?);
        }
        Some(CompleteTrees {
            depth,
            n_classes: e.n_classes as usize,
            n_features: e.n_features as usize,
            base: e.base.clone(),
            conditions,
            slots,
            leaves,
        })
    }

    /// Raw (pre-softmax) scores of `x` into `out`, equal bit for bit to
    /// [`TreeEnsemble::raw_scores`] of the ensemble this was built from.
    #[inline]
    // `!(x <= threshold)` is the node walk's test word for word: a NaN goes right.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn raw_scores(&self, x: &[f32], out: &mut [f32]) {
        let x = &x[..self.n_features];
        // Whether the sample goes right at each distinct split.
        let mut right = [0u8; 256];
        for (r, c) in right.iter_mut().zip(&self.conditions) {
            *r = u8::from(!(x[c.feature as usize] <= c.threshold));
        }
        let right = &right;
        macro_rules! by_depth {
            ($($d:literal => $m:literal),+) => {
                match (self.n_classes, self.depth) {
                    $((3, $d) => self.walk3::<$d, $m>(right, out),)+
                    $((_, $d) => self.walk::<$d, $m>(right, out),)+
                    _ => self.walk::<8, 256>(right, out),
                }
            };
        }
        by_depth!(0 => 1, 1 => 2, 2 => 4, 3 => 8, 4 => 16, 5 => 32, 6 => 64, 7 => 128)
    }

    /// The depth-`D` walk of one tree of `M = 2^D` slots: its leaf value.
    #[inline(always)]
    fn leaf<const D: usize, const M: usize>(
        right: &[u8; 256],
        slots: &[u8],
        leaves: &[f32],
    ) -> f32 {
        let slots: &[u8; M] = slots.try_into().expect("chunks of M");
        let leaves: &[f32; M] = leaves.try_into().expect("chunks of M");
        let mut i = 1usize;
        for _ in 0..D {
            i = 2 * i + usize::from(right[usize::from(slots[i % M])]);
        }
        leaves[i % M]
    }

    /// [`CompleteTrees::walk`] for three classes, the sums held in registers (each class still
    /// adds its trees in tree order).
    #[inline(always)]
    fn walk3<const D: usize, const M: usize>(&self, right: &[u8; 256], out: &mut [f32]) {
        let out = &mut out[..3];
        let mut acc = [self.base[0], self.base[1], self.base[2]];
        let groups = self
            .slots
            .chunks_exact(M * 3)
            .zip(self.leaves.chunks_exact(M * 3));
        for (slots, leaves) in groups {
            acc[0] += Self::leaf::<D, M>(right, &slots[..M], &leaves[..M]);
            acc[1] += Self::leaf::<D, M>(right, &slots[M..2 * M], &leaves[M..2 * M]);
            acc[2] += Self::leaf::<D, M>(right, &slots[2 * M..], &leaves[2 * M..]);
        }
        out.copy_from_slice(&acc);
    }

    /// The walk over trees of depth `D`, `M = 2^D` slots each.
    #[inline(always)]
    fn walk<const D: usize, const M: usize>(&self, right: &[u8; 256], out: &mut [f32]) {
        let k = self.n_classes;
        let out = &mut out[..k];
        out.copy_from_slice(&self.base);
        // Tree t adds to class t % n_classes; the tree count is a multiple of n_classes (>= 2).
        let groups = self
            .slots
            .chunks_exact(M * k)
            .zip(self.leaves.chunks_exact(M * k));
        for (slots, leaves) in groups {
            let trees = slots.chunks_exact(M).zip(leaves.chunks_exact(M));
            for (o, (slots, leaves)) in out.iter_mut().zip(trees) {
                *o += Self::leaf::<D, M>(right, slots, leaves);
            }
        }
    }

    /// Softmax probabilities of `x` into `out`, as [`TreeEnsemble::probabilities`].
    #[inline]
    pub fn probabilities(&self, x: &[f32], out: &mut [f32]) {
        self.raw_scores(x, out);
        softmax_in_place(&mut out[..self.n_classes], 1.0);
    }

    /// Depth of every tree in this layout.
    pub fn depth(&self) -> u32 {
        self.depth
    }
}

/// Lays out the subtree of original node `node` at heap slot `pos` of a complete tree whose
/// `splits` and `leaves` have `M = 2^depth` slots each (a slot `pos >= M` is leaf `pos - M`).
fn fill(
    e: &TreeEnsemble,
    node: usize,
    pos: usize,
    depth: u32,
    splits: &mut [Split],
    leaves: &mut [f32],
) {
    let m = 1usize << depth;
    if pos >= m {
        // Only leaves reach the bottom level (the depth is the deepest tree's).
        leaves[pos - m] = e.value[node];
        return;
    }
    let (l, r) = if e.left[node] == 0 {
        // A leaf above the bottom: a dummy split over two copies of itself.
        (node, node)
    } else {
        splits[pos] = Split {
            threshold: e.threshold[node],
            feature: e.feature[node],
        };
        (e.left[node] as usize, e.right[node] as usize)
    };
    fill(e, l, 2 * pos, depth, splits, leaves);
    fill(e, r, 2 * pos + 1, depth, splits, leaves);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;

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

    /// An ensemble with its base scores (one per class) and no trees yet.
    fn no_trees(n_features: u32, base: Vec<f32>) -> TreeEnsemble {
        TreeEnsemble {
            n_classes: base.len() as u32,
            n_features,
            base,
            roots: vec![],
            feature: vec![],
            threshold: vec![],
            left: vec![],
            right: vec![],
            value: vec![],
        }
    }

    /// A random valid ensemble: trees of uneven depth (leaves at every level, a lone-leaf
    /// tree), thresholds on a small grid so samples hit them exactly.
    fn random_ensemble(seed: u64, n_trees: usize, max_depth: u32) -> TreeEnsemble {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut next = move || rng.r#gen::<u32>();
        let n_features = 5;
        let mut e = no_trees(n_features, vec![0.25, -0.5, 0.125]);
        for t in 0..n_trees {
            e.roots.push(e.feature.len() as u32);
            // Breadth-first: (node index, level); children are appended, so they point forward.
            let mut queue = std::collections::VecDeque::from([(e.feature.len(), 0u32)]);
            e.feature.push(0);
            e.threshold.push(0.0);
            e.left.push(0);
            e.right.push(0);
            e.value.push(0.0);
            while let Some((i, level)) = queue.pop_front() {
                let split = t != 1 && level < max_depth && (level == 0 || next() % 3 != 0);
                if !split {
                    e.value[i] = (next() % 2001) as f32 / 1000.0 - 1.0;
                    continue;
                }
                e.feature[i] = next() % n_features;
                e.threshold[i] = (next() % 8) as f32 * 0.5;
                for side in 0..2 {
                    let c = e.feature.len();
                    if side == 0 {
                        e.left[i] = c as u32;
                    } else {
                        e.right[i] = c as u32;
                    }
                    e.feature.push(0);
                    e.threshold.push(0.0);
                    e.left.push(0);
                    e.right.push(0);
                    e.value.push(0.0);
                    queue.push_back((c, level + 1));
                }
            }
        }
        e
    }

    #[test]
    fn complete_layout_scores_bit_for_bit_as_the_node_walk() {
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0];
        for seed in 0..40u64 {
            let e = random_ensemble(seed, 30, (seed % 7) as u32);
            e.validate().unwrap();
            let c = CompleteTrees::new(&e).unwrap();
            let mut x = [0f32; 5];
            for sample in 0..200u64 {
                for (j, v) in x.iter_mut().enumerate() {
                    let h = (seed * 7919 + sample * 104_729 + j as u64 * 31) % 23;
                    *v = if h < 5 {
                        specials[h as usize]
                    } else {
                        (h - 5) as f32 * 0.25
                    };
                }
                let (mut a, mut b) = ([0f32; 3], [0f32; 3]);
                e.raw_scores(&x, &mut a);
                c.raw_scores(&x, &mut b);
                assert_eq!(
                    a.map(f32::to_bits),
                    b.map(f32::to_bits),
                    "seed {seed} x {x:?}"
                );
                e.probabilities(&x, &mut a);
                c.probabilities(&x, &mut b);
                assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits));
            }
        }
        let t = stumps();
        let c = CompleteTrees::new(&t).unwrap();
        assert_eq!(c.depth(), 1);
        let mut out = [0.0; 2];
        c.raw_scores(&[0.5], &mut out);
        assert_eq!(out, [1.0, -1.0]);
    }

    /// One chain tree per class: node `2j` splits, its left child `2j + 1` is a leaf, its right
    /// child continues; `depth` splits deep.
    fn chains(depth: u32) -> TreeEnsemble {
        let mut e = no_trees(1, vec![0.0, 0.0]);
        for _ in 0..2 {
            let r = e.feature.len() as u32;
            e.roots.push(r);
            for j in 0..depth {
                let i = r + 2 * j;
                e.feature.extend([0, 0]);
                e.threshold.extend([j as f32, 0.0]);
                e.left.extend([i + 1, 0]);
                e.right.extend([i + 2, 0]);
                e.value.extend([0.0, j as f32]);
            }
            e.feature.push(0);
            e.threshold.push(0.0);
            e.left.push(0);
            e.right.push(0);
            e.value.push(-1.0);
        }
        e
    }

    #[test]
    fn too_deep_ensembles_keep_the_node_walk() {
        let e = chains(CompleteTrees::MAX_DEPTH);
        e.validate().unwrap();
        let c = CompleteTrees::new(&e).unwrap();
        assert_eq!(c.depth(), CompleteTrees::MAX_DEPTH);
        for x in [-1.0, 0.0, 2.5, 7.0, 8.0, f32::NAN] {
            let (mut a, mut b) = ([0f32; 2], [0f32; 2]);
            e.raw_scores(&[x], &mut a);
            c.raw_scores(&[x], &mut b);
            assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits), "x {x}");
        }
        let deep = chains(CompleteTrees::MAX_DEPTH + 1);
        deep.validate().unwrap();
        assert_eq!(CompleteTrees::new(&deep), None);
        // 258 stumps on 258 thresholds: more distinct splits than a byte numbers.
        let mut many = stumps();
        for t in 2..258u32 {
            let r = many.feature.len() as u32;
            many.roots.push(r);
            many.feature.extend([0, 0, 0]);
            many.threshold.extend([t as f32, 0.0, 0.0]);
            many.left.extend([r + 1, 0, 0]);
            many.right.extend([r + 2, 0, 0]);
            many.value.extend([0.0, 1.0, -1.0]);
        }
        many.validate().unwrap();
        assert_eq!(CompleteTrees::new(&many), None);
        many.roots.truncate(200);
        assert!(CompleteTrees::new(&many).is_some());
    }
}
