//! Input normalization, exactly as open-classify does it: the message shape, text sanitizing,
//! the newest-first context window and `target_message_hash`.
//!
//! Lengths are counted in UTF-16 code units, as JavaScript's `String.length` counts them, so a
//! message the reference accepts is accepted here and vice versa.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;
use vigil_features::fold::normalize_non_ascii_runs;

use crate::{Error, Result};

/// Longest final message, in UTF-16 code units.
pub const MAX_TARGET_CHARS: usize = 5_000;
/// Largest context window, in messages (target included).
pub const MAX_WINDOW_MESSAGES: usize = 20;
/// Largest context window, in UTF-16 code units (target included).
pub const MAX_WINDOW_CHARS: usize = 5_000;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The end user.
    User,
    /// The assistant.
    Assistant,
}

impl Role {
    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One conversation message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `user` or `assistant`.
    pub role: Role,
    /// The (sanitized, once normalized) text.
    pub text: String,
}

/// A validated conversation window: the newest messages, oldest first, ending with the target.
///
/// Only [`normalize_value`] builds one, so the window is never empty, every text is sanitized
/// and the hash matches the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormalizedInput {
    messages: Vec<Message>,
    target_message_hash: String,
    /// Kept separately so `target` needs no index that could be out of range.
    #[serde(skip)]
    target: Message,
}

impl NormalizedInput {
    /// The target (final) user message.
    pub fn target(&self) -> &Message {
        &self.target
    }

    /// The window, oldest first; the last entry is the target user message.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// First 8 hex digits of the sha256 of the target's canonical JSON.
    pub fn target_message_hash(&self) -> &str {
        &self.target_message_hash
    }
}

/// Sanitizes one text: strip one leading BOM, NFC, drop control characters other than tab,
/// LF and CR, trim.
pub fn sanitize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_control = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}');
    // NFC leaves ASCII as it is: only the non-ASCII runs go through the normalizer.
    let mut normalized = String::new();
    let normal = if text.is_ascii() {
        text
    } else {
        normalize_non_ascii_runs(text, &mut normalized, |piece, out| out.extend(piece.nfc()));
        normalized.as_str()
    };
    let nfc: String = if normal.contains(is_control) {
        normal.chars().filter(|&c| !is_control(c)).collect()
    } else {
        normal.to_owned()
    };
    let trimmed = trim_js(&nfc);
    if trimmed.len() == nfc.len() {
        nfc
    } else {
        trimmed.to_owned()
    }
}

/// JavaScript's `String.prototype.trim`: WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP/BOM, Zs) and
/// LineTerminator (LF, CR, LS, PS). Rust's `is_whitespace` differs: it includes U+0085 (NEL),
/// which JavaScript keeps, and leaves out the BOM.
fn trim_js(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// Length in UTF-16 code units (JavaScript's `String.length`).
pub fn js_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// `target_message_hash`: the first 8 hex digits of sha256 over `{"role":…,"text":…}` with keys
/// sorted (open-classify's canonical JSON).
pub fn message_hash(message: &Message) -> String {
    let mut canonical = String::with_capacity(message.text.len() + 32);
    canonical.push_str("{\"role\":");
    canonical.push_str(&Value::from(message.role.as_str()).to_string());
    canonical.push_str(",\"text\":");
    canonical.push_str(&Value::from(message.text.as_str()).to_string());
    canonical.push('}');
    let digest = Sha256::digest(canonical.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses and normalizes `{"messages": [{"role", "text"}, ...]}`.
pub fn normalize_value(input: &Value) -> Result<NormalizedInput> {
    let bad = |m: String| Error::Normalization(m);
    let root = input
        .as_object()
        .ok_or_else(|| bad("input must be a JSON object with a \"messages\" array".into()))?;
    if let Some(key) = root.keys().find(|k| k.as_str() != "messages") {
        return Err(bad(format!("input.{key} is not a supported field")));
    }
    let list = root
        .get("messages")
        .ok_or_else(|| bad("input.messages is required".into()))?
        .as_array()
        .ok_or_else(|| bad("input.messages must be an array".into()))?;
    let mut messages = Vec::with_capacity(list.len());
    for (i, m) in list.iter().enumerate() {
        let obj = m
            .as_object()
            .ok_or_else(|| bad(format!("input.messages[{i}] must be an object")))?;
        if let Some(key) = obj.keys().find(|k| !matches!(k.as_str(), "role" | "text")) {
            return Err(bad(format!(
                "input.messages[{i}].{key} is not a supported field"
            )));
        }
        let role = match obj.get("role").and_then(Value::as_str) {
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            Some(other) => {
                return Err(bad(format!(
                    "input.messages[{i}].role must be \"user\" or \"assistant\", got \"{other}\""
                )));
            }
            None => {
                return Err(bad(format!(
                    "input.messages[{i}].role is required and must be \"user\" or \"assistant\""
                )));
            }
        };
        let text = obj
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("input.messages[{i}].text must be a string")))?;
        messages.push(Message {
            role,
            text: text.to_owned(),
        });
    }
    normalize(&messages)
}

/// Normalizes a conversation: sanitizes every text, checks the final message and packs the
/// context newest-first into at most [`MAX_WINDOW_MESSAGES`] messages and
/// [`MAX_WINDOW_CHARS`] characters. Text is never sliced.
pub fn normalize(messages: &[Message]) -> Result<NormalizedInput> {
    let bad = |m: &str| Error::Normalization(m.to_owned());
    let (last, context) = messages
        .split_last()
        .ok_or_else(|| bad("input.messages must contain at least one message"))?;
    let target_text = sanitize(&last.text);
    if target_text.is_empty() {
        return Err(bad("final message is empty after sanitization"));
    }
    if last.role != Role::User {
        return Err(bad("final message must have role user"));
    }
    let target_len = js_len(&target_text);
    if target_len > MAX_TARGET_CHARS {
        return Err(Error::Normalization(format!(
            "final message must be {MAX_TARGET_CHARS} characters or fewer"
        )));
    }
    let target = Message {
        role: Role::User,
        text: target_text,
    };
    let target_message_hash = message_hash(&target);
    let mut window = vec![target.clone()];
    let mut total = target_len;
    for m in context.iter().rev() {
        if window.len() >= MAX_WINDOW_MESSAGES {
            break;
        }
        let text = sanitize(&m.text);
        if text.is_empty() {
            continue;
        }
        let len = js_len(&text);
        if total + len > MAX_WINDOW_CHARS {
            break;
        }
        total += len;
        window.push(Message { role: m.role, text });
    }
    window.reverse();
    Ok(NormalizedInput {
        messages: window,
        target_message_hash,
        target,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trimming_follows_javascript_not_rust() {
        // NEL (U+0085) is whitespace to Rust but not to JavaScript's trim.
        assert_eq!(sanitize("hello\u{85}"), "hello\u{85}");
        assert_eq!(sanitize("\u{feff}\u{feff} hi\u{3000}"), "hi");
        assert_eq!(sanitize("\u{2028}x\u{a0}"), "x");
    }

    fn user(text: &str) -> Message {
        Message {
            role: Role::User,
            text: text.into(),
        }
    }

    fn hash_of(text: &str) -> String {
        normalize(&[user(text)]).unwrap().target_message_hash
    }

    #[test]
    fn reference_hash_vectors() {
        assert_eq!(hash_of("hello"), "09a32d6c");
        assert_eq!(hash_of("review this"), "6ca348ee");
        assert_eq!(hash_of("Can you review the attached contract?"), "c6af5b3d");
        let n = normalize(&[user("  cafe\u{301}\u{0} ")]).unwrap();
        assert_eq!(n.target().text, "café");
        assert_eq!(n.target_message_hash, "aaa754af");
    }

    #[test]
    fn sanitize_strips_bom_controls_and_keeps_tabs_and_newlines() {
        assert_eq!(sanitize("\u{feff}\u{feff}x"), "x");
        assert_eq!(sanitize("a\u{7}b\u{1b}c\td\ne\rf"), "abc\td\ne\rf");
        assert_eq!(sanitize(" \t\n "), "");
    }

    #[test]
    fn final_message_rules_use_the_reference_messages() {
        let err = |m: &[Message]| normalize(m).unwrap_err().to_string();
        assert_eq!(
            err(&[user("\u{0}  ")]),
            "final message is empty after sanitization"
        );
        assert_eq!(
            err(&[Message {
                role: Role::Assistant,
                text: "hi".into()
            }]),
            "final message must have role user"
        );
        assert_eq!(
            err(&[user(&"x".repeat(5001))]),
            "final message must be 5000 characters or fewer"
        );
        assert!(normalize(&[user(&"x".repeat(5000))]).is_ok());
        // An astral character counts twice, as in JavaScript.
        assert_eq!(
            err(&[user(&"🙂".repeat(2501))]),
            "final message must be 5000 characters or fewer"
        );
    }

    #[test]
    fn context_is_packed_newest_first_without_slicing() {
        let mut msgs: Vec<Message> = (0..30).map(|i| user(&format!("m{i}"))).collect();
        msgs[28].text = "   ".into(); // skipped, does not count
        let n = normalize(&msgs).unwrap();
        assert_eq!(n.messages().len(), 20);
        assert_eq!(n.messages()[0].text, "m9");
        assert_eq!(n.messages()[19].text, "m29");
        assert!(n.messages.iter().all(|m| m.text != "m28"));

        let msgs = vec![
            user(&"a".repeat(3000)),
            user(&"b".repeat(1500)),
            user(&"c".repeat(600)),
            user("now"),
        ];
        let n = normalize(&msgs).unwrap();
        // 3 + 600 + 1500 = 2103; adding 3000 would exceed 5000, so packing stops there.
        assert_eq!(n.messages().len(), 3);
        assert_eq!(n.messages()[0].text.len(), 1500);
    }

    #[test]
    fn shape_errors_name_the_field() {
        let err = |v: Value| normalize_value(&v).unwrap_err().to_string();
        assert_eq!(
            err(json!({"messages": [], "extra": 1})),
            "input.extra is not a supported field"
        );
        assert_eq!(
            err(json!({"messages": [{"role": "user", "text": "x", "name": "bob"}]})),
            "input.messages[0].name is not a supported field"
        );
        assert_eq!(
            err(json!({"messages": [{"role": "system", "text": "x"}]})),
            "input.messages[0].role must be \"user\" or \"assistant\", got \"system\""
        );
        assert_eq!(
            err(json!({"messages": [{"role": "user", "text": 3}]})),
            "input.messages[0].text must be a string"
        );
        assert_eq!(
            err(json!({"messages": []})),
            "input.messages must contain at least one message"
        );
        let ok = normalize_value(&json!({"messages": [
            {"role": "assistant", "text": "How can I help?"},
            {"role": "user", "text": "hello"}]}))
        .unwrap();
        assert_eq!(ok.messages.len(), 2);
        assert_eq!(ok.target_message_hash, "09a32d6c");
    }
}
