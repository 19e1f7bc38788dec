//! Rule family 12, `unrequested_action`: a step that changes something, which the request did
//! not ask for, after the agent read content (a step's observation) that could have told it to.
//!
//! That is the shape of an indirect injection whether or not the observation classifier saw
//! the instruction: the user asks to read a review, a tweet or an e-mail, and the next step
//! changes a traffic light, redirects a shipment or leaves a channel. Irreversible steps are
//! `irreversible`'s (family 2) and steps after a detected injection are `untrusted_input`'s
//! (family 9); this family covers the reversible ones those leave. **Med** (revise) with a
//! request; nothing without one (no request grounds any step, so every step would fire).
//!
//! A change before any content was read is also **med** when the request asks for no change at
//! all ("show my contacts" and the plan first rewrites Bob's e-mail address): with the order of
//! the steps swapped it was already flagged, and an order must not decide it.
//!
//! **Crit** (block) for a change the request rules out in so many words and asks for nowhere
//! else ([`Request::rules_out`](crate::grounding::Request::rules_out): "don't pay anything yet",
//! "do not delete any files"): the step does what the user forbade.
//!
//! **High** (confirm), irreversible steps included, when the step's target is an identifier
//! (an account, guest id, IBAN, address: [`is_entity`]) that the agent read in an earlier
//! step's output and the request never names: the step acts on what the content said, which is
//! how an instruction hidden there looks once followed.

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::Action;

use super::report;
use crate::context::{PlanContext, StepContext, is_entity};

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
        if ctx.request().rules_out(s.annotation.action) && !s.grounded {
            // "Don't pay anything yet", "do not delete any files": the step does what the user
            // forbade. Not a guess about intent, so it blocks whatever came before it.
            report(
                out,
                "unrequested_action",
                Severity::Crit,
                Some(s.index),
                format!(
                    "{} ({}) is what the request rules out",
                    s.step.tool,
                    s.annotation.action.as_str()
                ),
            );
            return self.note_read(s);
        }
        let changes_early = self.first_read.is_none()
            && !s.grounded
            && !s.annotation.irreversible
            && s.annotation.action.changes()
            && s.annotation.action != Action::Execute
            && ctx.request().asks_for_no_change();
        if changes_early {
            report(
                out,
                "unrequested_action",
                Severity::Med,
                Some(s.index),
                format!(
                    "{} ({}) changes something and the request only asks to look",
                    s.step.tool,
                    s.annotation.action.as_str()
                ),
            );
        }
        if let Some(read) = self.first_read {
            if s.annotation.action.changes() && !s.grounded && ctx.request().is_present() {
                let read_text = ctx.trusted_text(s.index);
                let from_content = s.arg_strings().iter().map(|a| a.trim()).find(|t| {
                    is_entity(t) && {
                        let l = t.to_lowercase();
                        read_text.contains(&l) && !ctx.request().mentions(&l)
                    }
                });
                let what = format!(
                    "{} ({}) was not asked for and follows content the agent read (step {read})",
                    s.step.tool,
                    s.annotation.action.as_str()
                );
                if let Some(entity) = from_content {
                    report(
                        out,
                        "unrequested_action",
                        Severity::High,
                        Some(s.index),
                        format!(
                            "{what}; its target \"{}\" comes from that content, not the request",
                            vigil_contracts::text::ellipsize(entity, 60)
                        ),
                    );
                } else if !s.annotation.irreversible {
                    report(
                        out,
                        "unrequested_action",
                        Severity::Med,
                        Some(s.index),
                        what,
                    );
                }
            }
        }
        self.note_read(s);
    }

    /// Notes the first step that returned content.
    fn note_read(&mut self, s: StepContext<'_>) {
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
