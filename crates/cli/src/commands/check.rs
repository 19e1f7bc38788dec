//! `vigil check <kind>`: parse each line as a contract type and echo it in canonical form.

use clap::{Args, ValueEnum};
use vigil_contracts::plan::PlanEcho;
use vigil_contracts::{AgentEvent, AnomalyResult, NormalizedIntent, TaskSignal, from_json_str};

use crate::io::Io;

/// Arguments of `vigil check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Which contract each line must satisfy.
    kind: ContractKind,
    #[command(flatten)]
    io: Io,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ContractKind {
    /// A NormalizedIntent (axor-core 0.8.0 field names).
    Intent,
    /// A Plan {request?, budget?, steps}.
    Plan,
    /// An AgentEvent {agent_id?, timestamp, event_type, resource_count, duration_ms, success}.
    Event,
    /// A TaskSignal.
    Signal,
    /// An AnomalyResult {score, class, reasons}.
    Result,
}

/// Echoes every line parsed as `T`, serialized straight from the typed value.
fn canonical<T: serde::de::DeserializeOwned + serde::Serialize>(io: &Io) -> anyhow::Result<bool> {
    io.run(|_, line| Ok(from_json_str::<T>(line)?))
}

/// Runs `vigil check`.
pub fn run(args: CheckArgs) -> anyhow::Result<bool> {
    match args.kind {
        ContractKind::Intent => canonical::<NormalizedIntent>(&args.io),
        // Echoed step by step: a 16 MiB plan is never held as a tree of steps.
        ContractKind::Plan => canonical::<PlanEcho>(&args.io),
        ContractKind::Event => canonical::<AgentEvent>(&args.io),
        ContractKind::Signal => canonical::<TaskSignal>(&args.io),
        ContractKind::Result => canonical::<AnomalyResult>(&args.io),
    }
}
