//! Timing of the task-signal hot paths for `cargo xtask bench`: the cascade (the CLI's default
//! path, the headline), the ML classifier, the heuristic, and loading the embedded model, each
//! over every hand-written prompt and the axor hard set.

use vigil_task_signal::{Cascade, CascadeParams, HeuristicClassifier, TaskSignalClassifier};

use super::eval::{fixtures_path, read_labelled};
use crate::Result;
use crate::timing::{Timing, passes_for, time_calls, time_corpus};

/// The prompts timed: `fixtures/task-signal/handwritten.jsonl` and the axor hard set.
pub fn corpus() -> Result<Vec<String>> {
    let mut texts: Vec<String> = read_labelled(&fixtures_path())?
        .into_iter()
        .map(|p| p.text)
        .collect();
    let axor = crate::anomaly::eval::axor_hard_path().with_file_name("task_signal.jsonl");
    texts.extend(read_labelled(&axor)?.into_iter().map(|p| p.text));
    Ok(texts)
}

/// `cargo xtask bench`: p50/p99/p99.9 per call over the prompt corpus, and model load time.
pub fn bench() -> Result<Vec<Timing>> {
    let texts = corpus()?;
    let n = texts.len();
    let label = format!("{n} prompts: hand-written + axor hard set");
    let load = time_calls("task-signal embedded model load", "-", 2, 20, |_| {
        TaskSignalClassifier::embedded().is_ok()
    })
    .against("axor.task_signal.load");
    let ml = TaskSignalClassifier::embedded()?;
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default())?;
    let heuristic = HeuristicClassifier::new();
    // Warm the code (not the corpus) on a prompt outside it.
    for _ in 0..200 {
        std::hint::black_box(cascade.classify_text("warm up the classifier"));
    }
    let passes = passes_for(n, 20_000);
    let t_c = time_corpus(
        "task-signal cascade classify (CLI default)",
        &label,
        n,
        passes,
        |i| cascade.classify_text(&texts[i]),
    );
    // The cascade (heuristic, then the model) has now seen every prompt: the paths below get
    // no first-sight figure.
    let mut t_ml = time_corpus("task-signal ML classify", &label, n, passes, |i| {
        ml.classify_text(&texts[i])
    })
    .against("axor.task_signal.classify");
    t_ml.first_sight_p99_ns = None;
    let mut t_h = time_corpus("task-signal heuristic classify", &label, n, passes, |i| {
        heuristic.classify_text(&texts[i])
    })
    .against("axor.heuristic.classify");
    t_h.first_sight_p99_ns = None;
    Ok(vec![t_c, t_ml, t_h, load])
}
