//! # vigil-preflight
//!
//! Route, reply to or block a user message before the expensive model sees it: open-classify's
//! envelope decided locally in microseconds.
//!
//! ## The big picture
//!
//! Planned: input normalization and `target_message_hash`, a local prompt-injection classifier, preflight
//! replies, the certainty-gated aggregator and the downstream model catalog resolver.
//!
//! ```
//! use vigil_contracts::Certainty;
//! assert_eq!(Certainty::Reasonable.score(), 0.60);
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
