//! # vigil-contracts
//!
//! The types and traits every vigil crate speaks. Nothing here learns or scores anything: this
//! crate fixes the *vocabulary* — the exact strings of the reference systems — so a task signal,
//! a normalized tool call, a plan or an agent event means the same thing in every crate, in the
//! CLI's JSON Lines and in the artifacts on disk.
//!
//! ## The big picture
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`task`] | [`TaskSignal`], its labels, the policy name it maps to, [`SignalClassifier`] | axor-core 0.8.0 |
//! | [`trajectory`] | [`NormalizedIntent`], [`AnomalyClass`], [`AnomalyResult`], [`AnomalyDetector`], [`LlmVerifier`] | axor-core 0.8.0 |
//! | [`plan`] | [`Plan`], [`Step`], [`Severity`], [`Violation`], [`Intervention`], [`PlanDecision`] | NEXUS |
//! | [`event`] | [`AgentEvent`], [`ThreatLevel`], [`EventAnomalyResult`] | harombe `security.ml` |
//! | [`routing`] | [`Certainty`], [`RiskLevel`], [`Action`], [`ModelTier`], [`Specialization`] | open-classify |
//! | [`artifact`] | the versioned, checksummed model envelope and [`FeatureSchema`] fingerprints | vigil |
//! | [`hash`] | FNV-1a, the only hash allowed to reach a feature | vigil |
//! | [`text`] | cutting untrusted text to size on character boundaries | vigil |
//!
//! Every closed vocabulary refuses strings outside it with an error naming the field and the
//! value, and [`from_json_str`] reports where in a record the problem is:
//!
//! ```
//! use vigil_contracts::{from_json_str, AnomalyClass, NormalizedIntent, Operation, TargetKind};
//!
//! // A record as axor-core writes it (dataclasses.asdict → json).
//! let intent: NormalizedIntent = from_json_str(r#"{
//!     "tool": "bash", "operation": "network_request", "target_kind": "external_url",
//!     "destination_kind": "external_domain", "provenance": "external_web",
//!     "reads_secret_like_data": false, "writes_outside_workdir": false,
//!     "executes_generated_code": false, "after_external_read": true,
//!     "after_secret_access": true, "data_flow": "local_to_external",
//!     "target_resource_reputation": 0.0, "target_container_reputation": 0.0}"#).unwrap();
//! assert_eq!(intent.operation, Operation::NetworkRequest);
//! assert_eq!(intent.target_kind, TargetKind::ExternalUrl);
//! assert_eq!(AnomalyClass::from_score(0.75), AnomalyClass::Critical);
//!
//! let err = from_json_str::<NormalizedIntent>(
//!     r#"{"tool": "bash", "operation": "fly", "target_kind": "workdir"}"#).unwrap_err();
//! assert_eq!(err.to_string(), "operation: unknown operation \"fly\" (expected one of: file_read, \
//!     file_write, test, search, network_request, package_install, execute_generated_code, other, \
//!     power_state_change) at column 35");
//! ```
//!
//! ## Validation: one rule per field, wherever it is read
//!
//! The rules live on the types, so `vigil check`, every other subcommand and every library entry
//! point ([`from_json_str`]) apply the same ones:
//!
//! | what | rule |
//! |---|---|
//! | any record | one JSON document; an object with the same key twice, at any depth (inside `args` too), is refused naming its path: `steps[0].args: duplicate key "command"` |
//! | unknown fields | refused, naming the field, by every record type, so a misspelt optional field (`"domian"`, `"budgte"`) never silently falls back to its default — except [`AgentEvent`], which keeps them in `extra` (harombe events carry free-form metadata). The CLI's request lines follow the same rule; a `vigil task-signal` line, whose one field `text` is required, ignores others (a misspelling is a missing `text`), so callers can carry an `id` |
//! | closed vocabularies | exact strings only; the error lists the accepted ones and quotes at most 64 characters of the value |
//! | scores, probabilities, reputations ([`AnomalyResult::score`], [`PlanDecision::risk`], [`EventAnomalyResult::anomaly_score`], [`NormalizedIntent`]'s two reputations) | finite and in [0, 1] ([`NormalizedIntent::check`] for intents built in code) |
//! | [`Plan::budget`], [`Step::estimated_cost`] | finite and ≥ 0 |
//! | [`AgentEvent`] `resource_count`, `duration_ms` | any integer / finite number (`null` = 0): observations to score, negative ones included |
//! | [`TaskSignal`] derived fields | must agree with the labels |
//!
//! Numbers in messages are shown readably ([`text::format_number`]: `1e308`, not 309 digits).
//!
//! ## What it does not do
//!
//! No classification, scoring or I/O beyond reading and writing artifact files. The traits are
//! async (via `async-trait`) because some implementations call out to an LLM; the local models
//! answer immediately.
#![deny(missing_docs)]

mod string_enum;

pub mod artifact;
mod error;
pub mod event;
pub mod hash;
mod json;
pub mod plan;
pub mod routing;
pub mod task;
pub mod text;
pub mod trajectory;
mod unique_keys;

pub use artifact::{Artifact, FeatureSchema, SchemaRef};
pub use error::{Error, Result};
pub use event::{AgentEvent, EventAnomalyResult, ThreatLevel};
pub use json::{
    MAX_VALUES_PER_RECORD, OBJECT_ENTRY_COST, compact_map, from_json_str, from_json_value,
    observation_text,
};
pub use plan::{Intervention, Plan, PlanDecision, PlanPolicy, Severity, Step, Violation};
pub use routing::{Action, Certainty, ModelTier, RiskLevel, Specialization};
pub use task::{
    Classification, Domain, PolicyName, SignalClassifier, TaskComplexity, TaskNature, TaskSignal,
    TaskSignalHint,
};
pub use trajectory::{
    AnomalyClass, AnomalyDetector, AnomalyResult, CanonicalIntent, DataFlow, DestinationKind,
    LlmVerifier, NormalizedIntent, Operation, Provenance, TargetKind, ToolCategory, VerifierError,
};
