//! # vigil-task-signal
//!
//! Is this prompt focused, moderate or expansive; readonly, generative or mutative; which domain?
//! A re-implementation of axor's `HeuristicClassifier` and `TaskSignalClassifier` with an escalation
//! cascade, answering in microseconds with an embedded model.
//!
//! ## The big picture
//!
//! Planned: the reference heuristic (regex weight table and confidence rules), a three-head sparse
//! multinomial logistic regression with calibrated probabilities, the heuristic → ML cascade, and
//! `TaskSignalClassifier::embedded()`.
//!
//! ```
//! use vigil_contracts::{PolicyName, TaskComplexity, TaskNature};
//! let policy = PolicyName::for_signal(TaskComplexity::Focused, TaskNature::Mutative);
//! assert_eq!(policy.as_str(), "focused_mutative");
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
