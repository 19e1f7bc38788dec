//! # vigil-llm-verifier
//!
//! A second opinion from an LLM for the anomaly detector's gray zone, without letting untrusted
//! content in: the verifier only ever sees [`CanonicalIntent`](vigil_contracts::CanonicalIntent)s.
//!
//! ## The big picture
//!
//! Planned: the prompt builder, Anthropic / Ollama / OpenAI-compatible providers over reqwest with
//! temperature 0, time limits and one retry, and a tolerant response parser with the reference fallback.
//!
//! ```
//! use vigil_contracts::{NormalizedIntent, Operation, TargetKind, ToolCategory};
//! let intent = NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::CloudMetadata);
//! // The verifier's view has no tool name and no free text.
//! assert_eq!(intent.canonicalize().tool_category, ToolCategory::Network);
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
