//! Timing of the anomaly hot paths for `cargo xtask bench`: scoring a 10-intent window and
//! normalizing a whole session, over the hand-written sessions and the axor hard set.

use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::{NormalizedIntent, Operation, TargetKind};
use vigil_features::intent::IntentNormalizer;
use vigil_features::window::WINDOW;

use super::eval::{axor_hard_path, fixtures_path, read_fixtures};
use crate::timing::{Timing, passes_for, time_corpus};
use crate::{Error, Result};

/// The windows timed: the last 10 intents of every hand-written session (normalized by vigil)
/// and every window of the axor hard set, as given.
pub fn corpus() -> Result<Vec<Vec<NormalizedIntent>>> {
    let mut windows = Vec::new();
    for path in [fixtures_path(), axor_hard_path()] {
        for f in read_fixtures(&path)? {
            let intents = match f.window {
                Some(w) => w,
                None => {
                    let workdir = f
                        .workdir
                        .as_deref()
                        .unwrap_or(IntentNormalizer::DEFAULT_WORKDIR);
                    IntentNormalizer::new(workdir).normalize_session(&f.calls)?
                }
            };
            windows.push(intents[intents.len().saturating_sub(WINDOW)..].to_vec());
        }
    }
    if windows.is_empty() {
        return Err(Error::Invalid("no anomaly windows to time".into()));
    }
    Ok(windows)
}

/// `cargo xtask bench` for anomaly: `score_window` and the normalizer, p50/p99/p99.9.
pub fn bench() -> Result<Vec<Timing>> {
    let detector = MLAnomalyDetector::embedded()?;
    let windows = corpus()?;
    let sessions: Vec<_> = read_fixtures(&fixtures_path())?
        .into_iter()
        .filter(|f| !f.calls.is_empty())
        .collect();
    let warm =
        vec![NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir); WINDOW];
    for _ in 0..1_000 {
        std::hint::black_box(detector.score_window(&warm));
    }
    let n = windows.len();
    let t = time_corpus(
        "anomaly score_window (10 intents)",
        &format!("{n} windows: hand-written sessions + axor hard set"),
        n,
        passes_for(n, 100_000),
        |i| detector.score_window(&windows[i]),
    )
    .against("axor.anomaly.score");
    let s = sessions.len();
    let mut norm = time_corpus(
        "intent normalizer, whole session",
        &format!("{s} hand-written sessions"),
        s,
        passes_for(s, 20_000),
        |i| {
            // A fresh normalizer per session, as the CLI does per line.
            IntentNormalizer::default()
                .normalize_session(&sessions[i].calls)
                .map(|v| v.len())
                .unwrap_or(0)
        },
    );
    // corpus() normalized these sessions already: no first-sight figure.
    norm.first_sight_p99_ns = None;
    Ok(vec![t, norm])
}
