//! `vigil injection`: prompt-injection risk of a user message or of untrusted content.
//!
//! In: `{"text": "...", "source"?: "user" | "tool"}`. Out: `{"risk_level", "certainty", "score"}`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_preflight::injection::InjectionScratch;
use vigil_preflight::normalize::sanitize;
use vigil_preflight::{InjectionClassifier, Source};

use crate::io::Io;

/// Arguments of `vigil injection`.
#[derive(Debug, Args)]
pub struct InjectionArgs {
    /// Model artifact to use instead of $VIGIL_PREFLIGHT_MODEL or the embedded model.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    #[command(flatten)]
    io: Io,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    text: String,
    #[serde(default)]
    source: Source,
}

/// Runs `vigil injection`.
pub fn run(args: InjectionArgs) -> anyhow::Result<bool> {
    let classifier = InjectionClassifier::load(args.model.as_deref())
        .context("cannot load the preflight model")?;
    let mut scratch = InjectionScratch::default();
    args.io.run(|_, line| {
        let request: Request = vigil_contracts::from_json_str(line)?;
        // The same cleaning `vigil preflight` applies (BOM, NFC, control characters, trim), so
        // a text scores the same through either command.
        let text = sanitize(&request.text);
        if text.is_empty() {
            bail!("text: must not be empty");
        }
        let v = classifier.classify_with(&text, request.source, &mut scratch);
        Ok::<Value, anyhow::Error>(json!({
            "risk_level": v.risk_level,
            "certainty": v.certainty,
            "score": v.score,
        }))
    })
}
