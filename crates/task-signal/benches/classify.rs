//! Latency of one `classify_text` call: heuristic, ML model, cascade; and model load time.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use vigil_task_signal::{Cascade, CascadeParams, HeuristicClassifier, TaskSignalClassifier};

const PROMPTS: &[&str] = &[
    "fix the bug in parser.py",
    "Can you walk me through how the retry logic in the HTTP client works?",
    "rewrite the whole billing service in Go",
    "generate unit tests for the date utilities",
    "summarize the main findings of these three papers on sleep and memory",
    "our dashboard shows a drop in weekly active users, what happened?",
];

fn bench(c: &mut Criterion) {
    let ml = TaskSignalClassifier::embedded().expect("embedded model loads");
    let heuristic = HeuristicClassifier::new();
    let cascade = Cascade::new(Some(ml.clone()), CascadeParams::default()).expect("valid params");
    let mut i = 0usize;
    c.bench_function("ml classify_text", |b| {
        b.iter(|| {
            i = (i + 1) % PROMPTS.len();
            black_box(ml.classify_text(black_box(PROMPTS[i])))
        })
    });
    c.bench_function("heuristic classify_text", |b| {
        b.iter(|| {
            i = (i + 1) % PROMPTS.len();
            black_box(heuristic.classify_text(black_box(PROMPTS[i])))
        })
    });
    c.bench_function("cascade classify_text", |b| {
        b.iter(|| {
            i = (i + 1) % PROMPTS.len();
            black_box(cascade.classify_text(black_box(PROMPTS[i])))
        })
    });
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    group.bench_function("embedded model load", |b| {
        b.iter(|| black_box(TaskSignalClassifier::embedded().expect("loads")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
