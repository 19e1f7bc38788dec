//! Which provider to call and how: [`Provider`] and the validated [`VerifierOptions`].

use std::time::Duration;

use crate::{Error, Result};

vigil_contracts::string_enum! {
    /// An LLM API the verifier can call.
    pub enum Provider: "provider" {
        /// Anthropic Messages API (`POST {base}/v1/messages`).
        Anthropic => "anthropic",
        /// A local Ollama server (`POST {host}/api/chat`).
        Ollama => "ollama",
        /// Any OpenAI-compatible chat-completions API (`POST {base}/v1/chat/completions`).
        OpenAi => "openai",
    }
}

impl Provider {
    /// The model used when none is given.
    pub const fn default_model(self) -> &'static str {
        match self {
            Provider::Anthropic => "claude-haiku-4-5-20251001",
            Provider::Ollama => "llama3.2",
            Provider::OpenAi => "gpt-4o-mini",
        }
    }

    /// The base URL used when none is given or found in the environment.
    pub const fn default_base_url(self) -> &'static str {
        match self {
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::Ollama => "http://127.0.0.1:11434",
            Provider::OpenAi => "https://api.openai.com",
        }
    }

    /// The environment variable holding the base URL (or host, for Ollama).
    pub const fn base_url_env(self) -> &'static str {
        match self {
            Provider::Anthropic => "ANTHROPIC_BASE_URL",
            Provider::Ollama => "OLLAMA_HOST",
            Provider::OpenAi => "OPENAI_BASE_URL",
        }
    }

    /// The environment variable holding the API key (Ollama takes none).
    pub const fn api_key_env(self) -> Option<&'static str> {
        match self {
            Provider::Anthropic => Some("ANTHROPIC_API_KEY"),
            Provider::Ollama => None,
            Provider::OpenAi => Some("OPENAI_API_KEY"),
        }
    }

    /// The endpoint path appended to the base URL.
    pub const fn endpoint_path(self) -> &'static str {
        match self {
            Provider::Anthropic => "/v1/messages",
            Provider::Ollama => "/api/chat",
            Provider::OpenAi => "/v1/chat/completions",
        }
    }
}

/// How to reach the provider and how long to wait. `None` fields fall back to the environment,
/// then to the provider's default (see [`Provider`]).
///
/// Defaults: model per provider, `max_tokens` 256 (the reference's), timeout 10 s for the whole
/// call including the retry, one retry on 429/5xx after 500 ms (doubling per further retry) or
/// the server's `retry-after`, waiting at most 5 s for it.
#[derive(Clone, PartialEq)]
pub struct VerifierOptions {
    /// Model name; `None` = [`Provider::default_model`].
    pub model: Option<String>,
    /// Base URL (`https://api.anthropic.com`, `http://127.0.0.1:11434`, ...); `None` = the
    /// provider's environment variable, then [`Provider::default_base_url`].
    pub base_url: Option<String>,
    /// API key; `None` = the provider's environment variable.
    pub api_key: Option<String>,
    /// Limit for one `verify` call, retries and waits included.
    pub timeout: Duration,
    /// Most tokens the model may answer with.
    pub max_tokens: u32,
    /// Retries after a 429 or 5xx answer.
    pub max_retries: u32,
    /// Wait before the first retry when the server gives no `retry-after`; doubled per retry.
    pub retry_backoff: Duration,
    /// Longest `retry-after` honoured; a longer one fails the call at once instead of waiting.
    pub max_retry_wait: Duration,
}

/// The API key is shown as `<redacted>`, so options can be logged.
impl std::fmt::Debug for VerifierOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierOptions")
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("max_tokens", &self.max_tokens)
            .field("max_retries", &self.max_retries)
            .field("retry_backoff", &self.retry_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .finish()
    }
}

impl Default for VerifierOptions {
    fn default() -> Self {
        VerifierOptions {
            model: None,
            base_url: None,
            api_key: None,
            timeout: Duration::from_secs(10),
            max_tokens: 256,
            max_retries: 1,
            retry_backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(5),
        }
    }
}

impl VerifierOptions {
    /// Sets the model.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Sets the base URL (overrides the environment).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sets the API key (overrides the environment).
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Sets the time limit for one call, retries included.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry count and the backoff before the first retry.
    pub fn with_retries(mut self, max_retries: u32, backoff: Duration) -> Self {
        self.max_retries = max_retries;
        self.retry_backoff = backoff;
        self
    }

    /// Longest accepted timeout.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);
    /// Most retries accepted.
    pub const MAX_RETRIES: u32 = 5;
    /// Most output tokens accepted.
    pub const MAX_TOKENS: u32 = 8192;

    /// Checks every numeric setting is in range.
    pub fn check(&self) -> Result<()> {
        let bad = |name, value: String, reason| {
            Err(Error::InvalidParam {
                name,
                value,
                reason,
            })
        };
        if self.timeout.is_zero() || self.timeout > Self::MAX_TIMEOUT {
            return bad(
                "timeout",
                format!("{} ms", self.timeout.as_millis()),
                "must be between 1 ms and 600 s",
            );
        }
        if self.max_tokens == 0 || self.max_tokens > Self::MAX_TOKENS {
            return bad(
                "max_tokens",
                self.max_tokens.to_string(),
                "must be between 1 and 8192",
            );
        }
        if self.max_retries > Self::MAX_RETRIES {
            return bad(
                "max_retries",
                self.max_retries.to_string(),
                "must be at most 5",
            );
        }
        if self.retry_backoff > Self::MAX_TIMEOUT || self.max_retry_wait > Self::MAX_TIMEOUT {
            let (name, value) = if self.retry_backoff > Self::MAX_TIMEOUT {
                ("retry_backoff", self.retry_backoff)
            } else {
                ("max_retry_wait", self.max_retry_wait)
            };
            return bad(
                name,
                format!("{} ms", value.as_millis()),
                "must be at most 600 s",
            );
        }
        if matches!(&self.model, Some(m) if m.trim().is_empty()) {
            return bad("model", "\"\"".to_owned(), "must not be empty");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones_and_valid() {
        let o = VerifierOptions::default();
        assert_eq!(o.timeout, Duration::from_secs(10));
        assert_eq!(o.max_tokens, 256);
        assert_eq!(o.max_retries, 1);
        assert!(o.check().is_ok());
        assert_eq!(
            Provider::Anthropic.default_model(),
            "claude-haiku-4-5-20251001"
        );
        assert_eq!("openai".parse::<Provider>().unwrap(), Provider::OpenAi);
        let err = "gemini".parse::<Provider>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown provider \"gemini\" (expected one of: anthropic, ollama, openai)"
        );
    }

    #[test]
    fn builder_methods_set_fields() {
        let o = VerifierOptions::default()
            .with_model("m")
            .with_base_url("http://127.0.0.1:1")
            .with_api_key("k")
            .with_timeout(Duration::from_millis(1500))
            .with_retries(0, Duration::from_millis(5));
        assert_eq!(o.model.as_deref(), Some("m"));
        assert_eq!(o.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(o.api_key.as_deref(), Some("k"));
        assert_eq!(o.timeout, Duration::from_millis(1500));
        assert_eq!(
            (o.max_retries, o.retry_backoff),
            (0, Duration::from_millis(5))
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let o = VerifierOptions {
            api_key: Some("sk-secret".into()),
            ..Default::default()
        };
        let shown = format!("{o:?}");
        assert!(shown.contains("api_key: Some(\"<redacted>\")"), "{shown}");
        assert!(!shown.contains("sk-secret"));
    }

    #[test]
    fn out_of_range_settings_are_refused_by_name() {
        let check = |o: VerifierOptions| o.check().unwrap_err().to_string();
        assert_eq!(
            check(VerifierOptions {
                timeout: Duration::ZERO,
                ..Default::default()
            }),
            "timeout = 0 ms: must be between 1 ms and 600 s"
        );
        assert_eq!(
            check(VerifierOptions {
                max_tokens: 0,
                ..Default::default()
            }),
            "max_tokens = 0: must be between 1 and 8192"
        );
        assert_eq!(
            check(VerifierOptions {
                max_retries: 9,
                ..Default::default()
            }),
            "max_retries = 9: must be at most 5"
        );
        assert_eq!(
            check(VerifierOptions {
                model: Some(" ".into()),
                ..Default::default()
            }),
            "model = \"\": must not be empty"
        );
    }
}
