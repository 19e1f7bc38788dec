//! [`HttpVerifier`]: one provider, one endpoint, a time limit and one retry.

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use vigil_contracts::{
    AnomalyResult, CanonicalIntent, LlmVerifier, PolicyName, TaskSignalHint, VerifierError,
};

use crate::options::{Provider, VerifierOptions};
use crate::prompt::Prompt;
use crate::verdict;
use crate::{Error, Result};
use vigil_contracts::text::log_safe;

/// Bodies larger than this are cut (a verdict is a few hundred bytes).
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How much of an error body is kept in [`VerifierError::Status`] (escaped: it reaches logs).
const ERROR_BODY_CHARS: usize = 200;
/// Anthropic API version header value.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// An [`LlmVerifier`] over one provider's HTTP API.
///
/// Cheap to share (`reqwest::Client` pools connections). Needs a tokio runtime with the time
/// driver enabled (`#[tokio::main]` or `Builder::enable_all`); from synchronous code use
/// [`crate::BlockingVerifier`].
#[derive(Debug, Clone)]
pub struct HttpVerifier {
    provider: Provider,
    client: reqwest::Client,
    endpoint: Url,
    headers: HeaderMap,
    model: String,
    options: VerifierOptions,
}

impl HttpVerifier {
    /// Builds a verifier, filling unset options from the process environment
    /// (`ANTHROPIC_BASE_URL` / `ANTHROPIC_API_KEY`, `OLLAMA_HOST`, `OPENAI_BASE_URL` /
    /// `OPENAI_API_KEY`).
    pub fn new(provider: Provider, options: VerifierOptions) -> Result<Self> {
        Self::with_env(provider, options, |name| std::env::var(name).ok())
    }

    /// Like [`HttpVerifier::new`] with an explicit environment lookup (used by tests, which
    /// must not mutate the process environment).
    pub fn with_env(
        provider: Provider,
        options: VerifierOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        options.check()?;
        let non_blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let base = non_blank(options.base_url.clone())
            .or_else(|| non_blank(env(provider.base_url_env())))
            .unwrap_or_else(|| provider.default_base_url().to_owned());
        let endpoint = endpoint_url(provider, &base)?;
        let api_key = match provider.api_key_env() {
            None => None,
            Some(var) => non_blank(options.api_key.clone()).or_else(|| non_blank(env(var))),
        };
        let headers = headers(provider, api_key.as_deref(), &endpoint)?;
        let model = options
            .model
            .clone()
            .unwrap_or_else(|| provider.default_model().to_owned());
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(5)))
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| Error::HttpClient(e.to_string()))?;
        // The key lives on in the (sensitive) header only.
        let options = VerifierOptions {
            api_key: None,
            ..options
        };
        Ok(HttpVerifier {
            provider,
            client,
            endpoint,
            headers,
            model: model.trim().to_owned(),
            options,
        })
    }

    /// The provider called.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The full endpoint URL requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The JSON request body for a prompt: temperature 0, the output-token limit and, for Ollama
    /// and OpenAI, JSON-only output.
    pub fn request_body(&self, prompt: &Prompt) -> Value {
        let max_tokens = self.options.max_tokens;
        match self.provider {
            Provider::Anthropic => json!({
                "model": self.model,
                "max_tokens": max_tokens,
                "temperature": 0,
                "system": prompt.system(),
                "messages": [{"role": "user", "content": prompt.user()}],
            }),
            Provider::Ollama => json!({
                "model": self.model,
                "stream": false,
                "format": "json",
                "options": {"temperature": 0, "num_predict": max_tokens},
                "messages": [
                    {"role": "system", "content": prompt.system()},
                    {"role": "user", "content": prompt.user()},
                ],
            }),
            Provider::OpenAi => json!({
                "model": self.model,
                "temperature": 0,
                "max_tokens": max_tokens,
                "response_format": {"type": "json_object"},
                "messages": [
                    {"role": "system", "content": prompt.system()},
                    {"role": "user", "content": prompt.user()},
                ],
            }),
        }
    }

    /// Sends the prompt and returns the 2xx response body, within the time limit.
    async fn call(&self, prompt: &Prompt) -> std::result::Result<Vec<u8>, VerifierError> {
        let body = self.request_body(prompt);
        let timeout = self.options.timeout;
        let after_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let started = Instant::now();
        tokio::time::timeout(timeout, self.send_with_retry(&body, started))
            .await
            .map_err(|_| VerifierError::Timeout { after_ms })?
    }

    async fn send_with_retry(
        &self,
        body: &Value,
        started: Instant,
    ) -> std::result::Result<Vec<u8>, VerifierError> {
        let timeout = self.options.timeout;
        let after_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let mut retries = 0;
        loop {
            let sent = self
                .client
                .post(self.endpoint.clone())
                .headers(self.headers.clone())
                .json(body)
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(VerifierError::Timeout { after_ms }),
                Err(e) => return Err(VerifierError::Transport(describe(&e))),
            };
            let status = response.status();
            if status.is_success() {
                return read_capped(response)
                    .await
                    .map_err(|e| transport_or_timeout(&e, after_ms));
            }
            let wait = retry_wait(response.headers());
            let text = read_capped(response).await.unwrap_or_default();
            let error = VerifierError::Status {
                status: status.as_u16(),
                body: log_safe(String::from_utf8_lossy(&text).trim(), ERROR_BODY_CHARS),
            };
            if !retryable(status) || retries >= self.options.max_retries {
                return Err(error);
            }
            let wait = wait.unwrap_or_else(|| self.options.retry_backoff * 2u32.pow(retries));
            // A wait that cannot finish inside the time limit only delays the same failure.
            if wait > self.options.max_retry_wait || started.elapsed() + wait >= timeout {
                tracing::warn!(
                    provider = self.provider.as_str(),
                    status = status.as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "not retrying: the wait exceeds the limit"
                );
                return Err(error);
            }
            tracing::info!(
                provider = self.provider.as_str(),
                status = status.as_u16(),
                wait_ms = wait.as_millis() as u64,
                "retrying verifier call"
            );
            tokio::time::sleep(wait).await;
            retries += 1;
        }
    }
}

#[async_trait::async_trait]
impl LlmVerifier for HttpVerifier {
    async fn verify(
        &self,
        window: &[CanonicalIntent],
        task_signal_hint: Option<TaskSignalHint>,
        policy_name: Option<PolicyName>,
    ) -> std::result::Result<AnomalyResult, VerifierError> {
        if window.is_empty() {
            return Ok(AnomalyResult::empty());
        }
        let prompt = Prompt::build(window, task_signal_hint, policy_name);
        let body = self.call(&prompt).await?;
        let provider = self.provider.as_str();
        Ok(match answer_text(self.provider, &body) {
            Ok(answer) => verdict::verdict_or_fallback(provider, &answer),
            Err(e) => {
                tracing::warn!(
                    provider,
                    problem = %e,
                    "verifier response unusable ({e}); using the fallback verdict 0.5/suspicious"
                );
                verdict::fallback()
            }
        })
    }
}

/// `{base}{path}`, keeping any path prefix of the base; `OLLAMA_HOST`-style `host:port` gets
/// `http://`; an OpenAI-style base ending in `/v1` does not get a second `/v1`.
fn endpoint_url(provider: Provider, base: &str) -> Result<Url> {
    let bad = |reason: &str| Error::InvalidBaseUrl {
        url: base.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = base.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("http://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL takes no query or fragment"));
    }
    let mut prefix = url.path().trim_end_matches('/').to_owned();
    if provider != Provider::Ollama && prefix.ends_with("/v1") {
        prefix.truncate(prefix.len() - 3);
    }
    url.set_path(&format!("{prefix}{}", provider.endpoint_path()));
    Ok(url)
}

fn headers(provider: Provider, api_key: Option<&str>, endpoint: &Url) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let secret = |value: String| {
        let mut v = HeaderValue::from_str(&value).map_err(|_| Error::InvalidValue {
            name: "api_key",
            reason: "contains characters not allowed in an HTTP header",
        })?;
        v.set_sensitive(true);
        Ok::<_, Error>(v)
    };
    match provider {
        Provider::Anthropic => {
            let key = api_key.ok_or(Error::MissingApiKey {
                provider: "anthropic",
                env_var: "ANTHROPIC_API_KEY",
            })?;
            headers.insert(
                HeaderName::from_static("x-api-key"),
                secret(key.trim().to_owned())?,
            );
            headers.insert(
                HeaderName::from_static("anthropic-version"),
                HeaderValue::from_static(ANTHROPIC_VERSION),
            );
        }
        Provider::Ollama => {}
        Provider::OpenAi => match api_key {
            Some(key) => {
                headers.insert(
                    reqwest::header::AUTHORIZATION,
                    secret(format!("Bearer {}", key.trim()))?,
                );
            }
            // Local OpenAI-compatible servers (vLLM, llama.cpp) need no key; OpenAI itself does.
            None if endpoint.host_str() == Some("api.openai.com") => {
                return Err(Error::MissingApiKey {
                    provider: "openai",
                    env_var: "OPENAI_API_KEY",
                });
            }
            None => {}
        },
    }
    Ok(headers)
}

/// Most redirects followed within the endpoint's origin (reqwest's default limit).
const MAX_REDIRECTS: usize = 10;

/// Follows a redirect only within the origin (scheme, host and port) of the first request.
///
/// reqwest's own policy follows a redirect anywhere and strips only the standard credential
/// headers (`authorization`, `cookie`) on the way, so Anthropic's `x-api-key` — and for 307/308
/// the prompt itself — would reach whatever host the endpoint points at. A redirect elsewhere is
/// a transport error naming both origins instead, whatever the provider.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.follow();
        };
        if attempt.url().origin() != first.origin() {
            let refused = format!(
                "refusing to follow a redirect from {} to another origin ({})",
                first.origin().ascii_serialization(),
                attempt.url().origin().ascii_serialization()
            );
            return attempt.error(refused);
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        attempt.follow()
    })
}

/// Status codes worth one more try: rate limits and server-side failures.
fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The server's requested wait: `retry-after-ms` (OpenAI) or `retry-after` in seconds.
/// HTTP-date forms are not understood and fall back to the configured backoff.
fn retry_wait(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let capped = |secs: f64| Duration::from_secs_f64(secs.min(86_400.0));
    number("retry-after-ms")
        .map(|ms| capped(ms / 1000.0))
        .or_else(|| number("retry-after").map(capped))
}

/// Reads a body, keeping at most [`MAX_BODY_BYTES`].
async fn read_capped(mut response: reqwest::Response) -> reqwest::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_BODY_BYTES {
            break;
        }
    }
    Ok(body)
}

fn transport_or_timeout(e: &reqwest::Error, after_ms: u64) -> VerifierError {
    if e.is_timeout() {
        VerifierError::Timeout { after_ms }
    } else {
        VerifierError::Transport(describe(e))
    }
}

/// The error and its causes on one line (reqwest's top-level message alone is vague).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The answer text inside a provider's 2xx response body.
pub fn answer_text(provider: Provider, body: &[u8]) -> Result<String> {
    let unexpected = |reason: String| Error::UnexpectedResponse {
        provider: provider.as_str(),
        reason,
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        unexpected(format!(
            "not JSON ({e}): {}",
            log_safe(String::from_utf8_lossy(body).trim(), 80)
        ))
    })?;
    let text = match provider {
        // The first non-blank text block, as the reference.
        Provider::Anthropic => value
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| unexpected("no \"content\" list".to_owned()))?
            .iter()
            .filter(|block| block.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|block| block.get("text").and_then(Value::as_str))
            .find(|text| !text.trim().is_empty())
            .ok_or_else(|| unexpected("no non-blank text block in \"content\"".to_owned()))?,
        Provider::Ollama => value
            .pointer("/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| unexpected("no string at message.content".to_owned()))?,
        Provider::OpenAi => value
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| unexpected("no string at choices[0].message.content".to_owned()))?,
    };
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(provider: Provider, base: &str) -> String {
        endpoint_url(provider, base)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn endpoints_are_built_from_base_urls() {
        assert_eq!(
            url(Provider::Anthropic, "https://api.anthropic.com"),
            "https://api.anthropic.com/v1/messages"
        );
        assert_eq!(
            url(Provider::Anthropic, "http://127.0.0.1:9/proxy/"),
            "http://127.0.0.1:9/proxy/v1/messages"
        );
        assert_eq!(
            url(Provider::OpenAi, "https://api.openai.com/v1"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            url(Provider::OpenAi, "http://localhost:8000/"),
            "http://localhost:8000/v1/chat/completions"
        );
        assert_eq!(
            url(Provider::Ollama, "0.0.0.0:11434"),
            "http://0.0.0.0:11434/api/chat"
        );
        assert_eq!(
            url(Provider::Ollama, "ftp://host"),
            "base URL \"ftp://host\": the scheme must be http or https"
        );
        assert_eq!(
            url(Provider::Anthropic, "https://a.example?x=1"),
            "base URL \"https://a.example?x=1\": a base URL takes no query or fragment"
        );
        assert!(url(Provider::Anthropic, "http://").starts_with("base URL \"http://\": "));
    }

    #[test]
    fn keys_come_from_options_then_environment_and_are_required_where_needed() {
        let env = |name: &str| (name == "ANTHROPIC_API_KEY").then(|| "env-key".to_owned());
        let v =
            HttpVerifier::with_env(Provider::Anthropic, VerifierOptions::default(), env).unwrap();
        assert_eq!(v.headers["x-api-key"], "env-key");
        assert!(v.headers["x-api-key"].is_sensitive());
        assert_eq!(v.headers["anthropic-version"], "2023-06-01");
        assert_eq!(v.model(), "claude-haiku-4-5-20251001");

        let opts = VerifierOptions {
            api_key: Some("opt-key".into()),
            ..Default::default()
        };
        let v = HttpVerifier::with_env(Provider::Anthropic, opts, env).unwrap();
        assert_eq!(v.headers["x-api-key"], "opt-key");
        let shown = format!("{v:?}");
        assert!(!shown.contains("opt-key"), "{shown}");

        let none = |_: &str| None;
        let err = HttpVerifier::with_env(Provider::Anthropic, VerifierOptions::default(), none)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "anthropic: no API key (pass one explicitly or set ANTHROPIC_API_KEY)"
        );
        let err =
            HttpVerifier::with_env(Provider::OpenAi, VerifierOptions::default(), none).unwrap_err();
        assert_eq!(
            err.to_string(),
            "openai: no API key (pass one explicitly or set OPENAI_API_KEY)"
        );
        // A local OpenAI-compatible server needs none.
        let local =
            |name: &str| (name == "OPENAI_BASE_URL").then(|| "http://127.0.0.1:8000/v1".to_owned());
        let v =
            HttpVerifier::with_env(Provider::OpenAi, VerifierOptions::default(), local).unwrap();
        assert_eq!(
            v.endpoint().as_str(),
            "http://127.0.0.1:8000/v1/chat/completions"
        );
        assert!(!v.headers.contains_key("authorization"));

        let v = HttpVerifier::with_env(Provider::Ollama, VerifierOptions::default(), none).unwrap();
        assert_eq!(v.endpoint().as_str(), "http://127.0.0.1:11434/api/chat");

        let opts = VerifierOptions {
            api_key: Some("bad\nkey".into()),
            ..Default::default()
        };
        let err = HttpVerifier::with_env(Provider::Anthropic, opts, none).unwrap_err();
        assert_eq!(
            err.to_string(),
            "api_key: contains characters not allowed in an HTTP header"
        );
    }

    #[test]
    fn retry_after_headers_are_read() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_wait(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_wait(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_wait(&h), Some(Duration::from_millis(150)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_wait(&h), None);
        h.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_wait(&h), None);
    }

    #[test]
    fn answer_text_is_found_in_each_provider_format() {
        let anthropic = br#"{"content":[{"type":"thinking","thinking":"x"},{"type":"text","text":"  "},{"type":"text","text":"{\"score\":0.1}"}]}"#;
        assert_eq!(
            answer_text(Provider::Anthropic, anthropic).unwrap(),
            "{\"score\":0.1}"
        );
        let ollama = br#"{"message":{"role":"assistant","content":"hi"},"done":true}"#;
        assert_eq!(answer_text(Provider::Ollama, ollama).unwrap(), "hi");
        let openai = br#"{"choices":[{"message":{"role":"assistant","content":"yo"}}]}"#;
        assert_eq!(answer_text(Provider::OpenAi, openai).unwrap(), "yo");
        assert_eq!(
            answer_text(Provider::OpenAi, br#"{"choices":[]}"#)
                .unwrap_err()
                .to_string(),
            "openai response body: no string at choices[0].message.content"
        );
        assert_eq!(
            answer_text(Provider::Anthropic, b"<html>")
                .unwrap_err()
                .to_string(),
            "anthropic response body: not JSON (expected value at line 1 column 1): <html>"
        );
        // A body that reaches a log cannot start a line of its own there.
        assert_eq!(
            answer_text(Provider::Ollama, b"<html>\nWARN forged\x1b[0m")
                .unwrap_err()
                .to_string(),
            "ollama response body: not JSON (expected value at line 1 column 1): \
             <html>\\nWARN forged\\u{1b}[0m"
        );
    }
}
