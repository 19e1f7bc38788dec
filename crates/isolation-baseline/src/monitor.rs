//! Detector and learner together, per agent, with save and load.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use vigil_contracts::{AgentEvent, EventAnomalyResult};

use crate::baseline::{BaselineLearner, Deviation, LearnerParams};
use crate::clock::Clock;
use crate::detect::{EventDetector, EventDetectorParams, FeedbackOutcome, Scores, TrainOutcome};
use crate::model::AgentSnapshot;
use crate::store::FileStore;
use crate::stored::StoredEvent;
use crate::{Error, Result};

/// The verdict on one event: the detector's result, the learner's deviations and the scores
/// behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// harombe's `AnomalyResult`.
    pub result: EventAnomalyResult,
    /// Baseline factors and their combined score.
    pub baseline: Deviation,
    /// Both detector scores, when the agent has a model.
    pub scores: Option<Scores>,
}

/// An [`EventDetector`] and a [`BaselineLearner`] fed the same events.
#[derive(Debug, Clone)]
pub struct AgentMonitor {
    detector: EventDetector,
    learner: BaselineLearner,
}

impl AgentMonitor {
    /// A monitor with validated parameters on `clock`.
    pub fn new(
        detector: EventDetectorParams,
        learner: LearnerParams,
        clock: impl Clock + 'static,
    ) -> Result<Self> {
        Ok(AgentMonitor {
            detector: EventDetector::new(detector)?,
            learner: BaselineLearner::with_clock(learner, clock)?,
        })
    }

    /// The detector.
    pub fn detector(&self) -> &EventDetector {
        &self.detector
    }

    /// The learner.
    pub fn learner(&self) -> &BaselineLearner {
        &self.learner
    }

    /// Trains the detector on `events` and makes them the learner's history (then computes the
    /// baseline).
    pub fn train(&mut self, agent_id: &str, events: &[AgentEvent]) -> Result<TrainOutcome> {
        let outcome = self.detector.train(agent_id, events)?;
        self.learner.import_history(agent_id, events.to_vec());
        self.learner.compute_baseline(agent_id);
        Ok(outcome)
    }

    /// Scores one event against the agent's model and baseline.
    pub fn check(&mut self, agent_id: &str, event: &AgentEvent) -> Verdict {
        Verdict {
            result: self.detector.detect(agent_id, event),
            baseline: self.learner.detect_anomalies(agent_id, event),
            scores: self.detector.score(agent_id, event),
        }
    }

    /// Feeds analyst feedback to both (see [`EventDetector::update_from_feedback`]).
    pub fn feedback(
        &mut self,
        agent_id: &str,
        event: &AgentEvent,
        is_anomaly: bool,
    ) -> Result<FeedbackOutcome> {
        self.learner
            .update_from_feedback(agent_id, event, is_anomaly);
        self.detector
            .update_from_feedback(agent_id, event, is_anomaly)
    }

    /// The agent's state, or `None` if the detector has never seen it.
    pub fn snapshot(&self, agent_id: &str) -> Option<AgentSnapshot> {
        Some(AgentSnapshot {
            agent_id: agent_id.to_owned(),
            detector: self.detector.export(agent_id)?,
            history: self
                .learner
                .history(agent_id)
                .map(StoredEvent::from)
                .collect(),
            log_version: None,
        })
    }

    /// Restores an agent from a snapshot.
    pub fn restore(&mut self, snapshot: AgentSnapshot) -> Result<()> {
        self.detector
            .import(&snapshot.agent_id, snapshot.detector)?;
        self.learner.import_history(
            &snapshot.agent_id,
            snapshot.history.into_iter().map(AgentEvent::from).collect(),
        );
        self.learner.compute_baseline(&snapshot.agent_id);
        Ok(())
    }

    /// Saves the agent to `store`; an agent without a model is [`Error::NoModel`].
    pub fn save(&self, agent_id: &str, store: &FileStore) -> Result<PathBuf> {
        match self.snapshot(agent_id) {
            Some(s) if s.detector.model.is_some() => store.save(&s),
            _ => Err(Error::NoModel(agent_id.to_owned())),
        }
    }

    /// Loads the agent from `store`.
    pub fn load(&mut self, agent_id: &str, store: &FileStore) -> Result<()> {
        let snapshot = store.load(agent_id)?;
        self.restore(snapshot)
    }
}
