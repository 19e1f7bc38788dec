//! The one error type of `vigil-contracts`.

/// What can go wrong when reading, validating or loading a contract value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A closed vocabulary got a string outside it.
    #[error("unknown {field} \"{value}\" (expected one of: {expected})")]
    UnknownValue {
        /// The field (vocabulary) name, e.g. `operation`.
        field: &'static str,
        /// The string that was given.
        value: String,
        /// The accepted strings, comma separated.
        expected: String,
    },
    /// A field had a value of the right type but an unacceptable content.
    #[error("{field}: {message}")]
    InvalidField {
        /// Path of the field, e.g. `steps[2].budget`.
        field: String,
        /// What was wrong, with the offending value.
        message: String,
    },
    /// JSON that did not match the contract; `path` locates the problem inside the record.
    #[error("{}{message}", if path.is_empty() || path == "." { String::new() } else { format!("{path}: ") })]
    Json {
        /// Path inside the record (`window[3].operation`), `.` for the root.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// A model artifact that cannot be used (corrupt, truncated, wrong kind or schema).
    #[error("model artifact: {0}")]
    Artifact(String),
    /// A model or detector failed while computing an answer.
    #[error("{0}")]
    Model(String),
    /// The LLM verifier failed (transport, HTTP status, timeout, configuration).
    #[error("verifier: {0}")]
    Verifier(#[from] crate::trajectory::VerifierError),
    /// I/O while reading or writing an artifact.
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
    /// Shorthand for [`Error::InvalidField`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error located inside `parent`: a field error on `operation` becomes one on
    /// `window[3].operation`; other errors are unchanged.
    ///
    /// ```
    /// let e = vigil_contracts::Error::invalid("target_resource_reputation", "1.5 is outside [0, 1]");
    /// assert_eq!(
    ///     e.within("window[1]").to_string(),
    ///     "window[1].target_resource_reputation: 1.5 is outside [0, 1]"
    /// );
    /// ```
    pub fn within(self, parent: &str) -> Self {
        match self {
            Error::InvalidField { field, message } => Error::InvalidField {
                field: format!("{parent}.{field}"),
                message,
            },
            Error::Json { path, message } if path.is_empty() || path == "." => Error::Json {
                path: parent.to_owned(),
                message,
            },
            Error::Json { path, message } => Error::Json {
                path: format!("{parent}.{path}"),
                message,
            },
            other => other,
        }
    }
}
