//! Training of the prompt-injection detector (`cargo xtask train injection`).
//!
//! The model is a two-class sparse logistic regression over `vigil_features::text` n-grams plus
//! the structural cues of `vigil_injection::cues`, fitted on the curated real corpus of
//! `data/injection/` and the seeded synthetic families of [`data`](super::data). The split is by
//! *source family*: [`REAL_HELD_OUT`](super::data::REAL_HELD_OUT) and the synthetic fold
//! [`SYNTHETIC_HELD_OUT_FOLD`](super::data::SYNTHETIC_HELD_OUT_FOLD) are the held-out test
//! side; everything else is the training side. On the training side, families are dealt into
//! [`CV_FOLDS`] folds; the out-of-fold scores fit the temperature and choose the thresholds
//! (training side only). A model fitted on the training side then scores the held-out families
//! (the held-out-family numbers), and the shipped model is fitted on every family with that
//! temperature and those thresholds. Benign documents longer than one window also give their
//! windows as extra benign rows, since the detector scores long texts window by window.
//! The hand-written set and the benign interface text in languages the corpus leaves out
//! (`fixtures/preflight/`, development numbers) and AgentDojo (`fixtures/external/agentdojo`,
//! measured only, never tuned on) are scored by the shipped model; gates hold all four.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use vigil_contracts::Artifact;
use vigil_contracts::hash::fnv1a64;
use vigil_features::linear::SoftmaxModel;
use vigil_features::sparse::SparseVec;
use vigil_features::text::{TextFeaturizer, TextScratch};
use vigil_injection::cues::Cues;
use vigil_injection::detect::{self, WINDOW_BYTES};
use vigil_injection::model;
use vigil_injection::segment::Segments;
use vigil_injection::{Channel, InjectionDetector, InjectionScratch};
use vigil_injection::{ChannelLogOdds, InjectionModel, RiskThresholds};
use vigil_learn::calibration::fit_temperature;
use vigil_learn::link::softmax;
use vigil_learn::logistic::{ClassWeight, LogisticParams};
use vigil_learn::metrics::expected_calibration_error;

use super::card::{CardInputs, build_card, card_e2e};
use super::data::{
    self, CorpusParams, REAL_HELD_OUT, SYNTHETIC_HELD_OUT_FOLD, corpus_path, read_corpus,
};
use super::eval::{
    ExternalRow, SourceMetrics, confidence_and_correct, end_to_end, evaluate_scores, external_path,
    fixtures_path, read_external, read_labelled, score_labelled,
};
use super::long_docs::long_document_counts;
use super::unseen_languages::{
    UnseenLanguageCounts, read_unseen_languages, unseen_language_counts, unseen_languages_path,
};
use crate::Result;
use crate::gate::{Gate, TrainOptions, TrainReport};
use crate::softmax::{fit_softmax_model, logits_all};

/// File name of the artifact.
pub const ARTIFACT_FILE: &str = "injection.vgl";
/// Family folds of the training side (for the temperature and the thresholds).
pub const CV_FOLDS: u8 = 3;

/// Training hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InjectionTrainParams {
    /// Synthetic corpus settings.
    pub corpus: CorpusParams,
    /// Inverse regularization strength.
    pub c: f64,
    /// Out-of-fold FPR (training side) the user channel's `high_risk` operating point is
    /// chosen at.
    pub user_high_risk_fpr: f64,
    /// Out-of-fold FPR (training side) the tool channel's `high_risk` operating point is chosen
    /// at: stricter than the user channel's, because benign tool output in the wild (pages,
    /// mail, records, code) is far more varied than the training side's, so the same
    /// out-of-fold rate doubles on unseen families.
    pub tool_high_risk_fpr: f64,
    /// Out-of-fold FPR (per channel, training side) each channel's `suspicious` point is
    /// chosen at.
    pub suspicious_fpr: f64,
    /// Windows of each long benign training document added as extra benign rows.
    pub windows_per_document: usize,
}

impl Default for InjectionTrainParams {
    fn default() -> Self {
        InjectionTrainParams {
            corpus: CorpusParams::default(),
            c: 2.0,
            user_high_risk_fpr: 0.02,
            tool_high_risk_fpr: 0.02,
            suspicious_fpr: 0.08,
            windows_per_document: 3,
        }
    }
}

/// One labelled text of either corpus.
#[derive(Debug, Clone)]
pub struct Example {
    /// The text.
    pub text: String,
    /// How it arrives.
    pub channel: Channel,
    /// True for an injection.
    pub injection: bool,
    /// `real:<family>` or `synthetic:<template>`.
    pub family: String,
    /// BCP-47 language tag.
    pub lang: String,
    /// On the held-out (test) side of the family split.
    pub held_out: bool,
    /// Fold on the training side (meaningless when `held_out`).
    pub cv_fold: u8,
}

/// Real and synthetic examples with their split.
pub(super) fn examples(seed: u64, corpus: &CorpusParams) -> Result<Vec<Example>> {
    let real = read_corpus(&corpus_path())?;
    // Deal the training-side real families into folds round-robin within each
    // (majority label, channel) group, in name order.
    let mut groups: BTreeMap<(bool, &'static str, String), ()> = BTreeMap::new();
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in &real {
        let e = counts.entry(r.family.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(r.label == 1);
    }
    let first_channel: BTreeMap<&str, Channel> = real
        .iter()
        .map(|r| (r.family.as_str(), r.channel))
        .rev()
        .collect();
    for (f, (n, pos)) in &counts {
        if REAL_HELD_OUT.contains(f) {
            continue;
        }
        let ch = match first_channel[f] {
            Channel::User => "user",
            Channel::Tool => "tool",
        };
        groups.insert((2 * pos >= *n, ch, (*f).to_owned()), ());
    }
    let mut fold_of: BTreeMap<String, u8> = BTreeMap::new();
    let mut next: BTreeMap<(bool, &str), u8> = BTreeMap::new();
    for (label, ch, f) in groups.keys() {
        let k = next.entry((*label, ch)).or_default();
        fold_of.insert(f.clone(), *k % CV_FOLDS);
        *k += 1;
    }
    let mut out: Vec<Example> = real
        .into_iter()
        .map(|r| {
            let held_out = REAL_HELD_OUT.contains(&r.family.as_str());
            let cv_fold = fold_of.get(&r.family).copied().unwrap_or(0);
            Example {
                text: r.text,
                channel: r.channel,
                injection: r.label == 1,
                family: format!("real:{}", r.family),
                lang: r.lang,
                held_out,
                cv_fold,
            }
        })
        .collect();
    // Ordinary user requests, as a user writes them to an agent (axor's MIT task templates:
    // coding, ops, analysis, research and writing requests, "fix my config", "open the payroll
    // report"): benign user messages that look like instructions because they are. Without them
    // the model reads every imperative request as a likely injection. Templates are dealt into
    // folds whole, so no template is on both sides of a fold.
    for r in crate::task_signal::data::read_axor()? {
        let fold = (fnv1a64(r.template.as_bytes()) % u64::from(CV_FOLDS)) as u8;
        out.push(Example {
            text: r.text,
            channel: Channel::User,
            injection: false,
            family: "real:axor-prompts".into(),
            lang: "en".into(),
            held_out: false,
            cv_fold: fold,
        });
    }
    for r in data::generate(seed, corpus) {
        out.push(Example {
            held_out: r.fold == SYNTHETIC_HELD_OUT_FOLD,
            cv_fold: r.fold % CV_FOLDS,
            text: r.text,
            channel: r.source,
            injection: r.injection,
            family: format!("synthetic:{}", r.template),
            lang: r.lang,
        });
    }
    Ok(out)
}

/// The windows (as [`InjectionDetector::score`] cuts them) of a benign document longer than one
/// window: up to `k` of them, evenly spaced.
fn benign_windows(text: &str, k: usize) -> Vec<&str> {
    if text.len() <= WINDOW_BYTES || k == 0 {
        return Vec::new();
    }
    let segs: Vec<std::ops::Range<usize>> = Segments::new(text).collect();
    let mut windows = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        windows.push(s.clone());
        if i > 0 {
            windows.push(segs[i - 1].start..s.end);
        }
    }
    let step = windows.len().div_ceil(k).max(1);
    windows
        .iter()
        .step_by(step)
        .take(k)
        .map(|r| &text[r.clone()])
        .collect()
}

fn featurize(text: &TextFeaturizer, rows: &[(&str, Channel)]) -> Vec<SparseVec> {
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

/// Fits the encoder and the linear model on `train` plus the windows of its long benign rows.
fn fit(
    train: &[&Example],
    params: &InjectionTrainParams,
) -> Result<(TextFeaturizer, SoftmaxModel)> {
    let mut rows: Vec<(&str, Channel)> = Vec::new();
    let mut y: Vec<usize> = Vec::new();
    for e in train {
        rows.push((e.text.as_str(), e.channel));
        y.push(usize::from(e.injection));
        if !e.injection {
            for w in benign_windows(&e.text, params.windows_per_document) {
                rows.push((w, e.channel));
                y.push(0);
            }
        }
    }
    let featurizer = TextFeaturizer::fit(model::text_params(), rows.iter().map(|r| r.0))?;
    let x = featurize(&featurizer, &rows);
    let logistic = LogisticParams {
        c: params.c,
        class_weight: ClassWeight::Balanced,
        ..LogisticParams::default()
    };
    let linear = fit_softmax_model(
        &x,
        &y,
        &["benign", "injection"],
        model::n_features(),
        &logistic,
    )?;
    Ok((featurizer, linear))
}

/// The shipped `high_risk` threshold: every channel's operating point is shifted onto it.
pub const HIGH_RISK: f64 = 0.5;

/// The lowest score (rounded up to 0.001) at which `channel`'s negatives are flagged at a rate
/// of at most `fpr`.
fn threshold_at_fpr(scores: &[f64], examples: &[&Example], channel: Channel, fpr: f64) -> f64 {
    let mut neg: Vec<f64> = scores
        .iter()
        .zip(examples)
        .filter(|(_, e)| e.channel == channel && !e.injection)
        .map(|(s, _)| *s)
        .collect();
    neg.sort_by(|a, b| b.total_cmp(a));
    let allowed = (fpr * neg.len() as f64).floor() as usize;
    // Flag strictly above the (allowed+1)-th highest negative.
    let t = neg
        .get(allowed)
        .map_or(0.5, |&s| ((s * 1000.0).floor() + 1.0) / 1000.0);
    t.clamp(0.02, 0.98)
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Per-channel shifts and the shared thresholds from class-balanced out-of-fold scores: each
/// channel's `*_high_risk_fpr` point moves onto [`HIGH_RISK`]; `suspicious` is the less
/// sensitive of the channels' `suspicious_fpr` points after their shifts, so neither channel
/// flags more than that share of its benign texts as suspicious.
fn operating_points(
    balanced: &[f64],
    examples: &[&Example],
    params: &InjectionTrainParams,
) -> (ChannelLogOdds, RiskThresholds) {
    let mut shifts = ChannelLogOdds::default();
    let mut suspicious_logit = f64::NEG_INFINITY;
    for channel in [Channel::User, Channel::Tool] {
        let fpr = match channel {
            Channel::User => params.user_high_risk_fpr,
            Channel::Tool => params.tool_high_risk_fpr,
        };
        let high = threshold_at_fpr(balanced, examples, channel, fpr);
        let low = threshold_at_fpr(balanced, examples, channel, params.suspicious_fpr).min(high);
        let shift = logit(HIGH_RISK) - logit(high);
        suspicious_logit = suspicious_logit.max(logit(low) + shift);
        match channel {
            Channel::User => shifts.user = shift,
            Channel::Tool => shifts.tool = shift,
        }
    }
    let suspicious = sigmoid(suspicious_logit).clamp(0.01, HIGH_RISK);
    let suspicious = (suspicious * 1000.0).floor() / 1000.0;
    (
        shifts,
        RiskThresholds {
            suspicious,
            high_risk: HIGH_RISK,
        },
    )
}

fn detector(
    featurizer: TextFeaturizer,
    linear: SoftmaxModel,
    temperature: f32,
    thresholds: RiskThresholds,
    channel_log_odds: ChannelLogOdds,
) -> Result<InjectionDetector> {
    Ok(InjectionDetector::new(InjectionModel {
        text: featurizer,
        linear: linear.with_temperature(temperature)?,
        thresholds,
        channel_log_odds,
    })?)
}

fn score_examples(d: &InjectionDetector, rows: &[&Example]) -> Vec<f64> {
    let mut scratch = InjectionScratch::default();
    rows.iter()
        .map(|e| d.score_text_with(&e.text, e.channel, &mut scratch))
        .collect()
}

/// Metrics of scores on examples, per channel.
fn metrics_of(
    scores: &[f64],
    rows: &[&Example],
    high_risk: f64,
) -> BTreeMap<&'static str, SourceMetrics> {
    let pos: Vec<bool> = rows.iter().map(|e| e.injection).collect();
    let ch: Vec<Channel> = rows.iter().map(|e| e.channel).collect();
    evaluate_scores(scores, &pos, &ch, high_risk)
}

/// Scores of the AgentDojo set by `d`, with its metrics per channel.
pub(super) fn external_metrics(
    d: &InjectionDetector,
    rows: &[ExternalRow],
) -> (Vec<f64>, BTreeMap<&'static str, SourceMetrics>) {
    let mut scratch = InjectionScratch::default();
    let scores: Vec<f64> = rows
        .iter()
        .map(|r| d.score_text_with(&r.text, r.channel, &mut scratch))
        .collect();
    let pos: Vec<bool> = rows.iter().map(|r| r.label == 1).collect();
    let ch: Vec<Channel> = rows.iter().map(|r| r.channel).collect();
    let m = evaluate_scores(&scores, &pos, &ch, d.model().thresholds.high_risk);
    (scores, m)
}

/// `cargo xtask train injection`.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    train_with(opts, &InjectionTrainParams::default())
}

/// Trains with explicit hyperparameters.
pub fn train_with(opts: &TrainOptions, params: &InjectionTrainParams) -> Result<TrainReport> {
    let started = Instant::now();
    let all = examples(opts.seed, &params.corpus)?;
    let train_side: Vec<&Example> = all.iter().filter(|e| !e.held_out).collect();
    let held: Vec<&Example> = all.iter().filter(|e| e.held_out).collect();

    // Family-grouped cross-validation on the training side.
    let mut oof_logits = vec![Vec::new(); train_side.len()];
    let mut fold_models = Vec::new();
    for f in 0..CV_FOLDS {
        let fit_rows: Vec<&Example> = train_side
            .iter()
            .copied()
            .filter(|e| e.cv_fold != f)
            .collect();
        let (featurizer, linear) = fit(&fit_rows, params)?;
        let idx: Vec<usize> = (0..train_side.len())
            .filter(|&i| train_side[i].cv_fold == f)
            .collect();
        let pairs: Vec<(&str, Channel)> = idx
            .iter()
            .map(|&i| (train_side[i].text.as_str(), train_side[i].channel))
            .collect();
        let x = featurize(&featurizer, &pairs);
        for (i, z) in idx.iter().zip(logits_all(&linear, &x)) {
            oof_logits[*i] = z;
        }
        fold_models.push((f, featurizer, linear));
    }
    let labels: Vec<usize> = train_side
        .iter()
        .map(|e| usize::from(e.injection))
        .collect();
    let temperature = fit_temperature(&oof_logits, &labels);
    let balanced_scores: Vec<f64> = oof_logits
        .iter()
        .map(|z| f64::from(softmax(z, temperature)[1]))
        .collect();
    let oof_pos: Vec<bool> = train_side.iter().map(|e| e.injection).collect();
    let balanced_ece = {
        let (conf, correct) = confidence_and_correct(&balanced_scores, &oof_pos);
        expected_calibration_error(&conf, &correct, 10)
    };

    // Out-of-fold scores as shipped (segment-scored, calibrated), before any channel shift,
    // choose each channel's shift and the thresholds.
    let mut oof_balanced = vec![0.0; train_side.len()];
    for (f, featurizer, linear) in fold_models {
        let d = detector(
            featurizer,
            linear,
            temperature,
            RiskThresholds::default(),
            ChannelLogOdds::default(),
        )?;
        let idx: Vec<usize> = (0..train_side.len())
            .filter(|&i| train_side[i].cv_fold == f)
            .collect();
        let rows: Vec<&Example> = idx.iter().map(|&i| train_side[i]).collect();
        for (i, s) in idx.iter().zip(score_examples(&d, &rows)) {
            oof_balanced[*i] = s;
        }
    }
    let (channel_log_odds, thresholds) = operating_points(&oof_balanced, &train_side, params);
    let (suspicious, high_risk) = (thresholds.suspicious, thresholds.high_risk);
    let oof_scores: Vec<f64> = oof_balanced
        .iter()
        .zip(&train_side)
        .map(|(s, e)| detect::shift_prior(*s, channel_log_odds.of(e.channel)))
        .collect();
    let oof = metrics_of(&oof_scores, &train_side, high_risk);

    // Held-out families, scored by a model fitted on the training side only.
    let (featurizer, linear) = fit(&train_side, params)?;
    let eval_detector = detector(
        featurizer,
        linear,
        temperature,
        thresholds,
        channel_log_odds,
    )?;
    let held_scores = score_examples(&eval_detector, &held);
    let held_m = metrics_of(&held_scores, &held, high_risk);
    let long_docs = long_document_counts(&eval_detector, &held, high_risk);
    let held_real: Vec<&Example> = held
        .iter()
        .copied()
        .filter(|e| e.family.starts_with("real:"))
        .collect();
    let held_real_scores: Vec<f64> = held
        .iter()
        .zip(&held_scores)
        .filter(|(e, _)| e.family.starts_with("real:"))
        .map(|(_, s)| *s)
        .collect();
    let held_real_m = metrics_of(&held_real_scores, &held_real, high_risk);

    // The shipped model: every family.
    let everything: Vec<&Example> = all.iter().collect();
    let (featurizer, linear) = fit(&everything, params)?;
    let shipped = detector(
        featurizer,
        linear,
        temperature,
        thresholds,
        channel_log_odds,
    )?;
    let model = shipped.model().clone();

    // Hand-written set (development numbers) and AgentDojo (external), by the shipped model.
    let fixtures = read_labelled(&fixtures_path())?;
    let fx_scores = score_labelled(&shipped, &fixtures);
    let fx_pos: Vec<bool> = fixtures.iter().map(|r| r.injection).collect();
    let fx_src: Vec<Channel> = fixtures.iter().map(|r| r.source).collect();
    let fx = evaluate_scores(&fx_scores, &fx_pos, &fx_src, high_risk);
    let external = read_external(&external_path())?;
    let (_, ext) = external_metrics(&shipped, &external);
    // Benign interface text in languages the corpus leaves out (development numbers).
    let unseen = unseen_language_counts(
        &shipped,
        &read_unseen_languages(&unseen_languages_path())?,
        high_risk,
    );

    // Per language: every real row scored by a model that never saw its family (out of fold
    // on the training side, the training-side model on the held-out side).
    let mut per_lang: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (e, s) in train_side
        .iter()
        .zip(&oof_scores)
        .chain(held.iter().zip(&held_scores))
    {
        let real = e.family.starts_with("real:");
        if e.injection && (real || e.lang != "en") {
            let key = if real {
                e.lang.clone()
            } else {
                format!("{} (synthetic)", e.lang)
            };
            let t = per_lang.entry(key).or_default();
            t.0 += 1;
            t.1 += usize::from(*s >= high_risk);
        }
    }

    let mut metrics = BTreeMap::new();
    for (set, m) in [
        ("oof", &oof),
        ("heldout", &held_m),
        ("heldout_real", &held_real_m),
        ("hand", &fx),
        ("agentdojo", &ext),
    ] {
        for (src, sm) in m.iter() {
            metrics.insert(format!("{set}_{src}_tpr_at_1pct_fpr"), sm.tpr_at_1pct_fpr);
            metrics.insert(format!("{set}_{src}_tpr_at_5pct_fpr"), sm.tpr_at_5pct_fpr);
            metrics.insert(format!("{set}_{src}_auc"), sm.auc);
            metrics.insert(format!("{set}_{src}_tpr_at_high_risk"), sm.tpr_at_high_risk);
            metrics.insert(format!("{set}_{src}_fpr_at_high_risk"), sm.fpr_at_high_risk);
        }
    }
    for (length, counts) in &long_docs {
        let (n, flagged) = counts.benign();
        metrics.insert(
            format!("longdoc_{length}_benign_fpr"),
            flagged as f64 / n.max(1) as f64,
        );
        let (n, caught) = counts.padded;
        metrics.insert(
            format!("longdoc_{length}_padded_tpr"),
            caught as f64 / n.max(1) as f64,
        );
    }
    metrics.insert("unseen_language_chunk_fpr".into(), unseen.chunk_fpr());
    metrics.insert("unseen_language_joined_fpr".into(), unseen.joined_fpr());
    metrics.insert("temperature".into(), f64::from(temperature));
    metrics.insert("user_log_odds".into(), channel_log_odds.user);
    metrics.insert("tool_log_odds".into(), channel_log_odds.tool);
    metrics.insert("high_risk".into(), high_risk);
    metrics.insert("suspicious".into(), suspicious);
    metrics.insert("oof_all_ece_balanced_prior".into(), balanced_ece);

    // Regression gates, a little under what this corpus and model reach (see the card for how
    // far that is from the goal).
    let min_acc = opts.min_accuracy.unwrap_or(0.70);
    let gates = gates(&held_m, &fx, &ext, &unseen, balanced_ece, min_acc);

    let mut artifact = Artifact::new(model::KIND, &model::feature_schema(), opts.seed, model);
    artifact.metrics = metrics.clone();
    let path = opts.artifact_dir.join(ARTIFACT_FILE);
    artifact.write(&path)?;
    let artifact_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    let families: BTreeSet<&str> = all.iter().map(|e| e.family.as_str()).collect();
    let mut card = build_card(&CardInputs {
        seed: opts.seed,
        thresholds,
        channel_log_odds,
        target_fpr: (params.user_high_risk_fpr, params.tool_high_risk_fpr),
        suspicious_fpr: params.suspicious_fpr,
        temperature,
        examples: &all,
        train_side: &train_side,
        oof_scores: &oof_scores,
        balanced_scores: &balanced_scores,
        held: &held,
        held_scores: &held_scores,
        oof: &oof,
        held_m: &held_m,
        held_real_m: &held_real_m,
        long_docs: &long_docs,
        unseen: &unseen,
        fx: &fx,
        ext: &ext,
        per_lang: &per_lang,
        gates: &gates,
        artifact_bytes,
        families: families.len(),
    });
    let e2e = end_to_end(&shipped, &fixtures)?;
    card_e2e(&mut card, &e2e);
    card.write(&opts.card_dir, "injection")?;

    let mut headline = BTreeMap::new();
    headline.insert(
        "heldout_user_tpr@op".to_owned(),
        held_m["user"].tpr_at_high_risk,
    );
    headline.insert(
        "heldout_tool_tpr@op".to_owned(),
        held_m["tool"].tpr_at_high_risk,
    );
    headline.insert(
        "heldout_user_fpr@op".to_owned(),
        held_m["user"].fpr_at_high_risk,
    );
    headline.insert(
        "heldout_tool_fpr@op".to_owned(),
        held_m["tool"].fpr_at_high_risk,
    );
    headline.insert(
        "agentdojo_tool_tpr@op".to_owned(),
        ext["tool"].tpr_at_high_risk,
    );
    headline.insert(
        "agentdojo_tool_fpr@op".to_owned(),
        ext["tool"].fpr_at_high_risk,
    );
    Ok(TrainReport {
        model: "injection".into(),
        train_rows: train_side.len(),
        validation_rows: held.len(),
        metrics: headline,
        gates,
        artifact: path,
        artifact_bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The gates: held-out families, unseen languages, hand-written set, AgentDojo.
fn gates(
    held: &BTreeMap<&'static str, SourceMetrics>,
    fx: &BTreeMap<&'static str, SourceMetrics>,
    ext: &BTreeMap<&'static str, SourceMetrics>,
    unseen: &UnseenLanguageCounts,
    balanced_ece: f64,
    min_acc: f64,
) -> Vec<Gate> {
    vec![
        // Development numbers (see `unseen_languages`): regression guards with room, well above
        // what the shipped model reaches (0.3% and 1.2% when they were added; 5.4% and 28% before
        // the corpus held benign non-English text).
        Gate::at_most(
            "unseen-language benign chunks flagged (development)",
            unseen.chunk_fpr(),
            0.02,
        ),
        Gate::at_most(
            "unseen-language benign texts joined to 3 KB flagged (development)",
            unseen.joined_fpr(),
            0.10,
        ),
        Gate::at_least("held-out-family accuracy", held["all"].accuracy, min_acc),
        // Per channel: the channels' scores are on different shifts, so a pooled AUC mixes
        // two scales.
        Gate::at_least("held-out-family user AUC", held["user"].auc, 0.90),
        Gate::at_least("held-out-family tool AUC", held["tool"].auc, 0.95),
        Gate::at_least(
            "held-out-family user TPR at the operating point",
            held["user"].tpr_at_high_risk,
            0.55,
        ),
        Gate::at_least(
            "held-out-family tool TPR at the operating point",
            held["tool"].tpr_at_high_risk,
            0.75,
        ),
        Gate::at_most(
            "held-out-family tool FPR at the operating point",
            held["tool"].fpr_at_high_risk,
            0.05,
        ),
        Gate::at_most(
            "held-out-family user FPR at the operating point",
            held["user"].fpr_at_high_risk,
            0.05,
        ),
        Gate::at_most("out-of-fold ECE (balanced prior)", balanced_ece, 0.10),
        Gate::at_least("hand-written AUC", fx["all"].auc, 0.85),
        Gate::at_least("AgentDojo tool AUC", ext["tool"].auc, 0.92),
        // The issue's own measure (TPR at FPR ≤ 5%, goal 0.95), which does not depend on
        // where the training side put the operating point: 0.753 before the whole-text window
        // stopped growing with length (see `detect::WHOLE_MEAN_BYTES`), 0.758 after.
        Gate::at_least(
            "AgentDojo tool TPR at 5% FPR",
            ext["tool"].tpr_at_5pct_fpr,
            0.75,
        ),
        // Regression floors at the operating point the training side chose (never moved to
        // fit this set): 0.714 / 0.037 before the whole-text window change and escapes were
        // read, 0.698 / 0.035 after.
        Gate::at_least(
            "AgentDojo tool TPR at the operating point",
            ext["tool"].tpr_at_high_risk,
            0.65,
        ),
        Gate::at_most(
            "AgentDojo tool FPR at the operating point",
            ext["tool"].fpr_at_high_risk,
            0.05,
        ),
    ]
}
