//! `vigil anomaly`: score a window of normalized intents, or a session of raw calls.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use serde_json::Value;
use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::{NormalizedIntent, PolicyName, TaskSignalHint, from_json_str};
use vigil_features::intent::{IntentNormalizer, RawCall};

use crate::io::Io;

/// Arguments of `vigil anomaly`.
#[derive(Debug, Args)]
pub struct AnomalyArgs {
    /// Model file (default: $VIGIL_ANOMALY_MODEL, then the embedded model).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Working directory used when a line gives raw `calls`.
    #[arg(long, default_value = IntentNormalizer::DEFAULT_WORKDIR)]
    workdir: PathBuf,
    #[command(flatten)]
    io: Io,
}

/// One input line: `window` (axor-core `NormalizedIntent` records) or `calls` (raw tool calls).
/// axor passes `""` for a missing hint or policy; that is accepted as "none".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    #[serde(default)]
    window: Option<Vec<NormalizedIntent>>,
    #[serde(default)]
    calls: Option<Vec<RawCall>>,
    #[serde(default)]
    task_signal_hint: Option<String>,
    #[serde(default)]
    policy_name: Option<String>,
}

/// An optional vocabulary value; the parse errors already name the field.
fn optional<T: std::str::FromStr<Err = vigil_contracts::Error>>(
    v: Option<&str>,
) -> anyhow::Result<Option<T>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(s.parse()?)),
    }
}

/// Scores one line.
pub fn score_line(
    detector: &MLAnomalyDetector,
    workdir: &str,
    line: &str,
) -> anyhow::Result<Value> {
    let input: Input = from_json_str(line)?;
    // Parsed for validation: they only matter to a gray-zone verifier.
    let _hint: Option<TaskSignalHint> = optional(input.task_signal_hint.as_deref())?;
    let _policy: Option<PolicyName> = optional(input.policy_name.as_deref())?;
    let window = match (input.window, input.calls) {
        (Some(w), None) => w,
        (None, Some(calls)) => IntentNormalizer::new(workdir).normalize_session(&calls)?,
        (Some(_), Some(_)) => bail!("give either \"window\" or \"calls\", not both"),
        (None, None) => bail!("missing field \"window\" (or \"calls\")"),
    };
    MLAnomalyDetector::validate_window(&window)?;
    Ok(serde_json::to_value(detector.score_window(&window))?)
}

/// Runs `vigil anomaly`.
pub fn run(args: AnomalyArgs) -> anyhow::Result<bool> {
    let detector =
        MLAnomalyDetector::load(args.model.as_deref()).context("cannot load the anomaly model")?;
    let workdir = args.workdir.to_string_lossy().into_owned();
    args.io.run(|_, line| score_line(&detector, &workdir, line))
}
