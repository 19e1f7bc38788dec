//! Input/output options shared by every JSON Lines subcommand.

use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;

use crate::jsonl::{self, StreamError};

/// Where the JSON Lines come from.
#[derive(Debug, Clone, Args)]
pub struct Io {
    /// Read JSON Lines from FILE instead of standard input.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub input: Option<PathBuf>,
}

impl Io {
    /// Streams every input line through `handler` to standard output (each answer serialized
    /// as it is, see [`jsonl::run`]). Returns `true` when every line succeeded.
    pub fn run<F, T>(&self, handler: F) -> anyhow::Result<bool>
    where
        F: FnMut(usize, &str) -> anyhow::Result<T>,
        T: Serialize,
    {
        let stdout = io::stdout();
        let out = BufWriter::new(stdout.lock());
        let (result, source) = match &self.input {
            Some(path) => {
                let file = File::open(path)
                    .with_context(|| format!("cannot open input file {}", path.display()))?;
                if file.metadata().is_ok_and(|m| m.is_dir()) {
                    bail!(
                        "cannot read input file {}: it is a directory",
                        path.display()
                    );
                }
                let name = format!("input file {}", path.display());
                (jsonl::run(BufReader::new(file), out, handler), name)
            }
            None => (
                jsonl::run(io::stdin().lock(), out, handler),
                "standard input".to_owned(),
            ),
        };
        match result {
            Ok(summary) => Ok(summary.failed == 0),
            Err(StreamError::Read(e)) => Err(e).context(format!("cannot read {source}")),
            Err(StreamError::Write(e)) => Err(e).context("cannot write output"),
        }
    }
}

/// Whether standard output was closed when `vigil` started (`vigil … >&-`).
///
/// Rust's runtime puts a read-write `/dev/null` on a closed descriptor 1 before `main`, so every
/// write would vanish and the run would exit 0. A shell redirection to `/dev/null` opens it
/// write-only, so a read-write `/dev/null` there is the runtime's stand-in for a closed output.
#[cfg(target_os = "linux")]
pub fn stdout_was_closed() -> bool {
    const ACCESS_MODE: u32 = 0o3;
    const READ_WRITE: u32 = 0o2;
    let on_dev_null = std::fs::read_link("/proc/self/fd/1")
        .is_ok_and(|target| target == std::path::Path::new("/dev/null"));
    on_dev_null
        && std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
                .is_some_and(|flags| flags & ACCESS_MODE == READ_WRITE)
        })
}

/// Whether standard output was closed when `vigil` started; only detectable on Linux.
#[cfg(not(target_os = "linux"))]
pub fn stdout_was_closed() -> bool {
    false
}
