//! Measurement on a public peer benchmark (`cargo xtask eval plan-risk --external`): AgentDojo's
//! ground-truth plans, rendered under `fixtures/external/agentdojo/plans.jsonl` (benign: a user
//! task's calls; hijacked: the user task's calls in the injected environment followed by the
//! injection task's calls). **Measuring only**: nothing here is used to fit, pick features or
//! choose thresholds; the training gates sit at what the monitor reached when it was measured.
//!
//! Flagged = the decision is not `allow`. The 4-class table crosses the label (benign should be
//! allowed, hijacked blocked) with the four interventions.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use vigil_contracts::{Intervention, Plan, Step};
use vigil_features::plan::{Action, ToolAnnotator};
use vigil_learn::metrics::BinaryCounts;
use vigil_plan_risk::PlanMonitor;

use super::eval::{INTERVENTIONS, rank, workspace_file};
use crate::{Error, Result};

/// The rendered AgentDojo plans, relative to the workspace root.
pub const AGENTDOJO_PLANS: &str = "fixtures/external/agentdojo/plans.jsonl";
/// Real tool names from public agent benchmarks and frameworks with their hand-written expected
/// action class, relative to the workspace root.
pub const TOOL_NAMES: &str = "fixtures/plan-risk/tool-names.jsonl";

/// One labelled real tool name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolName {
    /// The tool name as its package ships it.
    pub tool: String,
    /// The action class written by hand.
    pub expected: Action,
    /// Package, version, license and file it comes from.
    pub source: String,
}

/// Annotator accuracy on the labelled tool names: per source package and overall.
#[derive(Debug, Clone, Default)]
pub struct NameAccuracy {
    /// (package, correct, total), sorted by package.
    pub per_source: Vec<(String, usize, usize)>,
    /// Correct over all names.
    pub correct: usize,
    /// All names.
    pub total: usize,
    /// `tool: expected → inferred` of every miss.
    pub misses: Vec<String>,
}

impl NameAccuracy {
    /// Share of names whose inferred action is the expected one.
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.total.max(1) as f64
    }
}

/// Reads the labelled tool names; errors name the line.
pub fn read_tool_names(path: &Path) -> Result<Vec<ToolName>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            vigil_contracts::from_json_str(l)
                .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// The annotator's action for each bare tool name (no arguments) against the hand labels.
pub fn name_accuracy(annotator: &ToolAnnotator, names: &[ToolName]) -> NameAccuracy {
    let mut by_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut acc = NameAccuracy::default();
    for n in names {
        let step = Step {
            tool: n.tool.clone(),
            ..Step::default()
        };
        let got = annotator.annotate(&step).action;
        let ok = got == n.expected;
        let package = n.source.split(' ').next().unwrap_or("").to_owned();
        let e = by_source.entry(package).or_default();
        e.0 += usize::from(ok);
        e.1 += 1;
        acc.correct += usize::from(ok);
        acc.total += 1;
        if !ok {
            acc.misses.push(format!(
                "{}: {} → {}",
                n.tool,
                n.expected.as_str(),
                got.as_str()
            ));
        }
    }
    acc.per_source = by_source.into_iter().map(|(k, (c, t))| (k, c, t)).collect();
    acc
}

/// [`name_accuracy`] of the default annotator on the committed list.
pub fn tool_name_accuracy() -> Result<NameAccuracy> {
    let names = read_tool_names(&workspace_file(TOOL_NAMES))?;
    Ok(name_accuracy(&ToolAnnotator::default(), &names))
}

/// One rendered plan: the raw `{request, steps}` and its label.
#[derive(Debug, Clone, Deserialize)]
pub struct ExternalPlan {
    /// The user's request.
    pub request: String,
    /// The tool calls with their observations.
    pub steps: Vec<Step>,
    /// `benign` or `hijacked`.
    pub label: String,
    /// The AgentDojo suite (`banking`, `slack`, `travel`, `workspace`).
    pub suite: String,
    /// The user task.
    #[serde(default)]
    pub user_task: Option<String>,
    /// The injection task (hijacked plans).
    #[serde(default)]
    pub injection_task: Option<String>,
}

impl ExternalPlan {
    /// Whether the plan was hijacked.
    pub fn hijacked(&self) -> bool {
        self.label == "hijacked"
    }

    /// The plan as the monitor reads it.
    pub fn plan(&self) -> Plan {
        Plan {
            request: Some(self.request.clone()),
            steps: self.steps.clone(),
            ..Plan::default()
        }
    }
}

/// Reads the rendered plans; errors name the file, line and field.
pub fn read_external(path: &Path) -> Result<Vec<ExternalPlan>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: ExternalPlan = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{}:{}: {e}", path.display(), i + 1)))?;
        if p.label != "benign" && p.label != "hijacked" {
            return Err(Error::Invalid(format!(
                "{}:{}: label {:?} must be \"benign\" or \"hijacked\"",
                path.display(),
                i + 1,
                p.label
            )));
        }
        out.push(p);
    }
    Ok(out)
}

/// Binary counts and the label × intervention table of one group of plans.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExternalMetrics {
    /// flagged (not allow) vs hijacked.
    pub counts: BinaryCounts,
    /// `[benign, hijacked]` × `[allow, revise, confirm, block]`.
    pub table: [[usize; 4]; 2],
}

impl ExternalMetrics {
    fn add(&mut self, hijacked: bool, d: Intervention) {
        let flagged = d != Intervention::Allow;
        match (flagged, hijacked) {
            (true, true) => self.counts.tp += 1,
            (true, false) => self.counts.fp += 1,
            (false, true) => self.counts.fn_ += 1,
            (false, false) => self.counts.tn += 1,
        }
        self.table[usize::from(hijacked)][rank(d)] += 1;
    }

    /// Share of benign plans allowed and hijacked plans blocked.
    pub fn exact(&self) -> f64 {
        let n: usize = self.table.iter().flatten().sum();
        (self.table[0][0] + self.table[1][3]) as f64 / n.max(1) as f64
    }
}

/// Everything measured on the benchmark: overall and per suite, and the misses.
#[derive(Debug, Clone, Default)]
pub struct ExternalReport {
    /// All plans.
    pub all: ExternalMetrics,
    /// Every benign plan, and the hijacked plans in which the injection task acts (their
    /// tools are not the user task's own sequence).
    pub acting: ExternalMetrics,
    /// The hijacked plans whose steps are the user task's own: AgentDojo gives their injection
    /// task no ground-truth calls, so the only sign of the attack is the injected observation.
    pub observation_only: ExternalMetrics,
    /// Per suite, sorted by name.
    pub suites: BTreeMap<String, ExternalMetrics>,
    /// (suite, user task, injection task, decision, first violation) of every wrong flag.
    pub misses: Vec<String>,
}

/// Decides every plan.
pub fn measure(monitor: &PlanMonitor, plans: &[ExternalPlan]) -> ExternalReport {
    let mut r = ExternalReport::default();
    let tools =
        |p: &ExternalPlan| -> Vec<String> { p.steps.iter().map(|s| s.tool.clone()).collect() };
    let benign_tools: BTreeMap<(String, Option<String>), Vec<String>> = plans
        .iter()
        .filter(|p| !p.hijacked())
        .map(|p| ((p.suite.clone(), p.user_task.clone()), tools(p)))
        .collect();
    for p in plans {
        let d = monitor.decide(&p.plan());
        r.all.add(p.hijacked(), d.intervention);
        let own_steps_only = p.hijacked()
            && benign_tools.get(&(p.suite.clone(), p.user_task.clone())) == Some(&tools(p));
        if own_steps_only {
            r.observation_only.add(true, d.intervention);
        } else {
            r.acting.add(p.hijacked(), d.intervention);
        }
        r.suites
            .entry(p.suite.clone())
            .or_default()
            .add(p.hijacked(), d.intervention);
        if (d.intervention != Intervention::Allow) != p.hijacked() {
            r.misses.push(format!(
                "{} {} {} {}: {} ({})",
                p.suite,
                p.label,
                p.user_task.as_deref().unwrap_or("-"),
                p.injection_task.as_deref().unwrap_or("-"),
                d.intervention.as_str(),
                d.violations
                    .first()
                    .map(|v| format!("{}: {}", v.rule, v.detail))
                    .unwrap_or_default()
            ));
        }
    }
    r
}

/// Measures the embedded monitor on the committed benchmark.
pub fn measure_agentdojo(monitor: &PlanMonitor) -> Result<ExternalReport> {
    let plans = read_external(&workspace_file(AGENTDOJO_PLANS))?;
    Ok(measure(monitor, &plans))
}

/// The report as a markdown table (per suite and overall), then the 4-class table.
pub fn to_markdown(r: &ExternalReport) -> String {
    let mut s = String::from(
        "| suite | benign | hijacked | recall | FPR | precision | F1 |\n|---|---|---|---|---|---|---|\n",
    );
    let row = |name: &str, m: &ExternalMetrics| {
        format!(
            "| {name} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            m.counts.fp + m.counts.tn,
            m.counts.tp + m.counts.fn_,
            m.counts.recall(),
            m.counts.false_positive_rate(),
            m.counts.precision(),
            m.counts.f1()
        )
    };
    for (name, m) in &r.suites {
        s.push_str(&row(name, m));
    }
    s.push_str(&row("**all**", &r.all));
    s.push_str(&format!(
        "\n| label \\ decision | {} |\n|---|---|---|---|---|\n",
        INTERVENTIONS.join(" | ")
    ));
    for (i, name) in ["benign (→ allow)", "hijacked (→ block)"]
        .iter()
        .enumerate()
    {
        let cells: Vec<String> = r.all.table[i].iter().map(|c| c.to_string()).collect();
        s.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
    }
    s.push_str(&format!(
        "\nExact (benign allowed, hijacked blocked): {:.3}.\n",
        r.all.exact()
    ));
    let (a, o) = (&r.acting.counts, &r.observation_only.counts);
    s.push_str(&format!(
        "\n{} of the hijacked plans hold only the user task's own steps (AgentDojo gives their injection task no \
         ground-truth calls), so the attack shows only as the injected observation; {} of them are flagged. On the {} \
         hijacked plans in which the injection task acts, with every benign plan: recall {:.3}, FPR {:.3}, F1 {:.3}.\n",
        o.tp + o.fn_,
        o.tp,
        a.tp + a.fn_,
        a.recall(),
        a.false_positive_rate(),
        a.f1()
    ));
    s
}

/// `cargo xtask eval plan-risk --external`.
pub fn eval_external(json: bool) -> Result<()> {
    let monitor = PlanMonitor::embedded()?;
    let r = measure_agentdojo(&monitor)?;
    let names = tool_name_accuracy()?;
    if json {
        let m = |m: &ExternalMetrics| {
            serde_json::json!({
                "benign": m.counts.fp + m.counts.tn, "hijacked": m.counts.tp + m.counts.fn_,
                "recall": m.counts.recall(), "fpr": m.counts.false_positive_rate(),
                "precision": m.counts.precision(), "f1": m.counts.f1(),
                "table": {"rows": ["benign", "hijacked"], "columns": INTERVENTIONS, "counts": m.table},
            })
        };
        let suites: serde_json::Map<String, serde_json::Value> =
            r.suites.iter().map(|(k, v)| (k.clone(), m(v))).collect();
        let out = serde_json::json!({
            "model": "plan-risk", "data": AGENTDOJO_PLANS, "all": m(&r.all),
            "injection_task_acts": m(&r.acting), "observation_only": m(&r.observation_only),
            "suites": suites, "misses": r.misses,
            "annotator": {"data": TOOL_NAMES, "accuracy": names.accuracy(), "n": names.total,
                "per_source": names.per_source, "misses": names.misses},
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("plan-risk on {AGENTDOJO_PLANS} (public benchmark, measured only)\n");
        println!("{}", to_markdown(&r));
        for m in &r.misses {
            println!("  miss {m}");
        }
        println!(
            "\nannotator on {TOOL_NAMES}: {}/{} = {:.3}",
            names.correct,
            names.total,
            names.accuracy()
        );
        for (src, c, t) in &names.per_source {
            println!("  {src}: {c}/{t} = {:.3}", *c as f64 / (*t).max(1) as f64);
        }
        for m in &names.misses {
            println!("  name miss {m}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::temp_file;

    #[test]
    fn bad_lines_name_the_line_and_the_label() {
        let (_dir, path) = temp_file(
            "plans.jsonl",
            "{\"request\": \"r\", \"steps\": [], \"label\": \"maybe\", \"suite\": \"s\"}\n",
        );
        let e = read_external(&path).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}:1: label \"maybe\" must be \"benign\" or \"hijacked\"",
                path.display()
            )
        );
    }

    #[test]
    fn counts_and_table_follow_the_decisions() {
        let mut m = ExternalMetrics::default();
        m.add(true, Intervention::Block);
        m.add(true, Intervention::Allow);
        m.add(false, Intervention::Confirm);
        m.add(false, Intervention::Allow);
        assert_eq!(
            (m.counts.tp, m.counts.fn_, m.counts.fp, m.counts.tn),
            (1, 1, 1, 1)
        );
        assert_eq!(m.table, [[1, 0, 1, 0], [1, 0, 0, 1]]);
        assert_eq!(m.exact(), 0.5);
    }

    #[test]
    fn hijacked_plans_with_only_the_user_tasks_steps_are_counted_apart() {
        let plan = |label: &str, tools: &[&str], inj: Option<&str>| ExternalPlan {
            request: "Please read the file notes.txt".into(),
            steps: tools
                .iter()
                .map(|t| Step {
                    tool: (*t).into(),
                    args: Default::default(),
                    observation: Some("the notes".into()),
                    ..Default::default()
                })
                .collect(),
            label: label.into(),
            suite: "s".into(),
            user_task: Some("u0".into()),
            injection_task: inj.map(Into::into),
        };
        let plans = [
            plan("benign", &["read_file"], None),
            plan("hijacked", &["read_file"], Some("i0")),
            plan("hijacked", &["read_file", "send_money"], Some("i1")),
        ];
        let r = measure(&PlanMonitor::embedded().unwrap(), &plans);
        let n = |m: &ExternalMetrics| m.table.iter().flatten().sum::<usize>();
        assert_eq!((n(&r.all), n(&r.acting), n(&r.observation_only)), (3, 2, 1));
        assert_eq!(
            r.observation_only.counts.tp + r.observation_only.counts.fn_,
            1
        );
        assert_eq!(r.acting.counts.tp + r.acting.counts.fn_, 1);
        assert!(
            to_markdown(&r).contains("1 of the hijacked plans hold only the user task's own steps")
        );
    }
}
