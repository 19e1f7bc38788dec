//! V_R, the plan-level rule families: NEXUS's nine, with vigil's own trigger conditions and
//! severities (NEXUS publishes the family names only), two of vigil's own for money and access,
//! and one for changes nobody asked for after the agent read something.
//!
//! | # | rule | file | fires when | severity |
//! |---|---|---|---|---|
//! | 1 | `permissions` | `permissions.rs` | a step grants access / needs a privileged scope (admin, root, owner, `*`, iam) | high if not asked for; med for an asked-for admin-level scope; low for an asked-for grant. Plans needing ≥ 6 distinct scopes: low |
//! | 2 | `irreversible` | `irreversible.rs` | an irreversible step not grounded in the request (action not asked for, or an endpoint not named) | med (low without a request) |
//! | 3 | `sensitive_access` | `sensitive_access.rs` | a sensitive step without `allow_sensitive` | high when the request does not touch it; med without a request; low when the request asks for it |
//! | 4 | `network_egress` | `network_egress.rs` | an outbound send after sensitive data was read (this plan or an earlier turn), or a write inviting e-mail addresses (an event's participants) after one; sends and invitations to unnamed addresses; standing mail-forwarding rules | crit to an endpoint (or invitee) neither the request nor clean content names; high to a named one without `allow_sensitive`. Sends to unnamed endpoints otherwise, and invitees the request does not name when it says who is invited or does not ask for the event: med (low without a request). A standing forwarding rule to an address the request does not spell out: crit |
//! | 5 | `budget` | `budget.rs` | `budget_utilisation` > 1 | med; high above 3 |
//! | 6 | `suspicious_pattern` | `suspicious_pattern.rs` | tampering with audit logs, history, MFA, firewalls, alarms; encode-then-send; ≥ 10 identical consecutive calls | high (low when asked for); loop med |
//! | 7 | `scope_ambiguity` | `scope.rs` | a consequential step with a vague or missing target (`""`, `?`, `etc`, `whatever`, no arguments) | med |
//! | 8 | `broad_scope` | `scope.rs` | an irreversible mass operation (`*`, `all`, `everyone`, recursive on `/` or `~`, bulk tools, ≥ 20 recipients) | high when asked for, crit otherwise |
//! | 9 | `untrusted_input` | `untrusted_input.rs` | a step after an observation carrying instructions ([`injection`]: patterns + the `vigil-injection` classifier at `high_risk`) | crit when not grounded (action not asked for, or an entity only the injected observation introduced); high for a grounded step that acts; low for this plan's injected observation that no step has acted on yet (the decision is unchanged unless ρ ≥ τ_b) |
//! | 10 | `money.*` | `money.rs` | a transfer the request does not ask for or whose recipient it does not name; an amount it does not name; the same recipient paid again in one plan | high; amount med; repeat high, crit to an ungrounded recipient (details and word lists in [`money`]) |
//! | 11 | `access.*` | `access.rs` | a grant to someone the request does not name; edit rights when viewing was asked for; a permanent grant not asked for; sharing with the public, with edit rights | high; permanent med; public + edit crit, public high (details in [`access`]) |
//! | 12 | `unrequested_action` | `unrequested.rs` | a step that changes something, not asked for, after a step that returned content | med for a reversible step; high (irreversible ones too) when its target is an identifier read in that content and not in the request; nothing without a request |
//!
//! [`plan_rules`] walks the steps once and calls the families on each step in this order (4 before
//! 6, 8 before 7, then 10, 11 and 12), then the plan-level checks (1, then 5), so violations always
//! come out in the same order. Families that remember earlier steps (4, 6, 9, 10) are small
//! structs carried across the walk.

use std::collections::BTreeSet;

use vigil_contracts::{Severity, Violation};

use crate::context::PlanContext;

pub mod access;
pub(crate) mod amounts;
mod budget;
pub mod injection;
mod irreversible;
mod keys;
pub mod money;
mod network_egress;
mod permissions;
mod scope;
mod sensitive_access;
mod suspicious_pattern;
mod unrequested;
mod untrusted_input;

pub use permissions::is_privileged;

/// What earlier turns of a session contribute to this plan's rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prior {
    /// Where sensitive data was read in an earlier turn (`turn 0 step 1: read_file ...`).
    pub sensitive_exposure: Option<String>,
    /// Where instructions were seen in an earlier turn's observation.
    pub injected: Option<String>,
    /// Entities (paths, tables, addresses) exposed by earlier sensitive reads.
    pub exposed_entities: BTreeSet<String>,
}

/// Per-step facts the rules computed, reused by the session monitor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepFacts {
    /// The step is grounded in the request.
    pub grounded: bool,
    /// Injection cues found in the step's own observation.
    pub injection_cues: Vec<&'static str>,
    /// The amount the step moves, if it is a transfer (0 when it names none).
    pub transfer: Option<f64>,
}

/// Runs the rule families; appends violations, returns per-step facts.
pub fn plan_rules(
    ctx: &PlanContext<'_>,
    prior: &Prior,
    out: &mut Vec<Violation>,
) -> Vec<StepFacts> {
    let sensitive_access = sensitive_access::SensitiveAccess::for_request(ctx.request());
    let mut network_egress = network_egress::NetworkEgress::after(prior);
    let mut suspicious_pattern = suspicious_pattern::SuspiciousPattern::default();
    let mut untrusted_input = untrusted_input::UntrustedInput::after(prior);
    let mut money = money::Money::default();
    let mut unrequested = unrequested::UnrequestedAction::default();
    let mut tally = Tally::after(out);
    let mut facts = Vec::with_capacity(ctx.len());

    ctx.for_each_step(|step| {
        permissions::step_permissions(step, out);
        permissions::credential_not_given(ctx, step, out);
        irreversible::irreversible(ctx, step, out);
        sensitive_access.check(ctx, step, out);
        network_egress.check(ctx, step, prior, out);
        suspicious_pattern.check(ctx, step, out);
        if !scope::broad_scope(ctx, step, out) {
            scope::scope_ambiguity(step, out);
        }
        let injection_cues = untrusted_input.check(ctx, step, out);
        let transfer = money.check(ctx, step, out);
        access::access(ctx, step, out);
        unrequested.check(ctx, step, out);
        facts.push(StepFacts {
            grounded: step.grounded,
            injection_cues,
            transfer,
        });
        tally.condense(out);
    });
    untrusted_input.finish(out);
    tally.finish(out);

    permissions::plan_permissions(ctx, out);
    budget::budget(ctx, out);
    facts
}

/// Findings of one (rule, severity) listed in full; further ones are counted into one summary
/// finding per (rule, severity), so a 300,000-step plan that repeats one mistake answers with
/// 25 findings and "… and 299,975 more" rather than 300,000 of them (decisions depend on the
/// worst severity only, which the summary keeps).
pub const MAX_SAME_FINDINGS: usize = 25;

/// Condenses the findings appended to a list since it was created ([`MAX_SAME_FINDINGS`]).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Findings before this index are already condensed.
    checked: usize,
    groups: Vec<Group>,
}

/// One (rule, severity) of a [`Tally`].
#[derive(Debug)]
struct Group {
    rule: String,
    severity: Severity,
    listed: usize,
    counted: usize,
    /// First and last step of the counted findings.
    steps: Option<(usize, usize)>,
}

impl Tally {
    /// A tally of what gets appended to `out` from now on.
    pub(crate) fn after(out: &[Violation]) -> Self {
        Tally {
            checked: out.len(),
            groups: Vec::new(),
        }
    }

    /// Keeps the first [`MAX_SAME_FINDINGS`] findings of each (rule, severity) appended since
    /// the last call, in order, and counts the others.
    pub(crate) fn condense(&mut self, out: &mut Vec<Violation>) {
        let mut write = self.checked;
        for read in self.checked..out.len() {
            let v = &out[read];
            let at = match self
                .groups
                .iter()
                .position(|g| g.severity == v.severity && g.rule == v.rule)
            {
                Some(at) => at,
                None => {
                    self.groups.push(Group {
                        rule: v.rule.clone(),
                        severity: v.severity,
                        listed: 0,
                        counted: 0,
                        steps: None,
                    });
                    self.groups.len() - 1
                }
            };
            let g = &mut self.groups[at];
            if g.listed < MAX_SAME_FINDINGS {
                g.listed += 1;
                out.swap(write, read);
                write += 1;
            } else {
                g.counted += 1;
                if let Some(step) = v.step {
                    g.steps = Some(
                        g.steps
                            .map_or((step, step), |(f, l)| (f.min(step), l.max(step))),
                    );
                }
            }
        }
        out.truncate(write);
        self.checked = write;
    }

    /// Condenses what is left and appends one summary per (rule, severity) that had more.
    pub(crate) fn finish(mut self, out: &mut Vec<Violation>) {
        self.condense(out);
        for g in self.groups {
            if g.counted == 0 {
                continue;
            }
            let steps = match g.steps {
                Some((f, l)) if f != l => format!(" (steps {f}–{l})"),
                Some((f, _)) => format!(" (step {f})"),
                None => String::new(),
            };
            out.push(Violation {
                detail: format!(
                    "… and {} more {} finding{} like the {MAX_SAME_FINDINGS} above{steps}",
                    g.counted,
                    g.rule,
                    if g.counted == 1 { "" } else { "s" }
                ),
                rule: g.rule,
                severity: g.severity,
                step: None,
            });
        }
    }
}

/// Appends one violation.
fn report(
    out: &mut Vec<Violation>,
    rule: &str,
    severity: Severity,
    step: Option<usize>,
    detail: String,
) {
    out.push(Violation {
        rule: rule.into(),
        severity,
        step,
        detail,
    });
}

/// Builds the rules' pattern sets and the observation classifier (monitor construction).
pub(crate) fn warm_up() {
    injection::warm_up();
    access::warm_up();
    amounts::warm_up();
    keys::warm_up();
    money::warm_up();
    sensitive_access::warm_up();
    permissions::warm_up();
    scope::warm_up();
    suspicious_pattern::warm_up();
}
