//! [`BlockingVerifier`]: any [`LlmVerifier`] behind a private tokio runtime, for synchronous code
//! such as the `vigil verify` command.

use vigil_contracts::{
    AnomalyResult, CanonicalIntent, LlmVerifier, PolicyName, TaskSignalHint, VerifierError,
};

use crate::{Error, Result};

/// Runs an async [`LlmVerifier`] to completion on its own current-thread runtime.
///
/// Use it from synchronous code only; inside an async runtime call the verifier directly
/// (`verify` then answers with a configuration error instead of blocking the executor).
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
