//! Training of the preflight prompt-injection classifier (`cargo xtask train preflight`).
//!
//! The model is a two-class sparse logistic regression over `vigil_features::text` n-grams plus
//! the structural cues of `vigil_injection::cues`, fitted on the seeded synthetic corpus of
//! [`data`](super::data), temperature-calibrated on out-of-fold (template-held-out) scores,
//! gated on those scores and on the hand-written set in `fixtures/preflight/` (never trained
//! on), and written with its card.

use std::collections::BTreeMap;
use std::time::Instant;

use vigil_contracts::Artifact;
use vigil_features::linear::SoftmaxModel;
use vigil_features::sparse::SparseVec;
use vigil_features::text::{TextFeaturizer, TextScratch};
use vigil_injection::cues::Cues;
use vigil_injection::detect;
use vigil_injection::model;
use vigil_injection::{Channel, InjectionDetector};
use vigil_injection::{InjectionModel, RiskThresholds};
use vigil_learn::calibration::fit_temperature;
use vigil_learn::link::softmax;
use vigil_learn::logistic::{ClassWeight, LogisticParams};
use vigil_learn::metrics::expected_calibration_error;

use super::card::{build_card, card_e2e};
use super::data::{self, CorpusParams, Row};
use super::eval::{
    confidence_and_correct, end_to_end, evaluate_scores, fixtures_path, read_labelled,
    score_labelled,
};
use crate::Result;
use crate::gate::{Gate, TrainOptions, TrainReport};
use crate::softmax::{fit_softmax_model, logits_all};

/// File name of the artifact.
pub const ARTIFACT_FILE: &str = "injection.vgl";

/// Training hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreflightTrainParams {
    /// Corpus settings.
    pub corpus: CorpusParams,
    /// Inverse regularization strength.
    pub c: f64,
    /// Risk thresholds stored in the model.
    pub thresholds: RiskThresholds,
    /// Deployment prior of injections the shipped probabilities assume (the corpus is balanced).
    pub injection_prior: f64,
}

impl Default for PreflightTrainParams {
    fn default() -> Self {
        PreflightTrainParams {
            corpus: CorpusParams::default(),
            c: 2.0,
            thresholds: RiskThresholds::default(),
            injection_prior: 0.3,
        }
    }
}

fn as_pairs<'a>(rs: &[&'a Row]) -> Vec<(&'a str, Channel)> {
    rs.iter().map(|r| (r.text.as_str(), r.source)).collect()
}

fn featurize_rows(text: &TextFeaturizer, rows: &[(&str, Channel)]) -> Vec<SparseVec> {
    let cues = Cues::new();
    let mut scratch = TextScratch::default();
    rows.iter()
        .map(|(t, s)| {
            let mut x = SparseVec::new();
            detect::featurize_into(text, &cues, t, *s, &mut scratch, &mut x);
            x
        })
        .collect()
}

/// `cargo xtask train preflight`.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    train_with(opts, &PreflightTrainParams::default())
}

/// Trains with explicit hyperparameters.
pub fn train_with(opts: &TrainOptions, params: &PreflightTrainParams) -> Result<TrainReport> {
    let started = Instant::now();
    let rows = data::generate(opts.seed, &params.corpus);
    let folds = params.corpus.folds.max(2);
    let logistic = LogisticParams {
        c: params.c,
        class_weight: ClassWeight::Balanced,
        ..LogisticParams::default()
    };
    let fit = |train: &[&Row]| -> Result<(TextFeaturizer, SoftmaxModel)> {
        let featurizer =
            TextFeaturizer::fit(model::text_params(), train.iter().map(|r| r.text.as_str()))?;
        let x = featurize_rows(&featurizer, &as_pairs(train));
        let y: Vec<usize> = train.iter().map(|r| usize::from(r.injection)).collect();
        let linear = fit_softmax_model(
            &x,
            &y,
            &["benign", "injection"],
            model::n_features(),
            &logistic,
        )?;
        Ok((featurizer, linear))
    };

    // Template-held-out cross-validation: each fold's families (and vocabulary) are scored by a
    // model fitted on the other folds only.
    let mut oof_logits = vec![Vec::new(); rows.len()];
    for f in 0..folds {
        let train: Vec<&Row> = rows.iter().filter(|r| r.fold != f).collect();
        let (featurizer, linear) = fit(&train)?;
        let held: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].fold == f).collect();
        let held_rows: Vec<&Row> = held.iter().map(|&i| &rows[i]).collect();
        let x = featurize_rows(&featurizer, &as_pairs(&held_rows));
        for (i, z) in held.into_iter().zip(logits_all(&linear, &x)) {
            oof_logits[i] = z;
        }
    }
    let labels: Vec<usize> = rows.iter().map(|r| usize::from(r.injection)).collect();
    let temperature = fit_temperature(&oof_logits, &labels);
    let prior_log_odds = (params.injection_prior / (1.0 - params.injection_prior)).ln();
    let balanced_scores: Vec<f64> = oof_logits
        .iter()
        .map(|z| f64::from(softmax(z, temperature)[1]))
        .collect();
    let val_scores: Vec<f64> = balanced_scores
        .iter()
        .map(|&p| detect::shift_prior(p, prior_log_odds))
        .collect();
    let val_pos: Vec<bool> = rows.iter().map(|r| r.injection).collect();
    let val_src: Vec<Channel> = rows.iter().map(|r| r.source).collect();
    let val = evaluate_scores(&val_scores, &val_pos, &val_src, params.thresholds.high_risk);

    // The shipped model: every fold, calibrated with the cross-validated temperature.
    let all: Vec<&Row> = rows.iter().collect();
    let (featurizer, linear) = fit(&all)?;
    let linear = linear.with_temperature(temperature)?;
    let model = InjectionModel {
        text: featurizer,
        linear,
        thresholds: params.thresholds,
        prior_log_odds,
    };
    let classifier = InjectionDetector::new(model.clone())?;

    // Hand-written set.
    let fixtures = read_labelled(&fixtures_path())?;
    let fx_scores = score_labelled(&classifier, &fixtures);
    let fx_pos: Vec<bool> = fixtures.iter().map(|r| r.injection).collect();
    let fx_src: Vec<Channel> = fixtures.iter().map(|r| r.source).collect();
    let fx = evaluate_scores(&fx_scores, &fx_pos, &fx_src, params.thresholds.high_risk);

    let mut metrics = BTreeMap::new();
    for (set, m) in [("val", &val), ("hand", &fx)] {
        for (src, sm) in m.iter() {
            metrics.insert(format!("{set}_{src}_tpr_at_1pct_fpr"), sm.tpr_at_1pct_fpr);
            metrics.insert(format!("{set}_{src}_tpr_at_5pct_fpr"), sm.tpr_at_5pct_fpr);
            metrics.insert(format!("{set}_{src}_auc"), sm.auc);
            metrics.insert(format!("{set}_{src}_accuracy"), sm.accuracy);
            metrics.insert(format!("{set}_{src}_ece"), sm.ece);
        }
    }
    metrics.insert("temperature".into(), f64::from(temperature));
    metrics.insert("injection_prior".into(), params.injection_prior);
    // Calibration is checked where it was fitted: out-of-fold, at the corpus's balanced prior.
    let balanced_ece = {
        let (conf, correct) = confidence_and_correct(&balanced_scores, &val_pos);
        expected_calibration_error(&conf, &correct, 10)
    };
    metrics.insert("val_all_ece_balanced_prior".into(), balanced_ece);

    // Regression gates, set a little under what the current corpus achieves (see the card for
    // how far that is from a strong detector).
    let min_acc = opts.min_accuracy.unwrap_or(0.65);
    let gates = vec![
        Gate::at_least("template-held-out accuracy", val["all"].accuracy, min_acc),
        Gate::at_least("template-held-out AUC", val["all"].auc, 0.75),
        Gate::at_most("template-held-out ECE (balanced prior)", balanced_ece, 0.10),
        Gate::at_least("hand-written AUC", fx["all"].auc, 0.85),
        Gate::at_least(
            "hand-written user TPR @ 5% FPR",
            fx["user"].tpr_at_5pct_fpr,
            0.50,
        ),
        Gate::at_least(
            "hand-written tool TPR @ 5% FPR",
            fx["tool"].tpr_at_5pct_fpr,
            0.40,
        ),
    ];

    let mut artifact = Artifact::new(model::KIND, &model::feature_schema(), opts.seed, model);
    artifact.metrics = metrics.clone();
    let path = opts.artifact_dir.join(ARTIFACT_FILE);
    artifact.write(&path)?;
    let artifact_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    let mut card = build_card(
        opts.seed,
        params.thresholds.high_risk,
        &rows,
        &val,
        &fx,
        &val_scores,
        &balanced_scores,
        &val_pos,
        temperature,
        &gates,
        artifact_bytes,
    );

    // End to end: the hand-written user messages through the whole preflight layer, default config.
    let e2e = end_to_end(&classifier, &fixtures)?;
    card_e2e(&mut card, &e2e);
    card.write(&opts.card_dir, "preflight")?;

    // Headline metrics for the summary table.
    let mut headline = BTreeMap::new();
    headline.insert("oof_user_tpr@5%".to_owned(), val["user"].tpr_at_5pct_fpr);
    headline.insert("oof_tool_tpr@5%".to_owned(), val["tool"].tpr_at_5pct_fpr);
    headline.insert("hand_user_tpr@5%".to_owned(), fx["user"].tpr_at_5pct_fpr);
    headline.insert("hand_tool_tpr@5%".to_owned(), fx["tool"].tpr_at_5pct_fpr);
    Ok(TrainReport {
        model: "preflight".into(),
        train_rows: rows.len(),
        validation_rows: rows.len(),
        metrics: headline,
        gates,
        artifact: path,
        artifact_bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}
