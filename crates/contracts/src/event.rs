//! Agent events and per-agent behavioural verdicts (harombe `security.ml`).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize};

use crate::string_enum;

/// One thing an agent did, as the behavioural baseline sees it.
///
/// `timestamp` is RFC 3339 and keeps its UTC offset, so hour-of-day and weekday are the agent's
/// local ones. A `null` numeric field means 0 (harombe crashes on a null `duration_ms`).
///
/// Unlike every other record, an event keeps the fields this contract does not know
/// (`tool_name`, `destination_domain`, `category`, ...) in `extra` and writes them back: harombe
/// events carry free-form metadata. `resource_count` and `duration_ms` are observations, not
/// settings, so any integer and any finite number are accepted — a negative count is evidence
/// for the detector to score, not a reason to look away. Both rules are the same in
/// `vigil check event`, `vigil baseline` and every library entry point.
///
/// ```
/// let e: vigil_contracts::AgentEvent = vigil_contracts::from_json_str(
///     r#"{"agent_id": "a1", "timestamp": "2026-11-21T03:00:00+02:00", "event_type": "tool_call",
///         "resource_count": 3, "duration_ms": null}"#,
/// ).unwrap();
/// assert_eq!(e.duration_ms, 0.0);
/// assert!(e.success);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentEvent {
    /// The agent this event belongs to; tools that group events default it to `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// When it happened (RFC 3339).
    pub timestamp: DateTime<FixedOffset>,
    /// Kind of event (`tool_call`, `api_call`, ...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub event_type: String,
    /// How many resources it touched.
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource_count: i64,
    /// How long it took, in milliseconds.
    #[serde(default, deserialize_with = "finite_or_null_as_zero")]
    pub duration_ms: f64,
    /// Whether it succeeded.
    #[serde(default = "yes", deserialize_with = "null_as_true")]
    pub success: bool,
    /// Any other fields of the record, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn null_as_true<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

fn finite_or_null_as_zero<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match Option::<f64>::deserialize(d)? {
        None => Ok(0.0),
        Some(v) if v.is_finite() => Ok(v),
        Some(v) => Err(serde::de::Error::custom(format!(
            "{} is not a finite number",
            crate::text::format_number(v)
        ))),
    }
}

string_enum! {
    /// Threat level with a real order: none < low < medium < high < critical
    /// (harombe compares the strings, so there `"low" >= "high"`).
    pub enum ThreatLevel: "threat_level" {
        /// Not anomalous.
        None => "none",
        /// Anomalous, low score.
        Low => "low",
        /// Medium.
        Medium => "medium",
        /// High.
        High => "high",
        /// Critical.
        Critical => "critical",
    }
}

impl PartialOrd for ThreatLevel {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ThreatLevel {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index().cmp(&other.index())
    }
}

/// A per-agent verdict on one event (harombe's `AnomalyResult`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventAnomalyResult {
    /// The agent.
    pub agent_id: String,
    /// The event's timestamp.
    pub timestamp: DateTime<FixedOffset>,
    /// Anomaly score in [0, 1].
    #[serde(deserialize_with = "crate::trajectory::unit_interval")]
    pub anomaly_score: f64,
    /// Whether the event is flagged.
    pub is_anomaly: bool,
    /// Threat level.
    pub threat_level: ThreatLevel,
    /// Rule-based factors (`high_resource_usage`, `unusual_time`, ...) → strength in [0, 1].
    #[serde(default)]
    pub contributing_factors: BTreeMap<String, f64>,
    /// Human-readable explanation.
    #[serde(default)]
    pub explanation: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threat_levels_are_ordered_by_severity_not_spelling() {
        assert!(ThreatLevel::Low < ThreatLevel::High);
        assert!(ThreatLevel::None < ThreatLevel::Low);
        assert!(ThreatLevel::High < ThreatLevel::Critical);
        assert!(ThreatLevel::Medium > ThreatLevel::Low);
    }

    #[test]
    fn unknown_fields_are_kept_and_nulls_default() {
        let e: AgentEvent = crate::from_json_str(
            r#"{"timestamp":"2026-01-05T10:00:00Z","event_type":null,"resource_count":null,"success":null,"tool_name":"browser"}"#,
        )
        .unwrap();
        assert_eq!(e.event_type, "");
        assert_eq!(e.resource_count, 0);
        assert!(e.success);
        assert_eq!(e.extra["tool_name"], "browser");
        let back = serde_json::to_value(&e).unwrap();
        assert_eq!(back["tool_name"], "browser");
        assert_eq!(back["timestamp"], "2026-01-05T10:00:00Z");
    }

    #[test]
    fn missing_or_bad_timestamp_is_refused() {
        let err = crate::from_json_str::<AgentEvent>(r#"{"event_type":"x"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `timestamp`"), "{err}");
        let err = crate::from_json_str::<AgentEvent>(r#"{"timestamp":"yesterday"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("timestamp: "), "{err}");
    }
}
