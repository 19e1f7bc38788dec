//! Multi-turn session memory: a harmful step split across turns is caught on the turn it
//! completes.
//!
//! State kept between turns:
//! - **exposed entities** — where sensitive data was read (turn, step, tool) and the argument
//!   values that named it (paths, tables), so a later outbound send to an endpoint the request
//!   does not name is `session.cross_step_exfiltration` (crit), even with `allow_sensitive` on the
//!   turn that read it;
//! - **injected observations** — instructions seen in an earlier turn's tool output keep later
//!   ungrounded steps under `untrusted_input`;
//! - **cumulative permissions** — `session.cumulative_permissions` (low) once the session has
//!   needed ≥ 8 distinct scopes (at most [`MAX_REMEMBERED_PERMISSIONS`] are remembered);
//! - **repeated unsafe attempts** — after 2 turns that were not allowed, a further turn with a
//!   med finding adds `session.repeated_unsafe_attempts` high; with a high/crit finding (or
//!   after 4 attempts) crit;
//! - **cumulative cost** — against the session budget (the latest budget given):
//!   `session.cumulative_budget` med above 100 %, high above 300 %;
//! - **cumulative transfers** — the amounts moved by transfer steps
//!   ([`money`](crate::rules::money)), summed over the turns: a turn that moves money once the
//!   session has moved more than [`SESSION_TRANSFER_LIMIT`] gets `session.cumulative_transfers`,
//!   med (revise), high (confirm) above three times the limit. Amounts are in whatever currency
//!   the tools use; the limit is a default for a personal assistant, not a bank's policy.

use std::collections::BTreeSet;

use vigil_contracts::{Intervention, Severity, Violation};
use vigil_features::plan::Action;

use crate::context::{PlanContext, PlanView};
use crate::decide::{Assessment, Inspection, PlanMonitor, find_violations, sort_violations};
use crate::rules::Prior;

/// Money a session may move in all (summed `amount`s of its transfer steps) before each further
/// transfer is sent back for revision (med); above 3× it needs confirmation (high).
pub const SESSION_TRANSFER_LIMIT: f64 = 10_000.0;
/// Where the session's money total stops counting: each amount is taken up to it and the
/// total saturates there, so a total stays finite (an infinite one could not be stored, and
/// the session would be unusable from then on) and is still far over any limit.
pub const SESSION_TRANSFER_CAP: f64 = 1e15;

/// Distinct permission scopes a session remembers at most (its record stays small).
pub const MAX_REMEMBERED_PERMISSIONS: usize = 1024;
/// A remembered scope is its first this many bytes.
pub const MAX_REMEMBERED_SCOPE_BYTES: usize = 256;

/// What the session remembers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionState {
    /// Turns seen so far.
    pub turn: usize,
    /// Exposure and injection facts carried into the next turn.
    pub prior: Prior,
    /// Every permission scope needed so far.
    pub permissions: BTreeSet<String>,
    /// Turns decided block or confirm.
    pub unsafe_attempts: u32,
    /// Sum of `est_total_cost` over the turns.
    pub cumulative_cost: f64,
    /// Latest budget given.
    pub budget: Option<f64>,
    /// Sum of the amounts moved by transfer steps over the turns.
    pub transferred: f64,
}

/// A monitor with memory across the turns of one agent session.
#[derive(Debug, Clone)]
pub struct SessionMonitor<'m> {
    monitor: &'m PlanMonitor,
    state: SessionState,
}

impl<'m> SessionMonitor<'m> {
    /// A fresh session.
    pub fn new(monitor: &'m PlanMonitor) -> Self {
        SessionMonitor {
            monitor,
            state: SessionState::default(),
        }
    }

    /// A session resumed from a stored state (see [`crate::session_store`]).
    pub fn resume(monitor: &'m PlanMonitor, state: SessionState) -> Self {
        SessionMonitor { monitor, state }
    }

    /// The state so far.
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// The state, to store it.
    pub fn into_state(self) -> SessionState {
        self.state
    }

    /// Decides on the next turn's plan ([`Plan`](vigil_contracts::Plan) or
    /// [`RawPlan`](vigil_contracts::plan::RawPlan)) and updates the memory.
    pub fn assess_turn<'p>(&mut self, plan: impl Into<PlanView<'p>>) -> Assessment {
        let turn = self.state.turn;
        let context = PlanContext::new(self.monitor.annotator(), plan);
        let (mut violations, facts) = find_violations(&context, &self.state.prior);
        let features = context.features();
        let st = &mut self.state;

        let had = st.permissions.len();
        // Bounded like the exposed entities: the rule needs only the count to reach 8, and a
        // session store must not grow with whatever scopes a plan lists (40 turns of 20,000
        // long scopes once made a 93 MB session record that slowed every turn after it).
        for p in context.annotations().iter().flat_map(|a| &a.permissions) {
            if st.permissions.len() >= MAX_REMEMBERED_PERMISSIONS {
                break;
            }
            let p = vigil_contracts::text::prefix_within(p, MAX_REMEMBERED_SCOPE_BYTES);
            if !st.permissions.contains(p) {
                st.permissions.insert(p.to_owned());
            }
        }
        if had < 8 && st.permissions.len() >= 8 {
            violations.push(Violation {
                rule: "session.cumulative_permissions".into(),
                severity: Severity::Low,
                step: None,
                detail: format!(
                    "the session now needs {} distinct permission scopes",
                    st.permissions.len()
                ),
            });
        }
        st.cumulative_cost += features[6];
        if context.budget().is_some() {
            st.budget = context.budget();
        }
        if let Some(b) = st.budget {
            let used = if b > 0.0 {
                st.cumulative_cost / b
            } else if st.cumulative_cost > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            if used > 1.0 && features[7] <= 1.0 {
                violations.push(Violation {
                    rule: "session.cumulative_budget".into(),
                    severity: if used > 3.0 {
                        Severity::High
                    } else {
                        Severity::Med
                    },
                    step: None,
                    detail: format!(
                        "session cost {:.2} exceeds the budget {b:.2}",
                        st.cumulative_cost
                    ),
                });
            }
        }
        let moved: f64 = facts
            .iter()
            .filter_map(|f| f.transfer)
            .map(f64::abs)
            .filter(|a| a.is_finite())
            .map(|a| a.min(SESSION_TRANSFER_CAP))
            .sum();
        let transfers = facts.iter().filter(|f| f.transfer.is_some()).count();
        st.transferred = (st.transferred + moved).min(SESSION_TRANSFER_CAP);
        if transfers > 0 && st.transferred > SESSION_TRANSFER_LIMIT {
            let last = facts.iter().rposition(|f| f.transfer.is_some());
            violations.push(Violation {
                rule: "session.cumulative_transfers".into(),
                severity: if st.transferred > 3.0 * SESSION_TRANSFER_LIMIT {
                    Severity::High
                } else {
                    Severity::Med
                },
                step: last,
                detail: format!(
                    "the session has moved {:.2} in all, over the limit of {SESSION_TRANSFER_LIMIT:.0}",
                    st.transferred
                ),
            });
        }
        let worst = violations.iter().map(|v| v.severity).max();
        if st.unsafe_attempts >= 2 && worst >= Some(Severity::Med) {
            // An agent that keeps trying: a high-risk retry is blocked, a medium one confirmed.
            let severity = if st.unsafe_attempts >= 4 || worst >= Some(Severity::High) {
                Severity::Crit
            } else {
                Severity::High
            };
            violations.push(Violation {
                rule: "session.repeated_unsafe_attempts".into(),
                severity,
                step: None,
                detail: format!(
                    "{} earlier turns were blocked or sent for confirmation",
                    st.unsafe_attempts
                ),
            });
        }
        sort_violations(&mut violations);

        // Carry exposure and injection forward.
        let allow_sensitive = context.allow_sensitive();
        context.for_each_step(|s| {
            let (i, ann, facts) = (s.index, s.annotation, &facts[s.index]);
            // Under allow_sensitive the user has said this turn touches sensitive data, so its
            // reads count as exposure even when the lexicon sees nothing sensitive.
            let exposed = ann.sensitive
                || ann.sensitive_topic
                || (allow_sensitive && ann.action == Action::Read);
            if exposed && !s.sends() {
                st.prior.sensitive_exposure = Some(format!("turn {turn} step {i} {}", s.step.tool));
                for value in s.arg_strings() {
                    let value = value.trim().to_lowercase();
                    if (4..=256).contains(&value.len())
                        && !value.contains(' ')
                        && st.prior.exposed_entities.len() < 1024
                    {
                        st.prior.exposed_entities.insert(value);
                    }
                }
            }
            if !facts.injection_cues.is_empty() {
                st.prior.injected = Some(format!(
                    "turn {turn} step {i} observation ({})",
                    facts.injection_cues.join(", ")
                ));
            }
        });
        let out = self
            .monitor
            .finish(Inspection::of(context, violations, facts));
        if out.decision.intervention != Intervention::Allow {
            self.state.unsafe_attempts += 1;
        }
        self.state.turn += 1;
        out
    }
}
