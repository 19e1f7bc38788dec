//! Cutting untrusted text down to size without splitting a character.

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
