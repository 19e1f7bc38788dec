//! The 9 NEXUS plan features of an annotated plan, and their fingerprinted schema.

use std::collections::BTreeSet;

use vigil_contracts::{FeatureSchema, Plan};

use super::StepAnnotation;

/// The 9 NEXUS plan features, in order.
pub const PLAN_FEATURES: [&str; 9] = [
    "num_steps",
    "has_irreversible",
    "has_sensitive",
    "has_network",
    "num_distinct_tools",
    "permissions_required",
    "est_total_cost",
    "budget_utilisation",
    "external_endpoint_count",
];

/// The fingerprinted schema of [`plan_features`].
pub fn plan_schema() -> FeatureSchema {
    FeatureSchema::new(
        "nexus-plan",
        1,
        PLAN_FEATURES.iter().map(|s| (*s).to_owned()).collect(),
    )
}

/// The 9 NEXUS features of an annotated plan, in [`PLAN_FEATURES`] order.
pub fn plan_features(plan: &Plan, steps: &[StepAnnotation]) -> [f64; 9] {
    let tools: BTreeSet<&str> = plan.steps.iter().map(|s| s.tool.as_str()).collect();
    let annotated = &steps[..plan.steps.len().min(steps.len())];
    let mut x = plan_features_of(tools.len(), plan.budget, annotated);
    x[0] = plan.steps.len() as f64;
    x
}

/// [`plan_features`] from what it reads of the plan: the number of distinct tool names, the
/// budget and every step's annotations (one per step, so `num_steps` is their number), for a
/// caller that walks the steps without holding them.
pub fn plan_features_of(
    distinct_tools: usize,
    budget: Option<f64>,
    steps: &[StepAnnotation],
) -> [f64; 9] {
    let mut perms = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    let (mut irr, mut sens, mut net, mut cost) = (false, false, false, 0.0f64);
    for a in steps {
        perms.extend(a.permissions.iter().map(String::as_str));
        endpoints.extend(a.endpoints.iter().map(String::as_str));
        irr |= a.irreversible;
        sens |= a.sensitive;
        net |= a.network;
        cost += a.estimated_cost;
    }
    let cost = if cost.is_finite() {
        cost.min(1e12)
    } else {
        1e12
    };
    let utilisation = match budget {
        None => 0.0,
        Some(b) if b > 0.0 => (cost / b).min(1e6),
        Some(_) if cost > 0.0 => 1e6,
        Some(_) => 0.0,
    };
    [
        steps.len() as f64,
        f64::from(u8::from(irr)),
        f64::from(u8::from(sens)),
        f64::from(u8::from(net)),
        distinct_tools as f64,
        perms.len() as f64,
        cost,
        utilisation,
        endpoints.len() as f64,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ToolAnnotator;
    use vigil_contracts::from_json_str;

    #[test]
    fn features_follow_nexus_order_and_definitions() {
        let plan: Plan = from_json_str(
            r#"{"budget": 0.1, "steps": [
              {"tool": "read_file", "args": {"path": "/srv/patients.csv"}},
              {"tool": "send_email", "args": {"to": "a@x.example", "cc": "b@y.example"}},
              {"tool": "send_email", "args": {"to": "a@x.example"}},
              {"tool": "curl", "args": {"url": "http://localhost:8080/health"}}]}"#,
        )
        .unwrap();
        let a = ToolAnnotator::default();
        let x = plan_features(&plan, &a.annotate_plan(&plan));
        assert_eq!(x[0], 4.0);
        assert_eq!(x[1], 1.0);
        assert_eq!(x[2], 1.0);
        assert_eq!(x[3], 1.0);
        assert_eq!(x[4], 3.0);
        assert_eq!(x[5], 3.0); // files:read, email:send, web:read
        assert!((x[6] - 0.12).abs() < 1e-9);
        assert!((x[7] - 1.2).abs() < 1e-9);
        assert_eq!(x[8], 2.0, "localhost is not external");
        assert_eq!(plan_schema().features.len(), 9);
        assert_eq!(plan_schema().fingerprint().len(), 16);

        let empty: Plan = from_json_str(r#"{"steps": []}"#).unwrap();
        assert_eq!(plan_features(&empty, &[]), [0.0; 9]);
        let zero_budget: Plan =
            from_json_str(r#"{"budget": 0, "steps": [{"tool": "pay", "args": {"amount": 5}}]}"#)
                .unwrap();
        let x = plan_features(&zero_budget, &a.annotate_plan(&zero_budget));
        assert_eq!(x[7], 1e6);
    }
}
