//! `vigil plan-risk`: one plan per line → `{"intervention", "risk", "violations", "features"}`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vigil_contracts::plan::RawPlan;
use vigil_features::plan::{ToolAnnotator, ToolCatalog};
use vigil_plan_risk::{PlanMonitor, SessionMonitor};
use vigil_server::records::AssessmentOutput;

use crate::io::Io;

/// Arguments of `vigil plan-risk`.
#[derive(Debug, Args)]
pub struct PlanRiskArgs {
    /// Treat the lines as consecutive turns of one agent session (memory across lines).
    #[arg(long)]
    session: bool,
    /// Tool catalog (JSON `{"tools": {"name": {...}}}`) overriding the default lexicon.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Model artifact (default: $VIGIL_PLAN_RISK_MODEL, then the embedded model).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    #[command(flatten)]
    io: Io,
}

/// Runs `vigil plan-risk`.
pub fn run(args: PlanRiskArgs) -> anyhow::Result<bool> {
    let annotator = match &args.catalog {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read tool catalog {}", path.display()))?;
            let catalog = ToolCatalog::from_json(&text)
                .with_context(|| format!("invalid tool catalog {}", path.display()))?;
            ToolAnnotator::with_catalog(catalog)
        }
        None => ToolAnnotator::default(),
    };
    let monitor = PlanMonitor::load(args.model.as_deref(), annotator)
        .context("cannot load the plan-risk model")?;
    // Each plan's steps stay JSON text, parsed one at a time while walked (`RawPlan`): a
    // 16 MiB line of 300,000 steps is never held as 300,000 parsed steps.
    if args.session {
        let mut session = SessionMonitor::new(&monitor);
        args.io.run(|_, line| {
            let a = session.assess_turn(&RawPlan::parse(line)?);
            Ok(Written(a))
        })
    } else {
        args.io
            .run(|_, line| Ok(Written(monitor.assess(&RawPlan::parse(line)?))))
    }
}

/// An assessment written as its output record ([`AssessmentOutput`]) with no `Value` tree.
struct Written(vigil_plan_risk::Assessment);

impl serde::Serialize for Written {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AssessmentOutput(&self.0).serialize(s)
    }
}
