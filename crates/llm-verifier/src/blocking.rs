//! [`BlockingVerifier`]: any [`LlmVerifier`] behind a private tokio runtime, for synchronous code
//! such as the `vigil verify` command.

use vigil_contracts::{
    AnomalyResult, CanonicalIntent, LlmVerifier, PolicyName, TaskSignalHint, VerifierError,
};

use crate::{Error, Result};

/// Runs an async [`LlmVerifier`] to completion on its own current-thread runtime.
///
/// Use it from synchronous code only; inside an async runtime call the verifier directly
/// (`verify` then answers with a configuration error instead of blocking the executor). Like any
/// tokio runtime it must also be dropped outside async code.
pub struct BlockingVerifier {
    runtime: tokio::runtime::Runtime,
    inner: Box<dyn LlmVerifier>,
}

impl std::fmt::Debug for BlockingVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingVerifier").finish_non_exhaustive()
    }
}

impl BlockingVerifier {
    /// Wraps a verifier with a new current-thread runtime (timers and sockets enabled).
    pub fn new(inner: Box<dyn LlmVerifier>) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime(e.to_string()))?;
        Ok(BlockingVerifier { runtime, inner })
    }

    /// [`LlmVerifier::verify`], blocking until the answer, the error or the time limit.
    pub fn verify(
        &self,
        window: &[CanonicalIntent],
        task_signal_hint: Option<TaskSignalHint>,
        policy_name: Option<PolicyName>,
    ) -> std::result::Result<AnomalyResult, VerifierError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(VerifierError::Config(
                "BlockingVerifier::verify was called inside an async runtime; \
                 await the inner verifier instead"
                    .to_owned(),
            ));
        }
        self.runtime
            .block_on(self.inner.verify(window, task_signal_hint, policy_name))
    }
}

#[cfg(test)]
mod tests {
    use vigil_contracts::{AnomalyClass, NormalizedIntent, Operation, TargetKind};

    use super::*;

    /// Answers with the window length as a score in tenths.
    struct CountingVerifier;

    #[async_trait::async_trait]
    impl LlmVerifier for CountingVerifier {
        async fn verify(
            &self,
            window: &[CanonicalIntent],
            _: Option<TaskSignalHint>,
            _: Option<PolicyName>,
        ) -> std::result::Result<AnomalyResult, VerifierError> {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            let score = window.len() as f64 / 10.0;
            Ok(AnomalyResult {
                score,
                class: AnomalyClass::from_score(score),
                reasons: vec![],
            })
        }
    }

    fn window(n: usize) -> Vec<CanonicalIntent> {
        vec![
            NormalizedIntent::new("read", Operation::FileRead, TargetKind::Workdir).canonicalize();
            n
        ]
    }

    #[test]
    fn blocks_until_the_inner_verifier_answers() {
        let blocking = BlockingVerifier::new(Box::new(CountingVerifier)).unwrap();
        let verdict = blocking.verify(&window(8), None, None).unwrap();
        assert_eq!(verdict.score, 0.8);
        assert_eq!(verdict.class, AnomalyClass::Critical);
        assert_eq!(
            blocking.verify(&window(2), None, None).unwrap().class,
            AnomalyClass::Normal
        );
    }

    #[tokio::test]
    async fn inside_an_async_runtime_it_refuses_instead_of_panicking() {
        let blocking =
            tokio::task::spawn_blocking(|| BlockingVerifier::new(Box::new(CountingVerifier)))
                .await
                .unwrap()
                .unwrap();
        let err = blocking.verify(&window(1), None, None).unwrap_err();
        assert!(
            matches!(err, VerifierError::Config(ref m) if m.contains("inside an async runtime")),
            "{err}"
        );
        // Dropping a runtime inside another panics; hand it to a blocking thread.
        tokio::task::spawn_blocking(move || drop(blocking))
            .await
            .unwrap();
    }
}
