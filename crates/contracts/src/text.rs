//! Cutting untrusted text down to size without splitting a character, and showing untrusted
//! text and numbers in logs and error messages without letting them forge or flood anything.

/// Most characters of an untrusted value an error message quotes (an unknown vocabulary word, a
/// duplicate key); the rest is replaced by `…`.
pub const MAX_ECHOED_CHARS: usize = 64;

/// The longest prefix of `s` that is at most `max_bytes` bytes and ends on a character boundary.
///
/// ```
/// use vigil_contracts::text::prefix_within;
/// assert_eq!(prefix_within("héllo", 2), "h"); // "é" is two bytes and would not fit whole
/// assert_eq!(prefix_within("héllo", 3), "hé");
/// assert_eq!(prefix_within("hi", 10), "hi");
/// ```
pub fn prefix_within(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// At most `max_chars` characters of `s`, with `…` appended when something was cut.
///
/// ```
/// use vigil_contracts::text::ellipsize;
/// assert_eq!(ellipsize("héllo", 2), "hé…");
/// assert_eq!(ellipsize("hé", 2), "hé");
/// ```
pub fn ellipsize(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        None => s.to_owned(),
        Some((cut, _)) => format!("{}…", &s[..cut]),
    }
}

/// Longest error message written back to a caller, in characters ([`bounded_message`]).
pub const MAX_MESSAGE_CHARS: usize = 1024;

/// An error message as it is written back to a caller: whole when at most
/// [`MAX_MESSAGE_CHARS`] characters, else its start, `…` and its full length in bytes. Every
/// field names its bad value shortened already; this bounds what comes from elsewhere (a
/// parser quoting an unknown key of megabytes, an id repeated in a path), so an error is never
/// an echo of a huge input.
///
/// ```
/// use vigil_contracts::text::bounded_message;
/// assert_eq!(bounded_message("agent_id: too long"), "agent_id: too long");
/// let long = format!("unknown field `{}`", "k".repeat(5000));
/// assert!(bounded_message(&long).ends_with("… (5016 bytes)"));
/// assert!(bounded_message(&long).chars().count() < 1100);
/// ```
pub fn bounded_message(message: &str) -> std::borrow::Cow<'_, str> {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => std::borrow::Cow::Borrowed(message),
        Some((cut, _)) => {
            std::borrow::Cow::Owned(format!("{}… ({} bytes)", &message[..cut], message.len()))
        }
    }
}

/// `s` made safe to put inside one line of a log: backslashes, control characters (`\n`, `\r`,
/// NUL, ESC, ...), line and paragraph separators and invisible direction or width controls are
/// escaped (`\\`, `\n`, `\u{0}`, `\u{202e}`), and at most `max_chars` characters of `s` are kept,
/// followed by `…` and the full length in bytes when something was cut.
///
/// An agent id such as `"x\nvigil baseline: saved admin to /etc/shadow"` then stays on the line
/// it was printed on, and a 10 KB id does not flood the log.
///
/// ```
/// use vigil_contracts::text::log_safe;
/// assert_eq!(log_safe("x\nforged line\0", 64), "x\\nforged line\\u{0}");
/// assert_eq!(log_safe(r"C:\tmp", 64), r"C:\\tmp");
/// assert_eq!(log_safe("abcdef", 3), "abc… (6 bytes)");
/// assert_eq!(log_safe("agent-7", 64), "agent-7");
/// ```
pub fn log_safe(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)));
    for (kept, c) in s.chars().enumerate() {
        if kept == max_chars {
            out.push_str(&format!("… ({} bytes)", s.len()));
            return out;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_layout(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters that move or hide text without showing themselves: zero-width characters, line
/// and paragraph separators, bidirectional embeddings, overrides and isolates, the BOM.
fn is_invisible_layout(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// A number as an error message shows it: as written for everyday magnitudes, in scientific
/// notation beyond them, so `1e308` is not echoed back as 309 digits.
///
/// ```
/// use vigil_contracts::text::format_number;
/// assert_eq!(format_number(1e308), "1e308");
/// assert_eq!(format_number(-5.0), "-5");
/// assert_eq!(format_number(0.25), "0.25");
/// assert_eq!(format_number(123456.5), "123456.5");
/// assert_eq!(format_number(-2.5e-9), "-2.5e-9");
/// assert_eq!(format_number(f64::NAN), "NaN");
/// ```
pub fn format_number(v: f64) -> String {
    let magnitude = v.abs();
    if v == 0.0 || !v.is_finite() || (1e-6..1e15).contains(&magnitude) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_safe_escapes_everything_that_could_fake_or_hide_a_line() {
        assert_eq!(
            log_safe("a\r\nb\tc\u{1b}[31md\u{7f}\u{85}", 64),
            "a\\r\\nb\\tc\\u{1b}[31md\\u{7f}\\u{85}"
        );
        assert_eq!(
            log_safe("admin\u{202e}txt.exe\u{2028}x\u{200b}", 64),
            "admin\\u{202e}txt.exe\\u{2028}x\\u{200b}"
        );
        // Cut after 2 characters, escapes counted as one character each.
        assert_eq!(log_safe("\n\nabc", 2), "\\n\\n… (5 bytes)");
        assert_eq!(log_safe("é", 1), "é");
        assert_eq!(log_safe("", 0), "");
    }

    #[test]
    fn format_number_switches_to_scientific_only_at_the_extremes() {
        assert_eq!(format_number(1e15), "1e15");
        assert_eq!(format_number(999_999_999_999_999.0), "999999999999999");
        assert_eq!(format_number(0.000_001), "0.000001");
        assert_eq!(format_number(-1e-7), "-1e-7");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    }
}
