//! `vigil anomaly`: score a window of normalized intents (its last ten, as axor does), or a
//! session of raw calls (normalized, then judged on its worst window of ten, so benign calls
//! after an attack cannot push it out of sight).
//!
//! With `--verifier PROVIDER`, gray-zone windows (suspicious, score ≥ the gray-zone threshold) are
//! sent, canonicalized, to an LLM for a second opinion; a verifier failure falls back to the ML
//! result, or fails closed with `--fail-closed`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use vigil_anomaly::{DetectorParams, MLAnomalyDetector};
use vigil_contracts::AnomalyDetector;
use vigil_features::intent::IntentNormalizer;
use vigil_llm_verifier::{Provider, VerifierOptions, build_verifier};
use vigil_server::records;

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
/// Runs `vigil anomaly`.
pub fn run(args: AnomalyArgs) -> anyhow::Result<bool> {
    let detector =
        MLAnomalyDetector::load(args.model.as_deref()).context("cannot load the anomaly model")?;
    let workdir = args.workdir.to_string_lossy().into_owned();
    let Some(provider) = args.verifier else {
        return args
            .io
            .run(|_, line| records::anomaly(&detector, &workdir, line));
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
        let r = records::anomaly_request(&workdir, line)?;
        let result = runtime.block_on(detector.score(r.scored(&detector), r.hint, r.policy))?;
        Ok(serde_json::to_value(result)?)
    })
}
