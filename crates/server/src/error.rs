//! The one error type of `vigil-server`.

/// What can stop `vigil serve` from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model that cannot be loaded.
    #[error("cannot load the {model} model: {message}")]
    Model {
        /// Which model.
        model: &'static str,
        /// Why.
        message: String,
    },
    /// A bad option (state location, token file, limits).
    #[error("{0}")]
    Config(String),
    /// The listening socket or the server failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
