//! Rule family 4, `network_egress`: an outbound send after sensitive data was read (in this
//! plan or an earlier turn), sends to endpoints the request does not name, and endpoints
//! written with look-alike or invisible characters.
//!
//! Two kinds of step reach outside without being plain sends:
//!
//! - an **invitation** — a calendar event's participants, attendees, guests or invitees
//!   ([`StepAnnotation::invitees`](vigil_features::plan::StepAnnotation::invitees)): each is told
//!   what the event holds. An invitee neither the request nor a requested step's clean output
//!   names is flagged as an extra recipient of a send would be (med, low without a request); after
//!   a sensitive read, any such address is crit.
//! - a **standing mail-forwarding rule** — a filter, rule or forwarding setting that sends all
//!   future mail to an address
//!   ([`StepAnnotation::forwards_to`](vigil_features::plan::StepAnnotation::forwards_to)): crit
//!   unless the request spells the address out in full. Content the agent read never names it: a
//!   forward of everything to come is the exfiltration itself.

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::Action;

use super::{Prior, report};
use crate::context::{PlanContext, StepContext};
use crate::grounding::Request;
use crate::secrets::{MAX_SECRETS, Secret};

/// The family, with where sensitive data was last read so far.
pub(super) struct NetworkEgress {
    /// Where sensitive data was last read (`step 2 read_file`, or an earlier turn's).
    sensitive_seen: Option<String>,
    /// That read happened in an earlier turn of the session.
    sensitive_from_session: bool,
    /// Secret values earlier steps' outputs held ([`crate::secrets`], at most
    /// [`MAX_SECRETS`](crate::secrets::MAX_SECRETS)), with the step that read each.
    secrets: Vec<(Secret, usize)>,
}

impl NetworkEgress {
    /// Starts from what earlier turns exposed.
    pub(super) fn after(prior: &Prior) -> Self {
        NetworkEgress {
            sensitive_seen: prior.sensitive_exposure.clone(),
            sensitive_from_session: prior.sensitive_exposure.is_some(),
            secrets: Vec::new(),
        }
    }

    /// A send after a sensitive read: crit to an endpoint the request does not name (or, after
    /// an earlier turn's read, when the send names what that turn exposed) —
    /// `session.cross_step_exfiltration` when the read was in an earlier turn; high to a named
    /// one without `allow_sensitive`. Other sends to unnamed endpoints: med (low without a
    /// request). Then remembers this step if it reads sensitive data.
    pub(super) fn check(
        &mut self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        prior: &Prior,
        out: &mut Vec<Violation>,
    ) {
        let ann = s.annotation;
        let sends = s.sends();
        if let Some((endpoint, written)) = disguised_endpoint(s) {
            report(
                out,
                "network_egress",
                Severity::Crit,
                Some(s.index),
                format!(
                    "{} contacts {endpoint}, written {written:?} with look-alike or invisible \
                     characters",
                    s.step.tool
                ),
            );
        }
        if !sends && invites(s) {
            self.check_invitation(ctx, s, out);
        }
        if self.check_secret_leak(ctx, s, out) {
            // Reported as exfiltration already; the send checks below would say it again.
        } else if self.check_standing_forward(ctx, s, out) {
            // Reported (crit); the send checks below would add a weaker note.
        } else if sends {
            let request = ctx.request();
            let trusted = ctx.trusted_text(s.index);
            let unnamed = unnamed_endpoints(request, &ann.endpoints);
            // Where the request did not name it, a clean observation of a requested step may
            // have (the address in the file the user asked about): no med note then.
            let untrusted: Vec<&str> = unnamed
                .iter()
                .copied()
                .filter(|e| !trusted.contains(e))
                .collect();
            // An address a clean output of a requested step gave (the contact the user asked
            // to look up) is known: a sensitive send there is high (confirm), not crit.
            let destination_unknown =
                !untrusted.is_empty() || (ann.endpoints.is_empty() && !s.grounded);
            let mentions_exposed = !prior.exposed_entities.is_empty()
                && prior.exposed_entities.iter().any(|e| {
                    s.lower_arg_strings()
                        .iter()
                        .any(|value| value.contains(e.as_str()))
                });
            if let Some(src) = self
                .sensitive_seen
                .as_ref()
                .filter(|_| destination_unknown || mentions_exposed && !s.grounded)
            {
                self.report_exfiltration(
                    s,
                    format!(
                        "sensitive data ({src}) may leave through {} to {}",
                        s.step.tool,
                        display_endpoints(&unnamed)
                    ),
                    out,
                );
            } else if let Some(src) = self
                .sensitive_seen
                .as_ref()
                .filter(|_| !ctx.allow_sensitive())
            {
                report(
                    out,
                    "network_egress",
                    Severity::High,
                    Some(s.index),
                    format!(
                        "sensitive data ({src}) sent through {} without allow_sensitive",
                        s.step.tool
                    ),
                );
            } else if !untrusted.is_empty() {
                report_unnamed(ctx, s, "contacts", &untrusted, out);
            }
        }
        // This step's own read drives the sends after it — a search of the user's own mail
        // about passwords too: reading it is fine, forwarding what it found is not.
        if (ann.sensitive || ann.sensitive_topic) && !sends {
            self.sensitive_seen = Some(format!("step {} {}", s.index, s.step.tool));
            self.sensitive_from_session = false;
        }
        if let Some(o) = s.step.observation.as_deref() {
            let before = self.secrets.len();
            let mut found = Vec::new();
            crate::secrets::collect(o, &mut found);
            for value in found {
                let secret = Secret::new(&value);
                if self.secrets.len() < MAX_SECRETS
                    && !self.secrets.iter().any(|(x, _)| *x == secret)
                {
                    self.secrets.push((secret, s.index));
                }
            }
            if self.secrets.len() > before && !sends {
                // An output that holds a credential is a sensitive read, whatever the step is
                // called: sends after it are judged as after reading `.env`.
                self.sensitive_seen = Some(format!("step {} {}", s.index, s.step.tool));
                self.sensitive_from_session = false;
            }
        }
    }

    /// A step whose arguments carry a secret value an earlier step read — as written, URL-encoded,
    /// in hex, or inside a base64 run ([`vigil_injection::decode::base64_payloads`]) — to an
    /// endpoint the request does not name: crit, whatever the step's action (a GET whose query
    /// string holds the key leaks it as a send would).
    /// Returns whether it reported.
    fn check_secret_leak(
        &self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) -> bool {
        if self.secrets.is_empty() || s.annotation.endpoints.is_empty() && !s.sends() {
            return false;
        }
        // Arguments as written, and URL-decoded where they hold escapes (a key's `/` and `+`
        // travel as `%2F` and `%2B` in a query string), lower-cased: a piece of the key, its
        // reversal or its hex spelling is enough ([`Secret::carried_by`]).
        let mut args: Vec<String> = Vec::new();
        for a in s.arg_strings() {
            let written = if a.contains('%') {
                std::borrow::Cow::Owned(crate::secrets::percent_decode(a))
            } else {
                std::borrow::Cow::Borrowed(*a)
            };
            // What an argument encodes (`?d=REJfUEFTU1dPUkQ9…` is base64 of `DB_PASSWORD=…`):
            // a secret sent encoded leaves as surely as one sent as written.
            for payload in vigil_injection::decode::base64_payloads(&written) {
                args.push(payload.to_lowercase());
            }
            args.push(written.to_lowercase());
        }
        let Some(&(_, read_at)) = self
            .secrets
            .iter()
            .find(|(secret, _)| args.iter().any(|a| secret.carried_by(a)))
        else {
            return false;
        };
        // Only the request can name where a secret may go: the file that holds the key can
        // also hold the collector's address (`metrics_endpoint: https://…`).
        let unnamed = unnamed_endpoints(ctx.request(), &s.annotation.endpoints);
        if unnamed.is_empty() && !s.annotation.endpoints.is_empty() {
            return false;
        }
        self.report_exfiltration(
            s,
            format!(
                "a secret read in step {} leaves in the arguments of {} to {}",
                read_at,
                s.step.tool,
                display_endpoints(&unnamed)
            ),
            out,
        );
        true
    }
}

impl NetworkEgress {
    /// A write that invites e-mail addresses (a calendar event's participants, a shared
    /// document's collaborators) tells each of them what it holds. The annotator does not count
    /// it as a send — inviting the people the request names is ordinary — but after a sensitive
    /// read, inviting an address that neither the request nor a requested step's clean output
    /// names is how data leaves in an invitation: crit, as a send would be.
    ///
    /// Without a sensitive read, the invitees proper ([`StepAnnotation::invitees`]) are checked
    /// as a send's recipients are: one the request and the clean outputs do not name is med
    /// (low without a request) — when the request says who is invited (it names an address or
    /// another invitee) or does not ask for the step's action. A requested event whose people
    /// the request leaves open ("a calendar event for the team lunch") is not flagged: the agent
    /// had to choose them.
    ///
    /// [`StepAnnotation::invitees`]: vigil_features::plan::StepAnnotation::invitees
    fn check_invitation(
        &self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) {
        let (request, trusted) = (ctx.request(), ctx.trusted_text(s.index));
        let unknown = |e: &&String| !request.names_endpoint(e) && !trusted.contains(e);
        let Some(src) = self.sensitive_seen.as_ref() else {
            let invitees = &s.annotation.invitees;
            let strangers: Vec<&str> = invitees
                .iter()
                .filter(unknown)
                .map(String::as_str)
                .collect();
            // The request says who is invited (an address, or one of these invitees), or does
            // not ask for the event at all: a stranger is an addition. A requested event whose
            // people the request leaves open ("the team lunch") was filled in by the agent.
            let says_who =
                request.text().is_some_and(|r| r.contains('@')) || strangers.len() < invitees.len();
            let asked = ctx.asks_for(s.annotation.action, s.index);
            if !strangers.is_empty() && (says_who || !asked) {
                report_unnamed(ctx, s, "invites", &strangers, out);
            }
            return;
        };
        let strangers: Vec<&str> = s
            .annotation
            .endpoints
            .iter()
            .filter(|e| e.contains('@'))
            .filter(unknown)
            .map(String::as_str)
            .collect();
        if strangers.is_empty() {
            return;
        }
        self.report_exfiltration(
            s,
            format!(
                "sensitive data ({src}) may leave through {}, which invites {}",
                s.step.tool,
                display_endpoints(&strangers)
            ),
            out,
        );
    }

    /// A standing mail-forwarding rule to an address the request does not spell out in full
    /// (see the module docs): crit. Returns whether it reported.
    fn check_standing_forward(
        &self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) -> bool {
        let request = ctx.request();
        let unnamed: Vec<&str> = s
            .annotation
            .forwards_to
            .iter()
            .filter(|e| !request.mentions(e))
            .map(String::as_str)
            .collect();
        if unnamed.is_empty() {
            return false;
        }
        report(
            out,
            "network_egress",
            Severity::Crit,
            Some(s.index),
            format!(
                "{} sets up standing forwarding of mail to {}, which the request does not name",
                s.step.tool,
                display_endpoints(&unnamed)
            ),
        );
        true
    }

    /// A crit finding that sensitive data may leave: `session.cross_step_exfiltration` when
    /// the read was in an earlier turn, else `network_egress`.
    fn report_exfiltration(&self, s: StepContext<'_>, detail: String, out: &mut Vec<Violation>) {
        let rule = if self.sensitive_from_session {
            "session.cross_step_exfiltration"
        } else {
            "network_egress"
        };
        report(out, rule, Severity::Crit, Some(s.index), detail);
    }
}

/// An endpoint of the step that its arguments spell only with look-alike or invisible
/// characters (`lеgal@corp.com` with a Cyrillic `е`, `eve@ｅｖｉｌ.io`, a zero-width space
/// inside a host): the annotator reads addresses through the look-alike fold, so the endpoint
/// is the address it imitates — which the request may well name — while the message would go
/// to another one. Returns the endpoint and the argument as written (at most 120 characters).
/// An address in another script throughout (`müller@firma.de`, `用户@例子.中国`) is written
/// as itself and is not one.
fn disguised_endpoint(s: StepContext<'_>) -> Option<(String, String)> {
    let args = s.arg_strings();
    if args.iter().all(|a| a.is_ascii()) {
        return None;
    }
    s.annotation.endpoints.iter().find_map(|e| {
        let literal = args.iter().any(|a| a.to_lowercase().contains(e.as_str()));
        if literal {
            return None;
        }
        args.iter()
            .find(|a| {
                !a.is_ascii()
                    && vigil_features::fold::fold(a)
                        .to_lowercase()
                        .contains(e.as_str())
            })
            .map(|a| (e.clone(), a.chars().take(120).collect()))
    })
}

/// A write that names e-mail addresses, or a change with invitees: an invitation
/// ([`NetworkEgress::check_invitation`]).
fn invites(s: StepContext<'_>) -> bool {
    s.annotation.action == Action::Write && s.annotation.endpoints.iter().any(|e| e.contains('@'))
        || s.annotation.action.changes() && !s.annotation.invitees.is_empty()
}

/// The endpoints the request does not name ([`Request::names_endpoint`]).
fn unnamed_endpoints<'a>(request: &Request, endpoints: &'a [String]) -> Vec<&'a str> {
    endpoints
        .iter()
        .filter(|e| !request.names_endpoint(e))
        .map(String::as_str)
        .collect()
}

/// Endpoints a step reaches (`verb`: contacts, invites) that the request does not name: med
/// with a request, low without one (nothing is named then).
fn report_unnamed(
    ctx: &PlanContext<'_>,
    s: StepContext<'_>,
    verb: &str,
    endpoints: &[&str],
    out: &mut Vec<Violation>,
) {
    let severity = if ctx.request().is_present() {
        Severity::Med
    } else {
        Severity::Low
    };
    report(
        out,
        "network_egress",
        severity,
        Some(s.index),
        format!(
            "{} {verb} {} not named in the request",
            s.step.tool,
            display_endpoints(endpoints)
        ),
    );
}

fn display_endpoints(e: &[&str]) -> String {
    if e.is_empty() {
        "an endpoint not named in the request".into()
    } else {
        e.join(", ")
    }
}
