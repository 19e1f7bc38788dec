//! The preflight model card (`docs/models/preflight.md`) and its pictures: the reliability of
//! out-of-fold scores and the confusion at the shipped `high_risk` threshold.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use vigil_injection::Channel;
use vigil_learn::metrics::{ConfusionMatrix, reliability_bins};
use vigil_learn::plot::{confusion_matrix, reliability_diagram};

use super::data::Row;
use super::eval::{SourceMetrics, confidence_and_correct, metrics_table};
use crate::card::Card;
use crate::gate::Gate;

/// The end-to-end section: actions of the whole preflight layer on the hand-written user
/// messages.
pub(super) fn card_e2e(card: &mut Card, e2e: &BTreeMap<(bool, String), usize>) {
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
pub(super) fn build_card(
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
            vigil_injection::cues::CUE_NAMES.len(),
            vigil_injection::cues::CUE_NAMES.join(", ")
        ),
    );
    // Per family: rows, mean out-of-fold score and share flagged high_risk.
    let mut fam: BTreeMap<FamilyKey<'_>, FamilyTally> = BTreeMap::new();
    for (r, &score) in rows.iter().zip(val_scores) {
        let src = match r.source {
            Channel::User => "user",
            Channel::Tool => "tool",
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
    let (conf, correct) = confidence_and_correct(balanced_scores, val_pos);
    card.picture(
        "reliability of out-of-fold scores (balanced prior)",
        "preflight-reliability.svg",
        reliability_diagram(
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
        confusion_matrix(
            &confusion,
            "preflight injection: held-out, high_risk threshold",
        ),
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
