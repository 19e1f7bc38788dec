//! The crate's one error type.

/// What can go wrong while checking hyper-parameters or fitting a model.
///
/// Messages name the offending value (`rounds 0 is outside 1..=5000`, `90 rows but 3 labels`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A hyper-parameter is out of its range; refused by a `check()`.
    #[error("{0}")]
    InvalidParams(String),
    /// Training inputs that cannot be fitted: mismatched lengths, a label out of range, too few
    /// classes.
    #[error("{0}")]
    InvalidInput(String),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_shown_as_given() {
        assert_eq!(
            Error::InvalidParams("rounds 0 is outside 1..=5000".into()).to_string(),
            "rounds 0 is outside 1..=5000"
        );
        assert_eq!(
            Error::InvalidInput("90 rows but 3 labels".into()).to_string(),
            "90 rows but 3 labels"
        );
    }
}
