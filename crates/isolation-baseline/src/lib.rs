//! # vigil-isolation-baseline
//!
//! Is this agent's latest event out of line with its own history? A re-implementation of
//! harombe's `AnomalyDetector` (a per-agent Isolation Forest) and `BaselineLearner` (rolling
//! statistics) that is fast, stable across processes and keeps discriminating beyond its
//! training range.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`forest`] | the standard seeded Isolation Forest on flat arrays (100 trees, ψ = min(256, n)) |
//! | [`features`] | harombe's 7 event features with a stable (FNV-1a) event-type encoding |
//! | [`detector`] | [`AnomalyDetector`]: scaler + forest + [`profile`] per agent, harombe's factors and explanations, feedback with retraining |
//! | [`profile`] | the combined score: forest + robust z-scores + type rarity + time + failure evidence |
//! | [`baseline`] | [`BaselineLearner`]: hourly/daily shares, mean/std, type frequencies, rate, O(1) recording |
//! | [`monitor`] | [`AgentMonitor`]: both together, with save and load |
//! | [`store`] | [`BaselineStore`]: one atomically written, versioned artifact per agent |
//! | [`clock`] | injectable "now" ([`ManualClock`] for tests and log replays) |
//! | [`synthetic`] | a seeded generator of realistic normal activity |
//!
//! ```
//! use vigil_contracts::{AgentEvent, ThreatLevel};
//! use vigil_isolation_baseline::{
//!     AgentMonitor, DetectorParams, LearnerParams, ManualClock, synthetic::Generator,
//! };
//!
//! let mut generator = Generator::new(42);
//! let history = generator.events(1_000);
//! let clock = ManualClock::new(generator.now());
//! let mut monitor =
//!     AgentMonitor::new(DetectorParams::default(), LearnerParams::default(), clock).unwrap();
//! monitor.train("agent-1", &history).unwrap();
//!
//! let normal = generator.event();
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
//! available as [`AnomalyDetector::reference_score`] and as [`ScoreMode::Reference`].
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
//! data is trusted; a history that is already compromised becomes the baseline.
#![deny(missing_docs)]

pub mod baseline;
pub mod clock;
pub mod detector;
mod error;
pub mod features;
pub mod forest;
pub mod monitor;
pub mod profile;
pub mod scaler;
pub mod store;
mod stored;
pub mod synthetic;

pub use baseline::{
    BaselineLearner, BehavioralBaseline, BehavioralPattern, Deviation, LearnerParams,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use detector::{
    AnomalyDetector, DetectorParams, FeedbackOutcome, ReferenceScore, ScoreMode, Scores,
    TrainOutcome,
};
pub use error::{Error, Result};
pub use forest::{ForestParams, IsolationForest};
pub use monitor::{AgentMonitor, Verdict};
pub use profile::{ScoreComponents, ScoreParams};
pub use store::{AgentSnapshot, BaselineStore};
pub use stored::StoredEvent;

/// harombe's `AnomalyResult`, which is the shared contract type.
pub use vigil_contracts::EventAnomalyResult as AnomalyResult;
