//! `vigil normalize`: raw tool calls of one session per line → normalized intents.

use std::path::PathBuf;

use clap::Args;
use vigil_features::intent::IntentNormalizer;
use vigil_server::records;

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
/// Runs `vigil normalize`.
pub fn run(args: NormalizeArgs) -> anyhow::Result<bool> {
    let workdir = args.workdir.to_string_lossy().into_owned();
    args.io.run(|_, line| records::normalize(&workdir, line))
}
