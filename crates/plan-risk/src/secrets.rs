//! Secret values an agent read: what a step's output holds under a credential-like name
//! (`aws_secret_access_key: wJalr…`, `"api_key": "…"`, `TOKEN=…`) or in a well-known key format
//! (`AKIA…`, `ghp_…`, `sk-…`, `xoxb-…`). `network_egress` follows them: a later step that carries
//! one to an endpoint the request does not name is exfiltration, whatever its action — a GET
//! whose query string holds the key leaks it as surely as an e-mail does.
//!
//! The scan is one automaton pass over the text, bounded by [`MAX_SECRETS`] per plan and
//! [`MAX_VALUE_BYTES`] per value.

/// Most secret values remembered for one plan (the first ones read).
pub const MAX_SECRETS: usize = 32;
/// Shortest value taken as a secret: shorter ones ("true", "1234") are too common in other
/// arguments to say anything when they reappear.
pub const MIN_VALUE_BYTES: usize = 8;
/// Longest value kept (a longer one is cut: its prefix still identifies it).
pub const MAX_VALUE_BYTES: usize = 256;

/// Words that make a key name a credential's.
const SECRET_KEY_WORDS: &[&str] = &[
    "secret",
    "token",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "accesskey",
    "private_key",
    "client_secret",
    "credential",
    "authorization",
    "session_key",
    "signing_key",
    "encryption_key",
    "master_key",
];

/// Prefixes of well-known key formats, with the fewest characters that must follow.
const KEY_PREFIXES: &[(&str, usize)] = &[
    ("AKIA", 16),
    ("ASIA", 16),
    ("ghp_", 20),
    ("gho_", 20),
    ("ghs_", 20),
    ("github_pat_", 20),
    ("glpat-", 16),
    ("sk-", 20),
    ("sk_live_", 16),
    ("rk_live_", 16),
    ("xoxb-", 16),
    ("xoxp-", 16),
    ("xoxa-", 16),
    ("AIza", 30),
];

/// Appends to `out` the secret values `text` holds (each at most once), up to [`MAX_SECRETS`]
/// in all.
///
/// One automaton of the key words and key prefixes (ASCII case-insensitive) finds where to
/// look, so a text that names no credential costs a scan and nothing more.
pub fn collect(text: &str, out: &mut Vec<String>) {
    static CANDIDATES: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let automaton = CANDIDATES.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(
                SECRET_KEY_WORDS
                    .iter()
                    .copied()
                    .chain(KEY_PREFIXES.iter().map(|(p, _)| *p)),
            )
            .expect("the key words build an automaton")
    });
    let bytes = text.as_bytes();
    // Where the last run examined ended: later matches inside it are the same run.
    let mut done = 0;
    for m in automaton.find_iter(text) {
        if out.len() >= MAX_SECRETS {
            break;
        }
        if m.start() < done {
            continue;
        }
        let start = m.start()
            - bytes[..m.start()]
                .iter()
                .rev()
                .take_while(|&&c| is_key_byte(c))
                .count();
        let end = m.end()
            + bytes[m.end()..]
                .iter()
                .take_while(|&&c| is_key_byte(c))
                .count();
        done = end;
        let word = &text[start..end];
        if let Some(value) = KEY_PREFIXES.iter().find_map(|&(p, min)| {
            (word.starts_with(p) && word.len() >= p.len() + min).then_some(word)
        }) {
            push(value, out);
        } else if let Some(value) = value_after(text, end).filter(|_| is_secret_key(word)) {
            push(value, out);
        }
    }
}

/// The value after a key name ending at `at`: past an optional closing quote, `:` or `=`, and
/// spaces or an opening quote, a run of characters up to a space, quote, comma or bracket.
fn value_after(text: &str, at: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut j = at;
    while j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
        j += 1;
    }
    if j >= bytes.len() || !matches!(bytes[j], b':' | b'=') {
        return None;
    }
    j += 1;
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'"' | b'\'') {
        j += 1;
    }
    let len = bytes[j..]
        .iter()
        .take_while(|&&c| {
            !c.is_ascii_whitespace() && !matches!(c, b'"' | b'\'' | b',' | b'}' | b']' | b';')
        })
        .count();
    let value = &text[j..j + len];
    (value.len() >= MIN_VALUE_BYTES && value.chars().any(|c| c.is_ascii_digit())
        || value.len() >= 2 * MIN_VALUE_BYTES)
        .then_some(value)
}

fn push(value: &str, out: &mut Vec<String>) {
    let mut cut = value.len().min(MAX_VALUE_BYTES);
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    let value = &value[..cut];
    if value.len() >= MIN_VALUE_BYTES && !out.iter().any(|v| v == value) {
        out.push(value.to_owned());
    }
}

/// Length of the pieces of a secret looked for ([`Secret::carried_by`]).
const PIECE: usize = 12;

/// A secret value as it is looked for in arguments: lower-cased whole, and its pieces of
/// [`PIECE`] characters as written, reversed and spelled in hex, built once when the value is
/// read rather than for every argument it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    lower: String,
    pieces: Vec<String>,
}

impl Secret {
    /// Prepares `value` for [`Secret::carried_by`].
    pub fn new(value: &str) -> Self {
        let lower = value.to_lowercase();
        let mut pieces = Vec::new();
        if value.is_ascii() && value.len() >= PIECE + 4 {
            let reversed: String = lower.chars().rev().collect();
            for i in (0..=value.len() - PIECE).step_by(4) {
                pieces.push(lower[i..i + PIECE].to_owned());
                // Hex spells the bytes as written (its digits in either case: the argument is
                // lower-cased).
                pieces.push(
                    value.as_bytes()[i..i + PIECE]
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                );
                pieces.push(reversed[i..i + PIECE].to_owned());
            }
        }
        Secret { lower, pieces }
    }

    /// Whether a lower-cased argument carries the secret: whole, or a piece of [`PIECE`]
    /// characters of it (cut short, split across parameters), reversed, or spelled in hex;
    /// case is ignored (an upper-cased key still leaks). Pieces start every 4 characters, so a
    /// copy that keeps any 15 characters in a row is found. A secret shorter than
    /// `PIECE + 4` is only carried whole. Base64 shifts with its alignment: the caller decodes
    /// encoded arguments first (`network_egress`).
    pub fn carried_by(&self, arg_lower: &str) -> bool {
        arg_lower.contains(&self.lower) || self.pieces.iter().any(|p| arg_lower.contains(p))
    }
}

/// `text` with its `%XX` escapes decoded (`+` left as it is; an escape that is not two hex
/// digits, or bytes that are not UTF-8, kept as written).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Bytes of a key name or key value run (ASCII letters, digits, `_ - . / +`).
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'+')
}

/// Whether a key name is a credential's ([`SECRET_KEY_WORDS`], any case).
fn is_secret_key(name: &str) -> bool {
    name.len() <= 64
        && SECRET_KEY_WORDS.iter().any(|w| {
            name.as_bytes()
                .windows(w.len())
                .any(|x| x.eq_ignore_ascii_case(w.as_bytes()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        collect(text, &mut out);
        out
    }

    #[test]
    fn values_under_credential_names_and_key_formats_are_found() {
        assert_eq!(
            secrets(
                "region: eu-west-1\naws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            ),
            ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
        );
        assert_eq!(
            secrets(r#"{"user": "ana", "api_key": "a8f3k2m9q1z7x4c6", "retries": 3}"#),
            ["a8f3k2m9q1z7x4c6"]
        );
        assert_eq!(
            secrets("DB_PASSWORD=s3cr3t-Passw0rd\nDEBUG=true"),
            ["s3cr3t-Passw0rd"]
        );
        assert_eq!(
            secrets("use key AKIAIOSFODNN7EXAMPLE and token ghp_abcdefghijklmnopqrstuvwx12"),
            ["AKIAIOSFODNN7EXAMPLE", "ghp_abcdefghijklmnopqrstuvwx12"]
        );
    }

    #[test]
    fn ordinary_text_and_short_values_are_not_secrets() {
        assert!(secrets("The token ring network was popular in the 1980s.").is_empty());
        assert!(secrets("password: 1234\ntoken: true\nauth: ok").is_empty());
        assert!(secrets("Quarterly revenue 4.2M, up 3% in region eu-west-1").is_empty());
        // A prose word after "key:" has no digit and is short: not a secret.
        assert!(secrets("primary_key: customer").is_empty());
    }

    #[test]
    fn a_piece_reversal_or_hex_spelling_of_a_key_still_carries_it() {
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        let reversed: String = key.chars().rev().collect();
        for arg in [
            key.to_owned(),
            key[..key.len() - 1].to_owned(),
            format!("a={}&b={}", &key[..20], &key[20..]),
            hex,
            reversed,
            key.to_uppercase(),
        ] {
            assert!(Secret::new(key).carried_by(&arg.to_lowercase()), "{arg}");
        }
        assert!(!Secret::new(key).carried_by("https://docs.aws.amazon.com/general/latest"));
        // A short secret is only carried whole.
        assert!(Secret::new("s3cr3t-pw").carried_by("pin=s3cr3t-pw"));
        assert!(!Secret::new("s3cr3t-pw").carried_by("pin=s3cr3t"));
    }

    #[test]
    fn escapes_are_decoded_and_broken_ones_kept() {
        assert_eq!(percent_decode("k%2FK7%2Bx%20y"), "k/K7+x y");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9t%C3%A9"), "été");
        assert_eq!(percent_decode("%FF%FE"), "%FF%FE");
    }

    #[test]
    fn the_scan_is_bounded_and_never_panics() {
        let many: String = (0..100)
            .map(|i| format!("token_{i}: value-{i:08}\n"))
            .collect();
        assert_eq!(secrets(&many).len(), MAX_SECRETS);
        let long = format!("secret: {}", "x1".repeat(10_000));
        assert_eq!(secrets(&long)[0].len(), MAX_VALUE_BYTES);
        // Cut short or empty: nothing, and no panic.
        for text in ["secret:", "secret=", "key=\"", "AKIA", "\"\":\"\""] {
            assert!(secrets(text).is_empty(), "{text}");
        }
        // A multi-byte value is kept whole, cut on a character boundary when long.
        assert_eq!(secrets("é secret: ééééééééé1"), ["ééééééééé1"]);
        let wide = format!("secret: {}1", "é".repeat(200));
        let kept = &secrets(&wide)[0];
        assert!(kept.len() <= MAX_VALUE_BYTES && kept.starts_with('é'));
    }
}
