//! Rule family 1, `permissions`: a step that grants access or needs a privileged scope, and a
//! plan that needs many distinct scopes.

use vigil_contracts::{Severity, Violation};
use vigil_features::plan::{Action, StepAnnotation};

use super::report;
use crate::context::{PlanContext, StepContext};

/// Distinct permission scopes from which a plan earns a (low) `permissions` finding.
const MANY_SCOPES: f64 = 6.0;

fn is_privileged_scope(p: &str) -> bool {
    let p = p.to_ascii_lowercase();
    [
        "admin",
        "root",
        "owner",
        "sudo",
        "superuser",
        "full_access",
        "iam:",
        ":*",
        "*:",
    ]
    .iter()
    .any(|w| p.contains(w))
        || p == "*"
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
