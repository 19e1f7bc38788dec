//! The one error type of `vigil-isolation-baseline`.

/// What can go wrong when fitting, scoring, storing or loading a per-agent baseline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A hyperparameter outside its valid range.
    #[error("invalid parameter {name} = {value}: {expected}")]
    InvalidParam {
        /// Parameter name, e.g. `contamination`.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// Training data the forest cannot be fitted on.
    #[error("invalid training data: {0}")]
    InvalidData(String),
    /// An agent id that cannot name a file safely (path separators, `..`, control characters...).
    #[error("invalid agent id {id:?}: {reason}")]
    InvalidAgentId {
        /// The id as given.
        id: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// `save` for an agent the detector has never trained.
    #[error("No model trained for {0}")]
    NoModel(String),
    /// `load` for an agent with nothing in the store.
    #[error("No saved model found for {0}")]
    NoSavedModel(String),
    /// A stored artifact that is corrupt, truncated or of another kind or schema.
    #[error(transparent)]
    Artifact(#[from] vigil_contracts::Error),
    /// The store's backend cannot be reached (Redis down, connection refused, timeout).
    #[error("baseline store unavailable: {0}")]
    Unavailable(String),
    /// Reading the store directory failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn param(name: &'static str, value: impl ToString, expected: &'static str) -> Self {
        Error::InvalidParam {
            name,
            value: value.to_string(),
            expected,
        }
    }
}
