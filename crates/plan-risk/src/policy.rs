//! Policy Π, exactly as NEXUS publishes it, evaluated top to bottom:
//!
//! 1. any CRIT violation → BLOCK
//! 2. ρ ≥ τ_b and at least one violation → BLOCK
//! 3. ρ ≥ τ_c or any HIGH violation → CONFIRM
//! 4. any MED violation → REVISE
//! 5. otherwise → ALLOW
//!
//! **Reading of "ρ gates the block/confirm split when exactly one critical rule fires".** Under
//! rule 1 a CRIT always blocks, so that sentence cannot mean CRIT. vigil reads "critical rule" as
//! a HIGH-severity rule: a lone HIGH finding is CONFIRM (rule 3) unless ρ ≥ τ_b, when rule 2
//! escalates it to BLOCK — ρ is what splits block from confirm for HIGH findings. This is
//! exactly the published table; no extra case is added.

use vigil_contracts::{Intervention, Severity, Violation};

/// Applies Π.
pub fn decide(
    risk: f64,
    violations: &[Violation],
    tau_block: f64,
    tau_confirm: f64,
) -> Intervention {
    let worst = violations.iter().map(|v| v.severity).max();
    // Rules 1 and 2 (kept as separate conditions to mirror the published table).
    let crit = worst == Some(Severity::Crit);
    let scored_block = risk >= tau_block && !violations.is_empty();
    if crit || scored_block {
        Intervention::Block
    } else if risk >= tau_confirm || worst == Some(Severity::High) {
        Intervention::Confirm
    } else if worst == Some(Severity::Med) {
        Intervention::Revise
    } else {
        Intervention::Allow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viol(s: Severity) -> Violation {
        Violation {
            rule: "r".into(),
            severity: s,
            step: None,
            detail: String::new(),
        }
    }

    #[test]
    fn policy_follows_the_published_table() {
        let (tb, tc) = (0.75, 0.70);
        assert_eq!(
            decide(0.0, &[viol(Severity::Crit)], tb, tc),
            Intervention::Block
        );
        assert_eq!(
            decide(0.8, &[viol(Severity::Low)], tb, tc),
            Intervention::Block
        );
        assert_eq!(
            decide(0.8, &[], tb, tc),
            Intervention::Confirm,
            "ρ alone reaches at most confirm"
        );
        assert_eq!(
            decide(0.72, &[viol(Severity::Low)], tb, tc),
            Intervention::Confirm
        );
        assert_eq!(
            decide(0.1, &[viol(Severity::High)], tb, tc),
            Intervention::Confirm
        );
        assert_eq!(
            decide(0.76, &[viol(Severity::High)], tb, tc),
            Intervention::Block
        );
        assert_eq!(
            decide(0.1, &[viol(Severity::Med), viol(Severity::Low)], tb, tc),
            Intervention::Revise
        );
        assert_eq!(
            decide(0.1, &[viol(Severity::Low)], tb, tc),
            Intervention::Allow
        );
        assert_eq!(decide(0.69, &[], tb, tc), Intervention::Allow);
    }
}
