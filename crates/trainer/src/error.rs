//! The crate's one error type.

/// What can go wrong while generating data, training, evaluating or timing a model.
///
/// Errors of the runtime crates pass through unchanged (their messages already name the value);
/// [`Error::Context`] prefixes one with the step that failed (`fitting the domain head: …`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path (`cannot read fixtures/anomaly/sessions.jsonl`).
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A contract value, artifact or card write was refused.
    #[error(transparent)]
    Contract(#[from] vigil_contracts::Error),
    /// Featurizer or linear-model parameters were refused.
    #[error(transparent)]
    Features(#[from] vigil_features::Error),
    /// The task-signal runtime refused a model or parameters.
    #[error(transparent)]
    TaskSignal(#[from] vigil_task_signal::Error),
    /// The anomaly runtime refused a model or parameters.
    #[error(transparent)]
    Anomaly(#[from] vigil_anomaly::Error),
    /// The plan-risk runtime refused a model or parameters.
    #[error(transparent)]
    PlanRisk(#[from] vigil_plan_risk::Error),
    /// The injection runtime refused a model or parameters.
    #[error(transparent)]
    Injection(#[from] vigil_injection::Error),
    /// The preflight runtime refused a model or parameters.
    #[error(transparent)]
    Preflight(#[from] vigil_preflight::Error),
    /// The isolation-baseline runtime refused parameters or failed to store a baseline.
    #[error(transparent)]
    IsolationBaseline(#[from] vigil_isolation_baseline::Error),
    /// Serializing a record or report to JSON failed.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A learning algorithm refused its parameters or inputs.
    #[error(transparent)]
    Learn(#[from] vigil_learn::Error),
    /// A pipeline-specific problem: a malformed fixture line (`path:line: message`), parameters
    /// out of range, an internal consistency check.
    #[error("{0}")]
    Invalid(String),
    /// Another error, prefixed with the step that failed.
    #[error("{context}: {source}")]
    Context {
        /// The step (`featurizer`, `fitting the nature head`, `fixture ssh-exfil`).
        context: String,
        /// What went wrong in it.
        source: Box<Error>,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error while doing `context` (which names the path).
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}

/// Prefixes an error with the step that failed, keeping it as the source.
pub(crate) trait Context<T> {
    /// `Err(e)` becomes `Err(Error::Context { context, source: e })`.
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::Context {
            context: context(),
            source: Box::new(e.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_prefixes_and_keeps_the_source() {
        let r: std::result::Result<(), vigil_learn::Error> =
            Err(vigil_learn::Error::InvalidInput("no rows".into()));
        let e = r.context(|| "fitting the domain head".into()).unwrap_err();
        assert_eq!(e.to_string(), "fitting the domain head: no rows");
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("no rows"));
    }

    #[test]
    fn io_names_the_path() {
        let e = std::fs::read("/nonexistent/vigil/x.jsonl")
            .map_err(Error::io("cannot read /nonexistent/vigil/x.jsonl"))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read /nonexistent/vigil/x.jsonl: "),
            "{e}"
        );
    }

    #[test]
    fn invalid_is_shown_as_given() {
        let e = Error::Invalid("fixtures/x.jsonl:3: missing field `label`".into());
        assert_eq!(e.to_string(), "fixtures/x.jsonl:3: missing field `label`");
    }
}
