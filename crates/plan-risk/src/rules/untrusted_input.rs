//! Rule family 9, `untrusted_input`: steps after an observation that carried instructions
//! ([`scan_observation`](super::injection::scan_observation): the instruction patterns and the
//! `vigil-injection` classifier).
//!
//! After such an observation, a step the request does not ground (its action is not asked
//! for, or it names an entity only the injected observation introduced) is **crit** (block); a
//! grounded step that acts (anything but a read) is **high** (confirm). The violation names the
//! observation's step, the cues and the span that fired.

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::Action;

use super::{Prior, report};
use crate::context::{PlanContext, StepContext};

/// The family, with where instructions were last seen.
pub(super) struct UntrustedInput {
    /// The latest observation (this plan's or an earlier turn's) that carried instructions.
    injected_seen: Option<String>,
}

impl UntrustedInput {
    /// Starts from what earlier turns saw.
    pub(super) fn after(prior: &Prior) -> Self {
        UntrustedInput {
            injected_seen: prior.injected.clone(),
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
            }
        }
        let scan = ctx.scan(s.index);
        if scan.injected() {
            self.injected_seen =
                Some(scan.describe(s.index, s.step.observation.as_deref().unwrap_or("")));
        }
        scan.cues.clone()
    }
}
