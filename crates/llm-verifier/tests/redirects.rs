//! Redirects and credentials (issue 16, item 1): a redirect to another origin (scheme, host or
//! port) is never followed, for any provider, so neither the API key nor the prompt reaches it; a
//! redirect within the endpoint's own origin is followed as before. Mock servers on 127.0.0.1
//! only.

mod common;

use std::time::Duration;

use serde_json::json;
use vigil_contracts::{AnomalyClass, AnomalyResult, CanonicalIntent, LlmVerifier, VerifierError};
use vigil_llm_verifier::{HttpVerifier, Provider, VerifierOptions};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROVIDERS: [Provider; 3] = [Provider::Anthropic, Provider::Ollama, Provider::OpenAi];

fn verifier(provider: Provider, base: &str) -> HttpVerifier {
    let options = VerifierOptions {
        base_url: Some(base.to_owned()),
        api_key: Some("secret-key".to_owned()),
        timeout: Duration::from_secs(3),
        ..VerifierOptions::default()
    };
    HttpVerifier::with_env(provider, options, |_| None).unwrap()
}

fn window() -> Vec<CanonicalIntent> {
    vec![common::external_fetch("web_fetch").canonicalize()]
}

/// A 2xx body in the provider's format whose answer is a normal verdict.
fn ok(provider: Provider) -> ResponseTemplate {
    let answer = r#"{"score": 0.1, "class": "normal", "reasons": ["routine"]}"#;
    ResponseTemplate::new(200).set_body_json(match provider {
        Provider::Anthropic => json!({"content": [{"type": "text", "text": answer}]}),
        Provider::Ollama => json!({"message": {"role": "assistant", "content": answer}}),
        Provider::OpenAi => json!({"choices": [{"message": {"content": answer}}]}),
    })
}

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(307).insert_header("location", location)
}

#[tokio::test]
async fn a_redirect_to_another_port_is_refused_and_nothing_reaches_it() {
    for provider in PROVIDERS {
        let origin = MockServer::start().await;
        let elsewhere = MockServer::start().await;
        let target = format!("{}{}", elsewhere.uri(), provider.endpoint_path());
        Mock::given(method("POST"))
            .respond_with(redirect_to(&target))
            .expect(1)
            .mount(&origin)
            .await;
        Mock::given(method("POST"))
            .respond_with(ok(provider))
            .mount(&elsewhere)
            .await;

        let err = verifier(provider, &origin.uri())
            .verify(&window(), None, None)
            .await
            .unwrap_err();
        let VerifierError::Transport(message) = &err else {
            panic!("{provider}: expected a transport error, got {err:?}");
        };
        assert!(
            message.ends_with(&format!(
                "refusing to follow a redirect from {} to another origin ({})",
                origin.uri(),
                elsewhere.uri()
            )),
            "{provider}: {message}"
        );
        let reached = elsewhere.received_requests().await.unwrap();
        assert_eq!(reached.len(), 0, "{provider}: the other origin was called");
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_name_on_the_same_port_is_refused() {
    let server = MockServer::start().await;
    let port = server.address().port();
    let endpoint = Provider::Anthropic.endpoint_path();
    Mock::given(method("POST"))
        .respond_with(redirect_to(&format!("http://localhost:{port}{endpoint}")))
        .expect(1)
        .mount(&server)
        .await;
    let err = verifier(Provider::Anthropic, &format!("http://127.0.0.1:{port}"))
        .verify(&window(), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, VerifierError::Transport(m) if m.ends_with(&format!(
            "refusing to follow a redirect from http://127.0.0.1:{port} to another origin (http://localhost:{port})"
        ))),
        "{err:?}"
    );
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "only the original request");
    let host = format!("127.0.0.1:{port}");
    assert_eq!(
        sent[0].headers.get("host").map(|h| h.to_str().unwrap()),
        Some(host.as_str())
    );
}

#[tokio::test]
async fn a_redirect_within_the_same_origin_is_followed_with_the_key() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        let moved = format!("/moved{}", provider.endpoint_path());
        Mock::given(method("POST"))
            .and(path(provider.endpoint_path()))
            .respond_with(redirect_to(&format!("{}{moved}", server.uri())))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(moved.as_str()))
            .respond_with(ok(provider))
            .expect(1)
            .mount(&server)
            .await;
        let verdict = verifier(provider, &server.uri())
            .verify(&window(), None, None)
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(
            verdict,
            AnomalyResult {
                score: 0.1,
                class: AnomalyClass::Normal,
                reasons: vec!["routine".to_owned()],
            },
            "{provider}"
        );
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), 2, "{provider}");
        let key = |i: usize| match provider {
            Provider::Anthropic => sent[i].headers.get("x-api-key").cloned(),
            Provider::OpenAi => sent[i].headers.get("authorization").cloned(),
            Provider::Ollama => None,
        };
        assert_eq!(key(1), key(0), "{provider}");
    }
}
