//! Timing of the task-signal hot paths for `cargo xtask bench`: the ML classifier, the
//! heuristic, the cascade and loading the embedded model.

use vigil_task_signal::{Cascade, CascadeParams, HeuristicClassifier, TaskSignalClassifier};

use crate::Result;
use crate::timing::{Timing, time_calls};

/// `cargo xtask bench`: p50/p99 per call of the hot paths, and model load time.
pub fn bench() -> Result<Vec<Timing>> {
    const PROMPTS: &[&str] = &[
        "fix the bug in parser.py",
        "Can you walk me through how the retry logic in the HTTP client works?",
        "rewrite the whole billing service in Go",
        "generate unit tests for the date utilities",
        "summarize the main findings of these three papers on sleep and memory",
        "our dashboard shows a drop in weekly active users, what happened?",
    ];
    let mut load = time_calls("task-signal embedded model load", 2, 20, |_| {
        TaskSignalClassifier::embedded().is_ok()
    });
    load.reference_p50_ns = Some(280e6);
    let ml = TaskSignalClassifier::embedded()?;
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default())?;
    let heuristic = HeuristicClassifier::new();
    let n = PROMPTS.len();
    let mut t_ml = time_calls("task-signal ml classify", 2_000, 20_000, |i| {
        ml.classify_text(PROMPTS[i % n])
    });
    t_ml.reference_p50_ns = Some(5.0e6);
    let mut t_h = time_calls("task-signal heuristic classify", 2_000, 20_000, |i| {
        heuristic.classify_text(PROMPTS[i % n])
    });
    t_h.reference_p50_ns = Some(95e3);
    let t_c = time_calls("task-signal cascade classify", 2_000, 20_000, |i| {
        cascade.classify_text(PROMPTS[i % n])
    });
    Ok(vec![t_ml, t_h, t_c, load])
}
