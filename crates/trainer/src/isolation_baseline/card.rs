//! The isolation-baseline card: what the smoke fit is, its held-out numbers next to harombe's
//! rule, the threat levels the hand-written anomalies reach, and the gates.

use std::path::Path;

use super::data::{FRESH_EVENTS, TRAIN_EVENTS};
use crate::Result;
use crate::card::Card;
use crate::gate::Gate;

/// The numbers the card reports, measured by [`train`](super::train()).
#[derive(Debug, Clone)]
pub struct CardNumbers<'a> {
    /// Generator seed of the smoke agent.
    pub seed: u64,
    /// Combined-score false-positive rate on the fresh events.
    pub fpr: f64,
    /// Fresh events the combined score flagged.
    pub flagged: usize,
    /// harombe-rule false-positive rate on the fresh events.
    pub reference_fpr: f64,
    /// Fresh events harombe's rule flagged.
    pub reference_flagged: usize,
    /// Hand-written anomalies checked.
    pub anomalies: usize,
    /// Share of them caught.
    pub detection: f64,
    /// Hand-written anomalies caught.
    pub caught: usize,
    /// Hand-written anomalies per threat level, none to critical.
    pub levels: [usize; 5],
    /// The gates, in order.
    pub gates: &'a [Gate],
}

/// Writes `{dir}/isolation-baseline.md`.
pub fn write(numbers: &CardNumbers<'_>, dir: &Path) -> Result<()> {
    let CardNumbers {
        seed,
        fpr,
        flagged,
        reference_fpr,
        reference_flagged,
        anomalies,
        detection,
        caught,
        levels,
        gates,
    } = *numbers;
    let mut card = Card::new("isolation-baseline (smoke fit)");
    card.section(
        "What it is",
        &format!(
            "harombe's per-agent detector in its reference configuration (100 trees, ψ = min(256, n), \
             contamination 0.05, threshold 0.7) with vigil's combined score, fitted on {TRAIN_EVENTS} \
             events of one simulated agent (seed {seed}). Agents are fitted online in production; this \
             fit checks the pipeline and its numbers on every `cargo xtask train`. Design: \
             `docs/isolation-baseline.md`."
        ),
    );
    card.section(
        "Held-out results",
        &Card::table(
            &[
                "measure",
                "vigil (combined score)",
                "reference score (harombe rule)",
            ],
            &[
                vec![
                    format!("false positives on the next {FRESH_EVENTS} events"),
                    format!("{fpr:.4} ({flagged})"),
                    format!("{reference_fpr:.4} ({reference_flagged})"),
                ],
                vec![
                    format!("hand-written anomalies caught (of {anomalies})"),
                    format!("{detection:.3} ({caught})"),
                    "-".into(),
                ],
            ],
        ),
    );
    card.section(
        "Threat levels of the hand-written anomalies",
        &Card::table(
            &["none", "low", "medium", "high", "critical"],
            &[levels.iter().map(usize::to_string).collect()],
        ),
    );
    card.section(
        "Gates",
        &gates.iter().map(|g| format!("- {g}\n")).collect::<String>(),
    );
    card.write(dir, "isolation-baseline")?;
    Ok(())
}
