//! # vigil-features
//!
//! Deterministic encoders shared by the vigil models: everything that turns text, tool calls,
//! plans or agent events into numbers, each with a named, fingerprinted [`FeatureSchema`].
//!
//! ## The big picture
//!
//! | module (planned) | what |
//! |---|---|
//! | text n-grams | char_wb 1–4 and word 1–2 n-grams, stable-hashed into buckets, sublinear tf-idf, L2 |
//! | intent normalizer | raw `{tool, args}` calls of a session → [`NormalizedIntent`](vigil_contracts::NormalizedIntent)s |
//! | window encoders | axor's 300-D `axor-v1` encoding and vigil's position-invariant window features |
//! | plan annotation | tool lexicon + catalog → step annotations → the 9 NEXUS plan features |
//! | event features | harombe's 7 agent-event features with a stable event-type encoding |
//!
//! ```
//! use vigil_contracts::hash::fnv1a64;
//! // Every hashed feature goes through a stable hash, so artifacts mean the same thing in every process.
//! assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
//! [`FeatureSchema`]: vigil_contracts::FeatureSchema
#![deny(missing_docs)]

pub mod intent;
pub mod window;
