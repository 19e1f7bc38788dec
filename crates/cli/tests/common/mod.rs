//! Running the `vigil` binary in tests: hermetic environment, stdin in, JSON Lines out.
// Each test file uses part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Environment variables that would change which model or endpoint a run uses.
const CLEARED: &[&str] = &[
    "VIGIL_TASK_SIGNAL_MODEL",
    "VIGIL_ANOMALY_MODEL",
    "VIGIL_PLAN_RISK_MODEL",
    "VIGIL_PREFLIGHT_MODEL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OLLAMA_HOST",
];

/// What one run printed.
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output, one parsed JSON value per line.
    pub lines: Vec<Value>,
    /// Standard error.
    pub stderr: String,
}

/// Runs `vigil args…` with `env` set on top of a cleared model/endpoint environment.
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: impl AsRef<[u8]>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vigil"));
    command.args(args);
    for name in CLEARED {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the vigil binary starts");
    // A command that stops early (status 2) may close stdin first; that is not a test failure.
    let _ = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_ref());
    let out = child.wait_with_output().expect("vigil finishes");
    Run {
        code: out.status.code().expect("vigil exits with a status"),
        lines: String::from_utf8(out.stdout)
            .expect("stdout is UTF-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`run`] as `(status, lines, stderr)`.
pub fn vigil(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: impl AsRef<[u8]>,
) -> (i32, Vec<Value>, String) {
    let r = run(args, env, stdin);
    (r.code, r.lines, r.stderr)
}
