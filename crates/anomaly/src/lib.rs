//! # vigil-anomaly
//!
//! Does this window of an agent's recent tool calls look like exfiltration, a backdoor or a pivot?
//! A re-implementation of axor's `MLAnomalyDetector` that is position-invariant, trained on what the
//! real normalizer emits, calibrated to the reference score bands, and escalates its gray zone to
//! an [`LlmVerifier`](vigil_contracts::LlmVerifier).
//!
//! ## The big picture
//!
//! Planned: flat-array boosted-tree inference over window features, calibrated score, evidence-based
//! reasons that never contradict the class, gray-zone escalation with fallback or fail-closed.
//!
//! ```
//! use vigil_contracts::{AnomalyClass, AnomalyResult};
//! // An empty window is defined: score 0.0, normal, no reasons.
//! let r = AnomalyResult::empty();
//! assert_eq!((r.score, r.class), (0.0, AnomalyClass::Normal));
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
