//! # vigil-isolation-baseline
//!
//! Is this agent's latest event out of line with its own history? A re-implementation of harombe's
//! per-agent Isolation Forest and statistical behavioural baseline that is fast, stable across
//! processes and keeps discriminating beyond its training range.
//!
//! ## The big picture
//!
//! Planned: a seeded Isolation Forest on flat arrays, the harombe-compatible agent detector, the
//! baseline learner with O(1) amortized recording, feedback-driven retraining and a per-agent store.
//!
//! ```
//! use vigil_contracts::ThreatLevel;
//! assert!(ThreatLevel::Low < ThreatLevel::High); // harombe compares the strings and gets this wrong
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
