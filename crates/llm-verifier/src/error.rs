//! The crate's error type: everything that stops a verifier from being *built*.
//!
//! It also names what is wrong with a model answer that cannot be read as a verdict; such an
//! answer is turned into the reference fallback verdict (see [`crate::verdict`]), and this error is
//! what the `tracing` warning says. Failures while *verifying* (timeouts, HTTP status, transport)
//! are [`VerifierError`]s, the contract type the anomaly detector falls back from.

use vigil_contracts::VerifierError;

/// Why a verifier could not be configured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider needs an API key and none was given or found in the environment.
    #[error("{provider}: no API key (pass one explicitly or set {env_var})")]
    MissingApiKey {
        /// Provider name (`anthropic`, `openai`).
        provider: &'static str,
        /// The environment variable that was consulted.
        env_var: &'static str,
    },
    /// The base URL is not an absolute `http`/`https` URL.
    #[error("base URL \"{url}\": {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter is out of its allowed range.
    #[error("{name} = {value}: {reason}")]
    InvalidParam {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: String,
        /// The allowed range.
        reason: &'static str,
    },
    /// An API key or model name that cannot be sent in an HTTP request.
    #[error("{name}: {reason}")]
    InvalidValue {
        /// Which setting.
        name: &'static str,
        /// What is wrong with it (never the secret itself).
        reason: &'static str,
    },
    /// The HTTP client could not be created (TLS backend initialisation).
    #[error("cannot create HTTP client: {0}")]
    HttpClient(String),
    /// The tokio runtime of a [`crate::BlockingVerifier`] could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
    /// The model's answer is blank.
    #[error("the answer is empty")]
    EmptyAnswer,
    /// The answer is JSON, but not an object.
    #[error("expected a JSON object, got {found}")]
    NotAnObject {
        /// What was found instead (`an array`, `a string`, ...).
        found: &'static str,
    },
    /// Neither the answer nor any object embedded in it is a verdict.
    #[error("no JSON object with \"score\" and \"class\" in the answer")]
    NoVerdictObject,
    /// The verdict object lacks a required field.
    #[error("missing field \"{field}\"")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A verdict field has an unusable value.
    #[error("{field}: {value} is not {expected}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// The value found (JSON, shortened).
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A 2xx response whose body is not the provider's response format.
    #[error("{provider} response body: {reason}")]
    UnexpectedResponse {
        /// Provider name.
        provider: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl From<Error> for VerifierError {
    fn from(e: Error) -> Self {
        VerifierError::Config(e.to_string())
    }
}
