//! # vigil-llm-verifier
//!
//! A second opinion from an LLM for the anomaly detector's gray zone, without letting untrusted
//! content in: the verifier only ever sees [`CanonicalIntent`]s — closed enums and flags — so no
//! tool argument, tool output, file content or URL can reach the model, whatever an attacker put
//! there. It re-implements axor-classifier-llm 0.2.1's `LLMAnomalyVerifier` for three providers
//! and hardens it where the reference is brittle.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`prompt`] | [`SYSTEM_PROMPT`] (rules, bands, reply format) and [`Prompt::build`], one line per intent from behavioural fields only |
//! | [`verdict`] | tolerant reading of `{"score","class","reasons"}` and the reference fallback |
//! | [`options`] | [`Provider`] (`anthropic`, `ollama`, `openai`) and the validated [`VerifierOptions`] |
//! | [`verifier`] | [`HttpVerifier`]: request shapes, temperature 0, time limit, one retry on 429/5xx |
//! | [`blocking`] | [`BlockingVerifier`]: the same from synchronous code (the CLI) |
//!
//! [`build_verifier`] is the one constructor other crates need: `vigil-anomaly` (and its
//! `vigil anomaly --verifier PROVIDER` command) calls it and holds the result as a
//! `Box<dyn LlmVerifier>`:
//!
//! ```
//! use vigil_contracts::{NormalizedIntent, Operation, PolicyName, TargetKind};
//! use vigil_llm_verifier::{build_verifier, Prompt, Provider, VerifierOptions};
//!
//! // Ollama needs no key; nothing is sent until `verify` is awaited.
//! let verifier = build_verifier(Provider::Ollama, VerifierOptions::default()).unwrap();
//! # let _ = verifier;
//!
//! // What the model would be shown for a cloud-metadata probe: no tool name, no URL.
//! let probe = NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::CloudMetadata);
//! let prompt = Prompt::from_normalized(&[probe], None, Some(PolicyName::FocusedReadonly));
//! assert_eq!(
//!     prompt.user(),
//!     "Active policy: focused_readonly\n\nBehavioral sequence (1 intents):\n\
//!      1. cat=network op=network_request target=cloud_metadata dest=none prov=unknown flow=none\n\
//!      \nEvaluate this behavioral sequence."
//! );
//! ```
//!
//! From async code, `verifier.verify(&window, hint, policy).await`; from synchronous code wrap
//! it in a [`BlockingVerifier`]:
//!
//! ```no_run
//! use vigil_contracts::{NormalizedIntent, Operation, TargetKind};
//! use vigil_llm_verifier::{build_verifier, BlockingVerifier, Provider, VerifierOptions};
//!
//! let verifier = build_verifier(Provider::Anthropic, VerifierOptions::default())?; // ANTHROPIC_API_KEY
//! let blocking = BlockingVerifier::new(verifier)?;
//! let window = [NormalizedIntent::new("curl", Operation::NetworkRequest, TargetKind::CloudMetadata)
//!     .canonicalize()];
//! match blocking.verify(&window, None, None) {
//!     Ok(verdict) => println!("{} {:?}", verdict.class, verdict.reasons),
//!     Err(e) => eprintln!("no second opinion ({e}); keep the detector's own result"),
//! }
//! # Ok::<(), vigil_llm_verifier::Error>(())
//! ```
//!
//! ## Deliberate differences from the reference
//!
//! - **Shown to the model:** operation, target kind, destination kind and provenance are shown as
//!   the contract strings (the reference shows coarse `operation_class` / `path_class` /
//!   `export_class` and hides provenance); `localhost` stays `localhost` (the reference shows it
//!   as `private_network`). Path depth, extension and taint are not shown: the reference's
//!   detector never passes them, so they were always `depth=0`, empty and `clean`.
//! - **Determinism and limits:** temperature 0 (the reference sends none, i.e. 1.0); a time limit
//!   for the whole call, retries included (default 10 s; the reference has none); one retry on
//!   429 and 5xx after the server's `retry-after-ms` / `retry-after` (seconds) or a 500 ms
//!   backoff — a requested wait longer than [`VerifierOptions::max_retry_wait`] or than the time
//!   left fails the call at once instead of waiting. Connection failures are not retried.
//! - **Redirects:** followed only within the endpoint's own origin (scheme, host and port). A
//!   redirect to another origin is a [`VerifierError::Transport`] naming both, for every
//!   provider, so an API key (`x-api-key`, `authorization`) or a prompt never travels to a host
//!   it was not configured for.
//! - **Parsing:** the verdict may be fenced or surrounded by prose (the reference falls back on
//!   prose and *raises* on a top-level array, `"score": null` or `"reasons": 5`; here all of
//!   those give the fallback with a warning). A missing `score` or `class` is the fallback (the
//!   reference silently uses 0.5 / suspicious). `reasons` must be a list of strings (the
//!   reference splits a string into characters). Score and class are reconciled towards the more
//!   severe of the two, with the reason `score_class_mismatch` (the reference passes
//!   `0.1 / critical` on as is).
//! - **A 2xx body that is not the provider's format** (HTML, no text block) is read as an
//!   unusable answer and gives the fallback; non-2xx statuses, timeouts and transport failures
//!   are [`VerifierError`]s for the detector to fall back from.
//! - **An empty window** is answered locally with 0.0 / normal and no call (the reference sends
//!   an empty sequence to the model). Windows longer than [`prompt::MAX_PROMPT_INTENTS`] show
//!   the newest intents only, and say so.
//! - **Three providers** (Anthropic, Ollama, OpenAI-compatible) instead of the Anthropic SDK.
//!
//! ## What it does not do
//!
//! It does not decide anything: whether the verdict replaces, lowers or raises the detector's
//! score, and whether a verifier error fails closed, is the anomaly detector's policy. It does
//! not stream, cache verdicts, rotate keys, or understand HTTP-date `retry-after` values (those
//! use the backoff). It needs a tokio runtime with timers enabled (or a [`BlockingVerifier`]).
#![deny(missing_docs)]

pub mod blocking;
mod error;
pub mod options;
pub mod prompt;
pub mod verdict;
pub mod verifier;

pub use blocking::BlockingVerifier;
pub use error::{Error, Result};
pub use options::{Provider, VerifierOptions};
pub use prompt::{Prompt, SYSTEM_PROMPT};
pub use verifier::HttpVerifier;

use vigil_contracts::LlmVerifier;
#[doc(no_inline)]
pub use vigil_contracts::{CanonicalIntent, VerifierError};

/// Builds the verifier for a provider, filling unset options from the environment
/// (`ANTHROPIC_BASE_URL` / `ANTHROPIC_API_KEY`, `OLLAMA_HOST`, `OPENAI_BASE_URL` /
/// `OPENAI_API_KEY`) and then the provider's defaults.
///
/// Fails without sending anything when an option is out of range, the base URL is unusable or a
/// required API key is missing.
pub fn build_verifier(
    provider: Provider,
    options: VerifierOptions,
) -> Result<Box<dyn LlmVerifier>> {
    Ok(Box::new(HttpVerifier::new(provider, options)?))
}
