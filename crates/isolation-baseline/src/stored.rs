//! The compact event form kept in stored artifacts.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use vigil_contracts::AgentEvent;

/// The fields of an [`AgentEvent`] a baseline uses; `agent_id` and extra fields are not stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
