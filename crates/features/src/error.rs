//! The error type of `vigil-features`.

/// What can go wrong while building or loading an encoder.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A hyperparameter or stored parameter is out of range.
    #[error("{param} = {value}: {reason}")]
    InvalidParam {
        /// Which parameter, e.g. `text.char_buckets`.
        param: String,
        /// The value given.
        value: String,
        /// Why it is not acceptable.
        reason: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
