//! Rule family 2, `irreversible`: an irreversible step the request does not ground (its action
//! not asked for, or an endpoint not named).

use vigil_contracts::{Severity, Violation};

use super::report;
use crate::context::{PlanContext, StepContext};

/// Med with a request, low without one.
pub(super) fn irreversible(ctx: &PlanContext<'_>, s: StepContext<'_>, out: &mut Vec<Violation>) {
    if !s.annotation.irreversible || s.grounded {
        return;
    }
    let sev = if ctx.request().is_present() {
        Severity::Med
    } else {
        Severity::Low
    };
    report(
        out,
        "irreversible",
        sev,
        Some(s.index),
        format!(
            "{} ({}) cannot be undone and was not asked for",
            s.step.tool,
            s.annotation.action.as_str()
        ),
    );
}
