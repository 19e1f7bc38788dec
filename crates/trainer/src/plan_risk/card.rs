//! The plan-risk model card (`docs/models/plan-risk.md`) and its pictures: the 4-class
//! confusion of the template-held-out decisions and reliability diagrams of ρ before and after
//! Platt scaling.

use std::fmt::Write as _;

use vigil_features::plan::PLAN_FEATURES;
use vigil_learn::metrics::{BinaryCounts, reliability_bins};
use vigil_learn::plot::{confusion_matrix, reliability_diagram};
use vigil_plan_risk::RiskModel;
use vigil_plan_risk::SCORER_INPUTS;

use super::data::{self, Example, PER_TEMPLATE, Split};
use super::eval::DecisionMetrics;
use super::train::{C_GRID, FOLDS, LAMBDA_C, LAMBDA_O, LAMBDA_S, OutOfFold, ThresholdChoice};
use crate::card::Card;
use crate::gate::Gate;

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

/// Builds the card from what [`train`](super::train::train) measured.
#[allow(clippy::too_many_arguments)]
pub(super) fn card(
    model: &RiskModel,
    choice: &ThresholdChoice,
    oof: &OutOfFold,
    examples: &[Example],
    held: &DecisionMetrics,
    learned: &DecisionMetrics,
    rules: &DecisionMetrics,
    (rho_half, test_auc): (&BinaryCounts, f64),
    (oracle_ece, rho_range): (f64, (f64, f64)),
    fixtures: &[(&str, &str, DecisionMetrics)],
    cal: [f64; 4],
    raw: &[f64],
    rho: &[f64],
    y: &[bool],
    gates: &[Gate],
    bytes: u64,
) -> Card {
    let mut c = Card::new("plan-risk — NEXUS-style plan monitor");
    let (n_templates, n_categories) = data::template_counts();
    let count = |s: Split| examples.iter().filter(|e| e.split == s).count();
    let templates_in = |s: Split| {
        examples
            .iter()
            .filter(|e| e.split == s)
            .map(|e| e.template.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    c.section(
        "What it is",
        "A re-implementation of the NEXUS runtime monitor (`vigil-plan-risk`): tool annotator → 9 NEXUS plan features → \
         the scorer's fixed input transform (`log1p` of counts and amounts, budget utilisation clipped at 100×; schema \
         `nexus-plan-scorer` v2) → standardized logistic regression (balanced class weights, C by template-grouped \
         cross-validation) → Platt calibration on cross-fitted scores → ρ; NEXUS's nine rule families plus \
         vigil's money, access and unrequested-action families (V_R) and an argument inspector V_A; policy Π exactly as published. Rules, severities, inspector patterns, the annotator \
         lexicon and the loss grid are vigil's own design (NEXUS does not publish them); see the crate docs.",
    );
    c.section(
        "Data",
        &format!(
            "Seeded synthetic plans (`cargo xtask data plan-risk`): {n_templates} templates, {n_categories} risk categories plus `safe`, \
             {PER_TEMPLATE} plans per template, email / files / shell / payments / smart-home / cloud / CRM / social / database / calendar / web tools, \
             ~30% with explicit annotations, injected-observation scenarios. Split **by template**: test {} plans ({} templates) held out; \
             the generator's train {} ({}) and calibration {} ({}) splits together fit the scorer by {FOLDS}-fold template-grouped \
             cross-fitting (templates dealt round-robin within each category; every plan is scored by a regression that never saw its \
             template).",
            count(Split::Test), templates_in(Split::Test), count(Split::Train), templates_in(Split::Train), count(Split::Calibration), templates_in(Split::Calibration)
        ),
    );
    let decision_row = |label: String, m: &DecisionMetrics| {
        vec![
            label,
            m.n.to_string(),
            f3(m.f1()),
            f3(m.intervention_accuracy()),
            f3(m.overblock_rate()),
        ]
    };
    let mut rows = vec![
        decision_row("vigil Π (rules + ρ), template-held-out".into(), held),
        decision_row("rules only (ρ ignored), template-held-out".into(), rules),
        decision_row(
            "ρ only (τ_b/τ_c, no rules), template-held-out".into(),
            learned,
        ),
        vec![
            "ρ ≥ 0.5 only (binary), template-held-out".into(),
            held.n.to_string(),
            f3(rho_half.f1()),
            "–".into(),
            f3(rho_half.false_positive_rate()),
        ],
    ];
    for (name, rel, f) in fixtures {
        rows.push(decision_row(format!("vigil Π, {name} `{rel}`"), f));
    }
    rows.push(vec![
        "NEXUS (release B, its own synthetic test)".into(),
        "128".into(),
        "0.965".into(),
        "0.945".into(),
        "0.04".into(),
    ]);
    c.section(
        "Decisions",
        &format!(
            "Binary F1 counts a plan as flagged when the decision is not `allow`; overblock rate = benign plans flagged.\n\n{}",
            Card::table(&["monitor / data", "n", "binary F1", "4-class accuracy", "overblock rate"], &rows)
        ),
    );
    c.section(
        "Reading the numbers",
        "The synthetic templates and the rules were designed together, so template-held-out \
         scores mostly measure that the rules generalise across tool vocabularies and argument \
         values, not that they anticipate unseen attack ideas. The hand-written development set \
         (`plans.jsonl`, 145 plans incl. 8 multi-turn sessions) was written in two batches, and \
         rule gaps each batch exposed were fixed afterwards (16 plans came later, each set written with the \
         rule it checks: `m01`–`m05`, `d01`–`d11`); on first contact batch 1 (94) scored \
         F1 0.949 / 4-class 0.830 / overblock 0.087 and batch 2 (35) F1 0.895 / 0.686 / 0.125. The \
         hold-out set (`holdout.jsonl`, batch 3) was written before the money and access rules and \
         scored F1 0.974 / 4-class 0.919 / overblock 0.000 then; its one change since (m18, a car \
         rental over budget: confirm → revise) follows from adding `book`, `reserve`, `rent`, `hire` \
         to the verbs that ask for a payment, a change made with the development plan g17 and m18 \
         both in view — so 0.946 is partly a development number, 0.919 the untouched one. ρ alone is weak (as \
         NEXUS's learned-only row: F1 0.549): 9 coarse plan features do not separate harmful from \
         benign plans that use the same tools. Calibrated honestly on unseen templates, ρ stays \
         well inside (0, 1) (see the calibration section), the loss grid puts (τ_b, τ_c) above it, \
         and the decisions are the rules' — ρ no longer blocks large but plausible payments on its \
         own.",
    );
    c.section(
        "Policy Π and design choices",
        "Π is applied exactly as published (CRIT → block; ρ ≥ τ_b with any violation → block; \
         ρ ≥ τ_c or HIGH → confirm; MED → revise; else allow). vigil reads the project page's \
         \"ρ gates the block/confirm split when exactly one critical rule fires\" as referring to \
         HIGH-severity rules: a lone HIGH finding is confirm unless ρ ≥ τ_b (rule 2). The rule \
         families (NEXUS's nine, and vigil's `money.*`, `access.*` and `unrequested_action`), their severities, the argument inspector's patterns, the annotator lexicon and \
         cost model, grounding against the request and the session memory are vigil's own design, \
         documented in the `vigil-plan-risk` and `vigil-features::plan` crate docs.",
    );
    c.section(
        "Confusion (template-held-out, rows = label)",
        &held.confusion.to_markdown(),
    );
    c.picture(
        "4-class confusion",
        "plan-risk-confusion.svg",
        confusion_matrix(&held.confusion, "plan-risk interventions (held-out)"),
    );
    let sweep: Vec<String> = oof
        .sweep
        .iter()
        .map(|(c, ll)| format!("{c}: {ll:.4}"))
        .collect();
    c.section(
        "Calibration of ρ (10 bins)",
        &format!(
            "C = {} was chosen from {:?} by the mean log loss of Platt-calibrated cross-fitted ρ \
             (ln 2 = 0.6931 is a constant 0.5): {}. On the 45 fitting templates the cross-fitted ρ \
             has AUC {:.3}, ECE {:.3} and Brier {:.3}; on the 15 test templates ρ has AUC {:.3}.\n\n{}\n\n\
             **Why not ECE ≤ 0.05.** The 9 features carry little signal that transfers between \
             templates (cross-fitted AUC above), while the 15 test templates happen to be easier \
             (AUC there is much higher), so a ρ calibrated on unseen templates is under-confident on \
             this test split (ρ there spans {:.3}–{:.3}). Scores cluster by template, and even a Platt \
             map fitted on the test split itself (not deployed) reaches only ECE {:.3}. The old recipe \
             (Platt on one 15-template calibration split, C = 1, raw features) scored better on this \
             test split but is over-confident on unseen templates in general: its regression, \
             cross-fitted the same way, gives confidently wrong scores to whole templates (a benign \
             bill payment, a large newsletter) and pinned ρ to 1.0 for large amounts.",
            oof.c,
            C_GRID,
            sweep.join(", "),
            oof.auc,
            oof.ece,
            oof.brier,
            test_auc,
            Card::table(
            &["template-held-out test", "ECE", "Brier"],
            &[
                vec!["raw logistic".into(), f3(cal[0]), f3(cal[2])],
                vec!["Platt on cross-fitted scores (deployed)".into(), f3(cal[1]), f3(cal[3])],
                vec![
                    "vigil before this change: raw → Platt on the calibration split".into(),
                    "0.172 → 0.192".into(),
                    "0.143 → 0.171".into(),
                ],
                vec![
                    "NEXUS raw → Platt".into(),
                    "0.085 → 0.013".into(),
                    "0.051 → 0.041".into(),
                ],
            ],
        ),
            rho_range.0,
            rho_range.1,
            oracle_ece,
        ),
    );
    c.picture(
        "reliability before calibration",
        "plan-risk-reliability-raw.svg",
        reliability_diagram(&reliability_bins(raw, y, 10), "ρ raw (held-out)"),
    );
    c.picture(
        "reliability after Platt",
        "plan-risk-reliability.svg",
        reliability_diagram(&reliability_bins(rho, y, 10), "ρ Platt (held-out)"),
    );
    let mut coef = String::new();
    let _ = writeln!(
        coef,
        "| feature | scorer input | μ | σ | w |\n|---|---|---|---|---|"
    );
    for (j, (name, input)) in PLAN_FEATURES.iter().zip(SCORER_INPUTS).enumerate() {
        let _ = writeln!(
            coef,
            "| `{name}` | `{input}` | {:.4} | {:.4} | {:+.4} |",
            model.mean[j], model.scale[j], model.weights[j]
        );
    }
    let _ = writeln!(
        coef,
        "\nintercept b = {:+.4}; Platt A = {:.4}, B = {:.4}.",
        model.intercept, model.platt_a, model.platt_b
    );
    c.section("Scorer (the 31 floats)", &coef);
    c.section(
        "Thresholds",
        &format!(
            "(τ_b, τ_c) = **({:.2}, {:.2})** (NEXUS: 0.75, 0.70), chosen on the cross-fitted ρ of the train + calibration plans on a 0.05 grid by minimising the \
             summed regret of L(Π) = E[λ_s·u_s + λ_o·u_o + λ_c·c(Π)] over the 5×5 grid λ_s ∈ {:?}, λ_o ∈ {:?}, with λ_c = {LAMBDA_C}, \
             u_s = harmful plan allowed, u_o = decision stricter than the label, c = 0 / 0.25 / 0.5 / 1 for allow / revise / confirm / block. \
             The pair is exactly loss-optimal at {} of 25 grid points.",
            model.tau_block, model.tau_confirm, LAMBDA_S, LAMBDA_O, choice.optimal_at
        ),
    );
    let g: Vec<String> = gates.iter().map(|g| format!("- {g}")).collect();
    c.section("Gates", &g.join("\n"));
    c.section("Artifact", &format!("`crates/plan-risk/models/plan-risk.vgl`, {bytes} bytes (NEXUS `risk_scorer.pkl`: ~1.3 KB)."));
    c
}
