//! The error type of `vigil-task-signal`.

/// What can go wrong while loading a task-signal model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The artifact envelope was refused (corrupt, truncated, wrong kind or feature schema).
    #[error(transparent)]
    Artifact(#[from] vigil_contracts::Error),
    /// The envelope decoded but the model inside is inconsistent.
    #[error("task-signal model: {0}")]
    InvalidModel(String),
    /// The model file named by an explicit path or `VIGIL_TASK_SIGNAL_MODEL` cannot be read.
    #[error("cannot read task-signal model {path}: {source}")]
    Io {
        /// The path that was tried.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
