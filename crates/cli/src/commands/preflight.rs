//! `vigil preflight`: route / reply / block for a conversation, open-classify's PipelineResult.
//!
//! In: `{"messages": [{"role": "user" | "assistant", "text": "..."}, ...]}`. Out: the result with
//! `action` `route`, `reply` or `block`. A conversation that cannot be normalized gets an error
//! record naming the problem (`final message must be 5000 characters or fewer`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::Value;
use vigil_injection::InjectionDetector;
use vigil_preflight::config::PreflightConfig;
use vigil_preflight::normalize::normalize_value;
use vigil_preflight::{Catalog, Preflight};
use vigil_task_signal::{Cascade, CascadeParams, TaskSignalClassifier};

use crate::io::Io;

/// Arguments of `vigil preflight`.
#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// downstream-models.json to resolve models from (default: the config's catalog, else the
    /// shipped example catalog).
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Config file with `aggregator` (certaintyThreshold, certaintyGate), `catalog` and
    /// `resolver` (unpriced: last | free).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Injection model artifact to use instead of $VIGIL_PREFLIGHT_MODEL or the embedded model.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Task-signal model that derives model tier and specialization (default:
    /// $VIGIL_TASK_SIGNAL_MODEL, then the embedded model).
    #[arg(long, value_name = "FILE", conflicts_with = "no_task_signal")]
    task_signal_model: Option<PathBuf>,
    /// Route without a task signal (tier and specialization constraints are then dropped).
    #[arg(long)]
    no_task_signal: bool,
    #[command(flatten)]
    io: Io,
}

/// Runs `vigil preflight`.
pub fn run(args: PreflightArgs) -> anyhow::Result<bool> {
    let config = match &args.config {
        Some(path) => PreflightConfig::read(path)?,
        None => PreflightConfig::default(),
    };
    let catalog = match args.catalog.as_ref().or(config.catalog.as_ref()) {
        Some(path) => Catalog::read(path)?,
        None => Catalog::shipped(),
    };
    let injection = InjectionDetector::load(args.model.as_deref())
        .context("cannot load the preflight model")?;
    let preflight = Preflight::new(injection, catalog, config.aggregator)?;
    // The same heuristic → ML cascade as `vigil task-signal`.
    let tasks = if args.no_task_signal {
        None
    } else {
        let (ml, _source) = TaskSignalClassifier::load(args.task_signal_model.as_deref())
            .context("cannot load the task-signal model")?;
        Some(Cascade::new(Some(ml), CascadeParams::default())?)
    };
    args.io.run(|_, line| {
        // Through the shared parser, which refuses duplicate keys (a second "messages" must not
        // replace the first).
        let value: Value = vigil_contracts::from_json_str(line)?;
        let input = normalize_value(&value)?;
        let result = match &tasks {
            Some(cascade) => {
                let task = cascade.classify_text(&input.target().text).classification;
                preflight.decide_classified(&input, &task)
            }
            None => preflight.decide(&input, None),
        };
        Ok(serde_json::to_value(result)?)
    })
}
