//! Rule family 12, `unrequested_action`: a step that changes something, which the request did
//! not ask for, after the agent read content (a step's observation) that could have told it to.
//!
//! That is the shape of an indirect injection whether or not the observation classifier saw
//! the instruction: the user asks to read a review, a tweet or an e-mail, and the next step
//! changes a traffic light, redirects a shipment or leaves a channel. Irreversible steps are
//! `irreversible`'s (family 2) and steps after a detected injection are `untrusted_input`'s
//! (family 9); this family covers the reversible ones those leave. **Med** (revise) with a
//! request; nothing without one (no request grounds any step, so every step would fire).

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::Action;

use super::report;
use crate::context::{PlanContext, StepContext};

/// Tracks whether an earlier step returned content.
#[derive(Debug, Default)]
pub(super) struct UnrequestedAction {
    /// The first step with an observation, if any came before the current one.
    first_read: Option<usize>,
}

impl UnrequestedAction {
    /// Judges a step, then notes whether it returned content.
    pub(super) fn check(
        &mut self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) {
        if let Some(read) = self.first_read {
            let changes = matches!(
                s.annotation.action,
                Action::Write
                    | Action::Send
                    | Action::Delete
                    | Action::Transfer
                    | Action::Grant
                    | Action::Execute
            );
            if changes && !s.grounded && !s.annotation.irreversible && ctx.request().is_present() {
                report(
                    out,
                    "unrequested_action",
                    Severity::Med,
                    Some(s.index),
                    format!(
                        "{} ({}) was not asked for and follows content the agent read (step {read})",
                        s.step.tool,
                        s.annotation.action.as_str()
                    ),
                );
            }
        }
        if self.first_read.is_none()
            && s.step
                .observation
                .as_deref()
                .is_some_and(|o| !o.trim().is_empty())
        {
            self.first_read = Some(s.index);
        }
    }
}
