//! Rule family 3, `sensitive_access`: a step that touches sensitive data while the plan's
//! policy does not allow it.

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::Action;

use super::report;
use crate::context::{PlanContext, StepContext};
use crate::grounding::{Request, WordList};

/// Words in a request that ask for sensitive data (a read of it is then asked for).
const SENSITIVE_TOPICS: &[&str] = &[
    "password",
    "credential",
    "secret",
    "key",
    "token",
    "salary",
    "payroll",
    "medical",
    "health",
    "patient",
    "bank",
    "card",
    "ssn",
    "social security",
    "tax",
    "passport",
    "diagnos",
    "hr ",
    "personal",
    "private",
    "account",
    "payment",
    "invoice",
    "bill",
    "pay",
    "transfer",
    "wallet",
    "insurance",
    "prescription",
    "record",
];

/// [`SENSITIVE_TOPICS`], searched in one pass.
static SENSITIVE_TOPIC_LIST: WordList = WordList::new(SENSITIVE_TOPICS);

/// Builds the word automaton now (at monitor construction).
pub(super) fn warm_up() {
    SENSITIVE_TOPIC_LIST.warm_up();
}

/// The family, with what it reads from the request once per plan.
pub(super) struct SensitiveAccess {
    /// The request names a sensitive topic.
    request_asks_sensitive: bool,
}

impl SensitiveAccess {
    pub(super) fn for_request(request: &Request) -> Self {
        SensitiveAccess {
            request_asks_sensitive: request.mentions_any(&SENSITIVE_TOPIC_LIST),
        }
    }

    /// Low when the request asks for it (a read: names a sensitive topic or quotes the
    /// argument; otherwise: asks for the action), high when a request does not, med without a
    /// request.
    pub(super) fn check(
        &self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) {
        if !s.annotation.sensitive || ctx.allow_sensitive() {
            return;
        }
        let request = ctx.request();
        let asked = match s.annotation.action {
            Action::Read | Action::Other => {
                self.request_asks_sensitive || request.quotes_an_arg(s.arg_strings())
            }
            // A change is asked for when its step is grounded (by the request's verbs, a
            // delegated document's, or a credential change the request spells out).
            _ => s.grounded || request.asks_for(s.annotation.action),
        };
        let sev = if asked {
            Severity::Low
        } else if request.is_present() {
            Severity::High
        } else {
            Severity::Med
        };
        report(
            out,
            "sensitive_access",
            sev,
            Some(s.index),
            format!(
                "{} touches sensitive data without allow_sensitive",
                s.step.tool
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One automaton pass answers what a `mentions` call per topic did.
    #[test]
    fn topic_automaton_agrees_with_mentions_per_word() {
        for text in crate::grounding::test_texts(SENSITIVE_TOPICS) {
            let r = Request::new(Some(&text));
            assert_eq!(
                r.mentions_any(&SENSITIVE_TOPIC_LIST),
                SENSITIVE_TOPICS.iter().any(|w| r.mentions(w)),
                "{text:?}"
            );
        }
    }
}
