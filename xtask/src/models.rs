//! The models `cargo xtask data|train|eval|bench` know about.
//!
//! Each trained model adds one entry to [`MODELS`] with its data, train, eval and bench functions.

use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::Args;

/// Arguments of `cargo xtask train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Train only this model (default: every model).
    pub model: Option<String>,
    /// Directory for artifacts (default: each crate's embedded-model location).
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
    /// Name used on the command line.
    pub name: &'static str,
}

/// Every model `cargo xtask` can work on. Empty until the model crates land.
pub const MODELS: &[Model] = &[];

fn find(name: &str) -> anyhow::Result<&'static Model> {
    match MODELS.iter().find(|m| m.name == name) {
        Some(m) => Ok(m),
        None => {
            let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
            bail!(
                "unknown model \"{name}\" (known: {})",
                if known.is_empty() {
                    "none yet".into()
                } else {
                    known.join(", ")
                }
            )
        }
    }
}

/// `cargo xtask data`.
pub fn data(model: &str, _out: &Path, _seed: u64) -> anyhow::Result<()> {
    find(model).map(|_| ())
}

/// `cargo xtask train`.
pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    if let Some(name) = &args.model {
        find(name)?;
    }
    if MODELS.is_empty() {
        eprintln!("no trainable models are registered yet");
    }
    Ok(())
}

/// `cargo xtask eval`.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    find(&args.model).map(|_| ())
}

/// `cargo xtask bench`.
pub fn bench() -> anyhow::Result<()> {
    if MODELS.is_empty() {
        eprintln!("no models to benchmark yet");
    }
    Ok(())
}
