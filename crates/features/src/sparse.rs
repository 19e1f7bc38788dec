//! Sparse feature vectors: sorted indices with their values.

use serde::{Deserialize, Serialize};

/// A sparse vector with strictly increasing indices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVec {
    /// Feature indices, strictly increasing.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f32>,
}

impl SparseVec {
    /// An empty vector.
    pub fn new() -> Self {
        Self::default()
    }

    /// A sparse view of a dense slice (zeros dropped).
    pub fn from_dense(dense: &[f32]) -> Self {
        let mut v = SparseVec::new();
        for (i, &x) in dense.iter().enumerate() {
            if x != 0.0 {
                v.indices.push(i as u32);
                v.values.push(x);
            }
        }
        v
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Removes every entry, keeping the allocations.
    pub fn clear(&mut self) {
        self.indices.clear();
        self.values.clear();
    }

    /// Iterates `(index, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.indices
            .iter()
            .zip(&self.values)
            .map(|(&i, &v)| (i as usize, v))
    }

    /// Euclidean norm.
    pub fn norm(&self) -> f32 {
        self.values.iter().map(|v| v * v).sum::<f32>().sqrt()
    }
}
