//! Rule family 9, `untrusted_input`: a step after an observation that carried instructions
//! ([`injection_cues`]), which the request does not ground.

use vigil_contracts::{Severity, Violation};

use super::injection::injection_cues;
use super::permissions::is_privileged;
use super::{Prior, report};
use crate::context::StepContext;

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

    /// An ungrounded step after injected instructions: crit when it is irreversible, networked,
    /// sensitive or privileged, med otherwise. Then reads the step's own observation; returns
    /// the injection cues found there.
    pub(super) fn check(
        &mut self,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) -> Vec<&'static str> {
        let ann = s.annotation;
        if let Some(src) = self.injected_seen.as_ref().filter(|_| !s.grounded) {
            let risky = ann.irreversible || ann.network || ann.sensitive || is_privileged(ann);
            let sev = if risky { Severity::Crit } else { Severity::Med };
            report(
                out,
                "untrusted_input",
                sev,
                Some(s.index),
                format!(
                    "{} follows instructions in {src} and is not grounded in the request",
                    s.step.tool
                ),
            );
        }
        let cues = s
            .step
            .observation
            .as_deref()
            .map(injection_cues)
            .unwrap_or_default();
        if !cues.is_empty() {
            self.injected_seen = Some(format!(
                "step {} observation ({})",
                s.index,
                cues.join(", ")
            ));
        }
        cues
    }
}
