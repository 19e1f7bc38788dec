//! `vigil normalize`: raw tool calls of one session per line → normalized intents.

use std::path::PathBuf;

use clap::Args;
use vigil_features::intent::IntentNormalizer;
use vigil_server::records;

use crate::io::Io;

/// Arguments of `vigil normalize`.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// Working directory of the sessions: a path that climbs out of it (`../`), or lies under
    /// /etc, /usr, /var, /sys, /proc, /root, /home or ~ (axor-core's system prefixes), is
    /// `system_path`; other absolute paths (/tmp, /opt, /srv) are not.
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
