//! The task-signal model card (`docs/models/task-signal.md`) and its pictures: confusion
//! matrices and reliability diagrams of every head on the template-held-out split.

use vigil_learn::metrics::reliability_bins;
use vigil_learn::plot::{confusion_matrix, reliability_diagram};
use vigil_task_signal::model::{TEXT_PARAMS, feature_schema};

use super::data::Dataset;
use super::eval::{EvalReport, eval_table};
use super::train::HeadValidation;
use crate::card::Card;

/// What the card reports, measured by [`train_with`](super::train::train_with).
pub(super) struct Facts<'a> {
    /// Training seed.
    pub seed: u64,
    /// The logistic regressions' C.
    pub c: f64,
    /// Size of the written artifact.
    pub artifact_bytes: u64,
    /// The generated splits.
    pub dataset: &'a Dataset,
    /// Complexity, nature and domain, in that order.
    pub heads: &'a [HeadValidation],
    /// All three heads right, on the validation split.
    pub joint: f64,
    /// ECE of min(complexity, nature) confidence against both right.
    pub confidence_ece: f64,
    /// The hand-written prompts.
    pub handwritten: &'a EvalReport,
    /// axor's templates held out of fitting.
    pub axor_heldout: &'a EvalReport,
    /// axor-classifier-simple 0.2.1's hard set, when present.
    pub axor_hard: Option<&'a EvalReport>,
}

/// Builds the card.
pub(super) fn card(f: &Facts<'_>) -> Card {
    let ds = f.dataset;
    let mut card = Card::new("task-signal model card");
    let head_rows: Vec<Vec<String>> = f
        .heads
        .iter()
        .map(|h| {
            vec![
                h.name.to_owned(),
                format!("{:.3}", h.accuracy),
                format!("{:.3}", h.confusion.macro_f1()),
                format!("{:.3}", h.ece),
                format!("{:.3}", h.temperature),
            ]
        })
        .collect();
    let details: String = f
        .heads
        .iter()
        .map(|h| format!("### {}\n\n{}\n", h.name, h.confusion.to_markdown()))
        .collect();
    card.section(
        "What it is",
        &format!(
            "Three multinomial logistic-regression heads (complexity, nature, domain) over one hashed \
             tf-idf text featurizer (char_wb 1–4 into {} buckets + word 1–2 into {} buckets, sublinear tf, \
             smooth idf, per-block L2), C = {}, each head temperature-scaled on a calibration split. \
             Artifact: {} bytes, seed {}, feature schema `{}` ({}).",
            TEXT_PARAMS.char_buckets,
            TEXT_PARAMS.word_buckets,
            f.c,
            f.artifact_bytes,
            f.seed,
            feature_schema().name,
            feature_schema().fingerprint()
        ),
    );
    card.section(
        "Data",
        &format!(
            "Seeded synthetic prompts for all 45 label combinations: {} sentence frames (nature) × {} object \
             templates (domain × scope), slot vocabularies, paraphrase operators (requests, pleasantries in \
             several languages, nature clauses, scope phrases, context sentences, terse forms, typos, casing) \
             and Russian coding prompts. Frames and objects are split into train / calibration / validation \
             before any row is written, so **validation rows share neither frame nor object with training**. \
             Rows are deduplicated across splits ({} duplicates dropped). {} label-free noise strings \
             (emoji, symbols, digits, keyboard mash) are added to training once per class, a uniform \
             target, so text without task content gets a flat, low-confidence answer.\n\n\
             The generator draws axor's boundaries (its `AgentDomain` docstrings and training \
             templates): `support` covers operations and diagnosis (configs, pods, deploys, \
             incidents, runbooks) as well as helpdesk questions, `general` covers concepts and \
             workplace writing (OKRs, press releases, postmortems, onboarding docs) as well as \
             personal writing, and \"entire\" / \"complete\" over one bounded thing (a module, a \
             document, a flow, a single deliverable) is `moderate`; `expansive` needs the whole \
             system, every service, the field. Before this reconciliation the two sources taught \
             conflicting labels and adding axor's templates cost 0.021 of held-out complexity \
             (0.935 → 0.914 at seed 42); now they add to it.\n\n{}",
            ds.frames,
            ds.objects,
            ds.duplicates_dropped,
            ds.noise.len(),
            Card::table(
                &["split", "rows"],
                &[
                    vec!["train".into(), ds.train.len().to_string()],
                    vec!["calibration".into(), ds.calibration.len().to_string()],
                    vec!["validation".into(), ds.validation.len().to_string()],
                ]
            )
        ),
    );
    card.section(
        "Template-held-out validation",
        &format!(
            "{}\nJoint accuracy (all three heads): {:.3}. Confidence (min of complexity and nature \
             max-probability) vs. both right: ECE {:.3}. Reference (axor, leave-20%-templates-out): \
             complexity 0.917, nature 0.987, domain 0.803; its confidence ECE ≈ 0.095.",
            Card::table(&["head", "accuracy", "macro F1", "ECE (10 bins)", "temperature"], &head_rows),
            f.joint,
            f.confidence_ece
        ),
    );
    let hand = f.handwritten;
    card.section(
        "Hand-written prompts",
        &format!(
            "{} prompts written by hand in `fixtures/task-signal/handwritten.jsonl` (not generated, not \
             trained on).\n\n{}\nThe cascade adopted the ML answer for {:.1}% of them. Reference (axor on 40 unseen \
             paraphrases): ML complexity 0.70, nature 0.75, domain 0.90, joint 0.525; heuristic joint 0.20.",
            hand.prompts,
            eval_table(hand),
            100.0 * hand.cascade_ml_share
        ),
    );
    card.section(
        "axor's templates (data/axor, a training source)",
        &format!(
            "axor-classifier-simple 0.2.1's 1,114 MIT training templates (`data/axor/`) are one more \
             training source (1,113 after decontamination, see `data/axor/README.md`): {} templates train, {} calibrate, {} are held out whole. On the {} rows \
             of the held-out templates (development numbers: sibling templates were trained on):\n\n{}",
            ds.axor_templates[0],
            ds.axor_templates[1],
            ds.axor_templates[2],
            f.axor_heldout.prompts,
            eval_table(f.axor_heldout)
        ),
    );
    if let Some(h) = f.axor_hard {
        card.section(
            "axor's own hard set (fixtures/external/axor, measuring only)",
            &format!(
                "`generate_hard()` of axor-classifier-simple 0.2.1, {} prompts the package marks \
                 \"use only for evaluation\"; never trained or tuned on. axor 0.2.1 itself: complexity \
                 0.938, nature 0.884, domain 0.907.\n\n{}",
                h.prompts,
                eval_table(h)
            ),
        );
    }
    card.section("Confusion matrices (validation)", &details);
    for h in f.heads {
        card.picture(
            &format!("{} confusion matrix", h.name),
            &format!("task-signal-{}-confusion.svg", h.name),
            confusion_matrix(
                &h.confusion,
                &format!("task-signal {} (template-held-out)", h.name),
            ),
        );
        card.picture(
            &format!("{} reliability diagram", h.name),
            &format!("task-signal-{}-reliability.svg", h.name),
            reliability_diagram(
                &reliability_bins(&h.confidence, &h.correct, 10),
                &format!("task-signal {} reliability (template-held-out)", h.name),
            ),
        );
    }
    card.section(
        "Limits",
        "Synthetic training data: the model knows the phrasing families of its generator, not real \
         traffic. English (plus some Russian coding prompts); other languages get low confidence. Only the \
         first 8 KiB of a prompt are read. Labels are advice for policy selection, not a security boundary.",
    );
    card
}
