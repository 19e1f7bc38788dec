//! Standard scaling: per column `(x − mean) / scale`, with the population standard deviation
//! as scale (scikit-learn's `StandardScaler`, `ddof = 0`).

use serde::{Deserialize, Serialize};

/// Column means and scales fitted on rows of a fixed width.
///
/// A column whose variance is at most 1e-24 (constant up to rounding) gets scale 1, so it
/// becomes all zeros instead of dividing by zero.
///
/// ```
/// use vigil_learn::scaler::StandardScaler;
///
/// let s = StandardScaler::fit(&[[1.0, 5.0], [3.0, 5.0]], 2);
/// assert_eq!((s.mean.clone(), s.scale.clone()), (vec![2.0, 5.0], vec![1.0, 1.0]));
/// assert_eq!(s.transform(&[3.0, 5.0]), [1.0, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardScaler {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column scales (population standard deviation, or 1 for a constant column).
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Fits the first `n_features` columns of `rows` (an empty input gives mean 0, scale 1).
    pub fn fit<R: AsRef<[f64]>>(rows: &[R], n_features: usize) -> Self {
        let n = rows.len().max(1) as f64;
        let mean: Vec<f64> = (0..n_features)
            .map(|j| rows.iter().map(|x| x.as_ref()[j]).sum::<f64>() / n)
            .collect();
        let scale = (0..n_features)
            .map(|j| {
                let var = rows
                    .iter()
                    .map(|x| (x.as_ref()[j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / n;
                if var > 1e-24 { var.sqrt() } else { 1.0 }
            })
            .collect();
        StandardScaler { mean, scale }
    }

    /// The scaled first `mean.len()` columns of `row`.
    pub fn transform(&self, row: &[f64]) -> Vec<f64> {
        let columns = row.iter().zip(&self.mean).zip(&self.scale);
        columns.map(|((x, m), s)| (x - m) / s).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_std_and_unit_scale_for_constants() {
        let mut xs = [[0.0; 9]; 2];
        xs[0][0] = 1.0;
        xs[1][0] = 3.0;
        let s = StandardScaler::fit(&xs, 9);
        assert_eq!(s.mean[0], 2.0);
        assert_eq!(s.scale[0], 1.0, "population std of {{1, 3}} is 1");
        assert_eq!(s.scale[1], 1.0, "zero variance → 1");
    }
}
