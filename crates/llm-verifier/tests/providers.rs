//! Every provider against a local mock server on loopback: request shape and headers, good,
//! fenced, prose-wrapped and malformed answers, 500, 429 with retry-after, 400, a slow server past
//! the time limit and a refused connection. No test needs the internet or a key.

mod common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vigil_contracts::{
    AnomalyClass, AnomalyResult, CanonicalIntent, Domain, LlmVerifier, NormalizedIntent,
    PolicyName, TaskComplexity, TaskNature, TaskSignalHint, VerifierError,
};
use vigil_llm_verifier::{HttpVerifier, Prompt, Provider, SYSTEM_PROMPT, VerifierOptions};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PROVIDERS: [Provider; 3] = [Provider::Anthropic, Provider::Ollama, Provider::OpenAi];

/// Short limits so the suite stays fast.
fn options(base: &str) -> VerifierOptions {
    VerifierOptions {
        base_url: Some(base.to_owned()),
        api_key: Some("test-key".to_owned()),
        model: None,
        timeout: Duration::from_secs(3),
        retry_backoff: Duration::from_millis(20),
        max_retry_wait: Duration::from_secs(2),
        ..VerifierOptions::default()
    }
}

fn verifier(provider: Provider, server: &MockServer) -> HttpVerifier {
    HttpVerifier::with_env(provider, options(&server.uri()), |_| None).unwrap()
}

fn endpoint(provider: Provider) -> &'static str {
    provider.endpoint_path()
}

/// A 2xx body in the provider's format carrying `answer` as the model's text.
fn ok_body(provider: Provider, answer: &str) -> Value {
    match provider {
        Provider::Anthropic => json!({
            "id": "msg_01", "type": "message", "role": "assistant",
            "model": "claude-haiku-4-5-20251001",
            "content": [{"type": "text", "text": answer}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 412, "output_tokens": 31}
        }),
        Provider::Ollama => json!({
            "model": "llama3.2", "created_at": "2026-11-21T10:00:00Z",
            "message": {"role": "assistant", "content": answer},
            "done": true
        }),
        Provider::OpenAi => json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer}}]
        }),
    }
}

fn ok(provider: Provider, answer: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(ok_body(provider, answer))
}

/// Ordinary read → read-secret → exfiltrate window, canonical.
fn exfil_window() -> Vec<CanonicalIntent> {
    [
        common::external_fetch("web_fetch"),
        common::secret_read_after_fetch("read"),
        common::send_after_secret("curl"),
    ]
    .iter()
    .map(NormalizedIntent::canonicalize)
    .collect()
}

fn hint() -> TaskSignalHint {
    TaskSignalHint {
        complexity: TaskComplexity::Focused,
        nature: TaskNature::Readonly,
        domain: Domain::Coding,
    }
}

const GOOD: &str = r#"{"score": 0.91, "class": "critical", "reasons": ["secret read after external fetch", "outbound transfer"]}"#;

fn good_verdict() -> AnomalyResult {
    AnomalyResult {
        score: 0.91,
        class: AnomalyClass::Critical,
        reasons: vec![
            "secret read after external fetch".to_owned(),
            "outbound transfer".to_owned(),
        ],
    }
}

fn fallback() -> AnomalyResult {
    AnomalyResult {
        score: 0.5,
        class: AnomalyClass::Suspicious,
        reasons: vec!["verifier_parse_error".to_owned()],
    }
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn request_shape_and_headers_match_each_api() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        let mut mock = Mock::given(method("POST"))
            .and(path(endpoint(provider)))
            .and(header("content-type", "application/json"));
        mock = match provider {
            Provider::Anthropic => mock
                .and(header("x-api-key", "test-key"))
                .and(header("anthropic-version", "2023-06-01"))
                .and(body_partial_json(json!({
                    "model": "claude-haiku-4-5-20251001", "max_tokens": 256, "temperature": 0
                }))),
            Provider::Ollama => mock.and(body_partial_json(json!({
                "model": "llama3.2", "stream": false, "format": "json",
                "options": {"temperature": 0, "num_predict": 256}
            }))),
            Provider::OpenAi => {
                mock.and(header("authorization", "Bearer test-key"))
                    .and(body_partial_json(json!({
                        "model": "gpt-4o-mini", "temperature": 0, "max_tokens": 256,
                        "response_format": {"type": "json_object"}
                    })))
            }
        };
        mock.respond_with(ok(provider, GOOD))
            .expect(1)
            .mount(&server)
            .await;

        let window = exfil_window();
        let v = verifier(provider, &server);
        let verdict = v
            .verify(&window, Some(hint()), Some(PolicyName::FocusedReadonly))
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(verdict, good_verdict(), "{provider}");

        let sent = requests(&server).await;
        assert_eq!(sent.len(), 1, "{provider}");
        let body: Value = sent[0].body_json().unwrap();
        let expected = Prompt::build(&window, Some(hint()), Some(PolicyName::FocusedReadonly));
        let (system, user) = match provider {
            Provider::Anthropic => {
                assert_eq!(body["messages"].as_array().unwrap().len(), 1);
                assert_eq!(body["messages"][0]["role"], "user");
                (
                    body["system"].clone(),
                    body["messages"][0]["content"].clone(),
                )
            }
            Provider::Ollama | Provider::OpenAi => {
                assert_eq!(body["messages"].as_array().unwrap().len(), 2);
                assert_eq!(body["messages"][0]["role"], "system");
                assert_eq!(body["messages"][1]["role"], "user");
                (
                    body["messages"][0]["content"].clone(),
                    body["messages"][1]["content"].clone(),
                )
            }
        };
        assert_eq!(system, SYSTEM_PROMPT, "{provider}");
        assert_eq!(user, expected.user(), "{provider}");
        assert!(
            expected.user().starts_with(
                "Task type: FOCUSED/READONLY/coding\nActive policy: focused_readonly\n"
            ),
            "{}",
            expected.user()
        );
        // The provider's key never travels to another provider's header.
        if provider != Provider::Anthropic {
            assert!(sent[0].headers.get("x-api-key").is_none());
        }
        if provider == Provider::Ollama {
            assert!(sent[0].headers.get("authorization").is_none());
        }
    }
}

#[tokio::test]
async fn explicit_model_and_token_limit_are_sent() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ok(provider, GOOD))
            .mount(&server)
            .await;
        let opts = VerifierOptions {
            model: Some("my-model".into()),
            max_tokens: 100,
            ..options(&server.uri())
        };
        let v = HttpVerifier::with_env(provider, opts, |_| None).unwrap();
        v.verify(&exfil_window(), None, None).await.unwrap();
        let body: Value = requests(&server).await[0].body_json().unwrap();
        assert_eq!(body["model"], "my-model", "{provider}");
        let tokens = match provider {
            Provider::Ollama => &body["options"]["num_predict"],
            _ => &body["max_tokens"],
        };
        assert_eq!(tokens, 100, "{provider}");
    }
}

#[tokio::test]
async fn fenced_and_prose_wrapped_answers_are_read() {
    let answers = [
        format!("```json\n{GOOD}\n```"),
        format!("```\n{GOOD}\n```"),
        format!(
            "After reviewing the sequence, my verdict is:\n\n{GOOD}\n\nThe chain is a classic exfiltration."
        ),
        format!("Here you go:\n```json\n{GOOD}\n```\nHope this helps."),
    ];
    for provider in PROVIDERS {
        for answer in &answers {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(ok(provider, answer))
                .mount(&server)
                .await;
            let verdict = verifier(provider, &server)
                .verify(&exfil_window(), None, None)
                .await
                .unwrap();
            assert_eq!(verdict, good_verdict(), "{provider}: {answer}");
        }
    }
}

#[tokio::test]
async fn malformed_answers_and_bodies_give_the_reference_fallback() {
    for provider in PROVIDERS {
        let not_the_format = match provider {
            Provider::Anthropic => json!({"content": []}),
            Provider::Ollama => json!({"message": {"role": "assistant"}}),
            Provider::OpenAi => json!({"choices": [{"message": {"content": null}}]}),
        };
        let responses = [
            ResponseTemplate::new(200).set_body_string("<html>502 Bad Gateway</html>"),
            ResponseTemplate::new(200).set_body_json(not_the_format),
            ok(provider, "I think this looks fine."),
            ok(provider, r#"[{"score": 0.1, "class": "normal"}]"#),
            ok(
                provider,
                r#"{"score": 0.1, "class": "harmless", "reasons": []}"#,
            ),
            ok(provider, r#"{"score": null, "class": "normal"}"#),
            ok(
                provider,
                r#"{"score": 0.2, "class": "normal", "reasons": 5}"#,
            ),
            ok(provider, r#"{"score": 0.2, "class": "normal""#),
        ];
        for response in responses {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(response)
                .mount(&server)
                .await;
            let verdict = verifier(provider, &server)
                .verify(&exfil_window(), None, None)
                .await
                .unwrap_or_else(|e| panic!("{provider}: {e}"));
            assert_eq!(verdict, fallback(), "{provider}");
        }
    }
}

#[tokio::test]
async fn server_error_is_retried_once_then_reported() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500).set_body_string("internal error"))
            .mount(&server)
            .await;
        let err = verifier(provider, &server)
            .verify(&exfil_window(), None, None)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            VerifierError::Status {
                status: 500,
                body: "internal error".into()
            },
            "{provider}"
        );
        assert_eq!(requests(&server).await.len(), 2, "{provider}: one retry");
    }
}

#[tokio::test]
async fn server_error_then_success_recovers() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ok(provider, GOOD))
            .mount(&server)
            .await;
        let verdict = verifier(provider, &server)
            .verify(&exfil_window(), None, None)
            .await
            .unwrap();
        assert_eq!(verdict, good_verdict(), "{provider}");
        assert_eq!(requests(&server).await.len(), 2, "{provider}");
    }
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        // OpenAI sends milliseconds; everyone sends seconds.
        let limited = match provider {
            Provider::OpenAi => ResponseTemplate::new(429).insert_header("retry-after-ms", "400"),
            _ => ResponseTemplate::new(429).insert_header("retry-after", "1"),
        };
        Mock::given(method("POST"))
            .respond_with(limited)
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ok(provider, GOOD))
            .mount(&server)
            .await;
        let started = Instant::now();
        let verdict = verifier(provider, &server)
            .verify(&exfil_window(), None, None)
            .await
            .unwrap();
        let waited = started.elapsed();
        assert_eq!(verdict, good_verdict(), "{provider}");
        assert_eq!(requests(&server).await.len(), 2, "{provider}");
        // The configured backoff is 20 ms: only the header explains the wait.
        let min_wait = match provider {
            Provider::OpenAi => Duration::from_millis(400),
            _ => Duration::from_secs(1),
        };
        assert!(waited >= min_wait, "{provider}: waited {waited:?}");
    }
}

#[tokio::test]
async fn rate_limit_with_a_wait_longer_than_allowed_fails_at_once() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "120")
                    .set_body_json(json!({"error": {"type": "rate_limit_error"}})),
            )
            .mount(&server)
            .await;
        let started = Instant::now();
        let err = verifier(provider, &server)
            .verify(&exfil_window(), None, None)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            VerifierError::Status {
                status: 429,
                body: r#"{"error":{"type":"rate_limit_error"}}"#.into()
            },
            "{provider}"
        );
        assert_eq!(requests(&server).await.len(), 1, "{provider}");
        assert!(started.elapsed() < Duration::from_secs(1), "{provider}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(401).set_body_string("invalid x-api-key"))
            .mount(&server)
            .await;
        let err = verifier(provider, &server)
            .verify(&exfil_window(), None, None)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "HTTP 401: invalid x-api-key", "{provider}");
        assert_eq!(requests(&server).await.len(), 1, "{provider}");
    }
}

#[tokio::test]
async fn slow_server_hits_the_time_limit() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ok(provider, GOOD).set_delay(Duration::from_secs(3)))
            .mount(&server)
            .await;
        let opts = VerifierOptions {
            timeout: Duration::from_millis(250),
            ..options(&server.uri())
        };
        let v = HttpVerifier::with_env(provider, opts, |_| None).unwrap();
        let started = Instant::now();
        let err = v.verify(&exfil_window(), None, None).await.unwrap_err();
        assert_eq!(err, VerifierError::Timeout { after_ms: 250 }, "{provider}");
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{provider}: took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn retry_that_cannot_finish_in_time_is_not_attempted() {
    let provider = Provider::Anthropic;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    let opts = VerifierOptions {
        timeout: Duration::from_millis(500),
        ..options(&server.uri())
    };
    let v = HttpVerifier::with_env(provider, opts, |_| None).unwrap();
    let err = v.verify(&exfil_window(), None, None).await.unwrap_err();
    assert_eq!(
        err,
        VerifierError::Status {
            status: 503,
            body: String::new()
        }
    );
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn refused_connection_is_a_transport_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for provider in PROVIDERS {
        let opts = options(&format!("http://127.0.0.1:{port}"));
        let v = HttpVerifier::with_env(provider, opts, |_| None).unwrap();
        let err = v.verify(&exfil_window(), None, None).await.unwrap_err();
        match err {
            VerifierError::Transport(message) => {
                assert!(message.contains("127.0.0.1"), "{provider}: {message}")
            }
            other => panic!("{provider}: expected a transport error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn empty_window_is_answered_without_a_call() {
    let server = MockServer::start().await;
    let verdict = verifier(Provider::Ollama, &server)
        .verify(&[], None, None)
        .await
        .unwrap();
    assert_eq!(verdict, AnomalyResult::empty());
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn environment_supplies_base_url_and_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", "from-env"))
        .respond_with(ok(Provider::Anthropic, GOOD))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let env = move |name: &str| match name {
        "ANTHROPIC_BASE_URL" => Some(uri.clone()),
        "ANTHROPIC_API_KEY" => Some("from-env".to_owned()),
        _ => None,
    };
    let opts = VerifierOptions {
        timeout: Duration::from_secs(3),
        ..VerifierOptions::default()
    };
    let v = HttpVerifier::with_env(Provider::Anthropic, opts, env).unwrap();
    assert_eq!(
        v.verify(&exfil_window(), None, None).await.unwrap(),
        good_verdict()
    );
}
