//! What the crate answers: should this plan run? [`PlanMonitor::decide`] walks a plan once:
//! [`PlanContext`] (annotations, features, request, argument strings) → V_R ([`plan_rules`])
//! ∪ V_A ([`inspect_step`]) → ρ ([`RiskModel::risk`]) → Π
//! ([`policy::decide`](crate::policy::decide)).

use std::path::Path;

use serde::Serialize;
use vigil_contracts::{Intervention, PlanDecision, Severity, Violation};
use vigil_features::plan::{PLAN_FEATURES, StepAnnotation, ToolAnnotator};

use crate::Result;
use crate::context::{PlanContext, PlanView};
use crate::inspector::inspect_step;
use crate::model::RiskModel;
use crate::policy::decide;
use crate::rules::{Prior, StepFacts, Tally, plan_rules};

/// Everything the model-independent part of the monitor finds in a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    /// The 9 NEXUS features, in order.
    pub features: [f64; 9],
    /// Every step with its annotations filled in.
    pub annotations: Vec<StepAnnotation>,
    /// V_R ∪ V_A, worst first (then by step).
    pub violations: Vec<Violation>,
    /// Per-step grounding and injection facts.
    #[serde(skip)]
    pub facts: Vec<StepFacts>,
}

/// Runs the annotator, the rules and the inspector (no model needed) on a
/// [`Plan`](vigil_contracts::Plan) or a [`RawPlan`](vigil_contracts::plan::RawPlan).
pub fn inspect<'p>(
    annotator: &ToolAnnotator,
    plan: impl Into<PlanView<'p>>,
    prior: &Prior,
) -> Inspection {
    let context = PlanContext::new(annotator, plan);
    let (violations, facts) = find_violations(&context, prior);
    Inspection::of(context, violations, facts)
}

/// V_R ∪ V_A of a plan, worst first (then by step), and the rules' per-step facts.
pub(crate) fn find_violations(
    context: &PlanContext<'_>,
    prior: &Prior,
) -> (Vec<Violation>, Vec<StepFacts>) {
    let mut violations = Vec::new();
    let facts = plan_rules(context, prior, &mut violations);
    let mut tally = Tally::after(&violations);
    context.for_each_step(|step| {
        inspect_step(context, step, &mut violations);
        tally.condense(&mut violations);
    });
    tally.finish(&mut violations);
    sort_violations(&mut violations);
    (violations, facts)
}

impl Inspection {
    /// The inspection of a walked plan: its context's features and annotations, and what the
    /// stages found.
    pub(crate) fn of(
        context: PlanContext<'_>,
        violations: Vec<Violation>,
        facts: Vec<StepFacts>,
    ) -> Self {
        Inspection {
            features: *context.features(),
            annotations: context.into_annotations(),
            violations,
            facts,
        }
    }
}

/// Worst first, then by step (plan-level last); stable otherwise.
pub fn sort_violations(v: &mut [Violation]) {
    v.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then(
            a.step
                .unwrap_or(usize::MAX)
                .cmp(&b.step.unwrap_or(usize::MAX)),
        )
    });
}

/// A decision with the features that fed ρ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Intervention, ρ and the violations that drove it.
    pub decision: PlanDecision,
    /// The 9 NEXUS features.
    pub features: [f64; 9],
}

impl Assessment {
    /// The features as a name → value JSON object, in NEXUS order.
    pub fn features_json(&self) -> serde_json::Map<String, serde_json::Value> {
        PLAN_FEATURES
            .iter()
            .zip(self.features)
            .map(|(n, x)| ((*n).to_owned(), serde_json::json!(x)))
            .collect()
    }
}

/// The NEXUS-style plan monitor.
#[derive(Debug, Clone)]
pub struct PlanMonitor {
    model: RiskModel,
    annotator: ToolAnnotator,
}

impl PlanMonitor {
    /// A monitor from a (validated) model and an annotator.
    pub fn new(model: RiskModel, annotator: ToolAnnotator) -> Result<Self> {
        model.validate()?;
        // Every pattern set and the observation classifier are built here, once per process,
        // so the first plan costs what the hundredth does.
        crate::rules::warm_up();
        crate::grounding::warm_up();
        crate::inspector::warm_up();
        vigil_features::plan::warm_up();
        Ok(PlanMonitor { model, annotator })
    }

    /// The embedded model with the default lexicon.
    pub fn embedded() -> Result<Self> {
        Self::new(RiskModel::embedded()?, ToolAnnotator::default())
    }

    /// Model by precedence (explicit path, `VIGIL_PLAN_RISK_MODEL`, embedded) with `annotator`.
    pub fn load(explicit: Option<&Path>, annotator: ToolAnnotator) -> Result<Self> {
        Self::new(RiskModel::load(explicit)?, annotator)
    }

    /// The risk model.
    pub fn model(&self) -> &RiskModel {
        &self.model
    }

    /// The annotator.
    pub fn annotator(&self) -> &ToolAnnotator {
        &self.annotator
    }

    /// Decides on one plan ([`Plan`](vigil_contracts::Plan) or
    /// [`RawPlan`](vigil_contracts::plan::RawPlan)).
    pub fn decide<'p>(&self, plan: impl Into<PlanView<'p>>) -> PlanDecision {
        self.assess(plan).decision
    }

    /// Decides on one plan and returns its features too.
    pub fn assess<'p>(&self, plan: impl Into<PlanView<'p>>) -> Assessment {
        self.finish(inspect(&self.annotator, plan, &Prior::default()))
    }

    /// Scores an inspection and applies Π. When ρ alone lifted the decision, a `risk_score`
    /// note (low) is appended after the policy ran, so every decision says what drove it.
    /// A plan with no steps does nothing: its ρ is 0.
    pub fn finish(&self, inspection: Inspection) -> Assessment {
        let risk = if inspection.annotations.is_empty() {
            0.0
        } else {
            self.model.risk(&inspection.features)
        };
        let intervention = decide(
            risk,
            &inspection.violations,
            self.model.tau_block,
            self.model.tau_confirm,
        );
        let mut violations = inspection.violations;
        let worst = violations.iter().map(|v| v.severity).max();
        let rho_drove = match intervention {
            Intervention::Block => worst != Some(Severity::Crit),
            Intervention::Confirm => worst != Some(Severity::High),
            _ => false,
        };
        if rho_drove {
            violations.push(Violation {
                rule: "risk_score".into(),
                severity: Severity::Low,
                step: None,
                detail: format!(
                    "ρ = {risk:.3} ≥ {} = {:.2}",
                    if intervention == Intervention::Block {
                        "τ_b"
                    } else {
                        "τ_c"
                    },
                    if intervention == Intervention::Block {
                        self.model.tau_block
                    } else {
                        self.model.tau_confirm
                    }
                ),
            });
        }
        Assessment {
            decision: PlanDecision {
                intervention,
                risk,
                violations,
            },
            features: inspection.features,
        }
    }
}
