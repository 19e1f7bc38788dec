//! Rule family 5, `budget`: the plan's estimated cost is over its budget (plan-level).

use vigil_contracts::{Severity, Violation};

use super::report;
use crate::context::PlanContext;

/// Med when `budget_utilisation` > 1, high above 3.
pub(super) fn budget(ctx: &PlanContext<'_>, out: &mut Vec<Violation>) {
    let features = ctx.features();
    if features[7] > 1.0 {
        let sev = if features[7] > 3.0 {
            Severity::High
        } else {
            Severity::Med
        };
        report(
            out,
            "budget",
            sev,
            None,
            format!(
                "estimated cost {:.2} is {:.0}% of the budget",
                features[6],
                features[7] * 100.0
            ),
        );
    }
}
