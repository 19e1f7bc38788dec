//! The one error type of `vigil-injection`.

/// What can go wrong while loading or validating an injection model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model file or parameter that cannot be used.
    #[error("{0}")]
    Model(String),
    /// An artifact or contract error from `vigil-contracts`.
    #[error(transparent)]
    Contract(#[from] vigil_contracts::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<vigil_features::Error> for Error {
    fn from(e: vigil_features::Error) -> Self {
        Error::Model(e.to_string())
    }
}
