//! `cargo xtask ci`: the checks CI runs, in the order that fails fastest.

use std::process::Command;

use anyhow::{Context, bail};

use crate::workspace_root;

/// Runs one cargo step in the workspace root, failing with the step's name.
pub fn cargo(step: &str, args: &[&str]) -> anyhow::Result<()> {
    eprintln!("==> cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("cannot start cargo for {step}"))?;
    if !status.success() {
        bail!("{step} failed ({status})");
    }
    Ok(())
}

/// fmt → clippy → tests.
pub fn run() -> anyhow::Result<()> {
    cargo("format check", &["fmt", "--all", "--", "--check"])?;
    cargo(
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    cargo("tests", &["test", "--workspace"])?;
    eprintln!("==> ci passed");
    Ok(())
}
