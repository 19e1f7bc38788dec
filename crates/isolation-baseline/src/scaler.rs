//! Standard scaling with harombe's (scikit-learn's) conventions.

use serde::{Deserialize, Serialize};

/// Per-column `(x - mean) / scale`, with the population standard deviation as scale and 1.0 for
/// a constant column (which then becomes all zeros), as scikit-learn's `StandardScaler`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardScaler {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column scales (population std, or 1.0).
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Fits on row-major `rows` of `n_features` columns (at least one row).
    pub fn fit(rows: &[f64], n_features: usize) -> Self {
        let n = (rows.len() / n_features.max(1)).max(1) as f64;
        let mut mean = vec![0.0; n_features];
        for row in rows.chunks_exact(n_features) {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += x;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![0.0; n_features];
        for row in rows.chunks_exact(n_features) {
            for ((v, x), m) in var.iter_mut().zip(row).zip(&mean) {
                *v += (x - m) * (x - m);
            }
        }
        let scale = var
            .iter()
            .zip(&mean)
            .map(|(v, m)| {
                let std = (v / n).sqrt();
                // scikit-learn treats a std at rounding-noise level as zero.
                if std <= 10.0 * f64::EPSILON * m.abs().max(1.0) {
                    1.0
                } else {
                    std
                }
            })
            .collect();
        StandardScaler { mean, scale }
    }

    /// Scales one row in place.
    pub fn transform(&self, row: &mut [f64]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
            *x = (*x - m) / s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_std_and_constant_columns() {
        let s = StandardScaler::fit(&[1.0, 5.0, 3.0, 5.0], 2);
        assert_eq!(s.mean, vec![2.0, 5.0]);
        assert_eq!(s.scale, vec![1.0, 1.0]); // std of [1, 3] is 1 (ddof 0); [5, 5] → 1.0
        let mut row = [3.0, 5.0];
        s.transform(&mut row);
        assert_eq!(row, [1.0, 0.0]);
        let s = StandardScaler::fit(&[0.0, 4.0], 1);
        assert_eq!(s.scale, vec![2.0]);
    }
}
