//! Agent trajectories: normalized tool calls, anomaly results, detectors and verifiers
//! (axor-core 0.8.0 `NormalizedIntent`, `AnomalyClass`, `AnomalyResult`, `AnomalyDetector`, `LLMVerifier`).

use serde::{Deserialize, Serialize};

use crate::task::{PolicyName, TaskSignalHint};
use crate::{Result, string_enum};

string_enum! {
    /// What a tool call does (axor `operation`).
    pub enum Operation: "operation" {
        /// Reads a file.
        FileRead => "file_read",
        /// Writes or edits a file.
        FileWrite => "file_write",
        /// Runs a test suite.
        Test => "test",
        /// Searches (grep, find, web search).
        Search => "search",
        /// Makes a network request.
        NetworkRequest => "network_request",
        /// Installs or builds packages.
        PackageInstall => "package_install",
        /// Runs code written earlier in the same session.
        ExecuteGeneratedCode => "execute_generated_code",
        /// Anything else.
        Other => "other",
        /// Added in axor-core 0.11 (device power); accepted so newer records load.
        PowerStateChange => "power_state_change",
    }
}

string_enum! {
    /// What a tool call touches (axor `target_kind`).
    pub enum TargetKind: "target_kind" {
        /// Inside the working directory.
        Workdir => "workdir",
        /// System locations outside the working directory.
        SystemPath => "system_path",
        /// Secret-like files (keys, `.env`, credentials).
        Secret => "secret",
        /// A URL on the public internet.
        ExternalUrl => "external_url",
        /// The local machine over the network.
        Localhost => "localhost",
        /// A private-range address.
        PrivateNetwork => "private_network",
        /// A cloud metadata endpoint (169.254.169.254, metadata.google.internal).
        CloudMetadata => "cloud_metadata",
        /// The Docker daemon socket.
        DockerSocket => "docker_socket",
    }
}

string_enum! {
    /// Where data goes (axor `destination_kind`).
    pub enum DestinationKind: "destination_kind" {
        /// Nowhere outside the process.
        None => "none",
        /// The local machine.
        Localhost => "localhost",
        /// The origin the session already talks to.
        SameOrigin => "same_origin",
        /// A public internet domain.
        ExternalDomain => "external_domain",
        /// A private-range address.
        PrivateNetwork => "private_network",
        /// A cloud metadata endpoint (produced by the normalizer).
        CloudMetadata => "cloud_metadata",
    }
}

string_enum! {
    /// Where the instruction behind a call came from (axor `provenance`).
    pub enum Provenance: "provenance" {
        /// The user asked for it.
        User => "user",
        /// The repository's own content.
        Repo => "repo",
        /// Official documentation.
        OfficialDocs => "official_docs",
        /// Content fetched from the web.
        ExternalWeb => "external_web",
        /// Not known.
        Unknown => "unknown",
    }
}

string_enum! {
    /// Direction of data movement (axor `data_flow`).
    pub enum DataFlow: "data_flow" {
        /// No data movement.
        None => "none",
        /// Local to local.
        LocalToLocal => "local_to_local",
        /// Local data leaving the machine.
        LocalToExternal => "local_to_external",
        /// External content reaching a shell.
        ExternalToShell => "external_to_shell",
    }
}

string_enum! {
    /// Anomaly class with axor's score bands (lower bounds inclusive).
    pub enum AnomalyClass: "class" {
        /// score < 0.40
        Normal => "normal",
        /// 0.40 ≤ score < 0.75
        Suspicious => "suspicious",
        /// score ≥ 0.75
        Critical => "critical",
    }
}

impl AnomalyClass {
    /// Lower bound of the suspicious band.
    pub const SUSPICIOUS_THRESHOLD: f64 = 0.40;
    /// Lower bound of the critical band.
    pub const CRITICAL_THRESHOLD: f64 = 0.75;

    /// The band a score falls in, with the reference thresholds.
    pub fn from_score(score: f64) -> Self {
        Self::from_score_with(score, Self::SUSPICIOUS_THRESHOLD, Self::CRITICAL_THRESHOLD)
    }

    /// The band a score falls in, with custom thresholds.
    pub fn from_score_with(score: f64, suspicious: f64, critical: f64) -> Self {
        if score >= critical {
            AnomalyClass::Critical
        } else if score >= suspicious {
            AnomalyClass::Suspicious
        } else {
            AnomalyClass::Normal
        }
    }
}

fn default_destination() -> DestinationKind {
    DestinationKind::None
}
fn default_provenance() -> Provenance {
    Provenance::Unknown
}
fn default_flow() -> DataFlow {
    DataFlow::None
}

/// One tool call in behavioural form, field for field as axor-core 0.8.0's `NormalizedIntent`.
///
/// A JSON record written by axor-core (`dataclasses.asdict`) deserializes unchanged; fields axor
/// gives defaults to may be omitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizedIntent {
    /// Raw tool name (`read`, `bash`, `web_fetch`, ...). Never shown to verifiers.
    pub tool: String,
    /// What the call does.
    pub operation: Operation,
    /// What it touches.
    pub target_kind: TargetKind,
    /// Where data goes.
    #[serde(default = "default_destination")]
    pub destination_kind: DestinationKind,
    /// Where the instruction came from.
    #[serde(default = "default_provenance")]
    pub provenance: Provenance,
    /// Reads secret-like data.
    #[serde(default)]
    pub reads_secret_like_data: bool,
    /// Writes outside the working directory.
    #[serde(default)]
    pub writes_outside_workdir: bool,
    /// Executes code generated in this session.
    #[serde(default)]
    pub executes_generated_code: bool,
    /// Happens after the session read external content.
    #[serde(default)]
    pub after_external_read: bool,
    /// Happens after the session accessed a secret.
    #[serde(default)]
    pub after_secret_access: bool,
    /// Direction of data movement.
    #[serde(default = "default_flow")]
    pub data_flow: DataFlow,
    /// Reputation of the target resource in [0, 1], 0.0 when unknown.
    #[serde(default, deserialize_with = "reputation")]
    pub target_resource_reputation: f64,
    /// Reputation of the target's container (domain, registry) in [0, 1], 0.0 when unknown.
    #[serde(default, deserialize_with = "reputation")]
    pub target_container_reputation: f64,
}

impl NormalizedIntent {
    /// An intent with the given operation and target and every other field at its default.
    pub fn new(tool: impl Into<String>, operation: Operation, target_kind: TargetKind) -> Self {
        NormalizedIntent {
            tool: tool.into(),
            operation,
            target_kind,
            destination_kind: DestinationKind::None,
            provenance: Provenance::Unknown,
            reads_secret_like_data: false,
            writes_outside_workdir: false,
            executes_generated_code: false,
            after_external_read: false,
            after_secret_access: false,
            data_flow: DataFlow::None,
            target_resource_reputation: 0.0,
            target_container_reputation: 0.0,
        }
    }

    /// The verifier's view of this intent (no tool name, no reputations, no free text).
    pub fn canonicalize(&self) -> CanonicalIntent {
        CanonicalIntent::from(self)
    }

    /// Checks the rules deserialization enforces, for an intent built in code: both reputations
    /// are finite and in [0, 1].
    ///
    /// ```
    /// use vigil_contracts::{NormalizedIntent, Operation, TargetKind};
    /// let mut i = NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::ExternalUrl);
    /// assert!(i.check().is_ok());
    /// i.target_container_reputation = -5.0;
    /// assert_eq!(
    ///     i.check().unwrap_err().to_string(),
    ///     "target_container_reputation: -5 is outside [0, 1]"
    /// );
    /// ```
    pub fn check(&self) -> Result<()> {
        for (field, value) in [
            (
                "target_resource_reputation",
                self.target_resource_reputation,
            ),
            (
                "target_container_reputation",
                self.target_container_reputation,
            ),
        ] {
            if let Some(problem) = outside_unit_interval(value) {
                return Err(crate::Error::invalid(field, problem));
            }
        }
        Ok(())
    }
}

/// What is wrong with `v` as a probability, score or reputation, if anything.
fn outside_unit_interval(v: f64) -> Option<String> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        None
    } else {
        Some(format!(
            "{} is outside [0, 1]",
            crate::text::format_number(v)
        ))
    }
}

fn reputation<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    match outside_unit_interval(v) {
        None => Ok(v),
        Some(problem) => Err(serde::de::Error::custom(problem)),
    }
}

string_enum! {
    /// Coarse tool class shown to verifiers instead of the raw tool name.
    pub enum ToolCategory: "tool_category" {
        /// Reads files.
        FileRead => "file_read",
        /// Writes files.
        FileWrite => "file_write",
        /// Runs commands.
        Shell => "shell",
        /// Network access.
        Network => "network",
        /// Search.
        Search => "search",
        /// Package manager.
        Package => "package",
        /// Anything else.
        Unknown => "unknown",
    }
}

/// The verifier's view of an intent: vocabulary words and booleans only.
///
/// Every field is a closed enum or a flag, so nothing a tool returned, no argument, path, URL or
/// file content can reach a prompt built from this type. Unlike axor's `CanonicalizedIntent`, it
/// keeps target kind, destination and provenance (axor hides provenance and shows localhost as
/// private network; both cost the verifier evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanonicalIntent {
    /// Coarse tool class (axor's `tool_category` rule).
    pub tool_category: ToolCategory,
    /// Operation.
    pub operation: Operation,
    /// Target kind.
    pub target_kind: TargetKind,
    /// Destination kind.
    pub destination_kind: DestinationKind,
    /// Provenance.
    pub provenance: Provenance,
    /// Data flow.
    pub data_flow: DataFlow,
    /// Reads secret-like data.
    pub reads_secret_like_data: bool,
    /// Writes outside the working directory.
    pub writes_outside_workdir: bool,
    /// Executes generated code.
    pub executes_generated_code: bool,
    /// After an external read.
    pub after_external_read: bool,
    /// After a secret access.
    pub after_secret_access: bool,
}

impl From<&NormalizedIntent> for CanonicalIntent {
    fn from(i: &NormalizedIntent) -> Self {
        use Operation as Op;
        let remote = matches!(
            i.target_kind,
            TargetKind::ExternalUrl | TargetKind::CloudMetadata
        );
        let tool_category = match i.operation {
            Op::FileRead => ToolCategory::FileRead,
            Op::FileWrite => ToolCategory::FileWrite,
            Op::ExecuteGeneratedCode | Op::Test | Op::Other if !remote => ToolCategory::Shell,
            Op::NetworkRequest => ToolCategory::Network,
            Op::Search => ToolCategory::Search,
            Op::PackageInstall => ToolCategory::Package,
            _ => ToolCategory::Unknown,
        };
        CanonicalIntent {
            tool_category,
            operation: i.operation,
            target_kind: i.target_kind,
            destination_kind: i.destination_kind,
            provenance: i.provenance,
            data_flow: i.data_flow,
            reads_secret_like_data: i.reads_secret_like_data,
            writes_outside_workdir: i.writes_outside_workdir,
            executes_generated_code: i.executes_generated_code,
            after_external_read: i.after_external_read,
            after_secret_access: i.after_secret_access,
        }
    }
}

/// A detector's or verifier's verdict on a window.
///
/// Serialized with the key `class`; axor's dataclass field name `cls` is accepted on input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyResult {
    /// Risk score in [0, 1].
    #[serde(deserialize_with = "unit_interval")]
    pub score: f64,
    /// Band of the score (or the verifier's own class).
    #[serde(rename = "class", alias = "cls")]
    pub class: AnomalyClass,
    /// Why, in the reference vocabulary (`external_read_seen`, ...).
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl AnomalyResult {
    /// The answer for an empty window: 0.0, normal, no reasons.
    pub fn empty() -> Self {
        AnomalyResult {
            score: 0.0,
            class: AnomalyClass::Normal,
            reasons: Vec::new(),
        }
    }
}

pub(crate) fn unit_interval<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    match outside_unit_interval(v) {
        None => Ok(v),
        Some(problem) => Err(serde::de::Error::custom(format!("score {problem}"))),
    }
}

/// The reason a verifier gives when the model's answer could not be parsed (axor's fallback
/// verdict: 0.5, suspicious, this reason). Detectors treat such a verdict as a verifier failure.
pub const VERIFIER_PARSE_ERROR: &str = "verifier_parse_error";

/// Why a verifier could not answer. The detector falls back (or fails closed) on any of these.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierError {
    /// No answer within the time limit.
    #[error("timed out after {after_ms} ms")]
    Timeout {
        /// The limit that was exceeded.
        after_ms: u64,
    },
    /// The server answered with a non-success status.
    #[error("HTTP {status}: {body}")]
    Status {
        /// HTTP status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// Connection, TLS or protocol failure.
    #[error("transport: {0}")]
    Transport(String),
    /// Missing key, bad URL, unusable settings.
    #[error("configuration: {0}")]
    Config(String),
    /// The verifier answered, but not with a usable verdict.
    #[error("unusable answer: {0}")]
    Unusable(String),
}

/// Scores a window of recent intents (axor's `AnomalyDetector` protocol).
#[async_trait::async_trait]
pub trait AnomalyDetector: Send + Sync {
    /// Scores the window (oldest first). `task_signal_hint` and `policy_name` describe the task
    /// the agent is meant to be doing, when known.
    async fn score(
        &self,
        window: &[NormalizedIntent],
        task_signal_hint: Option<TaskSignalHint>,
        policy_name: Option<PolicyName>,
    ) -> Result<AnomalyResult>;
}

/// A second opinion on a window from an LLM (axor's `LLMVerifier` protocol).
///
/// It takes [`CanonicalIntent`]s, so untrusted content cannot reach the model by construction.
#[async_trait::async_trait]
pub trait LlmVerifier: Send + Sync {
    /// Judges the window; errors are for the caller to fall back from.
    async fn verify(
        &self,
        window: &[CanonicalIntent],
        task_signal_hint: Option<TaskSignalHint>,
        policy_name: Option<PolicyName>,
    ) -> std::result::Result<AnomalyResult, VerifierError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bands_have_inclusive_lower_bounds() {
        assert_eq!(AnomalyClass::from_score(0.39), AnomalyClass::Normal);
        assert_eq!(AnomalyClass::from_score(0.40), AnomalyClass::Suspicious);
        assert_eq!(AnomalyClass::from_score(0.74), AnomalyClass::Suspicious);
        assert_eq!(AnomalyClass::from_score(0.75), AnomalyClass::Critical);
        assert_eq!(AnomalyClass::from_score(1.0), AnomalyClass::Critical);
    }

    #[test]
    fn canonical_tool_category_follows_reference_rule() {
        let shell = NormalizedIntent::new("bash", Operation::Other, TargetKind::Workdir);
        assert_eq!(shell.canonicalize().tool_category, ToolCategory::Shell);
        let remote_exec = NormalizedIntent::new(
            "bash",
            Operation::ExecuteGeneratedCode,
            TargetKind::ExternalUrl,
        );
        assert_eq!(
            remote_exec.canonicalize().tool_category,
            ToolCategory::Unknown
        );
        let net = NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::Localhost);
        let c = net.canonicalize();
        assert_eq!(c.tool_category, ToolCategory::Network);
        // vigil keeps localhost as localhost (axor shows it as private_network).
        assert_eq!(c.target_kind, TargetKind::Localhost);
        let pkg = NormalizedIntent::new("pip", Operation::PackageInstall, TargetKind::SystemPath);
        assert_eq!(pkg.canonicalize().tool_category, ToolCategory::Package);
    }

    #[test]
    fn reputations_outside_the_unit_interval_are_refused_when_read() {
        let err = |rep: &str| {
            crate::from_json_str::<NormalizedIntent>(&format!(
                r#"{{"tool":"curl","operation":"network_request","target_kind":"external_url","target_resource_reputation":{rep}}}"#
            ))
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            err("1e308"),
            "target_resource_reputation: 1e308 is outside [0, 1] at column 109"
        );
        assert_eq!(
            err("-5"),
            "target_resource_reputation: -5 is outside [0, 1] at column 106"
        );
        let ok: NormalizedIntent = crate::from_json_str(
            r#"{"tool":"curl","operation":"network_request","target_kind":"external_url","target_container_reputation":1}"#,
        )
        .unwrap();
        assert_eq!(ok.target_container_reputation, 1.0);
        assert!(ok.check().is_ok());
    }

    #[test]
    fn out_of_range_score_is_refused() {
        let err = crate::from_json_str::<AnomalyResult>(r#"{"score": 1.5, "class": "critical"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("score: score 1.5 is outside [0, 1]"),
            "{err}"
        );
    }
}
