//! The compact event form kept in stored artifacts.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use vigil_contracts::AgentEvent;

/// The fields of an [`AgentEvent`] a baseline uses; `agent_id` and extra fields are not stored.
///
/// Serialized as a compact tuple `[unix_ms, utc_offset_s, event_type, resource_count,
/// duration_ms, success]`: a stored agent holds up to 10,000 of them, and field names would
/// double its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "EventTuple", try_from = "EventTuple")]
pub struct StoredEvent {
    /// When (RFC 3339, offset kept).
    pub timestamp: DateTime<FixedOffset>,
    /// Kind.
    pub event_type: String,
    /// Resources touched.
    pub resource_count: i64,
    /// Duration in ms.
    pub duration_ms: f64,
    /// Succeeded.
    pub success: bool,
}

impl From<&AgentEvent> for StoredEvent {
    fn from(e: &AgentEvent) -> Self {
        StoredEvent {
            timestamp: e.timestamp,
            event_type: e.event_type.clone(),
            resource_count: e.resource_count,
            duration_ms: e.duration_ms,
            success: e.success,
        }
    }
}

impl From<StoredEvent> for AgentEvent {
    fn from(e: StoredEvent) -> Self {
        AgentEvent {
            agent_id: None,
            timestamp: e.timestamp,
            event_type: e.event_type,
            resource_count: e.resource_count,
            duration_ms: e.duration_ms,
            success: e.success,
            extra: Default::default(),
        }
    }
}

type EventTuple = (i64, i32, String, i64, f64, bool);

impl From<StoredEvent> for EventTuple {
    fn from(e: StoredEvent) -> Self {
        (
            e.timestamp.timestamp_millis(),
            e.timestamp.offset().local_minus_utc(),
            e.event_type,
            e.resource_count,
            e.duration_ms,
            e.success,
        )
    }
}

impl TryFrom<EventTuple> for StoredEvent {
    type Error = String;

    fn try_from((ms, offset, event_type, rc, dur, success): EventTuple) -> Result<Self, String> {
        let offset = FixedOffset::east_opt(offset)
            .ok_or_else(|| format!("invalid UTC offset {offset} s"))?;
        let utc = Utc
            .timestamp_millis_opt(ms)
            .single()
            .ok_or_else(|| format!("invalid timestamp {ms} ms"))?;
        if !dur.is_finite() {
            return Err(format!("duration_ms {dur} is not finite"));
        }
        Ok(StoredEvent {
            timestamp: utc.with_timezone(&offset),
            event_type,
            resource_count: rc,
            duration_ms: dur,
            success,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_form_keeps_instant_and_offset() {
        let e = StoredEvent {
            timestamp: DateTime::parse_from_rfc3339("2026-11-21T03:15:00.250+02:00").unwrap(),
            event_type: "tool_call".into(),
            resource_count: 3,
            duration_ms: 12.5,
            success: false,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"[1795223700250,7200,"tool_call",3,12.5,false]"#);
        let back: StoredEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.timestamp.to_rfc3339(), "2026-11-21T03:15:00.250+02:00");
        let err = serde_json::from_str::<StoredEvent>(r#"[0,999999,"x",1,1.0,true]"#).unwrap_err();
        assert!(
            err.to_string().contains("invalid UTC offset 999999 s"),
            "{err}"
        );
    }
}
