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

use crate::{progress, workspace_root};

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
    /// Evaluate on a committed public peer benchmark under `fixtures/external/<name>/`
    /// (measuring only, never training): `axor` for task-signal and anomaly, `agentdojo` for
    /// injection and plan-risk; a bare `--external` takes the model's first one.
    #[arg(long, conflicts_with = "data", num_args = 0..=1, default_missing_value = "")]
    pub external: Option<String>,
    /// Print metrics as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One registered model.
pub struct Model {
    /// Name used on the command line (`task-signal`, `anomaly`, ...).
    pub name: &'static str,
    /// The committed, embedded artifact, relative to the workspace root; `None` for a smoke fit
    /// whose artifact is not shipped (only its card is committed and checked).
    pub artifact: Option<&'static str>,
    /// Writes the synthetic data set as JSON Lines (the records training uses).
    pub data: fn(seed: u64, out: &Path) -> anyhow::Result<usize>,
    /// Generates data, trains, checks gates, writes the artifact and card.
    pub train: fn(&TrainOptions) -> anyhow::Result<TrainReport>,
    /// Evaluates on fixtures (`None`) or a labelled file; prints a table or JSON.
    pub eval: fn(data: Option<&Path>, json: bool) -> anyhow::Result<()>,
    /// Times the model's hot paths.
    pub bench: fn() -> anyhow::Result<Vec<Timing>>,
    /// Public peer benchmarks this model is measured on: (`--external` name, file relative to
    /// the workspace root).
    pub external: &'static [(&'static str, &'static str)],
}

/// A [`Model`] entry for a `vigil_trainer` module: every model exports the same four entry
/// points (`write_data`, `train`, `eval`, `bench`). With `embedded`, the model ships the
/// artifact its runtime crate embeds, `crates/<name>/models/<name>.vgl`.
macro_rules! model {
    ($name:literal => $module:ident, embedded $(, external $ext:expr)?) => {
        model!(@entry $name, Some(concat!("crates/", $name, "/models/", $name, ".vgl")), $module, [$($ext)?])
    };
    ($name:literal => $module:ident, artifact = $path:literal $(, external $ext:expr)?) => {
        model!(@entry $name, Some($path), $module, [$($ext)?])
    };
    ($name:literal => $module:ident) => {
        model!(@entry $name, None, $module, [])
    };
    (@entry $name:literal, $artifact:expr, $module:ident, [$($ext:expr)?]) => {
        Model {
            name: $name,
            artifact: $artifact,
            data: |seed, out| Ok(vigil_trainer::$module::write_data(seed, out)?),
            train: |opts| Ok(vigil_trainer::$module::train(opts)?),
            eval: |data, json| Ok(vigil_trainer::$module::eval(data, json)?),
            bench: || Ok(vigil_trainer::$module::bench()?),
            external: model!(@external $($ext)?),
        }
    };
    (@external) => {
        &[]
    };
    (@external $ext:expr) => {
        $ext
    };
}

/// Every model `cargo xtask` can work on, in training order.
pub const MODELS: &[Model] = &[
    model!("task-signal" => task_signal, embedded, external &[("axor", "fixtures/external/axor/task_signal.jsonl")]),
    model!("anomaly" => anomaly, embedded, external &[("axor", "fixtures/external/axor/anomaly.jsonl")]),
    model!("plan-risk" => plan_risk, embedded, external &[("agentdojo", "fixtures/external/agentdojo/plans.jsonl")]),
    model!("isolation-baseline" => isolation_baseline),
    model!("injection" => injection, embedded, external &[("agentdojo", "fixtures/external/agentdojo/injection.jsonl")]),
];

pub(crate) fn find(name: &str) -> anyhow::Result<&'static Model> {
    // `preflight` is the old name of the injection model (preflight runs it on user messages):
    // `cargo xtask eval preflight` keeps scoring the preflight fixtures end to end.
    let name = if name == "preflight" {
        "injection"
    } else {
        name
    };
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
///
/// Every model trains into a scratch directory first. Only when every gate passes are the
/// artifacts and cards copied to their destination, so a failed gate never overwrites a committed
/// model. With `--check` nothing is copied: the fresh files are compared byte for byte with the
/// committed ones instead.
pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let models = selected(args.model.as_deref())?;
    let root = workspace_root();
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let started = Instant::now();
    let mut runs = Vec::new();
    for m in &models {
        let opts = TrainOptions {
            artifact_dir: scratch.path().join(m.name),
            card_dir: scratch.path().join(m.name).join("cards"),
            seed: args.seed,
            min_accuracy: args.min_accuracy,
        };
        let spinner = progress::Spinner::start(format!("training {}", m.name));
        let report = (m.train)(&opts).with_context(|| format!("training {} failed", m.name));
        spinner.finish();
        runs.push((m, opts, report?));
    }
    print_summary(runs.iter().map(|(_, _, r)| r));
    eprintln!(
        "total training time: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let failed: Vec<String> = runs
        .iter()
        .flat_map(|(_, _, r)| {
            r.failed_gates()
                .into_iter()
                .map(move |g| format!("{}: gate failed: {g}", r.model))
        })
        .collect();
    if !failed.is_empty() {
        bail!(
            "{}\nnothing was written outside the scratch directory",
            failed.join("\n")
        );
    }

    let mut problems = Vec::new();
    for (m, opts, report) in &runs {
        let card_dest = match &args.out {
            Some(out) => out.join("cards"),
            None => root.join("docs/models"),
        };
        let mut pairs = Vec::new();
        if let Some(shipped) = m.artifact {
            let committed_artifact = root.join(shipped);
            let artifact_dest = match &args.out {
                Some(out) => out.join(file_name(&committed_artifact)?),
                None => committed_artifact,
            };
            pairs.push((report.artifact.clone(), artifact_dest));
        }
        for card_file in list_files(&opts.card_dir)? {
            pairs.push((opts.card_dir.join(&card_file), card_dest.join(&card_file)));
        }
        for (fresh, dest) in pairs {
            if args.check {
                if let Some(problem) = differs(&fresh, &dest, &root)? {
                    problems.push(format!(
                        "{}: {problem}; run `cargo xtask train {}` and commit",
                        m.name, m.name
                    ));
                }
            } else {
                copy(&fresh, &dest)?;
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    if args.check {
        eprintln!("==> every retrained artifact and card is byte-identical to the committed one");
    }
    Ok(())
}

fn file_name(path: &Path) -> anyhow::Result<&std::ffi::OsStr> {
    path.file_name()
        .with_context(|| format!("{} has no file name", path.display()))
}

fn list_files(dir: &Path) -> anyhow::Result<Vec<std::ffi::OsString>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            names.push(entry.file_name());
        }
    }
    names.sort();
    Ok(names)
}

/// `None` when `committed` holds exactly the bytes of `fresh`, else what differs.
fn differs(fresh: &Path, committed: &Path, root: &Path) -> anyhow::Result<Option<String>> {
    let shown = committed
        .strip_prefix(root)
        .unwrap_or(committed)
        .display()
        .to_string();
    let new = std::fs::read(fresh).with_context(|| format!("cannot read {}", fresh.display()))?;
    Ok(match std::fs::read(committed) {
        Err(_) => Some(format!("{shown} is not committed")),
        Ok(old) if old != new => {
            let at = old
                .iter()
                .zip(&new)
                .position(|(a, b)| a != b)
                .unwrap_or(old.len().min(new.len()));
            Some(format!(
                "retrained {shown} differs from the committed file ({} vs {} bytes, first difference at byte {at})",
                new.len(),
                old.len()
            ))
        }
        Ok(_) => None,
    })
}

fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn print_summary<'a>(reports: impl Iterator<Item = &'a TrainReport>) {
    println!(
        "{:<20} {:>10} {:>10} {:>7} {:>10} {:>8}",
        "model", "train rows", "held-out", "gates", "artifact", "time"
    );
    for r in reports {
        let passed = r.gates.iter().filter(|g| g.passed()).count();
        println!(
            "{:<20} {:>10} {:>10} {:>7} {:>9}K {:>7.1}s",
            r.model,
            r.train_rows,
            r.validation_rows,
            format!("{passed}/{}", r.gates.len()),
            r.artifact_bytes.div_ceil(1024),
            r.seconds
        );
        for g in &r.gates {
            println!("    gate   {g}");
        }
        for (k, v) in &r.metrics {
            println!("    metric {k} = {v:.4}");
        }
    }
}

/// `cargo xtask eval`.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    let m = find(&args.model)?;
    let data = match &args.external {
        None => args.data.clone(),
        Some(name) => {
            let found = if name.is_empty() {
                m.external.first()
            } else {
                m.external.iter().find(|(n, _)| n == name)
            };
            let Some((_, file)) = found else {
                let known: Vec<&str> = m.external.iter().map(|(n, _)| *n).collect();
                bail!(
                    "{} has no external benchmark \"{name}\" (known: {})",
                    m.name,
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                );
            };
            // The AgentDojo sets have their own record shapes and per-suite reports.
            match m.name {
                "injection" => {
                    println!(
                        "{}",
                        vigil_trainer::injection::eval::eval_external(args.json)?
                    );
                    return Ok(());
                }
                "plan-risk" => return Ok(vigil_trainer::plan_risk::eval_external(args.json)?),
                _ => {}
            }
            Some(workspace_root().join(file))
        }
    };
    (m.eval)(data.as_deref(), args.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_artifact_path_is_committed() {
        for m in MODELS {
            if let Some(artifact) = m.artifact {
                assert!(workspace_root().join(artifact).is_file(), "{artifact}");
            }
        }
        assert!(find("plan-risk").is_ok());
        assert!(find("nope").is_err());
    }
}
