//! `vigil injection`: prompt-injection risk of a user message or of untrusted content.
//!
//! In: `{"text": "...", "source"?: "user" | "tool"}`. Out: `{"risk_level", "certainty", "score"}`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_contracts::text::{MAX_ECHOED_CHARS, ellipsize};
use vigil_injection::InjectionScratch;
use vigil_injection::{Channel, InjectionDetector};
use vigil_preflight::normalize::sanitize;

use crate::io::Io;

/// Arguments of `vigil injection`.
#[derive(Debug, Args)]
pub struct InjectionArgs {
    /// Model artifact to use instead of $VIGIL_PREFLIGHT_MODEL or the embedded model.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    #[command(flatten)]
    io: Io,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    text: String,
    #[serde(default, deserialize_with = "source")]
    source: Channel,
}

/// `"user"` or `"tool"`. serde's derived enum reading says only "expected value" when given a
/// number; this says what was given and what is accepted, and quotes a long string cut short.
fn source<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Channel, D::Error> {
    const ACCEPTED: &[&str] = &["user", "tool"];
    struct SourceVisitor;
    impl serde::de::Visitor<'_> for SourceVisitor {
        type Value = Channel;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("`user` or `tool`")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Channel, E> {
            match v {
                "user" => Ok(Channel::User),
                "tool" => Ok(Channel::Tool),
                other => Err(E::unknown_variant(
                    &ellipsize(other, MAX_ECHOED_CHARS),
                    ACCEPTED,
                )),
            }
        }
    }
    d.deserialize_any(SourceVisitor)
}

/// Runs `vigil injection`.
pub fn run(args: InjectionArgs) -> anyhow::Result<bool> {
    let classifier = InjectionDetector::load(args.model.as_deref())
        .context("cannot load the preflight model")?;
    let mut scratch = InjectionScratch::default();
    args.io.run(|_, line| {
        let request: Request = vigil_contracts::from_json_str(line)?;
        // The same cleaning `vigil preflight` applies (BOM, NFC, control characters, trim), so
        // a text scores the same through either command.
        let text = sanitize(&request.text);
        if text.is_empty() {
            bail!("text: must not be empty");
        }
        let v = classifier.classify_with(&text, request.source, &mut scratch);
        Ok::<Value, anyhow::Error>(json!({
            "risk_level": v.risk_level,
            "certainty": v.certainty,
            "score": v.score,
        }))
    })
}
