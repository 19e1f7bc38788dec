//! `vigil normalize`: raw tool calls of one session per line → normalized intents.

use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};
use vigil_contracts::{NormalizedIntent, from_json_str};
use vigil_features::intent::{IntentNormalizer, RawCall};

use crate::io::Io;

/// Arguments of `vigil normalize`.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// Working directory of the sessions (paths outside it are `system_path`).
    #[arg(long, default_value = IntentNormalizer::DEFAULT_WORKDIR)]
    workdir: PathBuf,
    #[command(flatten)]
    io: Io,
}

/// One input line: the calls of one session, oldest first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Session {
    calls: Vec<RawCall>,
}

/// One output line: the session's intents, in call order.
#[derive(Debug, Serialize)]
pub struct Intents {
    intents: Vec<NormalizedIntent>,
}

/// Normalizes one session with a fresh normalizer.
pub fn normalize_line(workdir: &str, line: &str) -> anyhow::Result<Intents> {
    let s: Session = from_json_str(line)?;
    let intents = IntentNormalizer::new(workdir).normalize_session(&s.calls)?;
    Ok(Intents { intents })
}

/// Runs `vigil normalize`.
pub fn run(args: NormalizeArgs) -> anyhow::Result<bool> {
    let workdir = args.workdir.to_string_lossy().into_owned();
    args.io.run(|_, line| normalize_line(&workdir, line))
}
