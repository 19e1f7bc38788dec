//! A compact histogram gradient-boosted decision tree trainer for multiclass softmax, producing
//! flat-array [`BoostedTrees`] (the layout `vigil-anomaly`'s `TreeEnsemble` evaluates).
//!
//! Rows carry weights, so identical feature vectors can be merged into one weighted row before
//! training (the anomaly windows are discrete and repeat a lot). Features are binned once by
//! their sorted distinct values (at most [`MAX_BINS`]); a split between bins `b` and `b + 1`
//! gets the midpoint threshold, and a sample goes left iff `x <= threshold`. Every loop runs in
//! a fixed order and ties keep the first candidate, so the same data and parameters give the
//! same trees bit for bit.
//!
//! ```
//! use vigil_learn::gbdt::{GbdtParams, train};
//!
//! // Class 1 iff x > 1.
//! let x: Vec<Vec<f32>> = (0..4).map(|v| vec![v as f32]).collect();
//! let params = GbdtParams { rounds: 10, ..GbdtParams::default() }.check().unwrap();
//! let trees = train(&x, &[0, 0, 1, 1], &[1.0; 4], 2, &params);
//! let mut p = [0.0f32; 2];
//! trees.probabilities(&[3.0], &mut p);
//! assert!(p[1] > 0.5);
//! ```

use crate::link::softmax_in_place;
use crate::{Error, Result};

/// Most bins per feature.
pub const MAX_BINS: usize = 256;

/// Boosting hyperparameters (reference CLI defaults: 200 trees, depth 4, learning rate 0.1).
#[derive(Debug, Clone, PartialEq)]
pub struct GbdtParams {
    /// Boosting rounds (one tree per class per round).
    pub rounds: usize,
    /// Maximum tree depth.
    pub max_depth: usize,
    /// Maximum leaves per tree.
    pub max_leaves: usize,
    /// Shrinkage.
    pub learning_rate: f64,
    /// L2 regularisation on leaf values.
    pub lambda: f64,
    /// Minimum hessian (weighted) in a child.
    pub min_child_weight: f64,
    /// Minimum gain to split.
    pub min_gain: f64,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            rounds: 200,
            max_depth: 4,
            max_leaves: 16,
            learning_rate: 0.1,
            lambda: 1.0,
            min_child_weight: 1e-3,
            min_gain: 1e-6,
        }
    }
}

/// One node of a tree: an inner node splits on `feature` at `threshold` (a sample goes to
/// `left` iff `x[feature] <= threshold`); a leaf (`left == 0`) holds `value`, learning rate
/// included.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Node {
    /// Split feature (0 for leaves).
    pub feature: u32,
    /// Split threshold (0 for leaves).
    pub threshold: f32,
    /// Index of the left child in [`BoostedTrees::nodes`]; 0 marks a leaf.
    pub left: u32,
    /// Index of the right child.
    pub right: u32,
    /// Leaf value (0 for inner nodes).
    pub value: f32,
}

/// A multiclass boosted-tree ensemble: every tree's nodes in one vector (children after their
/// parent), one root per tree; tree `t` adds to the raw score of class `t % n_classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoostedTrees {
    /// Number of classes (softmax outputs).
    pub n_classes: u32,
    /// Number of input features.
    pub n_features: u32,
    /// Initial raw score per class (centred log priors).
    pub base: Vec<f32>,
    /// Index of every tree's root in `nodes`.
    pub roots: Vec<u32>,
    /// The nodes of all trees.
    pub nodes: Vec<Node>,
}

impl BoostedTrees {
    /// Softmax probabilities of `x` into `out` (`n_classes` entries).
    pub fn probabilities(&self, x: &[f32], out: &mut [f32]) {
        let k = self.n_classes as usize;
        out[..k].copy_from_slice(&self.base);
        for (t, &root) in self.roots.iter().enumerate() {
            out[t % k] += self.leaf(root, x).value;
        }
        softmax_in_place(&mut out[..k], 1.0);
    }

    /// The leaf `x` reaches from node `i`.
    fn leaf(&self, i: u32, x: &[f32]) -> &Node {
        let mut node = &self.nodes[i as usize];
        while node.left != 0 {
            let next = if x[node.feature as usize] <= node.threshold {
                node.left
            } else {
                node.right
            };
            node = &self.nodes[next as usize];
        }
        node
    }

    /// Number of trees.
    pub fn trees(&self) -> usize {
        self.roots.len()
    }
}

/// [`GbdtParams`] that passed [`GbdtParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidGbdtParams(GbdtParams);

impl GbdtParams {
    /// Checks every field's range.
    pub fn check(self) -> Result<ValidGbdtParams> {
        let p = &self;
        let invalid = |message: String| Err(Error::InvalidParams(message));
        if !(1..=5000).contains(&p.rounds) {
            return invalid(format!("rounds {} is outside 1..=5000", p.rounds));
        }
        if !(1..=16).contains(&p.max_depth) {
            return invalid(format!("max_depth {} is outside 1..=16", p.max_depth));
        }
        if p.max_leaves < 2 {
            return invalid(format!("max_leaves {} is below 2", p.max_leaves));
        }
        if !(p.learning_rate > 0.0 && p.learning_rate <= 1.0) {
            return invalid(format!(
                "learning_rate {} is outside (0, 1]",
                p.learning_rate
            ));
        }
        if !(p.lambda >= 0.0 && p.lambda.is_finite()) {
            return invalid(format!("lambda {} must be finite and ≥ 0", p.lambda));
        }
        if !(p.min_child_weight >= 0.0 && p.min_gain >= 0.0) {
            return invalid("min_child_weight and min_gain must be ≥ 0".into());
        }
        Ok(ValidGbdtParams(self))
    }
}

impl ValidGbdtParams {
    /// The checked parameters.
    pub fn get(&self) -> &GbdtParams {
        &self.0
    }
}

struct Binned {
    /// `bins[f][row]`.
    bins: Vec<Vec<u8>>,
    /// Split thresholds per feature: `cuts[f][b]` separates bin `b` from `b + 1`.
    cuts: Vec<Vec<f32>>,
}

fn bin(x: &[Vec<f32>], n_features: usize) -> Binned {
    let mut bins = Vec::with_capacity(n_features);
    let mut cuts = Vec::with_capacity(n_features);
    for f in 0..n_features {
        let mut vals: Vec<f32> = x.iter().map(|r| r[f]).collect();
        vals.sort_by(f32::total_cmp);
        vals.dedup();
        if vals.len() > MAX_BINS {
            let step = vals.len() as f64 / MAX_BINS as f64;
            vals = (0..MAX_BINS)
                .map(|i| vals[(i as f64 * step) as usize])
                .collect();
        }
        let c: Vec<f32> = vals.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
        let b: Vec<u8> = x
            .iter()
            .map(|r| c.partition_point(|&t| t < r[f]) as u8)
            .collect();
        bins.push(b);
        cuts.push(c);
    }
    Binned { bins, cuts }
}

/// A node waiting to be grown: its rows, depth and index in [`BoostedTrees::nodes`].
struct Pending {
    rows: Vec<u32>,
    depth: usize,
    index: usize,
}

/// Trains a softmax ensemble on rows `x` (all the same length), labels `y < n_classes`, weights `w`.
pub fn train(
    x: &[Vec<f32>],
    y: &[usize],
    w: &[f64],
    n_classes: usize,
    params: &ValidGbdtParams,
) -> BoostedTrees {
    let p = params.get();
    let n = x.len();
    let n_features = x.first().map_or(0, Vec::len);
    let binned = bin(x, n_features);
    // Initial scores: centred log priors.
    let total: f64 = w.iter().sum();
    let mut base = vec![0f64; n_classes];
    for (&yi, &wi) in y.iter().zip(w) {
        base[yi] += wi;
    }
    for b in &mut base {
        *b = ((*b + 1e-3) / (total + 1e-3 * n_classes as f64)).ln();
    }
    let mean = base.iter().sum::<f64>() / n_classes as f64;
    for b in &mut base {
        *b -= mean;
    }
    let mut raw: Vec<f32> = (0..n)
        .flat_map(|_| base.iter().map(|&b| b as f32))
        .collect();
    let mut ens = BoostedTrees {
        n_classes: n_classes as u32,
        n_features: n_features as u32,
        base: base.iter().map(|&b| b as f32).collect(),
        roots: Vec::new(),
        nodes: Vec::new(),
    };
    let mut prob = vec![0f32; n * n_classes];
    let mut g = vec![0f64; n];
    let mut h = vec![0f64; n];
    for _round in 0..p.rounds {
        prob.copy_from_slice(&raw);
        for row in prob.chunks_mut(n_classes) {
            softmax_in_place(row, 1.0);
        }
        for k in 0..n_classes {
            for i in 0..n {
                let pk = f64::from(prob[i * n_classes + k]);
                let target = if y[i] == k { 1.0 } else { 0.0 };
                g[i] = w[i] * (pk - target);
                h[i] = w[i] * (pk * (1.0 - pk)).max(1e-6);
            }
            let leaves = grow_tree(&binned, &g, &h, p, &mut ens);
            for (rows, value) in leaves {
                for r in rows {
                    raw[r as usize * n_classes + k] += value;
                }
            }
        }
    }
    ens
}

/// Grows one tree into `ens`; returns each leaf's rows and value for the raw-score update.
fn grow_tree(
    b: &Binned,
    g: &[f64],
    h: &[f64],
    p: &GbdtParams,
    ens: &mut BoostedTrees,
) -> Vec<(Vec<u32>, f32)> {
    let root = ens.nodes.len();
    ens.roots.push(root as u32);
    ens.nodes.push(Node::default());
    let mut leaves_out = Vec::new();
    let mut stack = vec![Pending {
        rows: (0..g.len() as u32).collect(),
        depth: 0,
        index: root,
    }];
    let mut leaves = 1usize;
    // Depth-first, left child first: a fixed order.
    while let Some(node) = stack.pop() {
        let (gs, hs) = node.rows.iter().fold((0.0, 0.0), |(a, c), &r| {
            (a + g[r as usize], c + h[r as usize])
        });
        let split = if node.depth < p.max_depth && leaves < p.max_leaves {
            best_split(b, g, h, &node.rows, gs, hs, p)
        } else {
            None
        };
        match split {
            Some((f, bin_at)) => {
                let (l, r): (Vec<u32>, Vec<u32>) = node
                    .rows
                    .iter()
                    .partition(|&&row| b.bins[f][row as usize] as usize <= bin_at);
                let li = ens.nodes.len();
                let ri = li + 1;
                ens.nodes.extend([Node::default(); 2]);
                ens.nodes[node.index] = Node {
                    feature: f as u32,
                    threshold: b.cuts[f][bin_at],
                    left: li as u32,
                    right: ri as u32,
                    value: 0.0,
                };
                leaves += 1;
                stack.push(Pending {
                    rows: r,
                    depth: node.depth + 1,
                    index: ri,
                });
                stack.push(Pending {
                    rows: l,
                    depth: node.depth + 1,
                    index: li,
                });
            }
            None => {
                let v = (-gs / (hs + p.lambda) * p.learning_rate) as f32;
                ens.nodes[node.index].value = v;
                leaves_out.push((node.rows, v));
            }
        }
    }
    leaves_out
}

fn best_split(
    b: &Binned,
    g: &[f64],
    h: &[f64],
    rows: &[u32],
    gs: f64,
    hs: f64,
    p: &GbdtParams,
) -> Option<(usize, usize)> {
    let parent = gs * gs / (hs + p.lambda);
    let mut best: Option<(f64, usize, usize)> = None;
    let mut hg = [0f64; MAX_BINS];
    let mut hh = [0f64; MAX_BINS];
    for (f, cuts) in b.cuts.iter().enumerate() {
        if cuts.is_empty() {
            continue;
        }
        let nb = cuts.len() + 1;
        hg[..nb].fill(0.0);
        hh[..nb].fill(0.0);
        let col = &b.bins[f];
        for &r in rows {
            let bi = col[r as usize] as usize;
            hg[bi] += g[r as usize];
            hh[bi] += h[r as usize];
        }
        let (mut gl, mut hl) = (0.0, 0.0);
        for bin_at in 0..nb - 1 {
            gl += hg[bin_at];
            hl += hh[bin_at];
            let (gr, hr) = (gs - gl, hs - hl);
            if hl < p.min_child_weight || hr < p.min_child_weight {
                continue;
            }
            let gain = gl * gl / (hl + p.lambda) + gr * gr / (hr + p.lambda) - parent;
            if gain > p.min_gain && best.is_none_or(|(bg, _, _)| gain > bg) {
                best = Some((gain, f, bin_at));
            }
        }
    }
    best.map(|(_, f, at)| (f, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predict(e: &BoostedTrees, x: &[f32]) -> usize {
        let mut p = vec![0f32; e.n_classes as usize];
        e.probabilities(x, &mut p);
        (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap()
    }

    #[test]
    fn learns_a_three_class_rule_and_is_deterministic() {
        // class = 0 if a < 2; 1 if a >= 2 and b == 0; 2 otherwise.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for a in 0..5 {
            for b in 0..3 {
                for noise in 0..3 {
                    x.push(vec![a as f32, b as f32, noise as f32]);
                    y.push(if a < 2 {
                        0
                    } else if b == 0 {
                        1
                    } else {
                        2
                    });
                }
            }
        }
        let w = vec![1.0; x.len()];
        let params = GbdtParams {
            rounds: 30,
            ..GbdtParams::default()
        }
        .check()
        .unwrap();
        let e = train(&x, &y, &w, 3, &params);
        assert_eq!(e.trees(), 90);
        for (xi, &yi) in x.iter().zip(&y) {
            assert_eq!(predict(&e, xi), yi, "{xi:?}");
        }
        assert_eq!(e, train(&x, &y, &w, 3, &params));
        // Nothing splits on the noise feature.
        let inner: Vec<u32> = e
            .nodes
            .iter()
            .filter(|n| n.left != 0)
            .map(|n| n.feature)
            .collect();
        assert!(!inner.contains(&2));
    }

    #[test]
    fn weights_act_like_repeated_rows() {
        let x = vec![vec![0.0], vec![0.0], vec![1.0]];
        let y = vec![0, 1, 1];
        let params = GbdtParams {
            rounds: 20,
            ..GbdtParams::default()
        }
        .check()
        .unwrap();
        let heavy = train(&x, &y, &[5.0, 1.0, 1.0], 2, &params);
        assert_eq!(predict(&heavy, &[0.0]), 0);
        let light = train(&x, &y, &[1.0, 5.0, 1.0], 2, &params);
        assert_eq!(predict(&light, &[0.0]), 1);
    }

    #[test]
    fn bad_params_are_refused_by_name() {
        let refused = |p: GbdtParams| p.check().unwrap_err().to_string();
        let default = GbdtParams::default;
        let e = refused(GbdtParams {
            learning_rate: 0.0,
            ..default()
        });
        assert!(e.contains("learning_rate 0"), "{e}");
        let e = refused(GbdtParams {
            max_depth: 0,
            ..default()
        });
        assert!(e.contains("max_depth 0"), "{e}");
    }
}
