//! The one error type of `vigil-preflight`.

/// What can go wrong while normalizing input, loading a catalog, a config or a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input messages cannot be classified (open-classify's `OpenClassifyNormalizationError`).
    /// The message is the reference's, e.g. `final message must be 5000 characters or fewer`.
    #[error("{0}")]
    Normalization(String),
    /// A `downstream-models.json` catalog that breaks the schema (open-classify's `CatalogError`).
    #[error("catalog: {0}")]
    Catalog(String),
    /// A preflight config file that breaks the schema.
    #[error("config: {0}")]
    Config(String),
    /// A model file or parameter that cannot be used.
    #[error("{0}")]
    Model(String),
    /// The injection model could not be loaded.
    #[error(transparent)]
    Injection(#[from] vigil_injection::Error),
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
