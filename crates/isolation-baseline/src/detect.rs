//! [`EventDetector`] — harombe's `AnomalyDetector` under a name that cannot be confused with
//! [`vigil_contracts::AnomalyDetector`] (the trajectory trait): one Isolation Forest per agent,
//! plus the combined score, harombe's factors, explanation and threat bands, and feedback.

use std::collections::BTreeMap;

use chrono::{Datelike, Timelike};
use serde::{Deserialize, Serialize};
use vigil_contracts::{AgentEvent, EventAnomalyResult, ThreatLevel};
use vigil_features::event::{self, N_FEATURES};

use crate::forest::ForestParams;
use crate::model::{AgentModel, EventDetectorSnapshot};
use crate::profile::{ScoreComponents, ScoreParams};
use crate::stored::StoredEvent;
use crate::{Error, Result};

/// Which score `detect` reports as `anomaly_score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMode {
    /// The noisy-or of forest, robust z-scores, type rarity, time and failure evidence
    /// ([`crate::profile`]); flagged from `score.alert_threshold`.
    #[default]
    Combined,
    /// harombe's score: s(x) of the forest, flagged when below the contamination offset or
    /// above `threshold`.
    Reference,
}

/// Hyperparameters of [`EventDetector`], with harombe's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EventDetectorParams {
    /// Expected anomalous share of the training data; sets the forest offset (0.05).
    pub contamination: f64,
    /// Reference path: a score above this is anomalous (0.7).
    pub threshold: f64,
    /// Fewer training events than this give no model (10).
    pub min_training_events: usize,
    /// Trees (100).
    pub n_trees: usize,
    /// Samples per tree before capping at n (256).
    pub max_samples: usize,
    /// Forest seed (42).
    pub seed: u64,
    /// Retrain after this many events fed back as normal (10).
    pub retrain_every: usize,
    /// Keep at most this many training events per agent, dropping the oldest (10,000).
    pub max_training_events: usize,
    /// Which score `detect` reports.
    pub mode: ScoreMode,
    /// Weights of the combined score.
    pub score: ScoreParams,
}

impl Default for EventDetectorParams {
    fn default() -> Self {
        EventDetectorParams {
            contamination: 0.05,
            threshold: 0.7,
            min_training_events: 10,
            n_trees: 100,
            max_samples: 256,
            seed: 42,
            retrain_every: 10,
            max_training_events: 10_000,
            mode: ScoreMode::Combined,
            score: ScoreParams::default(),
        }
    }
}

impl EventDetectorParams {
    /// Checks every value is usable.
    pub fn check(&self) -> Result<()> {
        self.forest().check()?;
        self.score.check()?;
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::param("threshold", self.threshold, "in [0, 1]"));
        }
        if self.min_training_events < 2 {
            return Err(Error::param(
                "min_training_events",
                self.min_training_events,
                "at least 2",
            ));
        }
        if self.retrain_every == 0 {
            return Err(Error::param("retrain_every", 0, "at least 1"));
        }
        if self.max_training_events < self.min_training_events {
            return Err(Error::param(
                "max_training_events",
                self.max_training_events,
                "at least min_training_events",
            ));
        }
        Ok(())
    }

    /// The forest part.
    pub fn forest(&self) -> ForestParams {
        ForestParams {
            n_trees: self.n_trees,
            max_samples: self.max_samples,
            contamination: self.contamination,
            seed: self.seed,
        }
    }
}

/// harombe's reading of the forest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceScore {
    /// s(x) = clamp(−score_samples, 0, 1).
    pub score: f64,
    /// −1 when `score_samples < offset`, else 1.
    pub predict: i8,
    /// `predict == −1 || score > threshold`.
    pub is_anomaly: bool,
    /// [`threat_level`] of the above.
    pub threat_level: ThreatLevel,
}

/// Both scores of one event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// harombe's score.
    pub reference: ReferenceScore,
    /// The evidence behind the combined score.
    pub components: ScoreComponents,
    /// The combined score in [0, 1].
    pub combined: f64,
    /// `combined >= alert_threshold`.
    pub combined_is_anomaly: bool,
    /// [`threat_level`] of the combined score.
    pub combined_threat_level: ThreatLevel,
}

/// harombe's bands, strict `<`: not anomalous → NONE, < 0.7 LOW, < 0.85 MEDIUM, < 0.95 HIGH,
/// else CRITICAL. The combined score uses the same bands; its anomalies start at
/// `alert_threshold` (0.5), so LOW is [0.5, 0.7).
///
/// ```
/// use vigil_contracts::ThreatLevel;
/// use vigil_isolation_baseline::detect::threat_level;
/// assert_eq!(threat_level(false, 0.99), ThreatLevel::None);
/// assert_eq!(threat_level(true, 0.6), ThreatLevel::Low);
/// assert_eq!(threat_level(true, 0.85), ThreatLevel::High);
/// assert_eq!(threat_level(true, 0.95), ThreatLevel::Critical);
/// ```
pub fn threat_level(is_anomaly: bool, score: f64) -> ThreatLevel {
    if !is_anomaly {
        ThreatLevel::None
    } else if score < 0.7 {
        ThreatLevel::Low
    } else if score < 0.85 {
        ThreatLevel::Medium
    } else if score < 0.95 {
        ThreatLevel::High
    } else {
        ThreatLevel::Critical
    }
}

/// harombe's rule-based factors, computed on the raw event for every result.
pub fn contributing_factors(event: &AgentEvent) -> BTreeMap<String, f64> {
    let mut f = BTreeMap::new();
    let rc = event.resource_count as f64;
    if rc > 20.0 {
        f.insert("high_resource_usage".into(), (rc / 50.0).min(1.0));
    }
    if event.duration_ms > 2000.0 {
        f.insert(
            "long_duration".into(),
            (event.duration_ms / 5000.0).min(1.0),
        );
    }
    let hour = event.timestamp.hour();
    if !(6..=22).contains(&hour) {
        f.insert("unusual_time".into(), 0.8);
    }
    if event.timestamp.weekday().num_days_from_monday() >= 5 {
        f.insert("weekend_activity".into(), 0.6);
    }
    if REFERENCE_RARE_TYPES.contains(&event.event_type.as_str()) {
        f.insert("rare_event_type".into(), 0.9);
    }
    if !event.success {
        f.insert("failure".into(), 0.7);
    }
    f
}

/// harombe's hard-coded "rare" event types (the combined score learns rarity instead).
pub const REFERENCE_RARE_TYPES: [&str; 3] =
    ["rare_event", "rare_operation", "extremely_rare_event"];

/// harombe's explanation: `Anomaly score 0.63: High resource usage (50); ...`.
pub fn explanation(score: f64, event: &AgentEvent, factors: &BTreeMap<String, f64>) -> String {
    let mut parts = Vec::new();
    if factors.contains_key("high_resource_usage") {
        parts.push(format!("High resource usage ({})", event.resource_count));
    }
    if factors.contains_key("long_duration") {
        parts.push(format!(
            "Long duration ({}ms)",
            python_number(event.duration_ms)
        ));
    }
    if factors.contains_key("unusual_time") {
        parts.push(format!("Unusual time ({}:00)", event.timestamp.hour()));
    }
    if factors.contains_key("weekend_activity") {
        parts.push("Weekend activity".into());
    }
    if factors.contains_key("rare_event_type") {
        parts.push(format!("Rare event type ({})", event.event_type));
    }
    if factors.contains_key("failure") {
        parts.push("Operation failed".into());
    }
    if parts.is_empty() {
        format!("Anomaly score {score:.2}: Pattern differs from baseline")
    } else {
        format!("Anomaly score {score:.2}: {}", parts.join("; "))
    }
}

/// A whole number prints without a fraction (`5000`), like the integer harombe's callers pass.
fn python_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// What `train` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainOutcome {
    /// A model was fitted on this many events.
    Trained {
        /// Training events.
        events: usize,
    },
    /// Too few events: no model, nothing changed (harombe logs a warning and returns).
    InsufficientData {
        /// Events given.
        events: usize,
        /// Events needed.
        needed: usize,
    },
}

/// What `update_from_feedback` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeedbackOutcome {
    /// The event joined the training set.
    pub added: bool,
    /// Copies of the event removed from the training set (feedback "anomalous").
    pub removed: usize,
    /// The model was refitted.
    pub retrained: bool,
}

#[derive(Debug, Clone, Default)]
struct AgentState {
    model: Option<AgentModel>,
    training_data: Vec<AgentEvent>,
    pending_feedback: usize,
}

/// One Isolation Forest and behaviour profile per agent (harombe's `AnomalyDetector`).
///
/// ```
/// use chrono::{DateTime, Duration};
/// use vigil_contracts::{AgentEvent, ThreatLevel};
/// use vigil_isolation_baseline::{EventDetector, EventDetectorParams};
///
/// // Ten days of steady work from 09:00: a tool call, an API call or a file read every 30 min.
/// let start = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap();
/// let event = |i: i64| AgentEvent {
///     agent_id: None,
///     timestamp: start + Duration::days(i / 16) + Duration::minutes(30 * (i % 16)),
///     event_type: ["tool_call", "tool_call", "api_call", "file_read"][(i % 4) as usize].into(),
///     resource_count: 2 + i % 3,
///     duration_ms: (200 + 25 * (i % 7)) as f64,
///     success: true,
///     extra: Default::default(),
/// };
/// let history: Vec<AgentEvent> = (0..160).map(event).collect();
///
/// let mut detector = EventDetector::new(EventDetectorParams::default()).unwrap();
/// detector.train("a1", &history).unwrap();
/// let normal = event(164);
/// let mut burst = normal.clone();
/// burst.resource_count = 5000;
/// assert!(!detector.detect("a1", &normal).is_anomaly);
/// assert_eq!(detector.detect("a1", &burst).threat_level, ThreatLevel::Critical);
/// ```
#[derive(Debug, Clone)]
pub struct EventDetector {
    params: EventDetectorParams,
    agents: BTreeMap<String, AgentState>,
}

impl EventDetector {
    /// A detector with validated parameters and no agents.
    pub fn new(params: EventDetectorParams) -> Result<Self> {
        params.check()?;
        Ok(EventDetector {
            params,
            agents: BTreeMap::new(),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &EventDetectorParams {
        &self.params
    }

    /// Feature names in order.
    pub fn feature_names(&self) -> [&'static str; N_FEATURES] {
        event::FEATURE_NAMES
    }

    /// Whether `agent_id` has a model.
    pub fn has_model(&self, agent_id: &str) -> bool {
        self.model(agent_id).is_some()
    }

    /// The agent's model.
    pub fn model(&self, agent_id: &str) -> Option<&AgentModel> {
        self.agents.get(agent_id).and_then(|a| a.model.as_ref())
    }

    /// The agent's training set, oldest first.
    pub fn training_data(&self, agent_id: &str) -> &[AgentEvent] {
        self.agents
            .get(agent_id)
            .map_or(&[], |a| a.training_data.as_slice())
    }

    /// Agents with any state.
    pub fn agents(&self) -> impl Iterator<Item = &str> {
        self.agents.keys().map(String::as_str)
    }

    /// Fits the agent's model on `events`, replacing the model and training set. Fewer than
    /// `min_training_events` events leave everything as it was and return
    /// [`TrainOutcome::InsufficientData`].
    pub fn train(&mut self, agent_id: &str, events: &[AgentEvent]) -> Result<TrainOutcome> {
        let needed = self.params.min_training_events;
        if events.len() < needed {
            return Ok(TrainOutcome::InsufficientData {
                events: events.len(),
                needed,
            });
        }
        let keep = &events[events.len().saturating_sub(self.params.max_training_events)..];
        let model = AgentModel::fit(keep, &self.params)?;
        let state = self.agents.entry(agent_id.to_owned()).or_default();
        state.model = Some(model);
        state.training_data = keep.to_vec();
        state.pending_feedback = 0;
        Ok(TrainOutcome::Trained { events: keep.len() })
    }

    /// Refits the agent on its current training set.
    pub fn retrain(&mut self, agent_id: &str) -> Result<TrainOutcome> {
        let events = std::mem::take(
            &mut self
                .agents
                .entry(agent_id.to_owned())
                .or_default()
                .training_data,
        );
        let outcome = self.train(agent_id, &events);
        let state = self.agents.entry(agent_id.to_owned()).or_default();
        if state.training_data.is_empty() {
            state.training_data = events; // too few to train: keep them for later
        }
        outcome
    }

    /// Both scores, or `None` when the agent has no model.
    pub fn score(&self, agent_id: &str, event: &AgentEvent) -> Option<Scores> {
        self.model(agent_id).map(|m| m.score(event, &self.params))
    }

    /// harombe's score alone, or `None` when the agent has no model.
    pub fn reference_score(&self, agent_id: &str, event: &AgentEvent) -> Option<ReferenceScore> {
        self.score(agent_id, event).map(|s| s.reference)
    }

    /// The verdict on one event. With no model: score 0, not anomalous, NONE and
    /// `No baseline model available`.
    pub fn detect(&self, agent_id: &str, event: &AgentEvent) -> EventAnomalyResult {
        let Some(scores) = self.score(agent_id, event) else {
            return EventAnomalyResult {
                agent_id: agent_id.to_owned(),
                timestamp: event.timestamp,
                anomaly_score: 0.0,
                is_anomaly: false,
                threat_level: ThreatLevel::None,
                contributing_factors: BTreeMap::new(),
                explanation: Some("No baseline model available".into()),
            };
        };
        let (score, is_anomaly, level) = match self.params.mode {
            ScoreMode::Combined => (
                scores.combined,
                scores.combined_is_anomaly,
                scores.combined_threat_level,
            ),
            ScoreMode::Reference => (
                scores.reference.score,
                scores.reference.is_anomaly,
                scores.reference.threat_level,
            ),
        };
        let factors = contributing_factors(event);
        let explanation = explanation(score, event, &factors);
        EventAnomalyResult {
            agent_id: agent_id.to_owned(),
            timestamp: event.timestamp,
            anomaly_score: score,
            is_anomaly,
            threat_level: level,
            contributing_factors: factors,
            explanation: Some(explanation),
        }
    }

    /// Analyst feedback on an event.
    ///
    /// - Normal (`is_anomaly == false`): the event joins the training set; once
    ///   `retrain_every` such events are pending (and the set has at least
    ///   `min_training_events`), the model is refitted on the whole set (harombe only appends).
    /// - Anomalous: every copy of the event is taken out of the training set, and the model is
    ///   refitted at once if any was there, so a confirmed attack never counts as normal.
    pub fn update_from_feedback(
        &mut self,
        agent_id: &str,
        event: &AgentEvent,
        is_anomaly: bool,
    ) -> Result<FeedbackOutcome> {
        let params = self.params;
        let state = self.agents.entry(agent_id.to_owned()).or_default();
        let mut outcome = FeedbackOutcome::default();
        if is_anomaly {
            let before = state.training_data.len();
            let key = StoredEvent::from(event);
            state.training_data.retain(|e| StoredEvent::from(e) != key);
            outcome.removed = before - state.training_data.len();
            if outcome.removed == 0 {
                return Ok(outcome);
            }
        } else {
            state.training_data.push(event.clone());
            let cap = params.max_training_events;
            // Drop the oldest in chunks so the cap costs O(1) amortized per event.
            if state.training_data.len() > cap + cap / 10 {
                let excess = state.training_data.len() - cap;
                state.training_data.drain(..excess);
            }
            state.pending_feedback += 1;
            outcome.added = true;
            if state.pending_feedback < params.retrain_every {
                return Ok(outcome);
            }
        }
        outcome.retrained = matches!(self.retrain(agent_id)?, TrainOutcome::Trained { .. });
        Ok(outcome)
    }

    /// harombe's `save_model`: writes the agent's detector state (no learner window) to `store`
    /// and returns the path; an agent without a model is `No model trained for {agent_id}`.
    /// [`AgentMonitor::save`](crate::AgentMonitor::save) also stores the learner's window.
    pub fn save_model(
        &self,
        agent_id: &str,
        store: &crate::FileStore,
    ) -> Result<std::path::PathBuf> {
        match self.export(agent_id) {
            Some(detector) if detector.model.is_some() => store.save(&crate::AgentSnapshot {
                agent_id: agent_id.to_owned(),
                detector,
                history: Vec::new(),
                log_version: None,
            }),
            _ => Err(Error::NoModel(agent_id.to_owned())),
        }
    }

    /// harombe's `load_model`: restores the agent's detector state from `store`; a missing file is
    /// `No saved model found for {agent_id}`.
    pub fn load_model(&mut self, agent_id: &str, store: &crate::FileStore) -> Result<()> {
        let snapshot = store.load(agent_id)?;
        self.import(agent_id, snapshot.detector)
    }

    /// The agent's state for the store.
    pub fn export(&self, agent_id: &str) -> Option<EventDetectorSnapshot> {
        self.agents.get(agent_id).map(|a| EventDetectorSnapshot {
            model: a.model.clone(),
            training_data: a.training_data.iter().map(StoredEvent::from).collect(),
            pending_feedback: a.pending_feedback,
        })
    }

    /// Restores an agent from the store, replacing whatever it had.
    pub fn import(&mut self, agent_id: &str, snapshot: EventDetectorSnapshot) -> Result<()> {
        if let Some(model) = &snapshot.model {
            model.forest.validate()?;
            if model.forest.n_features() != N_FEATURES
                || model.scaler.mean.len() != N_FEATURES
                || model.scaler.scale.len() != N_FEATURES
            {
                return Err(Error::InvalidData(format!(
                    "stored model for {agent_id} does not read {N_FEATURES} features"
                )));
            }
        }
        self.agents.insert(
            agent_id.to_owned(),
            AgentState {
                model: snapshot.model,
                training_data: snapshot
                    .training_data
                    .into_iter()
                    .map(AgentEvent::from)
                    .collect(),
                pending_feedback: snapshot.pending_feedback,
            },
        );
        Ok(())
    }
}
