//! # vigil-isolation-baseline
//!
//! Is this agent's latest event out of line with its own history? A re-implementation of
//! harombe's `AnomalyDetector` (a per-agent Isolation Forest; here [`EventDetector`], so it is
//! never confused with the trajectory trait [`vigil_contracts::AnomalyDetector`]) and
//! `BaselineLearner` (rolling statistics) that is fast, stable across processes and keeps
//! discriminating beyond its training range.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`detect`] | **what it answers**: [`EventDetector`] — scaler + forest + [`profile`] per agent, harombe's factors and explanations, feedback with retraining; the verdict is a [`vigil_contracts::EventAnomalyResult`] |
//! | [`model`] | the artifact: [`AgentModel`] (what a trained agent carries) inside an [`AgentSnapshot`] (kind `isolation-baseline-agent`); no embedded default — agents are fitted online from their own history |
//! | [`store`] | loading and saving: the [`BaselineStore`] trait (append-only event log per agent + cached fit), [`FileStore`]; `redis_store::RedisStore` with feature `redis` |
//! | [`forest`] | the standard seeded Isolation Forest on flat arrays (100 trees, ψ = min(256, n)) |
//! | [`scaler`] | standard scaling with harombe's (scikit-learn's) conventions |
//! | [`profile`] | the combined score: forest + robust z-scores + type rarity + time + failure evidence |
//! | [`baseline`] | [`BaselineLearner`]: hourly/daily shares, mean/std, type frequencies, rate, O(1) recording |
//! | [`monitor`] | [`AgentMonitor`]: detector and learner together, with save and load |
//! | [`clock`] | injectable "now" ([`ManualClock`] for tests and log replays) |
//!
//! The 7 event features (harombe's, with a stable FNV-1a event-type encoding) are
//! [`vigil_features::event`]; the seeded generator of realistic normal activity that tunes and
//! checks this crate is `vigil_trainer::isolation_baseline::Generator`.
//!
//! ```
//! use chrono::{DateTime, Duration};
//! use vigil_contracts::{AgentEvent, ThreatLevel};
//! use vigil_isolation_baseline::{AgentMonitor, EventDetectorParams, LearnerParams, ManualClock};
//!
//! // Ten days of steady work from 09:00: a tool call, an API call or a file read every 30 min.
//! let start = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap();
//! let event = |i: i64| AgentEvent {
//!     agent_id: None,
//!     timestamp: start + Duration::days(i / 16) + Duration::minutes(30 * (i % 16)),
//!     event_type: ["tool_call", "tool_call", "api_call", "file_read"][(i % 4) as usize].into(),
//!     resource_count: 2 + i % 3,
//!     duration_ms: (200 + 25 * (i % 7)) as f64,
//!     success: true,
//!     extra: Default::default(),
//! };
//! let history: Vec<AgentEvent> = (0..160).map(event).collect();
//! let clock = ManualClock::new(history[159].timestamp);
//! let mut monitor =
//!     AgentMonitor::new(EventDetectorParams::default(), LearnerParams::default(), clock).unwrap();
//! monitor.train("agent-1", &history).unwrap();
//!
//! let normal = event(164);
//! assert!(!monitor.check("agent-1", &normal).result.is_anomaly);
//!
//! let mut odd = normal.clone();
//! odd.event_type = "credential_dump".into(); // never seen before
//! odd.resource_count = 400;
//! let verdict = monitor.check("agent-1", &odd);
//! assert!(verdict.result.is_anomaly);
//! assert!(verdict.result.threat_level >= ThreatLevel::High);
//! assert_eq!(verdict.baseline.factors["event_type"], 1.0);
//! ```
//!
//! ## Two scores
//!
//! `anomaly_score` is by default the **combined score** ([`profile`]): a noisy-or of evidence
//! components that keeps growing with the size of a deviation, sees never-seen and rare event
//! types, and is flagged from 0.5. Threat levels use harombe's bands on it (LOW < 0.7 ≤ MEDIUM <
//! 0.85 ≤ HIGH < 0.95 ≤ CRITICAL), so extreme events do reach HIGH and CRITICAL. harombe's own
//! score (s(x) of the forest, anomalous below the contamination offset or above 0.7) stays
//! available as [`EventDetector::reference_score`] and as [`ScoreMode::Reference`].
//!
//! ## Intentional deviations from harombe
//!
//! Stable event-type hash; ordered [`ThreatLevel`](vigil_contracts::ThreatLevel); rate from
//! time-sorted timestamps with a zero-gap guard; null numbers read as 0 (in the contract);
//! validated agent ids in file names; a versioned, checksummed artifact holding parameters,
//! schema, model and training set; O(1) amortized recording; injectable clock and seeded RNG; one
//! forest pass per detect; feedback that retrains (every 10 normal events) and removes events
//! confirmed anomalous; the combined score.
//!
//! ## What it does not do
//!
//! No threat-intel feed, rule engine or `ThreatScorer` (harombe §5), no network-traffic detector
//! (§6), and no cross-agent model: every agent is judged against its own history only. Training
//! data is trusted; a history that is already compromised becomes the baseline. No synthetic
//! data and no offline training runs (those are `vigil-trainer`'s).
#![deny(missing_docs)]

pub mod baseline;
pub mod clock;
pub mod detect;
mod error;
pub mod forest;
pub mod model;
pub mod monitor;
pub mod profile;
#[cfg(feature = "redis")]
pub mod redis_store;
pub mod scaler;
pub mod store;
mod stored;

pub use baseline::{
    BaselineLearner, BehavioralBaseline, BehavioralPattern, Deviation, LearnerParams,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use detect::{
    EventDetector, EventDetectorParams, FeedbackOutcome, ReferenceScore, ScoreMode, Scores,
    TrainOutcome,
};
pub use error::{Error, Result};
pub use forest::{ForestParams, IsolationForest};
pub use model::{AgentModel, AgentSnapshot, EventDetectorSnapshot};
pub use monitor::{AgentMonitor, Verdict};
pub use profile::{ScoreComponents, ScoreParams};
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use store::{BaselineStore, EventLog, FileStore, TrainReport};
pub use stored::StoredEvent;
/// The verdict on one event: harombe's `AnomalyResult`, which is the shared contract type.
pub use vigil_contracts::EventAnomalyResult;
