//! The error type of `vigil-plan-risk`.

/// What can go wrong when loading a risk model or reading a plan.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model artifact that cannot be used (corrupt, wrong kind or schema, bad numbers).
    #[error("plan-risk model: {0}")]
    Model(String),
    /// A hyperparameter or threshold out of range.
    #[error("{param} = {value}: {reason}")]
    InvalidParam {
        /// Which parameter.
        param: String,
        /// The value given.
        value: String,
        /// Why it is not acceptable.
        reason: String,
    },
    /// A contract-level problem (plan JSON, artifact envelope).
    #[error(transparent)]
    Contract(#[from] vigil_contracts::Error),
    /// A session id the session store refuses.
    #[error("invalid session_id {id:?}: {reason}")]
    InvalidSessionId {
        /// The id as given.
        id: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The session store cannot be reached (Redis down, timeout).
    #[error("session store unavailable: {0}")]
    SessionUnavailable(String),
    /// The session store answered but the stored session is unusable, or a write kept losing.
    #[error("session store: {0}")]
    SessionStore(String),
    /// A tool catalog that does not validate.
    #[error(transparent)]
    Catalog(#[from] vigil_features::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
