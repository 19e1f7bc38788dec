//! Timing of the anomaly hot paths for `cargo xtask bench`: scoring a 10-intent window and
//! normalizing a whole session.

use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::NormalizedIntent;
use vigil_features::intent::IntentNormalizer;
use vigil_features::window::WINDOW;

use super::data::generate;
use crate::Result;
use crate::timing::{Timing, time_calls};

/// `cargo xtask bench` for anomaly: `score_window` p50/p99 on a few realistic windows.
pub fn bench() -> Result<Vec<Timing>> {
    let detector = MLAnomalyDetector::embedded()?;
    let sessions = generate(1, 1);
    let windows: Vec<Vec<NormalizedIntent>> = sessions
        .iter()
        .filter_map(|s| {
            let i = IntentNormalizer::default()
                .normalize_session(&s.calls)
                .ok()?;
            Some(i[i.len().saturating_sub(WINDOW)..].to_vec())
        })
        .collect();
    let mut t = time_calls("anomaly score_window (10 intents)", 10_000, 100_000, |i| {
        detector.score_window(&windows[i % windows.len()])
    });
    // axor MLAnomalyDetector.score p50 0.82–0.91 ms (reference §12).
    t.reference_p50_ns = Some(850_000.0);
    let mut n = time_calls("intent normalizer, whole session", 1_000, 20_000, |i| {
        let s = &sessions[i % sessions.len()];
        IntentNormalizer::default()
            .normalize_session(&s.calls)
            .map(|v| v.len())
            .unwrap_or(0)
    });
    n.reference_p50_ns = None;
    Ok(vec![t, n])
}
