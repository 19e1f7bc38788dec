//! The per-agent model and the artifact it is stored in.
//!
//! An agent's [`AgentModel`] (scaler + forest + profile) is fitted online from that agent's own
//! history, so unlike the other vigil models there is no embedded default (no `EMBEDDED`, no
//! `MODEL_ENV`): [`AgentSnapshot`] — model, training set and the learner's window — is what the
//! [`store`](crate::store) writes and reads, one versioned artifact of kind [`KIND`] and schema
//! [`vigil_features::event::schema`] per agent.

use serde::{Deserialize, Serialize};
use vigil_contracts::AgentEvent;
use vigil_features::event::{self, N_FEATURES};

use crate::Result;
use crate::detect::{EventDetectorParams, ReferenceScore, Scores, threat_level};
use crate::forest::IsolationForest;
use crate::profile::BehaviourProfile;
use crate::scaler::StandardScaler;
use crate::stored::StoredEvent;

/// Artifact kind of a stored agent.
pub const KIND: &str = "isolation-baseline-agent";

/// What a trained agent carries: scaler, forest and profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentModel {
    /// Standard scaling of the 7 features.
    pub scaler: StandardScaler,
    /// The forest on scaled features.
    pub forest: IsolationForest,
    /// The robust profile behind the combined score.
    pub profile: BehaviourProfile,
    /// The parameters it was fitted with.
    pub params: EventDetectorParams,
}

impl AgentModel {
    /// Fits scaler, forest and profile on `events` (the caller checks there are enough).
    pub(crate) fn fit(events: &[AgentEvent], params: &EventDetectorParams) -> Result<Self> {
        let mut rows = Vec::with_capacity(events.len() * N_FEATURES);
        for e in events {
            rows.extend_from_slice(&event::extract(e));
        }
        let scaler = StandardScaler::fit(&rows, N_FEATURES);
        for row in rows.chunks_exact_mut(N_FEATURES) {
            scaler.transform(row);
        }
        let (forest, mut scores) =
            IsolationForest::fit_scored(&rows, N_FEATURES, &params.forest())?;
        let profile = BehaviourProfile::fit(events, &mut scores, &params.score);
        Ok(AgentModel {
            scaler,
            forest,
            profile,
            params: *params,
        })
    }

    /// Scores one event under this model.
    pub fn score(&self, event: &AgentEvent, detector: &EventDetectorParams) -> Scores {
        let mut row = event::extract(event);
        self.scaler.transform(&mut row);
        let s = self.forest.anomaly_score(&row);
        // One forest pass: predict is derived from the same score and the offset (fix 9).
        let predict = if -s < self.forest.offset() { -1 } else { 1 };
        let score = s.clamp(0.0, 1.0);
        let is_anomaly = predict == -1 || score > detector.threshold;
        let reference = ReferenceScore {
            score,
            predict,
            is_anomaly,
            threat_level: threat_level(is_anomaly, score),
        };
        let components = self.profile.components(event, s, &detector.score);
        let combined = components.combined();
        let combined_anomaly = combined >= detector.score.alert_threshold;
        Scores {
            reference,
            components,
            combined,
            combined_is_anomaly: combined_anomaly,
            combined_threat_level: threat_level(combined_anomaly, combined),
        }
    }
}

/// Per-agent detector state that survives a save and load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDetectorSnapshot {
    /// The model, if trained.
    pub model: Option<AgentModel>,
    /// The training set (oldest first), including events fed back as normal.
    pub training_data: Vec<StoredEvent>,
    /// Normal feedback events since the last fit.
    pub pending_feedback: usize,
}

/// Everything stored for one agent: the payload of its artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSnapshot {
    /// The agent (checked against the file it is loaded from).
    pub agent_id: String,
    /// Detector model and training set.
    pub detector: EventDetectorSnapshot,
    /// The baseline learner's window of events.
    pub history: Vec<StoredEvent>,
    /// Which state of the agent's shared event log (and which parameters) this snapshot was
    /// fitted from, when it is a store's cached fit ([`crate::store`]); `None` for a plain save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_version: Option<String>,
}
