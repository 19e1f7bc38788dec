//! `vigil`: JSON Lines in, JSON Lines out, for every vigil model.
//!
//! Every subcommand reads JSON Lines from standard input (or `--input FILE`) and writes exactly one
//! JSON line per input line, in order. A bad line gets `{"error": {"line": N, "message": "..."}}`
//! in its place and the batch goes on; the exit status is 1 if any line failed, 0 otherwise, and
//! 2 when the command could not run at all (unreadable input file, bad option).

mod commands;
mod io;
mod jsonl;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Fast, local, calibrated safety signals for LLM-agent runtimes.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse each line as a contract type and echo it in canonical form, or say what is wrong.
    Check(commands::check::CheckArgs),
    /// Prompt-injection risk of each {"text", "source"?} line: {"risk_level", "certainty", "score"}.
    Injection(commands::injection::InjectionArgs),
    /// Route / reply / block each {"messages": [...]} line (open-classify's PipelineResult).
    Preflight(commands::preflight::PreflightArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Injection(args) => commands::injection::run(args),
        Command::Preflight(args) => commands::preflight::run(args),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("vigil: {e:#}");
            ExitCode::from(2)
        }
    }
}
