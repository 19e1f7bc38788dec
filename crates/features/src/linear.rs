//! Inference for linear softmax models over sparse features (multinomial logistic regression
//! with a calibration temperature). `vigil-trainer` fits them; runtime crates load and run them.
//!
//! Weights are stored feature-major (`weights[feature * classes + class]`), so a sparse input
//! touches one contiguous run of `classes` floats per non-zero feature.
//!
//! ```
//! use vigil_features::linear::SoftmaxModel;
//! use vigil_features::sparse::SparseVec;
//!
//! // Two features, two classes: feature 0 votes for "a", feature 1 for "b".
//! let model = SoftmaxModel::new(vec!["a".into(), "b".into()], 2, vec![2.0, -2.0, -2.0, 2.0], vec![0.0, 0.0], 1.0).unwrap();
//! let p = model.probabilities(&SparseVec::from_dense(&[1.0, 0.0]));
//! assert!(p[0] > 0.98 && (p[0] + p[1] - 1.0).abs() < 1e-6);
//! ```

use serde::{Deserialize, Serialize};

use crate::sparse::SparseVec;
use crate::{Error, Result};

/// A multinomial logistic regression with temperature: `softmax((W·x + b) / T)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftmaxModel {
    classes: Vec<String>,
    n_features: usize,
    weights: Vec<f32>,
    bias: Vec<f32>,
    temperature: f32,
}

impl SoftmaxModel {
    /// Builds a model, checking every dimension and value.
    pub fn new(
        classes: Vec<String>,
        n_features: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
        temperature: f32,
    ) -> Result<Self> {
        let model = SoftmaxModel {
            classes,
            n_features,
            weights,
            bias,
            temperature,
        };
        model.validate()?;
        Ok(model)
    }

    /// Checks a (possibly deserialized) model: dimensions agree, values are finite, T > 0.
    pub fn validate(&self) -> Result<()> {
        let k = self.classes.len();
        let bad = |param: &str, value: String, reason: String| {
            Err(Error::InvalidParam {
                param: param.to_owned(),
                value,
                reason,
            })
        };
        if k < 2 {
            return bad(
                "softmax.classes",
                k.to_string(),
                "need at least 2 classes".into(),
            );
        }
        if self.weights.len() != self.n_features * k {
            return bad(
                "softmax.weights",
                self.weights.len().to_string(),
                format!(
                    "expected {} features × {k} classes = {}",
                    self.n_features,
                    self.n_features * k
                ),
            );
        }
        if self.bias.len() != k {
            return bad(
                "softmax.bias",
                self.bias.len().to_string(),
                format!("expected {k}"),
            );
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return bad(
                "softmax.temperature",
                self.temperature.to_string(),
                "must be finite and > 0".into(),
            );
        }
        if let Some(i) = self
            .weights
            .iter()
            .chain(&self.bias)
            .position(|w| !w.is_finite())
        {
            return bad(
                "softmax.weights",
                format!("entry {i}"),
                "is not finite".into(),
            );
        }
        Ok(())
    }

    /// Class names, in output order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Input dimension.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Weights, feature-major (`weights[feature * classes + class]`).
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Per-class bias.
    pub fn bias(&self) -> &[f32] {
        &self.bias
    }

    /// The calibration temperature.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// A copy with another temperature (used by calibration).
    pub fn with_temperature(mut self, temperature: f32) -> Result<Self> {
        self.temperature = temperature;
        self.validate()?;
        Ok(self)
    }

    /// Raw (uncalibrated) scores `W·x + b` into `out` (`classes` entries). Indices beyond the
    /// model's dimension are ignored.
    pub fn logits_into(&self, x: &SparseVec, out: &mut [f32]) {
        let k = self.classes.len();
        out[..k].copy_from_slice(&self.bias);
        for (i, v) in x.iter() {
            if i >= self.n_features {
                continue;
            }
            let row = &self.weights[i * k..(i + 1) * k];
            for (o, w) in out[..k].iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }

    /// Calibrated class probabilities into `out` (`classes` entries); they sum to 1.
    pub fn probabilities_into(&self, x: &SparseVec, out: &mut [f32]) {
        self.logits_into(x, out);
        softmax_in_place(&mut out[..self.classes.len()], self.temperature);
    }

    /// Calibrated class probabilities.
    pub fn probabilities(&self, x: &SparseVec) -> Vec<f32> {
        let mut out = vec![0.0; self.classes.len()];
        self.probabilities_into(x, &mut out);
        out
    }
}

/// `softmax(z / t)` in place, numerically stable.
pub fn softmax_in_place(z: &mut [f32], t: f32) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = ((*v - max) / t).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> SoftmaxModel {
        SoftmaxModel::new(
            vec!["a".into(), "b".into(), "c".into()],
            2,
            vec![1.0, 0.0, -1.0, 0.0, 3.0, 0.0],
            vec![0.1, 0.2, 0.3],
            1.0,
        )
        .unwrap()
    }

    #[test]
    fn logits_are_feature_major_dot_products() {
        let mut out = [0.0; 3];
        toy().logits_into(&SparseVec::from_dense(&[2.0, 1.0]), &mut out);
        assert_eq!(out, [2.1, 3.2, -1.7]);
        // Out-of-range indices are ignored rather than panicking.
        let x = SparseVec {
            indices: vec![0, 99],
            values: vec![1.0, 5.0],
        };
        toy().logits_into(&x, &mut out);
        assert_eq!(out, [1.1, 0.2, -0.7]);
    }

    #[test]
    fn temperature_softens_probabilities() {
        let x = SparseVec::from_dense(&[0.0, 1.0]);
        let sharp = toy().probabilities(&x);
        let soft = toy().with_temperature(4.0).unwrap().probabilities(&x);
        assert!(soft[1] < sharp[1]);
        assert!((soft.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn inconsistent_models_are_refused() {
        let err = SoftmaxModel::new(
            vec!["a".into(), "b".into()],
            3,
            vec![0.0; 5],
            vec![0.0; 2],
            1.0,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("expected 3 features × 2 classes = 6"),
            "{err}"
        );
        let err = toy().with_temperature(0.0).unwrap_err();
        assert!(err.to_string().contains("softmax.temperature"), "{err}");
        let err = SoftmaxModel::new(
            vec!["a".into(), "b".into()],
            1,
            vec![f32::NAN, 0.0],
            vec![0.0; 2],
            1.0,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not finite"), "{err}");
    }
}
