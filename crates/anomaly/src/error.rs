//! The one error type of `vigil-anomaly`.

/// What can go wrong when loading a model, configuring or running the detector.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A contract-level problem: a bad artifact, a bad field, an I/O failure.
    #[error(transparent)]
    Contract(#[from] vigil_contracts::Error),
    /// A detector or model parameter out of range.
    #[error("invalid parameter {name}: {message}")]
    Params {
        /// Parameter name.
        name: &'static str,
        /// What was wrong, with the value.
        message: String,
    },
    /// A model that decodes but cannot be evaluated safely (indices out of range, NaN, ...).
    #[error("anomaly model: {0}")]
    Model(String),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for vigil_contracts::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Contract(c) => c,
            Error::Params { name, message } => vigil_contracts::Error::invalid(name, message),
            Error::Model(m) => vigil_contracts::Error::Artifact(m),
        }
    }
}
