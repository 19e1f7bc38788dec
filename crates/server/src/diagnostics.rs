//! What `vigil` writes to standard error: error chains said once, and untrusted text (agent ids,
//! messages quoting input) escaped and cut so it can neither forge a log line nor flood the log.

use vigil_contracts::text::log_safe;

/// Most characters of an agent id shown in a log line (the store accepts 128 bytes).
pub const MAX_LOGGED_ID_CHARS: usize = 128;
/// Most characters of an error message shown in a log line.
pub const MAX_LOGGED_MESSAGE_CHARS: usize = 2000;

/// An error and its causes on one line, each cause said once.
///
/// Many errors already end with their cause (`cannot read model file m.vgl: No such file or
/// directory (os error 2)`) and also return it as their `source`; `{:#}` would repeat it.
pub fn chain(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.ends_with(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// An agent id as a log line shows it: escaped and at most [`MAX_LOGGED_ID_CHARS`] characters.
pub fn agent(id: &str) -> String {
    log_safe(id, MAX_LOGGED_ID_CHARS)
}

/// A message (which may quote input) as a log line shows it: escaped and cut.
pub fn message(text: &str) -> String {
    log_safe(text, MAX_LOGGED_MESSAGE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        #[derive(Debug)]
        struct Wrapped(std::io::Error);
        impl std::fmt::Display for Wrapped {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "cannot read m.vgl: {}", self.0)
            }
        }
        impl std::error::Error for Wrapped {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = anyhow::Error::new(Wrapped(io)).context("cannot load the model");
        assert_eq!(chain(&e), "cannot load the model: cannot read m.vgl: gone");
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(chain(&plain), "outer: inner");
    }

    #[test]
    fn ids_and_messages_are_escaped_and_cut() {
        assert_eq!(agent("ops\nvigil: forged"), "ops\\nvigil: forged");
        assert_eq!(
            agent(&"a".repeat(300)),
            format!("{}… (300 bytes)", "a".repeat(128))
        );
        assert_eq!(message("line 1\r\nline 2"), "line 1\\r\\nline 2");
    }
}
