//! Input/output options shared by every JSON Lines subcommand.

use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use crate::jsonl;

/// Where the JSON Lines come from.
#[derive(Debug, Clone, Args)]
pub struct Io {
    /// Read JSON Lines from FILE instead of standard input.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub input: Option<PathBuf>,
}

impl Io {
    /// Streams every input line through `handler` to standard output. Returns `true` when every
    /// line succeeded.
    pub fn run<F>(&self, handler: F) -> anyhow::Result<bool>
    where
        F: FnMut(usize, &str) -> anyhow::Result<Value>,
    {
        let stdout = io::stdout();
        let out = BufWriter::new(stdout.lock());
        let summary = match &self.input {
            Some(path) => {
                let file = File::open(path)
                    .with_context(|| format!("cannot open input file {}", path.display()))?;
                jsonl::run(BufReader::new(file), out, handler)
            }
            None => jsonl::run(io::stdin().lock(), out, handler),
        }
        .context("cannot write output")?;
        Ok(summary.failed == 0)
    }
}
