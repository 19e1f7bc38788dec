//! Rule family 9, `untrusted_input`: steps after an observation that carried instructions
//! ([`scan_observation`](super::injection::scan_observation): the instruction patterns and the
//! `vigil-injection` classifier).
//!
//! After such an observation, a step the request does not ground (its action is not asked
//! for, or it names an entity only the injected observation introduced) is **crit** (block); a
//! grounded step that acts (anything but a read) is **high** (confirm). The violation names the
//! observation's step, the cues and the span that fired.
//!
//! An injected observation of this plan that no later step has acted on yet (the plan ends with
//! it, or only grounded reads follow) is reported **low**: the decision does not change (Π
//! allows on low findings, and only a plan whose ρ already reaches τ_b counts it towards a
//! block), but the instructions now sit in the agent's context, and a runtime
//! that checks before each step learns which observation and span to quote or strip before the
//! model's next turn. Made med (revise) instead, it caught every hijacked AgentDojo plan whose
//! attack shows only in an observation (recall 0.834 → 1.000) but flagged 11 more benign plans on
//! the detector's false alarms on long documents (FPR 0.196 → 0.309), and it would flag a trace
//! whose agent saw an injection and declined it. An earlier turn's injection is not reported
//! again here; its effect is on the steps that follow it.

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::Action;

use super::{Prior, report};
use crate::context::{PlanContext, StepContext};

/// The family, with where instructions were last seen.
pub(super) struct UntrustedInput {
    /// The latest observation (this plan's or an earlier turn's) that carried instructions.
    injected_seen: Option<String>,
    /// The step of this plan's latest injected observation (the one `injected_seen`
    /// describes) while no finding has answered it yet.
    pending: Option<usize>,
}

impl UntrustedInput {
    /// Starts from what earlier turns saw.
    pub(super) fn after(prior: &Prior) -> Self {
        UntrustedInput {
            injected_seen: prior.injected.clone(),
            pending: None,
        }
    }

    /// Judges a step against the instructions seen so far, then reads the step's own
    /// observation; returns the injection cues found there.
    pub(super) fn check(
        &mut self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) -> Vec<&'static str> {
        if let Some(src) = self.injected_seen.as_ref() {
            if !s.grounded {
                report(
                    out,
                    "untrusted_input",
                    Severity::Crit,
                    Some(s.index),
                    format!(
                        "{} follows instructions in {src} and is not grounded in the request",
                        s.step.tool
                    ),
                );
                self.pending = None;
            } else if s.annotation.action != Action::Read {
                report(
                    out,
                    "untrusted_input",
                    Severity::High,
                    Some(s.index),
                    format!(
                        "{} is asked for, but runs after instructions in {src}: confirm",
                        s.step.tool
                    ),
                );
                self.pending = None;
            }
        }
        let scan = ctx.scan(s.index);
        if scan.injected() {
            self.pending = Some(s.index);
            self.injected_seen =
                Some(scan.describe(s.index, s.step.observation.as_deref().unwrap_or("")));
        }
        scan.cues.clone()
    }

    /// After the last step: reports this plan's injected observation that no step acted on.
    pub(super) fn finish(self, out: &mut Vec<Violation>) {
        if let (Some(step), Some(src)) = (self.pending, self.injected_seen) {
            report(
                out,
                "untrusted_input",
                Severity::Low,
                Some(step),
                format!(
                    "instructions in {src} are in the agent's context and no step has acted \
                     on them yet: quote or strip them before the next step"
                ),
            );
        }
    }
}
