//! Rule family 1, `permissions`: a step that grants access or needs a privileged scope, and a
//! plan that needs many distinct scopes.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use vigil_contracts::{Severity, Violation};
use vigil_features::plan::{Action, StepAnnotation};

use super::report;
use crate::context::{PlanContext, StepContext};

/// Distinct permission scopes from which a plan earns a (low) `permissions` finding.
const MANY_SCOPES: f64 = 6.0;

/// Scope fragments that make a scope privileged.
const PRIVILEGED_FRAGMENTS: &[&str] = &[
    "admin",
    "root",
    "owner",
    "sudo",
    "superuser",
    "full_access",
    "iam:",
    ":*",
    "*:",
];

/// [`PRIVILEGED_FRAGMENTS`], ASCII case-insensitively (what a search of the ASCII-lower-cased
/// scope finds), built once.
fn privileged_fragments() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(PRIVILEGED_FRAGMENTS)
            .expect("privileged fragments")
    })
}

/// Builds the fragment automaton now (at monitor construction).
pub(super) fn warm_up() {
    let _ = privileged_fragments().is_match("warm up");
}

fn is_privileged_scope(p: &str) -> bool {
    privileged_fragments().is_match(p) || p == "*"
}

/// Whether a step needs a privileged scope or grants access.
pub fn is_privileged(ann: &StepAnnotation) -> bool {
    ann.action == Action::Grant
        || (ann.action != Action::Read && ann.permissions.iter().any(|p| is_privileged_scope(p)))
}

/// A privileged step: high when not asked for, med for an asked-for admin-level scope, low
/// for an asked-for grant.
pub(super) fn step_permissions(s: StepContext<'_>, out: &mut Vec<Violation>) {
    let ann = s.annotation;
    if !is_privileged(ann) {
        return;
    }
    let admin_level = ann.permissions.iter().any(|p| {
        let p = p.to_ascii_lowercase();
        ["admin", "root", "owner", "superuser", "*"]
            .iter()
            .any(|w| p.contains(w))
    }) || s.lower_arg_strings().iter().any(|value| {
        matches!(
            value.as_str(),
            "admin" | "owner" | "root" | "administrator" | "superuser" | "super_admin"
        )
    });
    let sev = match (s.grounded, admin_level) {
        (false, _) => Severity::High,
        (true, true) => Severity::Med,
        (true, false) => Severity::Low,
    };
    report(
        out,
        "permissions",
        sev,
        Some(s.index),
        format!("{} needs {}", s.step.tool, ann.permissions.join(", ")),
    );
}

/// A step that sets a credential (a password, PIN or passcode argument, at any depth) to a
/// value the request does not spell out exactly: high — whoever chose the value owns the
/// account (a value an e-mail suggested, a "settings" update that slips a password in).
/// Nothing without a request.
pub(super) fn credential_not_given(
    ctx: &PlanContext<'_>,
    s: StepContext<'_>,
    out: &mut Vec<Violation>,
) {
    let request = ctx.request();
    if !request.is_present() || s.annotation.action == Action::Read {
        return;
    }
    if ctx.sets_unspelled_credential(s.index) {
        report(
            out,
            "permissions",
            Severity::High,
            Some(s.index),
            format!(
                "{} sets a credential to a value the request does not give",
                s.step.tool
            ),
        );
    }
}

/// A plan needing many distinct scopes (low, plan-level).
pub(super) fn plan_permissions(ctx: &PlanContext<'_>, out: &mut Vec<Violation>) {
    let features = ctx.features();
    if features[5] >= MANY_SCOPES {
        report(
            out,
            "permissions",
            Severity::Low,
            None,
            format!("plan needs {} distinct permission scopes", features[5]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The automaton answers what lower-casing the scope and a `contains` per fragment did.
    #[test]
    fn fragment_automaton_agrees_with_contains_per_fragment() {
        let old = |p: &str| {
            let p = p.to_ascii_lowercase();
            PRIVILEGED_FRAGMENTS.iter().any(|w| p.contains(w)) || p == "*"
        };
        let vocab = [
            PRIVILEGED_FRAGMENTS,
            &[
                "email",
                "send",
                "files",
                "write",
                "payments",
                "transfer",
                "*",
                ":",
                "grant",
                "İ",
                "ſ",
                "Ａdmin",
                "ADMIN",
                "Root",
                "IAM",
                "Full_Access",
            ],
        ]
        .concat();
        let mut texts = crate::grounding::test_texts(&vocab);
        texts.extend(["*", " *", "* ", "*:*", "iam", "IAM:role"].map(String::from));
        for t in &texts {
            assert_eq!(is_privileged_scope(t), old(t), "{t:?}");
        }
    }
}
