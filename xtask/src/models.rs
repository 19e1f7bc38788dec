//! The models `cargo xtask data|train|eval|bench` know about, and the flows around them.
//!
//! Each trained model adds one [`Model`] entry to [`MODELS`]: its name, where its committed
//! (embedded) artifact lives, and plain functions for data, training, evaluation and timing.
//! Everything else — the summary table, gates, `--check` — is shared here.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use vigil_trainer::gate::{TrainOptions, TrainReport};
use vigil_trainer::timing::Timing;

use crate::workspace_root;

/// Arguments of `cargo xtask train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Train only this model (default: every model).
    pub model: Option<String>,
    /// Directory for artifacts and cards (default: each crate's embedded-model location and
    /// docs/models).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed for data generation and training.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Minimum held-out accuracy; overrides each model's default gate.
    #[arg(long)]
    pub min_accuracy: Option<f64>,
    /// Retrain into a temporary directory and fail if the committed artifacts differ.
    #[arg(long)]
    pub check: bool,
}

/// Arguments of `cargo xtask eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model to evaluate.
    pub model: String,
    /// Labelled JSON Lines in the CLI's input format (default: the hand-written fixtures).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print metrics as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One registered model.
pub struct Model {
    /// Name used on the command line (`task-signal`, `anomaly`, ...).
    pub name: &'static str,
    /// The committed, embedded artifact, relative to the workspace root.
    pub artifact: &'static str,
    /// Writes the synthetic data set as JSON Lines (the records training uses).
    pub data: fn(seed: u64, out: &Path) -> anyhow::Result<usize>,
    /// Generates data, trains, checks gates, writes the artifact and card.
    pub train: fn(&TrainOptions) -> anyhow::Result<TrainReport>,
    /// Evaluates on fixtures (`None`) or a labelled file; prints a table or JSON.
    pub eval: fn(data: Option<&Path>, json: bool) -> anyhow::Result<()>,
    /// Times the model's hot paths.
    pub bench: fn() -> anyhow::Result<Vec<Timing>>,
}

/// Every model `cargo xtask` can work on, in training order.
pub const MODELS: &[Model] = &[Model {
    name: "preflight",
    artifact: "crates/preflight/models/preflight.vgl",
    data: |seed, out| Ok(vigil_trainer::preflight::write_data(seed, out)?),
    train: |opts| Ok(vigil_trainer::preflight::train(opts)?),
    eval: |data, json| {
        println!("{}", vigil_trainer::preflight::eval(data, json)?);
        Ok(())
    },
    bench: || Ok(vigil_trainer::preflight::bench()?),
}];

fn find(name: &str) -> anyhow::Result<&'static Model> {
    MODELS.iter().find(|m| m.name == name).with_context(|| {
        let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        format!(
            "unknown model \"{name}\" (known: {})",
            if known.is_empty() {
                "none yet".into()
            } else {
                known.join(", ")
            }
        )
    })
}

fn selected(name: Option<&str>) -> anyhow::Result<Vec<&'static Model>> {
    Ok(match name {
        Some(n) => vec![find(n)?],
        None => MODELS.iter().collect(),
    })
}

/// `cargo xtask data`.
pub fn data(model: &str, out: &Path, seed: u64) -> anyhow::Result<()> {
    let m = find(model)?;
    let rows = (m.data)(seed, out)?;
    eprintln!("wrote {rows} {model} records to {}", out.display());
    Ok(())
}

/// `cargo xtask train` (and `--check`).
pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let models = selected(args.model.as_deref())?;
    if models.is_empty() {
        eprintln!("no trainable models are registered yet");
        return Ok(());
    }
    let root = workspace_root();
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let started = Instant::now();
    let mut reports = Vec::new();
    for m in &models {
        let default_dir = root
            .join(m.artifact)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.clone());
        let (artifact_dir, card_dir) = match (&args.out, args.check) {
            (_, true) => (
                scratch.path().join(m.name),
                scratch.path().join(m.name).join("cards"),
            ),
            (Some(out), false) => (out.clone(), out.join("cards")),
            (None, false) => (default_dir, root.join("docs/models")),
        };
        let opts = TrainOptions {
            artifact_dir,
            card_dir,
            seed: args.seed,
            min_accuracy: args.min_accuracy,
        };
        eprintln!("==> training {}", m.name);
        let report = (m.train)(&opts).with_context(|| format!("training {} failed", m.name))?;
        reports.push(report);
    }
    print_summary(&reports);
    eprintln!(
        "total training time: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut problems = Vec::new();
    for r in &reports {
        for g in r.failed_gates() {
            problems.push(format!("{}: gate failed: {g}", r.model));
        }
    }
    if args.check {
        for (m, r) in models.iter().zip(&reports) {
            let committed_path = root.join(m.artifact);
            let committed = std::fs::read(&committed_path).with_context(|| {
                format!(
                    "cannot read committed artifact {}",
                    committed_path.display()
                )
            })?;
            let fresh = std::fs::read(&r.artifact).with_context(|| {
                format!("cannot read retrained artifact {}", r.artifact.display())
            })?;
            if committed != fresh {
                problems.push(format!(
                    "{}: retrained artifact differs from committed {} ({} vs {} bytes); run `cargo xtask train {}` and commit",
                    m.name,
                    m.artifact,
                    fresh.len(),
                    committed.len(),
                    m.name
                ));
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(())
}

fn print_summary(reports: &[TrainReport]) {
    println!(
        "{:<14} {:>8} {:>8} {:<48} {:>6} {:>10} {:>8}",
        "model", "train", "held-out", "metrics", "gates", "artifact", "time"
    );
    for r in reports {
        let metrics: Vec<String> = r
            .metrics
            .iter()
            .map(|(k, v)| format!("{k}={v:.3}"))
            .collect();
        let passed = r.gates.iter().filter(|g| g.passed()).count();
        println!(
            "{:<14} {:>8} {:>8} {:<48} {:>6} {:>9}K {:>7.1}s",
            r.model,
            r.train_rows,
            r.validation_rows,
            metrics.join(" "),
            format!("{passed}/{}", r.gates.len()),
            r.artifact_bytes / 1024,
            r.seconds
        );
        for g in &r.gates {
            println!("    {g}");
        }
    }
}

/// `cargo xtask eval`.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    let m = find(&args.model)?;
    (m.eval)(args.data.as_deref(), args.json)
}

/// `cargo xtask bench`.
pub fn bench() -> anyhow::Result<()> {
    if MODELS.is_empty() {
        eprintln!("no models to benchmark yet");
        return Ok(());
    }
    println!(
        "{:<40} {:>10} {:>10} {:>12} {:>14} {:>10}",
        "hot path", "p50", "p99", "calls/s", "reference p50", "speed-up"
    );
    for m in MODELS {
        for t in (m.bench)()? {
            println!(
                "{:<40} {:>10} {:>10} {:>12.0} {:>14} {:>10}",
                t.name,
                human(t.p50_ns),
                human(t.p99_ns),
                t.throughput(),
                t.reference_p50_ns.map(human).unwrap_or_else(|| "-".into()),
                t.speedup()
                    .map(|s| format!("{s:.0}x"))
                    .unwrap_or_else(|| "-".into())
            );
        }
    }
    Ok(())
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
