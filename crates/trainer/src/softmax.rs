//! Linear softmax models for the runtime crates: fits `vigil_features::linear::SoftmaxModel`
//! with [`vigil_learn::logistic`] and scores many rows with one. Shared by every model whose
//! head is a logistic regression (task-signal, plan-risk, preflight).

use vigil_features::linear::SoftmaxModel;
use vigil_features::sparse::SparseVec;
use vigil_learn::logistic::{LogisticParams, SparseRow, fit_softmax};

use crate::Result;

/// Fits a softmax regression (temperature 1) on sparse `rows` with labels in
/// `0..classes.len()`, checking `params` first.
pub fn fit_softmax_model(
    rows: &[SparseVec],
    labels: &[usize],
    classes: &[&str],
    n_features: usize,
    params: &LogisticParams,
) -> Result<SoftmaxModel> {
    let params = params.check()?;
    let views: Vec<SparseRow<'_>> = rows
        .iter()
        .map(|x| SparseRow::new(&x.indices, &x.values))
        .collect();
    let fit = fit_softmax(&views, labels, classes.len(), n_features, &params)?;
    Ok(SoftmaxModel::new(
        classes.iter().map(|s| (*s).to_owned()).collect(),
        n_features,
        fit.weights,
        fit.bias,
        1.0,
    )?)
}

/// Class probabilities of every row (convenience for evaluation).
pub fn predict_all(model: &SoftmaxModel, rows: &[SparseVec]) -> Vec<Vec<f32>> {
    rows.iter().map(|x| model.probabilities(x)).collect()
}

/// Raw logits of every row (for calibration).
pub fn logits_all(model: &SoftmaxModel, rows: &[SparseVec]) -> Vec<Vec<f32>> {
    let k = model.classes().len();
    rows.iter()
        .map(|x| {
            let mut z = vec![0.0; k];
            model.logits_into(x, &mut z);
            z
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_learn::link::argmax;

    #[test]
    fn fitted_models_load_and_score_like_the_fit() {
        let rows: Vec<SparseVec> = (0..30)
            .map(|i| SparseVec::from_dense(&[f32::from(u8::from(i % 2 == 0)), 0.5]))
            .collect();
        let labels: Vec<usize> = (0..30).map(|i| i % 2).collect();
        let m = fit_softmax_model(
            &rows,
            &labels,
            &["even", "odd"],
            2,
            &LogisticParams::default(),
        )
        .unwrap();
        assert_eq!(m.classes(), ["even", "odd"]);
        assert_eq!(m.temperature(), 1.0);
        let preds: Vec<usize> = predict_all(&m, &rows).iter().map(|p| argmax(p)).collect();
        assert_eq!(preds, [0, 1].repeat(15));
        let z = logits_all(&m, &rows[..1]);
        assert!(z[0][0] > z[0][1]);
    }

    #[test]
    fn training_and_inference_softmax_agree_bit_for_bit() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for n in 1..40 {
            let z: Vec<f32> = (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 20_000) as f32 / 1000.0 - 10.0
                })
                .collect();
            for t in [1.0, 0.37, 2.5] {
                let mut inference = z.clone();
                vigil_features::linear::softmax_in_place(&mut inference, t);
                let training = vigil_learn::link::softmax(&z, t);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&training), bits(&inference), "{z:?} at T = {t}");
            }
        }
    }

    #[test]
    fn bad_parameters_and_inputs_are_refused() {
        let rows = vec![SparseVec::from_dense(&[1.0])];
        let bad_c = LogisticParams {
            c: -1.0,
            ..LogisticParams::default()
        };
        let e = fit_softmax_model(&rows, &[0], &["a", "b"], 1, &bad_c).unwrap_err();
        assert_eq!(e.to_string(), "C = -1 must be finite and > 0");
        let e = fit_softmax_model(&rows, &[0], &["a"], 1, &LogisticParams::default()).unwrap_err();
        assert_eq!(e.to_string(), "need at least 2 classes, got 1");
    }
}
