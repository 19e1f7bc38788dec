//! plan-risk training: seeded plans → 9-D features → the scorer's log/clip transform →
//! standardize → balanced logistic regression, C chosen by template-grouped cross-validation →
//! Platt calibration on cross-fitted (out-of-fold, by template) scores of all non-test templates
//! → (τ_b, τ_c) by the loss grid on those cross-fitted ρ → artifact + model card; plus evaluation
//! on the hand-written fixtures and timing.
//!
//! **Why cross-fitting.** Platt used to be fitted on one calibration split of 15 templates whose
//! scores had a different relation to the labels than the test templates' (it made the test
//! ECE worse, 0.172 → 0.192). Here every train + calibration plan is scored by a regression
//! that never saw its template (9 folds, templates dealt round-robin within each category), and
//! Platt is fitted on all 2,880 of those scores: 45 templates in every category, the same base
//! rate as the test split. The deployed regression is then refitted on all 45 templates.

pub mod generator;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use vigil_contracts::{Intervention, Plan, Severity};
use vigil_features::plan::{PLAN_FEATURES, ToolAnnotator};
use vigil_features::sparse::SparseVec;
use vigil_plan_risk::policy::decide;
use vigil_plan_risk::{Inspection, PlanMonitor, Prior, RiskModel, SessionMonitor, inspect};
use vigil_plan_risk::{SCORER_INPUTS, scorer_inputs};

use crate::calibration::{Platt, fit_platt};
use crate::card::Card;
use crate::gate::{Gate, TrainOptions, TrainReport};
use crate::logistic::{ClassWeight, LogisticParams, fit_softmax};
use crate::metrics::{
    BinaryCounts, ConfusionMatrix, brier, expected_calibration_error, reliability_bins,
};
use crate::timing::{Timing, time_calls};
use crate::{Error, Result};
use generator::{Example, Split, generate};

/// Plans generated per template.
pub const PER_TEMPLATE: usize = 40;
/// Intervention labels in confusion-matrix order.
pub const INTERVENTIONS: [&str; 4] = ["allow", "revise", "confirm", "block"];
/// NEXUS's published median latency per plan (0.205 ms).
pub const REFERENCE_P50_NS: f64 = 205e3;
/// The λ_s values of the 5×5 loss grid (cost of allowing an unsafe plan).
pub const LAMBDA_S: [f64; 5] = [1.0, 2.0, 4.0, 8.0, 16.0];
/// The λ_o values of the loss grid (cost of over-intervening).
pub const LAMBDA_O: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
/// λ_c, the weight of the intervention's own friction c(Π).
pub const LAMBDA_C: f64 = 0.05;
/// Template-grouped folds for cross-fitting (45 non-test templates → 5 per fold).
pub const FOLDS: usize = 9;
/// Regularization strengths (scikit-learn's C) tried by template-grouped cross-validation.
pub const C_GRID: [f64; 9] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0];

/// The hand-written fixtures, relative to the workspace root.
pub const FIXTURES: &str = "fixtures/plan-risk/plans.jsonl";
/// Hand-written hold-out plans (batch 3), written after the last rule change and never used to
/// change the rules.
pub const HOLDOUT: &str = "fixtures/plan-risk/holdout.jsonl";

fn rank(i: Intervention) -> usize {
    match i {
        Intervention::Allow => 0,
        Intervention::Revise => 1,
        Intervention::Confirm => 2,
        Intervention::Block => 3,
    }
}

/// Friction c(Π) of an intervention (allow 0, revise 0.25, confirm 0.5, block 1).
pub fn friction(i: Intervention) -> f64 {
    [0.0, 0.25, 0.5, 1.0][rank(i)]
}

/// Writes the synthetic data set as JSON Lines.
pub fn write_data(seed: u64, out: &Path) -> Result<usize> {
    let examples = generate(seed, PER_TEMPLATE)?;
    let mut text = String::new();
    for e in &examples {
        text.push_str(&serde_json::to_string(e)?);
        text.push('\n');
    }
    vigil_contracts::artifact::write_atomic(out, text.as_bytes())?;
    Ok(examples.len())
}

struct Row {
    x: [f64; 9],
    template: String,
    harmful: bool,
    label: Intervention,
    violations: usize,
    worst: Option<Severity>,
    split: Split,
}

fn rows(examples: &[Example]) -> Vec<(Row, Inspection)> {
    let annotator = ToolAnnotator::default();
    examples
        .iter()
        .map(|e| {
            let ins = inspect(&annotator, &e.plan, &Prior::default());
            (
                Row {
                    x: ins.features,
                    template: e.template.clone(),
                    harmful: e.harmful,
                    label: e.label,
                    violations: ins.violations.len(),
                    worst: ins.violations.iter().map(|v| v.severity).max(),
                    split: e.split,
                },
                ins,
            )
        })
        .collect()
}

/// Mean and population std per feature (zero variance → 1), as scikit-learn's StandardScaler.
pub fn standardizer(xs: &[[f64; 9]]) -> (Vec<f64>, Vec<f64>) {
    let n = xs.len().max(1) as f64;
    let mean: Vec<f64> = (0..9)
        .map(|j| xs.iter().map(|x| x[j]).sum::<f64>() / n)
        .collect();
    let scale = (0..9)
        .map(|j| {
            let var = xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
            if var > 1e-24 { var.sqrt() } else { 1.0 }
        })
        .collect();
    (mean, scale)
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// What the loss grid chose.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdChoice {
    /// τ_b.
    pub tau_block: f64,
    /// τ_c.
    pub tau_confirm: f64,
    /// Grid points (of 25) at which the pair is exactly loss-optimal.
    pub optimal_at: usize,
}

fn policy_loss(rows: &[(f64, &Row)], tb: f64, tc: f64, ls: f64, lo: f64) -> f64 {
    let mut total = 0.0;
    for (rho, r) in rows {
        let d = decide_fast(*rho, r, tb, tc);
        let us = f64::from(u8::from(r.harmful && d == Intervention::Allow));
        let uo = f64::from(u8::from(rank(d) > rank(r.label)));
        total += ls * us + lo * uo + LAMBDA_C * friction(d);
    }
    total / rows.len().max(1) as f64
}

fn decide_fast(rho: f64, r: &Row, tb: f64, tc: f64) -> Intervention {
    // Same table as vigil_plan_risk::policy::decide, on precomputed (worst, count).
    if r.worst == Some(Severity::Crit) || (rho >= tb && r.violations > 0) {
        Intervention::Block
    } else if rho >= tc || r.worst == Some(Severity::High) {
        Intervention::Confirm
    } else if r.worst == Some(Severity::Med) {
        Intervention::Revise
    } else {
        Intervention::Allow
    }
}

/// Chooses (τ_b, τ_c) on a 0.05 grid minimizing L(Π) = E[λ_s·u_s + λ_o·u_o + λ_c·c(Π)] summed
/// (as regret) over the 5×5 (λ_s, λ_o) grid; ties go to the higher thresholds (less friction).
fn choose_thresholds(rows: &[(f64, &Row)]) -> ThresholdChoice {
    let taus: Vec<f64> = (1..=19).map(|i| f64::from(i) * 0.05).collect();
    let pairs: Vec<(f64, f64)> = taus
        .iter()
        .flat_map(|&b| taus.iter().map(move |&c| (b, c)))
        .collect();
    let grid: Vec<(f64, f64)> = LAMBDA_S
        .iter()
        .flat_map(|&s| LAMBDA_O.iter().map(move |&o| (s, o)))
        .collect();
    let losses: Vec<Vec<f64>> = grid
        .iter()
        .map(|&(s, o)| {
            pairs
                .iter()
                .map(|&(b, c)| policy_loss(rows, b, c, s, o))
                .collect()
        })
        .collect();
    let best_per_point: Vec<f64> = losses
        .iter()
        .map(|l| l.iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    let mut best = (f64::INFINITY, 0usize);
    for k in 0..pairs.len() {
        let regret: f64 = (0..grid.len())
            .map(|g| losses[g][k] - best_per_point[g])
            .sum();
        let (b, c) = pairs[k];
        let (bb, bc) = pairs[best.1];
        if regret < best.0 - 1e-12 || ((regret - best.0).abs() <= 1e-12 && (b + c) > (bb + bc)) {
            best = (regret, k);
        }
    }
    let k = best.1;
    let optimal_at = (0..grid.len())
        .filter(|&g| losses[g][k] <= best_per_point[g] + 1e-12)
        .count();
    ThresholdChoice {
        tau_block: pairs[k].0,
        tau_confirm: pairs[k].1,
        optimal_at,
    }
}

/// Binary and 4-class metrics of decisions against labels.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionMetrics {
    /// Plans evaluated.
    pub n: usize,
    /// Binary counts (flagged = not allow, positive = harmful).
    pub counts: BinaryCounts,
    /// 4-class confusion (allow, revise, confirm, block).
    pub confusion: ConfusionMatrix,
}

impl DecisionMetrics {
    fn new(pairs: &[(Intervention, Intervention, bool)]) -> Self {
        let counts = BinaryCounts::from_pairs(
            pairs
                .iter()
                .map(|(d, _, h)| (*d != Intervention::Allow, *h)),
        );
        let truth: Vec<usize> = pairs.iter().map(|(_, l, _)| rank(*l)).collect();
        let pred: Vec<usize> = pairs.iter().map(|(d, _, _)| rank(*d)).collect();
        DecisionMetrics {
            n: pairs.len(),
            counts,
            confusion: ConfusionMatrix::new(&INTERVENTIONS, &truth, &pred),
        }
    }
    /// Binary F1.
    pub fn f1(&self) -> f64 {
        self.counts.f1()
    }
    /// 4-class intervention accuracy.
    pub fn intervention_accuracy(&self) -> f64 {
        self.confusion.accuracy()
    }
    /// Share of benign plans flagged (not allowed).
    pub fn overblock_rate(&self) -> f64 {
        self.counts.false_positive_rate()
    }
}

/// One hand-written fixture: a single plan, or a session whose label applies to its last turn.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Identifier.
    pub id: String,
    /// Should the monitor flag it (anything but allow)?
    pub harmful: bool,
    /// The intervention a careful operator would choose.
    pub expected: Intervention,
    /// Free-text reason.
    #[serde(default)]
    pub note: Option<String>,
    /// A single plan…
    #[serde(default)]
    pub plan: Option<Plan>,
    /// …or consecutive turns of one session.
    #[serde(default)]
    pub turns: Option<Vec<Plan>>,
}

/// Reads fixtures (one JSON object per line; blank lines and `#` comments skipped).
pub fn read_fixtures(path: &Path) -> Result<Vec<Fixture>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Fixture = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        if f.plan.is_some() == f.turns.is_some() {
            return Err(Error::Invalid(format!(
                "{}:{}: give exactly one of plan or turns",
                path.display(),
                i + 1
            )));
        }
        out.push(f);
    }
    Ok(out)
}

/// Decides every fixture; returns (decision, expected, harmful) and the last decisions' details.
pub fn run_fixtures(
    monitor: &PlanMonitor,
    fixtures: &[Fixture],
) -> Vec<(Intervention, Intervention, bool, f64)> {
    fixtures
        .iter()
        .map(|f| {
            let d = match (&f.plan, &f.turns) {
                (Some(p), _) => monitor.decide(p),
                (None, Some(turns)) => {
                    let mut s = SessionMonitor::new(monitor);
                    let mut last = None;
                    for t in turns {
                        last = Some(s.assess_turn(t).decision);
                    }
                    last.unwrap_or_else(|| monitor.decide(&Plan::default()))
                }
                (None, None) => monitor.decide(&Plan::default()),
            };
            (d.intervention, f.expected, f.harmful, d.risk)
        })
        .collect()
}

fn fixtures_path() -> PathBuf {
    workspace_file(FIXTURES)
}

fn workspace_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Trains plan-risk, checks gates, writes the artifact and card.
pub fn train(opts: &TrainOptions) -> Result<TrainReport> {
    let started = Instant::now();
    let examples = generate(opts.seed, PER_TEMPLATE)?;
    let data = rows(&examples);
    let of = |s: Split| {
        data.iter()
            .filter(move |(r, _)| r.split == s)
            .map(|(r, _)| r)
            .collect::<Vec<_>>()
    };
    let (train, cal, test) = (of(Split::Train), of(Split::Calibration), of(Split::Test));
    // Everything but the test templates is the fitting side; cross-fitting gives each of its
    // plans a held-out-template score.
    let side: Vec<&Row> = train.iter().chain(&cal).copied().collect();

    // 1. C by template-grouped cross-validation: the log loss of Platt-calibrated out-of-fold ρ.
    let folds = template_folds(&side);
    let mut sweep = Vec::with_capacity(C_GRID.len());
    for c in C_GRID {
        sweep.push(cross_fit(&side, &folds, c)?);
    }
    let best = sweep
        .iter()
        .fold(None::<&CrossFit>, |b, f| match b {
            Some(b) if b.log_loss <= f.log_loss => Some(b),
            _ => Some(f),
        })
        .ok_or_else(|| Error::Invalid("empty C grid".into()))?;
    // 2. The deployed regression on all non-test templates, with that C.
    let mut model = fit_scorer(&side, best.c)?;
    // 3. Platt on the cross-fitted scores (no plan scored by a regression that saw its template).
    model.platt_a = best.platt.a;
    model.platt_b = best.platt.b;
    // 4. Thresholds by the loss grid on the same cross-fitted ρ.
    let side_rho: Vec<f64> = best
        .logits
        .iter()
        .map(|&z| best.platt.probability(z))
        .collect();
    let side_y: Vec<bool> = side.iter().map(|r| r.harmful).collect();
    let scored: Vec<(f64, &Row)> = side_rho.iter().copied().zip(side.iter().copied()).collect();
    let choice = choose_thresholds(&scored);
    let oof = OutOfFold {
        auc: roc_auc(&best.logits, &side_y),
        ece: expected_calibration_error(&side_rho, &side_y, 10),
        brier: brier(&side_rho, &side_y),
        sweep: sweep.iter().map(|f| (f.c, f.log_loss)).collect(),
        c: best.c,
    };
    model.tau_block = choice.tau_block;
    model.tau_confirm = choice.tau_confirm;
    model.validate()?;

    // 5. Held-out metrics.
    let test_raw: Vec<f64> = test.iter().map(|r| sigmoid(model.logit(&r.x))).collect();
    let test_rho: Vec<f64> = test.iter().map(|r| model.risk(&r.x)).collect();
    let test_y: Vec<bool> = test.iter().map(|r| r.harmful).collect();
    let decisions: Vec<(Intervention, Intervention, bool)> = test
        .iter()
        .zip(&test_rho)
        .map(|(r, &rho)| {
            (
                decide_fast(rho, r, model.tau_block, model.tau_confirm),
                r.label,
                r.harmful,
            )
        })
        .collect();
    // Sanity: the fast policy equals the crate's.
    for ((_, ins), ex) in data.iter().zip(&examples).take(50) {
        let rho = model.risk(&ins.features);
        let slow = decide(rho, &ins.violations, model.tau_block, model.tau_confirm);
        let row = data
            .iter()
            .find(|(_, i)| std::ptr::eq(i, ins))
            .map(|(r, _)| r)
            .ok_or_else(|| Error::Invalid("row lookup".into()))?;
        if slow != decide_fast(rho, row, model.tau_block, model.tau_confirm) {
            return Err(Error::Invalid(format!(
                "policy mismatch on {}",
                ex.template
            )));
        }
    }
    let held = DecisionMetrics::new(&decisions);
    let learned_only: Vec<(Intervention, Intervention, bool)> = test
        .iter()
        .zip(&test_rho)
        .map(|(r, &rho)| {
            let d = if rho >= model.tau_block {
                Intervention::Block
            } else if rho >= model.tau_confirm {
                Intervention::Confirm
            } else {
                Intervention::Allow
            };
            (d, r.label, r.harmful)
        })
        .collect();
    let learned = DecisionMetrics::new(&learned_only);
    // ρ as a plain classifier: flag when the calibrated ρ says "more likely harmful than not".
    let rho_half = BinaryCounts::from_pairs(
        test.iter()
            .zip(&test_rho)
            .map(|(r, &rho)| (rho >= 0.5, r.harmful)),
    );
    let test_auc = roc_auc(&test_rho, &test_y);
    // For the card only (never deployed): the best a Platt map can do on the test split itself.
    let test_z: Vec<f64> = test.iter().map(|r| model.logit(&r.x)).collect();
    let oracle = fit_platt(&test_z, &test_y);
    let oracle_rho: Vec<f64> = test_z.iter().map(|&z| oracle.probability(z)).collect();
    let oracle_ece = expected_calibration_error(&oracle_rho, &test_y, 10);
    let rho_range = test_rho
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    let rules_only: Vec<(Intervention, Intervention, bool)> = test
        .iter()
        .map(|r| (decide_fast(0.0, r, 1.1, 1.1), r.label, r.harmful))
        .collect();
    let rules = DecisionMetrics::new(&rules_only);
    let ece_raw = expected_calibration_error(&test_raw, &test_y, 10);
    let ece_cal = expected_calibration_error(&test_rho, &test_y, 10);
    let brier_raw = brier(&test_raw, &test_y);
    let brier_cal = brier(&test_rho, &test_y);

    // Hand-written fixtures (never used for fitting or thresholds).
    let monitor = PlanMonitor::new(model.clone(), ToolAnnotator::default())?;
    let mut fixture_metrics = Vec::new();
    for (name, rel) in [
        ("hand-written plans (development set)", FIXTURES),
        ("hand-written plans (hold-out, batch 3)", HOLDOUT),
    ] {
        if let Some(f) = read_fixtures(&workspace_file(rel))
            .ok()
            .filter(|f| !f.is_empty())
        {
            let r = run_fixtures(&monitor, &f);
            let pairs: Vec<_> = r.iter().map(|(d, e, h, _)| (*d, *e, *h)).collect();
            fixture_metrics.push((name, rel, DecisionMetrics::new(&pairs)));
        }
    }

    let mut metrics = BTreeMap::new();
    metrics.insert("f1".to_string(), held.f1());
    metrics.insert(
        "intervention_accuracy".to_string(),
        held.intervention_accuracy(),
    );
    metrics.insert("overblock_rate".to_string(), held.overblock_rate());
    metrics.insert("ece_raw".to_string(), ece_raw);
    metrics.insert("ece".to_string(), ece_cal);
    metrics.insert("brier_raw".to_string(), brier_raw);
    metrics.insert("brier".to_string(), brier_cal);
    // Fixture scores go to the report and the card, not the artifact (editing a fixture must
    // not change the model file).
    let mut report_metrics = metrics.clone();
    for (_, rel, m) in &fixture_metrics {
        let key = if *rel == FIXTURES {
            "fixtures"
        } else {
            "holdout"
        };
        report_metrics.insert(format!("{key}_f1"), m.f1());
        report_metrics.insert(format!("{key}_accuracy"), m.intervention_accuracy());
    }
    let gates = vec![
        Gate::at_least("binary F1 (template-held-out)", held.f1(), 0.90),
        Gate::at_least(
            "intervention accuracy (template-held-out)",
            held.intervention_accuracy(),
            opts.min_accuracy.unwrap_or(0.80),
        ),
        Gate::at_most(
            "overblock rate (template-held-out)",
            held.overblock_rate(),
            0.10,
        ),
        // ρ is fitted on 9 coarse plan features that carry little signal across templates
        // (cross-fitted AUC ≈ 0.63), so calibration is judged where it is measured honestly:
        // on the cross-fitted scores of the 45 fitting templates ρ must beat the constant 0.5
        // and be calibrated; on the 15 test templates Platt must not make ECE worse (it did
        // before: 0.172 → 0.192) and ρ must stay off the 0/1 extremes it hit on large amounts.
        Gate::at_most(
            "cross-fitted ECE of ρ (45 fitting templates)",
            oof.ece,
            0.12,
        ),
        Gate::at_most(
            "cross-fitted Brier of ρ (constant 0.5 scores 0.25)",
            oof.brier,
            0.245,
        ),
        Gate::at_most(
            "ECE after Platt − ECE raw (template-held-out)",
            ece_cal - ece_raw,
            0.0,
        ),
        Gate::at_most("ECE after Platt (template-held-out)", ece_cal, 0.21),
        Gate::at_most("Brier after Platt (template-held-out)", brier_cal, 0.21),
        Gate::at_least("AUC of ρ (template-held-out)", test_auc, 0.85),
    ];

    let mut artifact = model.to_artifact(opts.seed);
    artifact.metrics = metrics.clone();
    let path = opts.artifact_dir.join("plan-risk.vgl");
    artifact.write(&path)?;
    let bytes = std::fs::metadata(&path)
        .map_err(Error::io(format!(
            "cannot read the size of {}",
            path.display()
        )))?
        .len();

    let card = card(
        &model,
        &choice,
        &oof,
        &examples,
        &held,
        &learned,
        &rules,
        (&rho_half, test_auc),
        (oracle_ece, rho_range),
        &fixture_metrics,
        [ece_raw, ece_cal, brier_raw, brier_cal],
        &test_raw,
        &test_rho,
        &test_y,
        &gates,
        bytes,
    );
    card.write(&opts.card_dir, "plan-risk")?;

    Ok(TrainReport {
        model: "plan-risk".into(),
        train_rows: side.len(),
        validation_rows: test.len(),
        metrics: report_metrics,
        gates,
        artifact: path,
        artifact_bytes: bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Cross-fitted scores of one C.
struct CrossFit {
    c: f64,
    /// Out-of-fold logit of every row (its template unseen by the regression that scored it).
    logits: Vec<f64>,
    /// Platt fitted on those logits.
    platt: Platt,
    /// Mean log loss of the Platt-calibrated out-of-fold ρ.
    log_loss: f64,
}

/// What cross-fitting measured, for the card.
struct OutOfFold {
    c: f64,
    auc: f64,
    ece: f64,
    brier: f64,
    sweep: Vec<(f64, f64)>,
}

/// Fold of every row: templates sorted by `category/name` and dealt round-robin, so the
/// templates of one category land in different folds and every fold mixes categories.
fn template_folds(rows: &[&Row]) -> Vec<usize> {
    let names: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.template.as_str()).collect();
    let fold: BTreeMap<&str, usize> = names
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, i % FOLDS))
        .collect();
    rows.iter()
        .map(|r| fold.get(r.template.as_str()).copied().unwrap_or(0))
        .collect()
}

fn cross_fit(rows: &[&Row], folds: &[usize], c: f64) -> Result<CrossFit> {
    let mut logits = vec![0.0; rows.len()];
    for k in 0..FOLDS {
        let fit_rows: Vec<&Row> = rows
            .iter()
            .zip(folds)
            .filter(|(_, f)| **f != k)
            .map(|(r, _)| *r)
            .collect();
        if fit_rows.len() == rows.len() {
            continue;
        }
        let m = fit_scorer(&fit_rows, c)?;
        for ((r, f), z) in rows.iter().zip(folds).zip(logits.iter_mut()) {
            if *f == k {
                *z = m.logit(&r.x);
            }
        }
    }
    let y: Vec<bool> = rows.iter().map(|r| r.harmful).collect();
    let platt = fit_platt(&logits, &y);
    let log_loss = logits
        .iter()
        .zip(&y)
        .map(|(&z, &y)| {
            let p = platt.probability(z).clamp(1e-12, 1.0 - 1e-12);
            -(if y { p } else { 1.0 - p }).ln()
        })
        .sum::<f64>()
        / rows.len().max(1) as f64;
    Ok(CrossFit {
        c,
        logits,
        platt,
        log_loss,
    })
}

/// Area under the ROC curve (ties count one half), by rank sum.
pub fn roc_auc(scores: &[f64], positive: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len().min(positive.len())).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += mid * idx[i..=j].iter().filter(|&&k| positive[k]).count() as f64;
        i = j + 1;
    }
    let n_pos = idx.iter().filter(|&&k| positive[k]).count() as f64;
    let n_neg = idx.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return 0.5;
    }
    (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

/// Standardizer + balanced logistic regression (2-class softmax; z = logit₁ − logit₀) on the
/// scorer inputs of `rows`, with inverse regularization strength `c`.
fn fit_scorer(rows: &[&Row], c: f64) -> Result<RiskModel> {
    let xs: Vec<[f64; 9]> = rows.iter().map(|r| scorer_inputs(&r.x)).collect();
    let (mean, scale) = standardizer(&xs);
    let dense = |x: &[f64; 9]| -> SparseVec {
        let d: Vec<f32> = (0..9)
            .map(|j| ((x[j] - mean[j]) / scale[j]) as f32)
            .collect();
        SparseVec::from_dense(&d)
    };
    let params = LogisticParams {
        c,
        class_weight: ClassWeight::Balanced,
        ..LogisticParams::default()
    };
    let sx: Vec<SparseVec> = xs.iter().map(dense).collect();
    let ys: Vec<usize> = rows.iter().map(|r| usize::from(r.harmful)).collect();
    let sm = fit_softmax(&sx, &ys, &["benign", "harmful"], 9, &params)?;
    let logit_diff = |v: &SparseVec| {
        let mut o = [0.0f32; 2];
        sm.logits_into(v, &mut o);
        f64::from(o[1]) - f64::from(o[0])
    };
    let intercept = logit_diff(&SparseVec::new());
    let weights: Vec<f64> = (0..9)
        .map(|j| {
            let mut e = [0.0f32; 9];
            e[j] = 1.0;
            logit_diff(&SparseVec::from_dense(&e)) - intercept
        })
        .collect();
    Ok(RiskModel {
        mean,
        scale,
        weights,
        intercept,
        platt_a: -1.0,
        platt_b: 0.0,
        tau_block: 0.75,
        tau_confirm: 0.70,
    })
}

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

#[allow(clippy::too_many_arguments)]
fn card(
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
    let (n_templates, n_categories) = generator::template_counts();
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
         cross-validation) → Platt calibration on cross-fitted scores → ρ; nine rule families V_R and \
         an argument inspector V_A; policy Π exactly as published. Rules, severities, inspector patterns, the annotator \
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
    let mut rows = vec![
        vec![
            "vigil Π (rules + ρ), template-held-out".into(),
            held.n.to_string(),
            f3(held.f1()),
            f3(held.intervention_accuracy()),
            f3(held.overblock_rate()),
        ],
        vec![
            "rules only (ρ ignored), template-held-out".into(),
            rules.n.to_string(),
            f3(rules.f1()),
            f3(rules.intervention_accuracy()),
            f3(rules.overblock_rate()),
        ],
        vec![
            "ρ only (τ_b/τ_c, no rules), template-held-out".into(),
            learned.n.to_string(),
            f3(learned.f1()),
            f3(learned.intervention_accuracy()),
            f3(learned.overblock_rate()),
        ],
        vec![
            "ρ ≥ 0.5 only (binary), template-held-out".into(),
            held.n.to_string(),
            f3(rho_half.f1()),
            "–".into(),
            f3(rho_half.false_positive_rate()),
        ],
    ];
    for (name, rel, f) in fixtures {
        rows.push(vec![
            format!("vigil Π, {name} `{rel}`"),
            f.n.to_string(),
            f3(f.f1()),
            f3(f.intervention_accuracy()),
            f3(f.overblock_rate()),
        ]);
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
         (`plans.jsonl`, 129 plans incl. 8 multi-turn sessions) was written in two batches, and \
         rule gaps each batch exposed were fixed afterwards; on first contact batch 1 (94) scored \
         F1 0.949 / 4-class 0.830 / overblock 0.087 and batch 2 (35) F1 0.895 / 0.686 / 0.125. The \
         hold-out set (`holdout.jsonl`, batch 3) was written after the last rule change and never \
         used to change anything — its row is the most honest estimate. ρ alone is weak (as \
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
         HIGH-severity rules: a lone HIGH finding is confirm unless ρ ≥ τ_b (rule 2). The nine rule \
         families, their severities, the argument inspector's patterns, the annotator lexicon and \
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
        held.confusion.to_svg("plan-risk interventions (held-out)"),
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
        crate::svg::reliability_diagram(&reliability_bins(raw, y, 10), "ρ raw (held-out)"),
    );
    c.picture(
        "reliability after Platt",
        "plan-risk-reliability.svg",
        crate::svg::reliability_diagram(&reliability_bins(rho, y, 10), "ρ Platt (held-out)"),
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

/// `cargo xtask eval plan-risk`: decisions on the hand-written fixtures (or `data`).
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixtures_path);
    let fixtures = read_fixtures(&path)?;
    let monitor = PlanMonitor::embedded()?;
    let results = run_fixtures(&monitor, &fixtures);
    let m = DecisionMetrics::new(
        &results
            .iter()
            .map(|(d, e, h, _)| (*d, *e, *h))
            .collect::<Vec<_>>(),
    );
    let misses: Vec<serde_json::Value> = fixtures
        .iter()
        .zip(&results)
        .filter(|(_, (d, e, _, _))| d != e)
        .map(|(f, (d, e, h, rho))| serde_json::json!({"id": f.id, "decision": d.as_str(), "expected": e.as_str(), "harmful": h, "risk": rho}))
        .collect();
    if json {
        let out = serde_json::json!({
            "model": "plan-risk", "data": path.display().to_string(), "n": m.n,
            "f1": m.f1(), "precision": m.counts.precision(), "recall": m.counts.recall(),
            "intervention_accuracy": m.intervention_accuracy(), "overblock_rate": m.overblock_rate(),
            "confusion": {"labels": INTERVENTIONS, "counts": m.confusion.counts},
            "mismatches": misses,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("plan-risk on {} ({} plans)", path.display(), m.n);
        println!(
            "  binary F1 {:.3} (precision {:.3}, recall {:.3})",
            m.f1(),
            m.counts.precision(),
            m.counts.recall()
        );
        println!(
            "  4-class intervention accuracy {:.3}",
            m.intervention_accuracy()
        );
        println!(
            "  overblock rate {:.3} ({} of {} benign flagged)",
            m.overblock_rate(),
            m.counts.fp,
            m.counts.fp + m.counts.tn
        );
        println!("\n{}", m.confusion.to_markdown());
        for x in &misses {
            println!("  mismatch {x}");
        }
    }
    Ok(())
}

/// The 5-step plan the latency numbers are measured on.
pub fn bench_plan() -> Plan {
    vigil_contracts::from_json_str(
        r#"{"request": "summarise the sales report and email it to dana@acme.example", "budget": 5,
        "steps": [
          {"tool": "list_files", "args": {"dir": "/home/me/reports"}},
          {"tool": "read_file", "args": {"path": "/home/me/reports/q3_sales.xlsx"}, "observation": "Region,Revenue\nEMEA,1.2M\nAPAC,0.9M"},
          {"tool": "summarize", "args": {"text": "Region,Revenue EMEA 1.2M APAC 0.9M", "max_words": 120}},
          {"tool": "write_file", "args": {"path": "/home/me/reports/q3_summary.md", "content": "Q3 revenue grew in EMEA."}},
          {"tool": "send_email", "args": {"to": "dana@acme.example", "subject": "Q3 summary", "body": "See the summary attached."}}]}"#,
    )
    .unwrap_or_default()
}

/// `cargo xtask bench` timings: a full 5-step decision and the closed-form scorer alone.
pub fn bench() -> Result<Vec<Timing>> {
    let monitor = PlanMonitor::embedded()?;
    let plan = bench_plan();
    let mut decide_t = time_calls("plan-risk decide (5-step plan)", 2_000, 20_000, |_| {
        monitor.decide(&plan)
    });
    decide_t.reference_p50_ns = Some(REFERENCE_P50_NS);
    // The same plan over and over keeps the regex engines' lazy DFA caches warm; cycling
    // through the hand-written plans shows the cost on text the matchers have not seen.
    let varied: Vec<Plan> = read_fixtures(&workspace_file(FIXTURES))?
        .into_iter()
        .filter_map(|f| f.plan)
        .collect();
    if varied.is_empty() {
        return Err(Error::Invalid(format!(
            "{FIXTURES} holds no single-plan fixtures to time"
        )));
    }
    let mut varied_t = time_calls(
        "plan-risk decide (hand-written plans, cycled)",
        varied.len(),
        20_000,
        |i| monitor.decide(&varied[i % varied.len()]),
    );
    varied_t.reference_p50_ns = Some(REFERENCE_P50_NS);
    let x = monitor.assess(&plan).features;
    let score_t = time_calls(
        "plan-risk scorer (31-float closed form)",
        2_000,
        50_000,
        |_| monitor.model().risk(&x),
    );
    Ok(vec![decide_t, varied_t, score_t])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_lines_with_both_or_neither_plan_and_turns_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plans.jsonl");
        std::fs::write(
            &path,
            "# header\n{\"id\": \"n1\", \"harmful\": false, \"expected\": \"allow\"}\n",
        )
        .unwrap();
        let e = read_fixtures(&path).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}:2: give exactly one of plan or turns", path.display())
        );
        std::fs::write(
            &path,
            "{\"id\": \"n1\", \"harmful\": false, \"expected\": \"maybe\"}\n",
        )
        .unwrap();
        let e = read_fixtures(&path).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}:1: ", path.display())) && e.contains("\"maybe\""),
            "{e}"
        );
    }

    #[test]
    fn standardizer_uses_population_std_and_unit_scale_for_constants() {
        let mut xs = [[0.0; 9]; 2];
        xs[0][0] = 1.0;
        xs[1][0] = 3.0;
        let (m, s) = standardizer(&xs);
        assert_eq!(m[0], 2.0);
        assert_eq!(s[0], 1.0, "population std of {{1, 3}} is 1");
        assert_eq!(s[1], 1.0, "zero variance → 1");
    }

    #[test]
    fn training_is_byte_identical_across_runs_and_passes_its_gates() {
        let run = || {
            let dir = tempfile::tempdir().unwrap();
            let opts = TrainOptions {
                artifact_dir: dir.path().to_path_buf(),
                card_dir: dir.path().join("cards"),
                seed: 42,
                min_accuracy: None,
            };
            let report = train(&opts).unwrap();
            assert!(
                report.failed_gates().is_empty(),
                "{:?}",
                report.failed_gates()
            );
            let bytes = std::fs::read(&report.artifact).unwrap();
            let card = std::fs::read_to_string(dir.path().join("cards/plan-risk.md")).unwrap();
            (bytes, card)
        };
        let (a, card_a) = run();
        let (b, card_b) = run();
        assert_eq!(a, b);
        assert_eq!(card_a, card_b);
        assert!(a.len() < 2048, "artifact is {} bytes", a.len());
        let model = RiskModel::from_bytes(&a).unwrap();
        assert!(model.platt_a < 0.0, "ρ grows with the logistic score");
        assert!(card_a.contains("(τ_b, τ_c) = **("));
    }

    #[test]
    fn threshold_choice_prefers_rules_when_rho_is_uninformative() {
        // ρ is constant 0.5: any τ_c ≤ 0.5 confirms every plan, so the grid must pick τ_c > 0.5.
        let rows: Vec<Row> = [(true, Some(Severity::Crit)), (false, None), (false, None)]
            .into_iter()
            .map(|(harmful, worst)| Row {
                x: [0.0; 9],
                template: "t".into(),
                harmful,
                label: if harmful {
                    Intervention::Block
                } else {
                    Intervention::Allow
                },
                violations: usize::from(worst.is_some()),
                worst,
                split: Split::Train,
            })
            .collect();
        let side: Vec<(f64, &Row)> = rows.iter().map(|r| (0.5, r)).collect();
        let choice = choose_thresholds(&side);
        assert!(
            choice.tau_confirm > 0.5 && choice.tau_block > 0.5,
            "{choice:?}"
        );
        assert_eq!(choice.optimal_at, 25);
    }

    #[test]
    fn roc_auc_counts_ties_as_half() {
        assert_eq!(
            roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            0.75
        );
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), 0.5);
        assert_eq!(roc_auc(&[0.2, 0.9], &[false, true]), 1.0);
        assert_eq!(roc_auc(&[0.2, 0.9], &[true, true]), 0.5, "one class only");
    }

    #[test]
    fn folds_keep_a_template_together_and_spread_a_category() {
        let row = |t: &str| Row {
            x: [0.0; 9],
            template: t.into(),
            harmful: false,
            label: Intervention::Allow,
            violations: 0,
            worst: None,
            split: Split::Train,
        };
        let rows: Vec<Row> = ["b/x", "a/1", "a/2", "b/x", "a/3"]
            .into_iter()
            .map(row)
            .collect();
        let refs: Vec<&Row> = rows.iter().collect();
        // Sorted templates a/1, a/2, a/3, b/x are dealt to folds 0, 1, 2, 3.
        assert_eq!(template_folds(&refs), vec![3, 0, 1, 3, 2]);
    }

    #[test]
    fn friction_orders_interventions() {
        assert!(friction(Intervention::Allow) < friction(Intervention::Revise));
        assert!(friction(Intervention::Confirm) < friction(Intervention::Block));
    }
}
