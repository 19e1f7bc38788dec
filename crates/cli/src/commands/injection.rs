//! `vigil injection`: prompt-injection risk of a user message or of untrusted content.
//!
//! In: `{"text": "...", "source"?: "user" | "tool"}`. Out: `{"risk_level", "certainty", "score"}`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vigil_injection::InjectionDetector;
use vigil_injection::InjectionScratch;
use vigil_server::records;

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

/// Runs `vigil injection`.
pub fn run(args: InjectionArgs) -> anyhow::Result<bool> {
    let classifier = InjectionDetector::load(args.model.as_deref())
        .context("cannot load the preflight model")?;
    let mut scratch = InjectionScratch::default();
    args.io
        .run(|_, line| records::injection(&classifier, &mut scratch, line))
}
