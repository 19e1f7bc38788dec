//! `cargo xtask`: the project's own automation, in Rust (the rust-analyzer pattern).
//!
//! Subcommands are plain functions; CI (`.ci/run`) calls the same ones a person does.
//!
//! - `ci`: format check, clippy with `-D warnings`, the whole test suite.
//! - `data`, `train`, `eval`, `bench`: per-model synthetic data, training with gates and artifacts,
//!   evaluation on hand-written fixtures, benchmarks ([`bench`]: reference figures with
//!   provenance, the generated `docs/bench.md`). Each model registers itself in [`models`].

mod bench;
mod ci;
mod models;
mod progress;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "vigil project automation")]
struct Xtask {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// What CI runs: fmt --check, clippy -D warnings, cargo test --workspace.
    Ci,
    /// Write a model's synthetic data set as JSON Lines.
    Data {
        /// Model name.
        model: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Generator seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Generate data, train, check gates, write artifacts and model cards.
    Train(models::TrainArgs),
    /// Evaluate a model on hand-written fixtures or a labelled JSONL file.
    Eval(models::EvalArgs),
    /// Time every model's hot paths over varied corpora, next to reference figures with
    /// provenance; `--markdown` writes docs/bench.md and the README's block.
    Bench(bench::BenchArgs),
}

fn main() -> anyhow::Result<()> {
    match Xtask::parse().command {
        Command::Ci => ci::run(),
        Command::Data { model, out, seed } => models::data(&model, &out, seed),
        Command::Train(args) => models::train(&args),
        Command::Eval(args) => models::eval(&args),
        Command::Bench(args) => bench::run(&args),
    }
}

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
