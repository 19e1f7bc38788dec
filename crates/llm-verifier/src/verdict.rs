//! Reading the model's answer as a verdict, tolerantly, with the reference fallback.
//!
//! Accepted: the object `{"score", "class", "reasons"}` alone, inside a Markdown code fence, or
//! surrounded by prose. `score` is a number (or a numeric string) clamped to [0, 1]; `class` is
//! `normal` / `suspicious` / `critical` in any case; `reasons` is an optional list of strings
//! (each trimmed and cut to [`MAX_REASON_CHARS`], at most [`MAX_REASONS`] kept).
//!
//! When score and class disagree (`{"score": 0.1, "class": "critical"}`, which the reference
//! passes on as is), the more severe of the two wins: the class is raised to the score's band, or
//! the score to the class's lower bound, and the reason `score_class_mismatch` is added.
//!
//! Anything else — no object, a top-level array, a missing or mistyped field, an unknown class —
//! gives [`fallback`] (0.5, suspicious, `verifier_parse_error`, as the reference) and
//! [`verdict_or_fallback`] logs a `tracing` warning saying what was wrong.

use serde_json::{Map, Value};
use vigil_contracts::{AnomalyClass, AnomalyResult};

use crate::{Error, Result};

/// The reason carried by [`fallback`].
pub const PARSE_ERROR_REASON: &str = vigil_contracts::trajectory::VERIFIER_PARSE_ERROR;
/// The reason added when score and class had to be reconciled.
pub const MISMATCH_REASON: &str = "score_class_mismatch";
/// Longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// Most reasons kept.
pub const MAX_REASONS: usize = 16;
/// Only this much of an answer is searched for a verdict (answers are ≤ 256 tokens, ~1 KiB).
pub const MAX_ANSWER_BYTES: usize = 32 * 1024;
/// At most this many `{` positions are tried when the verdict is embedded in prose.
const MAX_CANDIDATES: usize = 64;

/// The reference fallback: 0.5, suspicious, `verifier_parse_error`.
pub fn fallback() -> AnomalyResult {
    AnomalyResult {
        score: 0.5,
        class: AnomalyClass::Suspicious,
        reasons: vec![PARSE_ERROR_REASON.to_owned()],
    }
}

/// Parses the answer, or returns [`fallback`] after a `tracing` warning naming the problem.
pub fn verdict_or_fallback(provider: &str, answer: &str) -> AnomalyResult {
    parse_verdict(answer).unwrap_or_else(|e| {
        tracing::warn!(
            provider,
            problem = %e,
            answer = %vigil_contracts::text::log_safe(answer, 200),
            "verifier answer unusable ({e}); using the fallback verdict 0.5/suspicious"
        );
        fallback()
    })
}

/// Parses a model answer into a verdict, or says what is wrong with it.
pub fn parse_verdict(answer: &str) -> Result<AnomalyResult> {
    let text = answer
        .get(..vigil_contracts::text::prefix_within(answer, MAX_ANSWER_BYTES).len())
        .unwrap_or(answer);
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::EmptyAnswer);
    }
    match serde_json::from_str::<Value>(strip_fence(text)) {
        Ok(Value::Object(map)) => return verdict_from_object(&map),
        Ok(other) => {
            return Err(Error::NotAnObject {
                found: json_kind(&other),
            });
        }
        Err(_) => {}
    }
    // Prose around the object (or a fence with prose): take the first embedded object that
    // looks like a verdict.
    for (pos, _) in text.match_indices('{').take(MAX_CANDIDATES) {
        let mut values = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        if let Some(Ok(Value::Object(map))) = values.next() {
            if map.contains_key("score") || map.contains_key("class") {
                return verdict_from_object(&map);
            }
        }
    }
    Err(Error::NoVerdictObject)
}

fn verdict_from_object(map: &Map<String, Value>) -> Result<AnomalyResult> {
    let score = match map.get("score") {
        None | Some(Value::Null) => return Err(Error::MissingField { field: "score" }),
        Some(v) => parse_score(v)?,
    };
    let class = match map.get("class") {
        None | Some(Value::Null) => return Err(Error::MissingField { field: "class" }),
        Some(Value::String(s)) => s
            .trim()
            .to_lowercase()
            .parse::<AnomalyClass>()
            .map_err(|_| invalid("class", &Value::String(s.clone()), CLASS_EXPECTED))?,
        Some(v) => return Err(invalid("class", v, CLASS_EXPECTED)),
    };
    let mut reasons = match map.get("reasons") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(shorten(s.trim(), MAX_REASON_CHARS)),
                other => Err(invalid("reasons", other, REASONS_EXPECTED)),
            })
            .filter(|r| !matches!(r, Ok(s) if s.is_empty()))
            .take(MAX_REASONS)
            .collect::<Result<Vec<_>>>()?,
        Some(v) => return Err(invalid("reasons", v, REASONS_EXPECTED)),
    };
    let (score, class) = reconcile(score, class, &mut reasons);
    Ok(AnomalyResult {
        score,
        class,
        reasons,
    })
}

const CLASS_EXPECTED: &str = "\"normal\", \"suspicious\" or \"critical\"";
const REASONS_EXPECTED: &str = "a list of strings";

fn parse_score(v: &Value) -> Result<f64> {
    const EXPECTED: &str = "a finite number";
    let raw = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match raw {
        Some(x) if x.is_finite() => Ok(x.clamp(0.0, 1.0)),
        _ => Err(invalid("score", v, EXPECTED)),
    }
}

/// The more severe of score band and class wins; says so in the reasons when they differ.
fn reconcile(score: f64, class: AnomalyClass, reasons: &mut Vec<String>) -> (f64, AnomalyClass) {
    let band = AnomalyClass::from_score(score);
    if band == class {
        return (score, class);
    }
    reasons.push(MISMATCH_REASON.to_owned());
    if severity(band) > severity(class) {
        (score, band)
    } else {
        let floor = match class {
            AnomalyClass::Critical => AnomalyClass::CRITICAL_THRESHOLD,
            AnomalyClass::Suspicious => AnomalyClass::SUSPICIOUS_THRESHOLD,
            AnomalyClass::Normal => 0.0,
        };
        (score.max(floor), class)
    }
}

fn severity(class: AnomalyClass) -> u8 {
    match class {
        AnomalyClass::Normal => 0,
        AnomalyClass::Suspicious => 1,
        AnomalyClass::Critical => 2,
    }
}

fn invalid(field: &'static str, value: &Value, expected: &'static str) -> Error {
    Error::InvalidField {
        field,
        value: shorten(&value.to_string(), 80),
        expected,
    }
}

/// Drops a Markdown fence line at the start (```` ```json ````) and a closing fence at the end.
fn strip_fence(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let body = rest.split_once('\n').map_or("", |(_, body)| body);
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// At most `max` characters of `s`, with `…` when cut.
pub(crate) use vigil_contracts::text::ellipsize as shorten;

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(answer: &str) -> AnomalyResult {
        parse_verdict(answer).unwrap_or_else(|e| panic!("{answer:?}: {e}"))
    }

    fn err(answer: &str) -> String {
        parse_verdict(answer).unwrap_err().to_string()
    }

    fn result(score: f64, class: AnomalyClass, reasons: &[&str]) -> AnomalyResult {
        AnomalyResult {
            score,
            class,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn bare_fenced_and_prose_wrapped_objects_are_read() {
        let want = result(0.82, AnomalyClass::Critical, &["exfiltration chain"]);
        let bare = r#"{"score": 0.82, "class": "critical", "reasons": ["exfiltration chain"]}"#;
        assert_eq!(ok(bare), want);
        assert_eq!(ok(&format!("```json\n{bare}\n```")), want);
        assert_eq!(ok(&format!("```\n{bare}\n```")), want);
        assert_eq!(
            ok(&format!(
                "Here is my assessment:\n{bare}\nLet me know if you need more."
            )),
            want
        );
        assert_eq!(
            ok(&format!("Sure.\n```json\n{bare}\n```\nThe chain is clear.")),
            want
        );
        // An object without score/class before the verdict is skipped.
        assert_eq!(ok(&format!("Format {{\"x\": 1}} then {bare}")), want);
    }

    #[test]
    fn score_is_clamped_class_is_case_insensitive_and_numeric_strings_count() {
        assert_eq!(
            ok(r#"{"score": 2.5, "class": "CRITICAL", "reasons": []}"#),
            result(1.0, AnomalyClass::Critical, &[])
        );
        assert_eq!(
            ok(r#"{"score": -1, "class": " Normal "}"#),
            result(0.0, AnomalyClass::Normal, &[])
        );
        assert_eq!(
            ok(r#"{"score": "0.7", "class": "Suspicious", "reasons": ["  odd tool  ", ""]}"#),
            result(0.7, AnomalyClass::Suspicious, &["odd tool"])
        );
    }

    #[test]
    fn score_and_class_are_reconciled_towards_the_more_severe() {
        assert_eq!(
            ok(r#"{"score": 0.1, "class": "critical", "reasons": ["metadata"]}"#),
            result(0.75, AnomalyClass::Critical, &["metadata", MISMATCH_REASON])
        );
        assert_eq!(
            ok(r#"{"score": 0.9, "class": "normal"}"#),
            result(0.9, AnomalyClass::Critical, &[MISMATCH_REASON])
        );
        assert_eq!(
            ok(r#"{"score": 0.2, "class": "suspicious"}"#),
            result(0.4, AnomalyClass::Suspicious, &[MISMATCH_REASON])
        );
    }

    #[test]
    fn reasons_are_shortened_and_capped() {
        let long = "x".repeat(500);
        let many: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
        let answer = serde_json::json!({"score": 0.5, "class": "suspicious", "reasons": [long]});
        let v = ok(&answer.to_string());
        assert_eq!(v.reasons[0].chars().count(), MAX_REASON_CHARS + 1);
        assert!(v.reasons[0].ends_with('…'));
        let answer = serde_json::json!({"score": 0.5, "class": "suspicious", "reasons": many});
        assert_eq!(ok(&answer.to_string()).reasons.len(), MAX_REASONS);
    }

    #[test]
    fn unusable_answers_say_what_is_wrong() {
        assert_eq!(err("  \n "), "the answer is empty");
        assert_eq!(
            err(r#"[{"score": 0.9, "class": "critical"}]"#),
            "expected a JSON object, got an array"
        );
        assert_eq!(
            err("```json\n\"critical\"\n```"),
            "expected a JSON object, got a string"
        );
        assert_eq!(
            err("I think this is fine."),
            "no JSON object with \"score\" and \"class\" in the answer"
        );
        assert_eq!(err(r#"{"class": "normal"}"#), "missing field \"score\"");
        assert_eq!(
            err(r#"{"score": null, "class": "normal"}"#),
            "missing field \"score\""
        );
        assert_eq!(err(r#"{"score": 0.3}"#), "missing field \"class\"");
        assert_eq!(
            err(r#"{"score": "high", "class": "critical"}"#),
            "score: \"high\" is not a finite number"
        );
        assert_eq!(
            err(r#"{"score": 0.5, "class": "alarming"}"#),
            "class: \"alarming\" is not \"normal\", \"suspicious\" or \"critical\""
        );
        assert_eq!(
            err(r#"{"score": 0.5, "class": 2}"#),
            "class: 2 is not \"normal\", \"suspicious\" or \"critical\""
        );
        assert_eq!(
            err(r#"{"score": 0.5, "class": "suspicious", "reasons": "abc"}"#),
            "reasons: \"abc\" is not a list of strings"
        );
        assert_eq!(
            err(r#"{"score": 0.5, "class": "suspicious", "reasons": [5]}"#),
            "reasons: 5 is not a list of strings"
        );
        assert_eq!(
            err(r#"{"score": 0.5, "class": "suspicious", "reasons": 5}"#),
            "reasons: 5 is not a list of strings"
        );
    }

    #[test]
    fn fallback_is_the_reference_verdict() {
        assert_eq!(
            verdict_or_fallback("test", "not json at all"),
            result(0.5, AnomalyClass::Suspicious, &[PARSE_ERROR_REASON])
        );
        assert_eq!(
            verdict_or_fallback("test", r#"{"score": 0.05, "class": "normal"}"#),
            result(0.05, AnomalyClass::Normal, &[])
        );
    }

    #[test]
    fn fallback_logs_a_warning_naming_the_problem() {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            verdict_or_fallback("ollama", r#"{"score": 0.5, "class": "alarming"}"#);
        });
        let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("WARN"), "{log}");
        assert!(
            log.contains("provider=\"ollama\"") || log.contains("provider=ollama"),
            "{log}"
        );
        assert!(
            log.contains("class: \"alarming\" is not \"normal\", \"suspicious\" or \"critical\""),
            "{log}"
        );
    }

    #[test]
    fn pathological_answers_do_not_blow_up() {
        let braces = "{".repeat(100_000);
        assert_eq!(
            err(&braces),
            "no JSON object with \"score\" and \"class\" in the answer"
        );
        let multibyte = "é".repeat(MAX_ANSWER_BYTES);
        assert!(parse_verdict(&multibyte).is_err());
        assert_eq!(shorten("héllo", 2), "hé…");
    }
}
