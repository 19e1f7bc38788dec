//! Training, evaluation and timing of the preflight prompt-injection classifier
//! (`cargo xtask train|eval|bench|data preflight`).
//!
//! The model is a two-class sparse logistic regression over `vigil_features::text` n-grams plus
//! the structural cues of `vigil_preflight::cues`, fitted on the seeded synthetic corpus of
//! [`corpus`], temperature-calibrated on the template-held-out validation split, and reported
//! on that split and on the hand-written set in `fixtures/preflight/` (never trained on).

pub mod corpus;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use vigil_contracts::Artifact;
use vigil_features::sparse::SparseVec;
use vigil_features::text::{TextFeaturizer, TextScratch};
use vigil_preflight::cues::Cues;
use vigil_preflight::injection;
use vigil_preflight::normalize::normalize_value;
use vigil_preflight::{
    InjectionClassifier, InjectionModel, InjectionScratch, Preflight, RiskThresholds, Source,
};

use crate::calibration::fit_temperature;
use crate::card::Card;
use crate::gate::{Gate, TrainOptions, TrainReport};
use crate::logistic::{ClassWeight, LogisticParams, fit_softmax, logits_all};
use crate::metrics::{
    BinaryCounts, ConfusionMatrix, expected_calibration_error, reliability_bins, tpr_at_fpr,
};
use crate::timing::{Timing, time_calls};
use crate::{Error, Result};

use corpus::{CorpusParams, Row};

/// File name of the artifact.
pub const ARTIFACT_FILE: &str = "preflight.vgl";

/// The hand-written evaluation set.
pub fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/preflight/injection-eval.jsonl")
}

/// One labelled line of the hand-written set: `{"text", "source"?, "injection"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledText {
    /// The text.
    pub text: String,
    /// `user` (default) or `tool`.
    #[serde(default)]
    pub source: Source,
    /// True for an injection.
    pub injection: bool,
    /// Free-form note on why (ignored by the model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Reads a labelled JSON Lines file.
pub fn read_labelled(path: &Path) -> Result<Vec<LabelledText>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: LabelledText = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{} line {}: {e}", path.display(), i + 1)))?;
        rows.push(row);
    }
    Ok(rows)
}

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

fn as_pairs<'a>(rs: &[&'a Row]) -> Vec<(&'a str, Source)> {
    rs.iter().map(|r| (r.text.as_str(), r.source)).collect()
}

fn featurize_rows(text: &TextFeaturizer, rows: &[(&str, Source)]) -> Vec<SparseVec> {
    let cues = Cues::new();
    let mut scratch = TextScratch::default();
    rows.iter()
        .map(|(t, s)| {
            let mut x = SparseVec::new();
            injection::featurize_into(text, &cues, t, *s, &mut scratch, &mut x);
            x
        })
        .collect()
}

/// Held-out quality of scores against labels, split by source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceMetrics {
    /// Rows.
    pub rows: usize,
    /// Injections among them.
    pub injections: usize,
    /// TPR at ≤ 1% FPR.
    pub tpr_at_1pct_fpr: f64,
    /// TPR at ≤ 5% FPR.
    pub tpr_at_5pct_fpr: f64,
    /// Area under the ROC curve.
    pub auc: f64,
    /// TPR of the shipped `high_risk` threshold.
    pub tpr_at_high_risk: f64,
    /// FPR of the shipped `high_risk` threshold.
    pub fpr_at_high_risk: f64,
    /// Accuracy of the `high_risk` decision.
    pub accuracy: f64,
    /// ECE of P(predicted class) with 10 bins.
    pub ece: f64,
}

fn auc(scores: &[f64], positive: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Average ranks over ties (Mann–Whitney U).
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    let n_pos = positive.iter().filter(|p| **p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return 0.0;
    }
    let sum_pos: f64 = ranks
        .iter()
        .zip(positive)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r)
        .sum();
    (sum_pos - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

fn source_metrics(scores: &[f64], positive: &[bool], high_risk: f64) -> SourceMetrics {
    let counts = BinaryCounts::from_pairs(
        scores
            .iter()
            .zip(positive)
            .map(|(&s, &p)| (s >= high_risk, p)),
    );
    let conf: Vec<f64> = scores.iter().map(|&s| s.max(1.0 - s)).collect();
    let correct: Vec<bool> = scores
        .iter()
        .zip(positive)
        .map(|(&s, &p)| (s >= 0.5) == p)
        .collect();
    SourceMetrics {
        rows: scores.len(),
        injections: positive.iter().filter(|p| **p).count(),
        tpr_at_1pct_fpr: tpr_at_fpr(scores, positive, 0.01).0,
        tpr_at_5pct_fpr: tpr_at_fpr(scores, positive, 0.05).0,
        auc: auc(scores, positive),
        tpr_at_high_risk: counts.recall(),
        fpr_at_high_risk: counts.false_positive_rate(),
        accuracy: counts.accuracy(),
        ece: expected_calibration_error(&conf, &correct, 10),
    }
}

/// Metrics per source (`user`, `tool`) and overall (`all`).
pub fn evaluate_scores(
    scores: &[f64],
    positive: &[bool],
    sources: &[Source],
    high_risk: f64,
) -> BTreeMap<&'static str, SourceMetrics> {
    let mut out = BTreeMap::new();
    for (name, want) in [
        ("all", None),
        ("user", Some(Source::User)),
        ("tool", Some(Source::Tool)),
    ] {
        let keep: Vec<usize> = (0..scores.len())
            .filter(|&i| want.is_none_or(|w| sources[i] == w))
            .collect();
        let s: Vec<f64> = keep.iter().map(|&i| scores[i]).collect();
        let p: Vec<bool> = keep.iter().map(|&i| positive[i]).collect();
        out.insert(name, source_metrics(&s, &p, high_risk));
    }
    out
}

/// Scores labelled texts with a classifier.
pub fn score_labelled(c: &InjectionClassifier, rows: &[LabelledText]) -> Vec<f64> {
    let mut scratch = InjectionScratch::default();
    rows.iter()
        .map(|r| c.score_with(&r.text, r.source, &mut scratch))
        .collect()
}

/// `cargo xtask data preflight`: the synthetic corpus as JSON Lines.
pub fn write_data(seed: u64, out: &Path) -> Result<usize> {
    let rows = corpus::generate(seed, &CorpusParams::default());
    let mut text = String::new();
    for r in &rows {
        text.push_str(&serde_json::to_string(r)?);
        text.push('\n');
    }
    vigil_contracts::artifact::write_atomic(out, text.as_bytes())?;
    Ok(rows.len())
}

/// `cargo xtask train preflight`.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    train_with(opts, &PreflightTrainParams::default())
}

/// Trains with explicit hyperparameters.
pub fn train_with(opts: &TrainOptions, params: &PreflightTrainParams) -> Result<TrainReport> {
    let started = Instant::now();
    let rows = corpus::generate(opts.seed, &params.corpus);
    let folds = params.corpus.folds.max(2);
    let logistic = LogisticParams {
        c: params.c,
        class_weight: ClassWeight::Balanced,
        ..LogisticParams::default()
    };
    let fit = |train: &[&Row]| -> Result<(TextFeaturizer, vigil_features::linear::SoftmaxModel)> {
        let featurizer = TextFeaturizer::fit(
            vigil_preflight::model::text_params(),
            train.iter().map(|r| r.text.as_str()),
        )?;
        let x = featurize_rows(&featurizer, &as_pairs(train));
        let y: Vec<usize> = train.iter().map(|r| usize::from(r.injection)).collect();
        let linear = fit_softmax(
            &x,
            &y,
            &["benign", "injection"],
            vigil_preflight::model::n_features(),
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
        .map(|z| f64::from(crate::logistic::softmax(z, temperature)[1]))
        .collect();
    let val_scores: Vec<f64> = balanced_scores
        .iter()
        .map(|&p| injection::shift_prior(p, prior_log_odds))
        .collect();
    let val_pos: Vec<bool> = rows.iter().map(|r| r.injection).collect();
    let val_src: Vec<Source> = rows.iter().map(|r| r.source).collect();
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
    let classifier = InjectionClassifier::new(model.clone())?;

    // Hand-written set.
    let fixtures = read_labelled(&fixture_path())?;
    let fx_scores = score_labelled(&classifier, &fixtures);
    let fx_pos: Vec<bool> = fixtures.iter().map(|r| r.injection).collect();
    let fx_src: Vec<Source> = fixtures.iter().map(|r| r.source).collect();
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
        let conf: Vec<f64> = balanced_scores.iter().map(|&s| s.max(1.0 - s)).collect();
        let correct: Vec<bool> = balanced_scores
            .iter()
            .zip(&val_pos)
            .map(|(&s, &p)| (s >= 0.5) == p)
            .collect();
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

    let mut artifact = Artifact::new(
        vigil_preflight::model::KIND,
        &vigil_preflight::model::feature_schema(),
        opts.seed,
        model,
    );
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

fn metrics_table(m: &BTreeMap<&'static str, SourceMetrics>) -> String {
    let rows: Vec<Vec<String>> = m
        .iter()
        .map(|(src, s)| {
            vec![
                (*src).to_owned(),
                s.rows.to_string(),
                s.injections.to_string(),
                format!("{:.3}", s.tpr_at_1pct_fpr),
                format!("{:.3}", s.tpr_at_5pct_fpr),
                format!("{:.3}", s.auc),
                format!("{:.3} / {:.3}", s.tpr_at_high_risk, s.fpr_at_high_risk),
                format!("{:.3}", s.accuracy),
                format!("{:.3}", s.ece),
            ]
        })
        .collect();
    Card::table(
        &[
            "source",
            "rows",
            "injections",
            "TPR @ 1% FPR",
            "TPR @ 5% FPR",
            "AUC",
            "high_risk TPR / FPR",
            "accuracy",
            "ECE",
        ],
        &rows,
    )
}

/// Actions of the full preflight layer (shipped catalog, default config, no task signal) on the
/// hand-written user messages: `(injection, action, fired_by) → count`.
fn end_to_end(
    classifier: &InjectionClassifier,
    fixtures: &[LabelledText],
) -> Result<BTreeMap<(bool, String), usize>> {
    let preflight = Preflight::new(
        classifier.clone(),
        vigil_preflight::Catalog::shipped(),
        vigil_preflight::AggregatorConfig::default(),
    )?;
    let mut out = BTreeMap::new();
    for r in fixtures.iter().filter(|r| r.source == Source::User) {
        let input =
            normalize_value(&serde_json::json!({"messages": [{"role": "user", "text": r.text}]}))?;
        let v = serde_json::to_value(preflight.decide(&input, None))?;
        let action = format!(
            "{}{}",
            v["action"].as_str().unwrap_or("?"),
            v["fired_by"]
                .as_str()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        );
        *out.entry((r.injection, action)).or_default() += 1;
    }
    Ok(out)
}

fn card_e2e(card: &mut Card, e2e: &BTreeMap<(bool, String), usize>) {
    let rows: Vec<Vec<String>> = e2e
        .iter()
        .map(|((inj, action), n)| {
            vec![
                if *inj {
                    "injection"
                } else {
                    "benign look-alike"
                }
                .to_owned(),
                action.clone(),
                n.to_string(),
            ]
        })
        .collect();
    card.section(
        "End to end on the hand-written user messages",
        &format!(
            "`Preflight::decide` with the shipped catalog, the default config (threshold 0.65, \
             `min_score` gate) and no task signal. The `min_score` gate fails closed: an injection \
             verdict that is not confident enough to short-circuit still blocks at the gate.\n\n{}",
            Card::table(&["text", "action", "count"], &rows)
        ),
    );
}

/// (family, injection, source, fold).
type FamilyKey<'a> = (&'a str, bool, &'static str, u8);
/// (rows, sum of out-of-fold scores, rows flagged high_risk).
type FamilyTally = (usize, f64, usize);

#[allow(clippy::too_many_arguments)]
fn build_card(
    seed: u64,
    high_risk: f64,
    rows: &[Row],
    val: &BTreeMap<&'static str, SourceMetrics>,
    fx: &BTreeMap<&'static str, SourceMetrics>,
    val_scores: &[f64],
    balanced_scores: &[f64],
    val_pos: &[bool],
    temperature: f32,
    gates: &[Gate],
    artifact_bytes: u64,
) -> Card {
    let mut card = Card::new("preflight: prompt-injection classifier and pre-routing envelope");
    card.section(
        "What it is",
        &format!(
            "`vigil-preflight` decides open-classify's route / reply / block envelope locally. Its one trained \
             part is the prompt-injection classifier: a two-class sparse logistic regression over hashed \
             character (char_wb 1–4) and word (1–2) n-grams with tf-idf (`vigil_features::text`, 2^15 + 2^14 \
             buckets) plus {} structural cues ({}), one cue block per source (user message / tool output) so \
             the same cue can weigh differently in untrusted content. The injection probability is \
             temperature-calibrated on out-of-fold scores, then moved from the corpus's balanced prior to a \
             deployment prior of 30% injections (log-odds shift; the ranking, hence every TPR-at-FPR figure, \
             is unchanged), and mapped to `risk_level`: ≥ 0.50 `high_risk`, ≥ 0.25 `suspicious`, else \
             `normal`; the certainty tag is the highest tag whose score does not exceed max(p, 1 − p). \
             The local model never answers `unknown`; that comes only from a failed (fallback) classifier, \
             which the aggregator blocks.",
            vigil_preflight::cues::CUE_NAMES.len(),
            vigil_preflight::cues::CUE_NAMES.join(", ")
        ),
    );
    // Per family: rows, mean out-of-fold score and share flagged high_risk.
    let mut fam: BTreeMap<FamilyKey<'_>, FamilyTally> = BTreeMap::new();
    for (r, &score) in rows.iter().zip(val_scores) {
        let src = match r.source {
            Source::User => "user",
            Source::Tool => "tool",
        };
        let e = fam
            .entry((r.template.as_str(), r.injection, src, r.fold))
            .or_default();
        e.0 += 1;
        e.1 += score;
        e.2 += usize::from(score >= high_risk);
    }
    let fam_rows: Vec<Vec<String>> = fam
        .iter()
        .map(|((t, inj, src, v), (n, sum, flagged))| {
            vec![
                (*t).to_owned(),
                if *inj { "injection" } else { "benign" }.to_owned(),
                (*src).to_owned(),
                v.to_string(),
                n.to_string(),
                format!("{:.3}", sum / *n as f64),
                format!("{:.3}", *flagged as f64 / *n as f64),
            ]
        })
        .collect();
    let mut data = format!(
        "Seeded synthetic corpus (seed {seed}): {} rows from {} template families. Families are dealt \
         into 3 folds per (label, source) group, and every slot vocabulary (override phrases, goals, \
         personas, carrier texts, ...) is dealt into the same 3 folds; a family only draws from its own \
         fold's vocabulary. Held-out numbers are 3-fold cross-validated by family: every row is scored by \
         a model that never saw its family *nor* its payload phrases. The shipped model is then fitted on \
         all folds with the cross-validated temperature. No public injection benchmark was used for \
         training or tuning.\n\n",
        rows.len(),
        fam.len()
    );
    data.push_str(&Card::table(
        &[
            "family",
            "label",
            "source",
            "fold",
            "rows",
            "mean out-of-fold score",
            "flagged high_risk",
        ],
        &fam_rows,
    ));
    card.section("Training data", &data);
    card.section(
        "Template-held-out validation (3-fold by family, out-of-fold scores)",
        &format!(
            "Temperature T = {temperature:.4}.\n\n{}",
            metrics_table(val)
        ),
    );
    card.section(
        "Hand-written evaluation set",
        &format!(
            "`fixtures/preflight/injection-eval.jsonl`: texts written by hand for this evaluation, \
             independent of the generator (user messages and tool outputs; injections and benign \
             look-alikes such as security questions, quoted attacks, ordinary imperatives and harmless \
             tool results).\n\n{}",
            metrics_table(fx)
        ),
    );
    // Reliability where calibration was fitted: out-of-fold, at the corpus's balanced prior.
    let conf: Vec<f64> = balanced_scores.iter().map(|&s| s.max(1.0 - s)).collect();
    let correct: Vec<bool> = balanced_scores
        .iter()
        .zip(val_pos)
        .map(|(&s, &p)| (s >= 0.5) == p)
        .collect();
    card.picture(
        "reliability of out-of-fold scores (balanced prior)",
        "preflight-reliability.svg",
        crate::svg::reliability_diagram(
            &reliability_bins(&conf, &correct, 10),
            "preflight injection: held-out reliability",
        ),
    );
    // Decisions as shipped: an injection is "caught" when it reaches `high_risk`.
    let truth: Vec<usize> = val_pos.iter().map(|&p| usize::from(p)).collect();
    let flagged: Vec<usize> = val_scores
        .iter()
        .map(|&s| usize::from(s >= high_risk))
        .collect();
    let confusion = ConfusionMatrix::new(&["benign", "injection"], &truth, &flagged);
    card.section(
        "Confusion (template-held-out, out-of-fold)",
        &format!(
            "Prediction \"injection\" = `high_risk` (score ≥ {:.3}); `suspicious` counts as benign here.\n\n{}",
            high_risk,
            confusion.to_markdown()
        ),
    );
    card.picture(
        "confusion matrix at the high_risk threshold",
        "preflight-confusion.svg",
        confusion.to_svg("preflight injection: held-out, high_risk threshold"),
    );
    let mut g = String::new();
    for gate in gates {
        let _ = writeln!(g, "- {gate}");
    }
    card.section("Gates", &g);
    card.section(
        "Decisions (reference §4)",
        "- **Action priority** (§4.1): injection block → classification error → reply → certainty gate → \
           route, as open-classify 1.4.0. A confident `final_reply` can no longer skip the injection check.\n\
         - **Failed classifiers fail closed** (§4.5): any fallback blocks with `classification_error`, \
           even with the gate `off`.\n\
         - **Injection block** (§4.1, 1.4.0): a `high_risk` or `unknown` verdict blocks whatever its \
           certainty; the certainty is reported in the reason.\n\
         - **Gate** (§4.4): v0.1.2's `min_score` / `avg_score` / `off` with threshold 0.65 over the \
           classifiers that ran, except routing and specialization: with `aggregator.gateRouting: false` \
           (vigil's default) an unsure tier or specialization is dropped as a constraint \
           (`low_confidence`) instead of blocking the message; `true` restores the reference. Each \
           axis's certainty is the probability of its own outcome under the task-signal heads.\n\
         - **Unpriced models** (§4.2) rank after every priced model by default (`resolver.unpriced: \
           \"last\"`); models priced at 0 still rank as free. `\"free\"` restores the reference ranking.\n\
         - **Default model** (§4.3): kept and validated; it is used only when every resolver pass is empty.\n\
         - **Reasons** (§4.6): over 120 characters are truncated (v0.1.2), never rejected.\n\
         - **Tier / specialization** come from a `TaskSignal` and its confidence (certainty = the highest \
           tag not above the confidence): coding → local_coding (focused) / frontier_coding; research and \
           analysis → frontier_fast / frontier_strong (expansive) with `reasoning`; other domains → \
           local_small / frontier_fast / frontier_strong by complexity with `chat`, `writing` (generative) \
           or `planning` (expansive).",
    );
    card.section(
        "Reference",
        &format!(
            "open-classify runs one LLM call per classifier (Ollama `gemma4:e4b`, 16 GiB of memory, 15 s \
             per attempt, 2 attempts) and publishes no latency or injection-detection numbers. The vigil \
             artifact is {} KiB.",
            artifact_bytes / 1024
        ),
    );
    card
}

/// `cargo xtask eval preflight`: scores a labelled file (default: the hand-written set) with the
/// embedded model (or `$VIGIL_PREFLIGHT_MODEL`) and prints the metrics.
pub fn eval(data: Option<&Path>, json: bool) -> Result<String> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixture_path);
    let rows = read_labelled(&path)?;
    let classifier = InjectionClassifier::load(None)?;
    let scores = score_labelled(&classifier, &rows);
    let pos: Vec<bool> = rows.iter().map(|r| r.injection).collect();
    let src: Vec<Source> = rows.iter().map(|r| r.source).collect();
    let m = evaluate_scores(&scores, &pos, &src, classifier.model().thresholds.high_risk);
    if json {
        return Ok(serde_json::to_string_pretty(&m)?);
    }
    let mut out = format!(
        "{} ({} rows)\n\n{}",
        path.display(),
        rows.len(),
        metrics_table(&m)
    );
    let mut misses: Vec<(f64, &LabelledText)> = scores
        .iter()
        .zip(&rows)
        .filter(|(s, r)| (**s >= classifier.model().thresholds.high_risk) != r.injection)
        .map(|(s, r)| (*s, r))
        .collect();
    misses.sort_by(|a, b| b.0.total_cmp(&a.0));
    if !misses.is_empty() {
        let _ = writeln!(out, "\nmisclassified at the high_risk threshold:");
        for (s, r) in misses {
            let short: String = r.text.chars().take(90).collect();
            let _ = writeln!(
                out,
                "  {s:.3} {} {:?} {short:?}",
                if r.injection { "injection" } else { "benign" },
                r.source
            );
        }
    }
    Ok(out)
}

/// `cargo xtask bench`: p50/p99 of the injection classifier and of a full preflight decision.
pub fn bench() -> Result<Vec<Timing>> {
    let rows = read_labelled(&fixture_path())?;
    let preflight = Preflight::embedded()?;
    let c = preflight.injection().clone();
    let users: Vec<&LabelledText> = rows.iter().filter(|r| r.source == Source::User).collect();
    let tools: Vec<&LabelledText> = rows.iter().filter(|r| r.source == Source::Tool).collect();
    let mut scratch = InjectionScratch::default();
    let t_user = time_calls("preflight injection (user message)", 500, 20_000, |i| {
        let r = users[i % users.len()];
        c.classify_with(&r.text, r.source, &mut scratch)
    });
    let t_tool = time_calls("preflight injection (tool output)", 500, 20_000, |i| {
        let r = tools[i % tools.len()];
        c.classify_with(&r.text, r.source, &mut scratch)
    });
    let inputs: Vec<_> = users
        .iter()
        .filter_map(|r| {
            normalize_value(&serde_json::json!({"messages": [{"role": "user", "text": r.text}]}))
                .ok()
        })
        .collect();
    let t_decide = time_calls("preflight decide (full envelope)", 500, 20_000, |i| {
        preflight.decide(&inputs[i % inputs.len()], None)
    });
    Ok(vec![t_user, t_tool, t_decide])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_labelled_line_is_named_by_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(
            &path,
            "{\"text\": \"hi\", \"injection\": false}\n\n{\"text\": \"x\", \"injection\": \"yes\"}\n",
        )
        .unwrap();
        let e = read_labelled(&path).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{} line 3: ", path.display())),
            "{text}"
        );
    }
}
