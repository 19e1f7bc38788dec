//! The anomaly model card (`docs/models/anomaly.md`) and its pictures: the held-out confusion
//! matrix and the reliability diagram of the top-class probability.

use std::collections::BTreeMap;

use vigil_anomaly::model::ScoreCalibration;
use vigil_learn::gbdt::GbdtParams;
use vigil_learn::metrics::ReliabilityBin;
use vigil_learn::plot::{confusion_matrix, reliability_diagram};

use super::data;
use super::eval::EvalReport;
use super::train::Row;
use crate::card::Card;
use crate::gate::Gate;

/// Label collisions (identical window vectors with different labels) and how they were merged.
pub(super) struct Collisions {
    /// Colliding vectors over all windows.
    pub all_vectors: usize,
    /// Rows involved in them.
    pub all_rows: usize,
    /// Minority-label rows by pair: normal/suspicious, normal/critical, suspicious/critical.
    pub minority_rows_by_pair: [usize; 3],
    /// Colliding vectors in the fitting set.
    pub fit_vectors: usize,
    /// Rows involved in them.
    pub fit_rows: usize,
    /// Fitting rows whose label majority voting changed.
    pub relabelled: usize,
    /// Distinct training vectors after merging duplicates.
    pub distinct_vectors: usize,
}

/// What the card reports, measured by [`train`](super::train::train).
pub(super) struct Facts<'a> {
    /// Training seed.
    pub seed: u64,
    /// Sessions generated.
    pub sessions: usize,
    /// (split name, sessions, windows) of fit, calibration and held-out variants.
    pub splits: [(&'static str, usize, &'a [Row]); 3],
    /// Label collisions.
    pub collisions: Collisions,
    /// The boosting parameters.
    pub gbdt: &'a GbdtParams,
    /// The fitted severity cut-offs.
    pub calibration: ScoreCalibration,
    /// Held-out variants, scored as the detector decides.
    pub held: &'a EvalReport,
    /// ECE of the top-class probability on them.
    pub ece: f64,
    /// Accuracy per family on them ([`family_table`]).
    pub family_table: &'a str,
    /// Reliability bins of the top-class probability on them.
    pub bins: &'a [ReliabilityBin],
    /// The hand-written sessions, when present.
    pub fixtures: Option<&'a EvalReport>,
    /// Held-out variants normalized with axor-core's conventions: accuracy.
    pub axor_variant_accuracy: f64,
    /// axor-classifier-simple 0.2.1's hard set (fixtures/external/axor), when present.
    pub axor_hard: Option<&'a EvalReport>,
    /// The gates checked.
    pub gates: &'a [Gate],
}

/// Accuracy of the held-out windows per scenario family: `family → (right, windows)`.
pub(super) fn family_table(per_family: &BTreeMap<&str, (usize, usize)>) -> String {
    Card::table(
        &["family (held-out variant)", "windows", "accuracy"],
        &per_family
            .iter()
            .map(|(f, (h, n))| {
                vec![
                    (*f).to_owned(),
                    n.to_string(),
                    format!("{:.3}", *h as f64 / (*n).max(1) as f64),
                ]
            })
            .collect::<Vec<_>>(),
    )
}

fn split_row(name: &str, sessions: usize, rows: &[Row]) -> Vec<String> {
    let mut c = [0usize; 3];
    for r in rows {
        c[r.y] += 1;
    }
    vec![
        name.into(),
        sessions.to_string(),
        rows.len().to_string(),
        c[0].to_string(),
        c[1].to_string(),
        c[2].to_string(),
    ]
}

/// Builds the card.
pub(super) fn card(f: &Facts<'_>) -> Card {
    let (held, coll, gp) = (f.held, &f.collisions, f.gbdt);
    let windows: usize = f.splits.iter().map(|(_, _, rows)| rows.len()).sum();
    let mut card = Card::new("Anomaly detector (vigil-anomaly)");
    card.section(
        "What it is",
        "Boosted trees (multiclass softmax, histogram GBDT written in `vigil-trainer`) over the \
         41 position-independent `vigil-window-v1` features of the last 10 normalized intents. \
         The score is the expected severity `0.5·p_suspicious + p_critical`, mapped piecewise \
         linearly (pure suspicious, severity 0.5, at the middle of the suspicious band) so that the reference bands (normal < 0.40 ≤ suspicious < 0.75 ≤ critical) are \
         the decision regions fitted on calibration sessions.",
    );
    card.section(
        "Training data",
        &format!(
            "Seed {}. {} generated sessions from {} scenario families ({} windows). Sessions are \
             raw tool calls passed through the real `IntentNormalizer`; a window is labelled with \
             the most severe attack stage it contains, and never below the detector's own \
             sequence floor for it (so the model is not taught what the detector then overrides); held-out numbers \
             count the detector's decision, the floors included (the ECE and the reliability \
             diagram are the model's own top-class probabilities). \
             Every 2nd fitting and calibration session is added once more in the conventions of \
             axor's training generator (web searches with `official_docs` provenance, installs on \
             `system_path`; `data::as_axor_builders`). The last variant of every family is held \
             out (split by scenario, never by row).\n\n{}\nLabel collisions (identical vectors, \
             different labels): {} vectors / {} rows over all windows; minority-label rows by \
             pair: normal/suspicious {}, normal/critical {}, suspicious/critical {}. In the fitting \
             set {} vectors / {} rows, resolved by majority label ({} rows relabelled). {} distinct training \
             vectors after merging duplicates.\n\nGBDT: {} rounds × 3 classes, depth {}, ≤ {} \
             leaves, learning rate {}, λ {}. Calibration cut-offs on expected severity: {:.2} \
             (suspicious) and {:.2} (critical).",
            f.seed,
            f.sessions,
            data::family_count(),
            windows,
            Card::table(
                &[
                    "split",
                    "sessions",
                    "windows",
                    "normal",
                    "suspicious",
                    "critical"
                ],
                &f.splits
                    .iter()
                    .map(|(name, sessions, rows)| split_row(name, *sessions, rows))
                    .collect::<Vec<_>>()
            ),
            coll.all_vectors,
            coll.all_rows,
            coll.minority_rows_by_pair[0],
            coll.minority_rows_by_pair[1],
            coll.minority_rows_by_pair[2],
            coll.fit_vectors,
            coll.fit_rows,
            coll.relabelled,
            coll.distinct_vectors,
            gp.rounds,
            gp.max_depth,
            gp.max_leaves,
            gp.learning_rate,
            gp.lambda,
            f.calibration.normal_upper,
            f.calibration.critical_lower
        ),
    );
    card.section(
        "Held-out scenario variants",
        &format!(
            "Accuracy **{:.4}**, recall normal {:.4} / suspicious {:.4} / critical {:.4}, ECE of \
             the top-class probability {:.4} (10 bins).\n\n{}\n{}",
            held.accuracy,
            held.recall["normal"],
            held.recall["suspicious"],
            held.recall["critical"],
            f.ece,
            held.confusion.to_markdown(),
            f.family_table
        ),
    );
    card.section(
        "What the bands mean (held-out variants)",
        &format!(
            "Of the held-out windows scored in each band, the share whose label is that class: \
             normal band {:.3}, suspicious band {:.3}, critical band {:.3}.",
            held.confusion.precision(0),
            held.confusion.precision(1),
            held.confusion.precision(2)
        ),
    );
    card.picture(
        "confusion matrix, held-out variants",
        "anomaly-confusion.svg",
        confusion_matrix(&held.confusion, "anomaly: held-out scenario variants"),
    );
    card.picture(
        "reliability diagram, held-out variants",
        "anomaly-reliability.svg",
        reliability_diagram(f.bins, "anomaly: top-class probability"),
    );
    if let Some(fx) = f.fixtures {
        card.section(
            "Hand-written sessions (fixtures/anomaly)",
            &format!(
                "{} sessions written by hand, not by the generator; never used for fitting or \
                 calibration. Each is scored as `vigil anomaly` scores a session of raw calls: \
                 on its worst window of 10 (`MLAnomalyDetector::score_session`), so benign calls \
                 after an attack cannot push it out of the window scored. Accuracy **{:.4}**, \
                 recall normal {:.4} / suspicious {:.4} / critical {:.4}.\n\n{}\nMisses:\n\n{}",
                fx.rows,
                fx.accuracy,
                fx.recall["normal"],
                fx.recall["suspicious"],
                fx.recall["critical"],
                fx.confusion.to_markdown(),
                if fx.misses.is_empty() {
                    "none".to_owned()
                } else {
                    fx.misses
                        .iter()
                        .map(|m| format!("- {m}\n"))
                        .collect::<String>()
                }
            ),
        );
    }
    card.section(
        "The same held-out variants, axor-core's conventions",
        &format!(
            "The held-out sessions described as axor-core 0.8.0's normalizer would (session flags \
             strictly-earlier and set by any network request, `external_web` provenance and \
             `external_to_shell` flow after one; `data::as_axor_core`). The detector recomputes the \
             `after_*` flags from the window's order either way. Accuracy **{:.4}** (development \
             number: our own generator). Most of the gap is information axor-core's conventions \
             do not carry: every request to an external host has flow `local_to_external`, so a \
             reverse shell (`nc -e /bin/sh …`, `socat … exec:`) reads as a page fetch (critical \
             windows scored normal or suspicious), and every call after any request has \
             provenance `external_web`, so reading the official docs after a secret reads as \
             sending it out (suspicious windows scored critical). No model can tell those apart \
             from what such a window holds.",
            f.axor_variant_accuracy
        ),
    );
    if let Some(ax) = f.axor_hard {
        card.section(
            "axor's own hard set (fixtures/external/axor, measuring only)",
            &format!(
                "`generate_hard()` of axor-classifier-simple 0.2.1: {} windows normalized by \
                 axor-core, never trained or tuned on. Accuracy **{:.4}** (axor 0.2.1 itself: \
                 0.781), recall normal {:.4} / suspicious {:.4} / critical {:.4}.\n\n{}\nMisses:\n\n{}",
                ax.rows,
                ax.accuracy,
                ax.recall["normal"],
                ax.recall["suspicious"],
                ax.recall["critical"],
                ax.confusion.to_markdown(),
                if ax.misses.is_empty() {
                    "none".to_owned()
                } else {
                    ax.misses
                        .iter()
                        .map(|m| format!("- {m}\n"))
                        .collect::<String>()
                }
            ),
        );
    }
    card.section(
        "Gates",
        &f.gates
            .iter()
            .map(|g| format!("- {g}\n"))
            .collect::<String>(),
    );
    card.section(
        "Limits",
        "The attack families are synthetic; an attack whose calls look like ordinary work at \
         the intent level (no secret, no egress, no system write) is invisible to it. Labels come \
         from scenario stages, so `suspicious` is a judgement call at the edges. Reputation fields \
         are accepted but were always 0 in training, so they never move the score.\n\n\
         Three or more fetches of untrusted pages in one window are at least suspicious (the \
         `REPEATED_UNTRUSTED_FETCHES` floor, axor's `multiple_external_reads`). Two misses on \
         axor's hard set prompted it (it was written from axor's documented builder, not from \
         the set). With it, and `cargo add` read as a package install, the model's held-out \
         accuracy moved 0.9907 → 0.9874 and critical recall 0.979 → 0.967 (development numbers, \
         counted as before: the model's class alone), mostly on the held-out persistence variant (a systemd unit written after reading a blog: \
         vigil labels it critical, axor's `write_to_system_after_external` suspicious, and the \
         model now splits the difference more often). axor-hard-28, a package install whose provenance \
         is `unknown`, stays normal: vigil's normalizer gives every registry install that \
         provenance, so it carries no signal here.",
    );
    card
}
