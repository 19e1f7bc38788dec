//! Evaluation of plan-risk on hand-written plans (`cargo xtask eval plan-risk`): binary F1,
//! 4-class intervention accuracy and overblock rate of the monitor's decisions, single plans
//! and multi-turn sessions alike.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use vigil_contracts::{Intervention, Plan};
use vigil_learn::metrics::{BinaryCounts, ConfusionMatrix};
use vigil_plan_risk::{PlanMonitor, SessionMonitor};

use crate::{Error, Result};

/// Intervention labels in confusion-matrix order.
pub const INTERVENTIONS: [&str; 4] = ["allow", "revise", "confirm", "block"];
/// The hand-written fixtures, relative to the workspace root.
pub const FIXTURES: &str = "fixtures/plan-risk/plans.jsonl";
/// Hand-written hold-out plans (batch 3), written before the money and access rules (see the
/// card for the one plan whose decision a later verb-list change was made with in view).
pub const HOLDOUT: &str = "fixtures/plan-risk/holdout.jsonl";
/// Red-team probe plans against agent workspaces (development data: the rules were changed
/// after reading them; `fixtures/plan-risk/probes/README.md`).
pub const PROBES_WORKSPACE: &str = "fixtures/plan-risk/probes/workspace.jsonl";
/// Red-team probe plans against coding, DevOps and data agents (development data).
pub const PROBES_DEVOPS: &str = "fixtures/plan-risk/probes/devops.jsonl";

/// Position of an intervention in [`INTERVENTIONS`] (allow < revise < confirm < block).
pub(super) fn rank(i: Intervention) -> usize {
    match i {
        Intervention::Allow => 0,
        Intervention::Revise => 1,
        Intervention::Confirm => 2,
        Intervention::Block => 3,
    }
}

/// Binary and 4-class metrics of decisions against labels.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionMetrics {
    /// Plans evaluated.
    pub n: usize,
    /// Binary counts (flagged = not allow, positive = harmful).
    pub counts: BinaryCounts,
    /// 4-class confusion (allow, revise, confirm, block).
    pub confusion: ConfusionMatrix,
}

impl DecisionMetrics {
    pub(super) fn new(pairs: &[(Intervention, Intervention, bool)]) -> Self {
        let counts = BinaryCounts::from_pairs(
            pairs
                .iter()
                .map(|(d, _, h)| (*d != Intervention::Allow, *h)),
        );
        let truth: Vec<usize> = pairs.iter().map(|(_, l, _)| rank(*l)).collect();
        let pred: Vec<usize> = pairs.iter().map(|(d, _, _)| rank(*d)).collect();
        DecisionMetrics {
            n: pairs.len(),
            counts,
            confusion: ConfusionMatrix::new(&INTERVENTIONS, &truth, &pred),
        }
    }
    /// Binary F1.
    pub fn f1(&self) -> f64 {
        self.counts.f1()
    }
    /// 4-class intervention accuracy.
    pub fn intervention_accuracy(&self) -> f64 {
        self.confusion.accuracy()
    }
    /// Share of benign plans flagged (not allowed).
    pub fn overblock_rate(&self) -> f64 {
        self.counts.false_positive_rate()
    }
}

/// One hand-written fixture: a single plan, or a session whose label applies to its last turn.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Identifier.
    pub id: String,
    /// Should the monitor flag it (anything but allow)?
    pub harmful: bool,
    /// The intervention a careful operator would choose.
    pub expected: Intervention,
    /// Free-text reason.
    #[serde(default)]
    pub note: Option<String>,
    /// A single plan…
    #[serde(default)]
    pub plan: Option<Plan>,
    /// …or consecutive turns of one session.
    #[serde(default)]
    pub turns: Option<Vec<Plan>>,
}

/// Reads fixtures (one JSON object per line; blank lines and `#` comments skipped).
pub fn read_fixtures(path: &Path) -> Result<Vec<Fixture>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Fixture = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        if f.plan.is_some() == f.turns.is_some() {
            return Err(Error::Invalid(format!(
                "{}:{}: give exactly one of plan or turns",
                path.display(),
                i + 1
            )));
        }
        out.push(f);
    }
    Ok(out)
}

/// Decides every fixture; returns (decision, expected, harmful) and the last decisions' details.
pub fn run_fixtures(
    monitor: &PlanMonitor,
    fixtures: &[Fixture],
) -> Vec<(Intervention, Intervention, bool, f64)> {
    fixtures
        .iter()
        .map(|f| {
            let d = match (&f.plan, &f.turns) {
                (Some(p), _) => monitor.decide(p),
                (None, Some(turns)) => {
                    let mut s = SessionMonitor::new(monitor);
                    let mut last = None;
                    for t in turns {
                        last = Some(s.assess_turn(t).decision);
                    }
                    last.unwrap_or_else(|| monitor.decide(&Plan::default()))
                }
                (None, None) => monitor.decide(&Plan::default()),
            };
            (d.intervention, f.expected, f.harmful, d.risk)
        })
        .collect()
}

/// `fixtures/plan-risk/plans.jsonl` in the workspace.
pub fn fixtures_path() -> PathBuf {
    workspace_file(FIXTURES)
}

/// `rel` under the workspace root.
pub(super) fn workspace_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// `cargo xtask eval plan-risk`: decisions on the hand-written fixtures (or `data`).
pub fn eval(data: Option<&Path>, json: bool) -> Result<()> {
    let path = data.map(Path::to_path_buf).unwrap_or_else(fixtures_path);
    let fixtures = read_fixtures(&path)?;
    let monitor = PlanMonitor::embedded()?;
    let results = run_fixtures(&monitor, &fixtures);
    let m = DecisionMetrics::new(
        &results
            .iter()
            .map(|(d, e, h, _)| (*d, *e, *h))
            .collect::<Vec<_>>(),
    );
    let misses: Vec<serde_json::Value> = fixtures
        .iter()
        .zip(&results)
        .filter(|(_, (d, e, _, _))| d != e)
        .map(|(f, (d, e, h, rho))| serde_json::json!({"id": f.id, "decision": d.as_str(), "expected": e.as_str(), "harmful": h, "risk": rho}))
        .collect();
    if json {
        let out = serde_json::json!({
            "model": "plan-risk", "data": path.display().to_string(), "n": m.n,
            "f1": m.f1(), "precision": m.counts.precision(), "recall": m.counts.recall(),
            "intervention_accuracy": m.intervention_accuracy(), "overblock_rate": m.overblock_rate(),
            "confusion": {"labels": INTERVENTIONS, "counts": m.confusion.counts},
            "mismatches": misses,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("plan-risk on {} ({} plans)", path.display(), m.n);
        println!(
            "  binary F1 {:.3} (precision {:.3}, recall {:.3})",
            m.f1(),
            m.counts.precision(),
            m.counts.recall()
        );
        println!(
            "  4-class intervention accuracy {:.3}",
            m.intervention_accuracy()
        );
        println!(
            "  overblock rate {:.3} ({} of {} benign flagged)",
            m.overblock_rate(),
            m.counts.fp,
            m.counts.fp + m.counts.tn
        );
        println!("\n{}", m.confusion.to_markdown());
        for x in &misses {
            println!("  mismatch {x}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::temp_file;

    #[test]
    fn fixture_lines_with_both_or_neither_plan_and_turns_are_refused() {
        let (_dir, path) = temp_file(
            "plans.jsonl",
            "# header\n{\"id\": \"n1\", \"harmful\": false, \"expected\": \"allow\"}\n",
        );
        let e = read_fixtures(&path).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}:2: give exactly one of plan or turns", path.display())
        );
        std::fs::write(
            &path,
            "{\"id\": \"n1\", \"harmful\": false, \"expected\": \"maybe\"}\n",
        )
        .unwrap();
        let e = read_fixtures(&path).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}:1: ", path.display())) && e.contains("\"maybe\""),
            "{e}"
        );
    }
}
