//! `vigil anomaly`: score a window of normalized intents, or a session of raw calls.
//!
//! With `--verifier PROVIDER`, gray-zone windows (suspicious, score ≥ the gray-zone threshold) are
//! sent, canonicalized, to an LLM for a second opinion; a verifier failure falls back to the ML
//! result, or fails closed with `--fail-closed`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use vigil_anomaly::{DetectorParams, MLAnomalyDetector};
use vigil_contracts::{
    AnomalyDetector, AnomalyResult, NormalizedIntent, PolicyName, TaskSignalHint, from_json_str,
};
use vigil_features::intent::{IntentNormalizer, RawCall};
use vigil_llm_verifier::{Provider, VerifierOptions, build_verifier};

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
    /// Ask this LLM (anthropic, ollama, openai) about gray-zone windows.
    #[arg(long, value_name = "PROVIDER", value_parser = super::verify::parse_provider)]
    verifier: Option<Provider>,
    /// Verifier model name (default per provider).
    #[arg(long, value_name = "MODEL", requires = "verifier")]
    verifier_model: Option<String>,
    /// Verifier base URL, overriding the environment.
    #[arg(long, value_name = "URL", requires = "verifier")]
    verifier_base_url: Option<String>,
    /// Time limit of one verifier call, in milliseconds.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10_000,
        requires = "verifier"
    )]
    verifier_timeout_ms: u64,
    /// On verifier failure answer critical (`verifier_error_fail_closed`) instead of the ML result.
    #[arg(long, requires = "verifier")]
    fail_closed: bool,
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

/// A parsed line: the window to score and what the task is meant to be.
struct Request {
    window: Vec<NormalizedIntent>,
    hint: Option<TaskSignalHint>,
    policy: Option<PolicyName>,
}

fn parse_line(workdir: &str, line: &str) -> anyhow::Result<Request> {
    let input: Input = from_json_str(line)?;
    let hint: Option<TaskSignalHint> = optional(input.task_signal_hint.as_deref())?;
    let policy: Option<PolicyName> = optional(input.policy_name.as_deref())?;
    let window = match (input.window, input.calls) {
        (Some(w), None) => w,
        (None, Some(calls)) => IntentNormalizer::new(workdir).normalize_session(&calls)?,
        (Some(_), Some(_)) => bail!("give either \"window\" or \"calls\", not both"),
        (None, None) => bail!("missing field \"window\" (or \"calls\")"),
    };
    MLAnomalyDetector::validate_window(&window)?;
    Ok(Request {
        window,
        hint,
        policy,
    })
}

/// Scores one line with the ML model alone.
pub fn score_line(
    detector: &MLAnomalyDetector,
    workdir: &str,
    line: &str,
) -> anyhow::Result<AnomalyResult> {
    let request = parse_line(workdir, line)?;
    Ok(detector.score_window(&request.window))
}

/// Runs `vigil anomaly`.
pub fn run(args: AnomalyArgs) -> anyhow::Result<bool> {
    let detector =
        MLAnomalyDetector::load(args.model.as_deref()).context("cannot load the anomaly model")?;
    let workdir = args.workdir.to_string_lossy().into_owned();
    let Some(provider) = args.verifier else {
        return args.io.run(|_, line| score_line(&detector, &workdir, line));
    };
    let timeout = Duration::from_millis(args.verifier_timeout_ms);
    let mut options = VerifierOptions::default().with_timeout(timeout);
    options.model = args.verifier_model;
    options.base_url = args.verifier_base_url;
    let verifier = build_verifier(provider, options).context("cannot set up the verifier")?;
    let params = DetectorParams {
        fail_closed_on_verifier_error: args.fail_closed,
        // The detector's own limit sits just above the verifier's, which already covers its retry.
        verifier_timeout: timeout + Duration::from_millis(250),
        ..*detector.params()
    };
    let detector = detector
        .with_params(params)?
        .with_verifier(Arc::from(verifier));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime for the verifier")?;
    args.io.run(|_, line| {
        let r = parse_line(&workdir, line)?;
        Ok(runtime.block_on(detector.score(&r.window, r.hint, r.policy))?)
    })
}
