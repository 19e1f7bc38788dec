//! Link functions the algorithms share: softmax with a temperature (f32, as the runtime models
//! compute it), the logistic sigmoid, and the argmax of a score vector.
//!
//! ```
//! use vigil_learn::link::{argmax, sigmoid, softmax};
//!
//! let p = softmax(&[2.0, 0.0, 1.0], 1.0);
//! assert_eq!(argmax(&p), 0);
//! assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
//! assert_eq!(sigmoid(0.0), 0.5);
//! ```

/// `softmax(z / t)` in place, numerically stable (the maximum is subtracted first).
///
/// The same f32 arithmetic, in the same order, as `vigil_features::linear::softmax_in_place`
/// (which the runtime crates use and which cannot depend on this crate), so probabilities seen
/// in training match the shipped model's bit for bit (a `vigil-trainer` test holds the two
/// together).
pub fn softmax_in_place(z: &mut [f32], t: f32) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    z.iter_mut().for_each(|v| *v = ((*v - max) / t).exp());
    let sum: f32 = z.iter().sum();
    z.iter_mut().for_each(|v| *v /= sum);
}

/// `softmax(z / t)` as a new vector.
pub fn softmax(z: &[f32], t: f32) -> Vec<f32> {
    let mut out = z.to_vec();
    softmax_in_place(&mut out, t);
    out
}

/// The logistic function `1 / (1 + e^(−z))`.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Index of the largest value (the first one on ties; 0 for an empty slice).
pub fn argmax(p: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in p.iter().enumerate() {
        if v > p[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_temperature_flattens() {
        let sharp = softmax(&[1.0, 0.0], 1.0);
        let flat = softmax(&[1.0, 0.0], 4.0);
        assert!((sharp[0] + sharp[1] - 1.0).abs() < 1e-6);
        assert!((sharp[0] - 0.731_058_6).abs() < 1e-6);
        assert!(flat[0] < sharp[0] && flat[0] > 0.5);
    }

    #[test]
    fn argmax_keeps_the_first_of_ties() {
        assert_eq!(argmax(&[0.2, 0.4, 0.4]), 1);
        assert_eq!(argmax(&[]), 0);
    }

    #[test]
    fn sigmoid_is_symmetric() {
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
    }
}
