//! harombe's 7 agent-event features, with a stable event-type encoding: what
//! `vigil-isolation-baseline` fits its per-agent forest and scaler on.

use chrono::{Datelike, Timelike};
use vigil_contracts::hash::fnv1a64;
use vigil_contracts::{AgentEvent, FeatureSchema};

/// Number of event features.
pub const N_FEATURES: usize = 7;

/// Feature names in order (harombe's `feature_names`).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "resource_count",
    "duration_ms",
    "hour_of_day",
    "day_of_week",
    "is_weekend",
    "event_type_encoded",
    "success",
];

/// The feature schema stored in every per-agent artifact.
///
/// Version 1: the event type is encoded as `(fnv1a64(type) mod 1000) / 1000`.
pub fn schema() -> FeatureSchema {
    FeatureSchema::new(
        "harombe-event",
        1,
        FEATURE_NAMES.iter().map(|s| (*s).to_owned()).collect(),
    )
}

/// `(fnv1a64(event_type) mod 1000) / 1000`, in [0, 0.999].
///
/// harombe used Python's per-process randomised `hash()`, so the same type encoded 0.837, 0.377
/// and 0.035 in three processes and a reloaded model saw different inputs. FNV-1a is the same
/// everywhere (intentional deviation 1).
///
/// ```
/// use vigil_features::event::encode_event_type;
/// // The same in every process (harombe's varied from run to run).
/// assert_eq!(encode_event_type("tool_call"), 0.432);
/// assert!((0.0..1.0).contains(&encode_event_type("tool_call")));
/// ```
pub fn encode_event_type(event_type: &str) -> f64 {
    (fnv1a64(event_type.as_bytes()) % 1000) as f64 / 1000.0
}

/// Magnitudes are clamped to ±1e15 so a single absurd value (a finite 1e300 ms) cannot overflow
/// the scaler's variance; the combined score still sees the raw value.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// The 7 features of `event`, in [`FEATURE_NAMES`] order. Hour and weekday are read in the
/// event's own UTC offset (the agent's local time); weekday 0 is Monday.
pub fn extract(event: &AgentEvent) -> [f64; N_FEATURES] {
    let weekday = event.timestamp.weekday().num_days_from_monday();
    let bounded = |x: f64| {
        if x.is_nan() {
            0.0
        } else {
            x.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE)
        }
    };
    [
        bounded(event.resource_count as f64),
        bounded(event.duration_ms),
        f64::from(event.timestamp.hour()),
        f64::from(weekday),
        if weekday >= 5 { 1.0 } else { 0.0 },
        encode_event_type(&event.event_type),
        if event.success { 1.0 } else { 0.0 },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_finite_features_in_order() {
        let e: AgentEvent = vigil_contracts::from_json_str(
            r#"{"timestamp":"2026-11-22T03:15:00+01:00","event_type":"tool_call","resource_count":3,"duration_ms":250.5,"success":false}"#,
        )
        .unwrap();
        let f = extract(&e);
        assert_eq!(f.len(), 7);
        assert!(f.iter().all(|v| v.is_finite()));
        // 2026-11-22 is a Sunday; the hour is the local one (+01:00).
        assert_eq!(&f[..5], &[3.0, 250.5, 3.0, 6.0, 1.0]);
        assert_eq!(f[5], encode_event_type("tool_call"));
        assert_eq!(f[6], 0.0);
    }

    #[test]
    fn absurd_magnitudes_are_bounded() {
        let mut e: AgentEvent = vigil_contracts::from_json_str(
            r#"{"timestamp":"2026-11-22T03:15:00Z","duration_ms":1e300}"#,
        )
        .unwrap();
        e.resource_count = i64::MIN;
        let f = extract(&e);
        assert_eq!((f[0], f[1]), (-MAX_MAGNITUDE, MAX_MAGNITUDE));
    }

    #[test]
    fn encoding_is_pinned() {
        // Pinned so a change of hash can never silently invalidate stored models.
        let expected = (fnv1a64(b"tool_call") % 1000) as f64 / 1000.0;
        assert_eq!(encode_event_type("tool_call"), expected);
        assert_ne!(
            encode_event_type("tool_call"),
            encode_event_type("api_call")
        );
        assert_eq!(schema().features.len(), 7);
    }
}
