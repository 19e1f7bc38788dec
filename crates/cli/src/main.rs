//! `vigil`: JSON Lines in, JSON Lines out, for every vigil model.
//!
//! Every subcommand reads JSON Lines from standard input (or `--input FILE`) and writes exactly one
//! JSON line per input line, in order. A bad line gets `{"error": {"line": N, "message": "..."}}`
//! in its place and the batch goes on; the exit status is 1 if any line failed, 0 otherwise, and
//! 2 when the command could not run at all (unreadable input file, bad option, output that cannot
//! be written, a trained baseline that cannot be saved). Lines longer than 16 MiB are error records.
//! Diagnostics go to standard error, escaped so that input quoted in them stays on its line; set
//! `VIGIL_LOG` (e.g. `VIGIL_LOG=debug`) to see more of them.

mod commands;
mod diagnostics;
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
    /// Normalize raw tool calls `{"calls": [{"tool", "args"}, ...]}` into intents.
    Normalize(commands::normalize::NormalizeArgs),
    /// Classify prompts ({"text": ...} per line, or --text) as complexity / nature / domain.
    TaskSignal(commands::task_signal::TaskSignalArgs),
    /// Score a window `{"window": [...]}` (its last ten intents) or a session `{"calls": [...]}`
    /// (its worst window of ten) for trajectory anomalies.
    Anomaly(commands::anomaly::AnomalyArgs),
    /// Ask an LLM (anthropic, ollama, openai) for a second opinion on windows of intents.
    #[command(after_help = commands::verify::FAILURE_HELP)]
    Verify(commands::verify::VerifyArgs),
    /// Decide allow/block/confirm/revise for agent plans (NEXUS-style monitor).
    PlanRisk(commands::plan_risk::PlanRiskArgs),
    /// Score agent events against each agent's own behavioural baseline (harombe security.ml).
    Baseline(commands::baseline::BaselineArgs),
    /// Prompt-injection risk of each {"text", "source"?} line: {"risk_level", "certainty", "score"}.
    Injection(commands::injection::InjectionArgs),
    /// Route / reply / block each {"messages": [...]} line (open-classify's PipelineResult).
    Preflight(commands::preflight::PreflightArgs),
    /// Serve every model over HTTP (POST /v1/<subcommand>), with shared state on DIR or Redis.
    Serve(commands::serve::ServeArgs),
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    if io::stdout_was_closed() {
        eprintln!("vigil: cannot write output: standard output is closed");
        return ExitCode::from(2);
    }
    let outcome = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Normalize(args) => commands::normalize::run(args),
        Command::TaskSignal(args) => commands::task_signal::run(args),
        Command::Anomaly(args) => commands::anomaly::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::PlanRisk(args) => commands::plan_risk::run(args),
        Command::Baseline(args) => commands::baseline::run(args),
        Command::Injection(args) => commands::injection::run(args),
        Command::Preflight(args) => commands::preflight::run(args),
        Command::Serve(args) => commands::serve::run(args),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("vigil: {}", diagnostics::message(&diagnostics::chain(&e)));
            ExitCode::from(2)
        }
    }
}

/// Warnings (e.g. a verifier answer that could not be parsed) go to stderr; `VIGIL_LOG` sets the
/// filter (`VIGIL_LOG=debug`), default `warn`. Standard output stays pure JSON Lines.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VIGIL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
