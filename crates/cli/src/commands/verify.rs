//! `vigil verify`: ask an LLM for a second opinion on windows of normalized intents.
//!
//! Each input line is `{"window": [NormalizedIntent, ...], "task_signal_hint"?: "FOCUSED/MUTATIVE/coding",
//! "policy_name"?: "focused_mutative"}`; each output line is the verifier's
//! `{"score", "class", "reasons"}`. Verifier failures (HTTP status, timeout, refused connection)
//! become that line's error record; an answer that is not a verdict gets the reference fallback
//! ([`FAILURE_HELP`] is what `vigil verify --help` says about both). The window is canonicalized
//! before anything is sent, so tool names and reputations never leave the machine.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Deserializer};
use vigil_contracts::{
    CanonicalIntent, NormalizedIntent, PolicyName, TaskSignalHint, from_json_str,
};
use vigil_llm_verifier::{BlockingVerifier, Provider, VerifierOptions, build_verifier};

use crate::io::Io;

/// The end of `vigil verify --help`: what each kind of failure gives.
pub const FAILURE_HELP: &str = "\
When the verifier fails (each line on its own; the batch goes on):
  Timeout      --timeout-ms covers the whole call, the one retry included. The line gets an
               error record: {\"error\": {\"line\": N, \"message\": \"verifier: timed out after N ms\"}}.
  Refusal      An HTTP error status (429 and 5xx are retried once first), a refused connection,
               or a redirect to another origin (vigil never follows a redirect to another origin,
               so the API key stays with the configured host). The line gets an error record
               such as \"verifier: HTTP 401: ...\" or \"verifier: transport: ...\".
  Parse error  An answer that is not a usable verdict is not an error record: the line gets the
               reference fallback {\"score\":0.5,\"class\":\"suspicious\",\"reasons\":[\"verifier_parse_error\"]}
               and a warning goes to standard error.
Any error record makes the exit status 1. vigil verify reports; it neither fails open nor
closed by itself. To fail closed, treat an error record or the verifier_parse_error reason as
critical, or use `vigil anomaly --verifier PROVIDER --fail-closed`, which does so (without
--fail-closed, vigil anomaly keeps the model's own result).";

/// Arguments of `vigil verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Which API to call: anthropic (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), ollama (OLLAMA_HOST)
    /// or openai (OPENAI_API_KEY, OPENAI_BASE_URL).
    #[arg(long, value_parser = parse_provider)]
    provider: Provider,
    /// Model name (default: claude-haiku-4-5-20251001, llama3.2, gpt-4o-mini).
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// Base URL of the API, overriding the environment.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Time limit per line, retry included, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    timeout_ms: u64,
    #[command(flatten)]
    io: Io,
}

pub(crate) fn parse_provider(s: &str) -> Result<Provider, String> {
    s.parse().map_err(|e: vigil_contracts::Error| e.to_string())
}

/// One input line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRecord {
    window: Vec<NormalizedIntent>,
    /// `""` and `null` mean "not known", as axor's default.
    #[serde(default, deserialize_with = "blank_as_none")]
    task_signal_hint: Option<TaskSignalHint>,
    #[serde(default, deserialize_with = "blank_as_none")]
    policy_name: Option<PolicyName>,
}

fn blank_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match Option::<String>::deserialize(d)? {
        Some(s) if !s.trim().is_empty() => {
            s.trim().parse().map(Some).map_err(serde::de::Error::custom)
        }
        _ => Ok(None),
    }
}

/// Runs `vigil verify`.
pub fn run(args: VerifyArgs) -> anyhow::Result<bool> {
    let options = VerifierOptions {
        model: args.model,
        base_url: args.base_url,
        timeout: Duration::from_millis(args.timeout_ms),
        ..VerifierOptions::default()
    };
    let verifier = build_verifier(args.provider, options)
        .with_context(|| format!("cannot set up the {} verifier", args.provider))?;
    let verifier = BlockingVerifier::new(verifier)?;
    args.io.run(|_, line| {
        let record: VerifyRecord = from_json_str(line)?;
        let window: Vec<CanonicalIntent> = record
            .window
            .iter()
            .map(NormalizedIntent::canonicalize)
            .collect();
        let verdict = verifier
            .verify(&window, record.task_signal_hint, record.policy_name)
            .map_err(|e| anyhow::anyhow!("verifier: {e}"))?;
        Ok(serde_json::to_value(verdict)?)
    })
}
