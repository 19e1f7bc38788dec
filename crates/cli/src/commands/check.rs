//! `vigil check <kind>`: parse each line as a contract type and echo it in canonical form.

use clap::{Args, ValueEnum};
use serde_json::Value;
use vigil_contracts::{
    AgentEvent, AnomalyResult, NormalizedIntent, Plan, TaskSignal, from_json_str,
};

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

fn canonical<T: serde::de::DeserializeOwned + serde::Serialize>(
    line: &str,
) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(from_json_str::<T>(line)?)?)
}

/// Runs `vigil check`.
pub fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let parse = match args.kind {
        ContractKind::Intent => canonical::<NormalizedIntent>,
        ContractKind::Plan => canonical::<Plan>,
        ContractKind::Event => canonical::<AgentEvent>,
        ContractKind::Signal => canonical::<TaskSignal>,
        ContractKind::Result => canonical::<AnomalyResult>,
    };
    args.io.run(|_, line| parse(line))
}
