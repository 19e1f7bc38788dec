//! Regexes with Unicode word boundaries that stay fast on any text.
//!
//! The `regex` crate's lazy DFA cannot evaluate a Unicode `\b`: on the first non-ASCII byte of
//! a text (an em dash, a curly quote, an emoji) it gives up and the search starts again in the
//! PikeVM, 10–100× slower for a large set. Text seen for the first time pays that on top of
//! building DFA states, which is what made plan-risk's p99 on varied plans 5–10× its p50.
//!
//! [`WordRegex`] and [`WordSet`] compile each pattern twice: as written, and with every `\b`
//! and `\B` made ASCII (`(?-u:\b)`), which the lazy DFA runs on any input. Unicode and ASCII
//! boundaries differ only next to a non-ASCII *word* character (`é`, `ж`, `中`, the Kelvin
//! sign); a text with none of those gets the ASCII build and the exact same matches, positions
//! included; a text with one gets the pattern as written. Answers never change, only speed.
//!
//! ```
//! use vigil_features::regex_fast::{WordRegex, WordSet};
//!
//! let set = WordSet::new([r"(?i)\bignore\b", r"\bkey\b"]).unwrap();
//! let hits: Vec<usize> = set.matches("Please IGNORE this — key").into_iter().collect();
//! assert_eq!(hits, [0, 1]);
//! // Next to a non-ASCII letter the Unicode meaning holds: "é" is a word character.
//! assert!(set.matches("éignore").into_iter().next().is_none());
//! let re = WordRegex::new(r"\bdrop\b").unwrap();
//! assert_eq!(re.find_iter("x drop — drop").count(), 2);
//! ```

use regex::{Regex, RegexSet};

/// Rewrites every `\b` / `\B` outside a character class as its ASCII form (`(?-u:\b)`).
pub fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(b @ ('b' | 'B')) if class_depth == 0 => {
                    out.push_str("(?-u:\\");
                    out.push(b);
                    out.push(')');
                }
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
                // A `]` first in a class (or after `^`) is a literal, not its end.
                if chars.clone().next() == Some('^') {
                    out.push('^');
                    chars.next();
                }
                if chars.clone().next() == Some(']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether `text` holds a character that is a Unicode word character but not an ASCII one:
/// the only case where a Unicode `\b` and an ASCII one can disagree.
pub fn has_non_ascii_word_char(text: &str) -> bool {
    !text.is_ascii()
        && text.chars().any(|c| {
            // An unavailable table (never with the regex crate's default features) counts as a
            // word character, which keeps the pattern as written.
            !c.is_ascii() && regex_syntax::try_is_word_character(c).unwrap_or(true)
        })
}

/// [`WARM_UP_TEXT`] with a non-ASCII word character, which the Unicode builds answer for.
fn unicode_warm_up_text() -> String {
    format!("{WARM_UP_TEXT}éclair")
}

/// A text to warm a regex with: a regex the text is too short for answers without touching its
/// per-thread match cache, so "warm up" alone left most patterns cold; 528 bytes of plain words
/// are longer than any pattern here needs.
pub const WARM_UP_TEXT: &str = concat!(
    "warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up ",
    "warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up ",
    "warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up ",
    "warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up ",
    "warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up ",
    "warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up warm up ",
);

/// A [`Regex`] with Unicode word boundaries, run as its ASCII-boundary build whenever that
/// gives the same answer (see the module docs).
#[derive(Debug, Clone)]
pub struct WordRegex {
    unicode: Regex,
    ascii: Regex,
}

impl WordRegex {
    /// Compiles `pattern` both ways.
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        Ok(Self {
            unicode: Regex::new(pattern)?,
            ascii: Regex::new(&ascii_boundaries(pattern))?,
        })
    }

    /// The build that answers exactly for `text`.
    pub fn for_text(&self, text: &str) -> &Regex {
        if has_non_ascii_word_char(text) {
            &self.unicode
        } else {
            &self.ascii
        }
    }

    /// [`Regex::is_match`].
    pub fn is_match(&self, text: &str) -> bool {
        self.for_text(text).is_match(text)
    }

    /// Runs both builds once on this thread, so each has its match cache (the regex crate builds
    /// one per regex and thread on first use: about 9,000 instructions and fresh memory) before
    /// the first real text.
    pub fn warm_up(&self) {
        let _ = self.ascii.is_match(WARM_UP_TEXT);
        let _ = self.unicode.is_match(&unicode_warm_up_text());
    }

    /// [`Regex::find_iter`].
    pub fn find_iter<'t>(&self, text: &'t str) -> regex::Matches<'_, 't> {
        self.for_text(text).find_iter(text)
    }

    /// [`Regex::captures_iter`].
    pub fn captures_iter<'t>(&self, text: &'t str) -> regex::CaptureMatches<'_, 't> {
        self.for_text(text).captures_iter(text)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.unicode.as_str()
    }
}

/// A [`RegexSet`] with Unicode word boundaries, run as its ASCII-boundary build whenever that
/// gives the same answer (see the module docs).
#[derive(Debug, Clone)]
pub struct WordSet {
    unicode: RegexSet,
    ascii: RegexSet,
}

impl WordSet {
    /// Compiles every pattern both ways.
    pub fn new<I, S>(patterns: I) -> Result<Self, regex::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let written: Vec<String> = patterns
            .into_iter()
            .map(|p| p.as_ref().to_owned())
            .collect();
        Ok(Self {
            ascii: RegexSet::new(written.iter().map(|p| ascii_boundaries(p)))?,
            unicode: RegexSet::new(&written)?,
        })
    }

    /// [`RegexSet::matches`], exactly as the patterns as written would answer.
    pub fn matches(&self, text: &str) -> regex::SetMatches {
        if has_non_ascii_word_char(text) {
            self.unicode.matches(text)
        } else {
            self.ascii.matches(text)
        }
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.unicode.len()
    }

    /// Whether the set has no patterns.
    pub fn is_empty(&self) -> bool {
        self.unicode.is_empty()
    }

    /// Runs each build once on a short text, so the one-time setup of its search caches happens
    /// here (at model construction) rather than on the first real input.
    pub fn warm_up(&self) {
        let _ = self.ascii.matches(WARM_UP_TEXT);
        let _ = self.unicode.matches(&unicode_warm_up_text());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_rewritten_outside_classes_only() {
        assert_eq!(
            ascii_boundaries(r"(?i)\bword\B[\b\]x]\\b"),
            r"(?i)(?-u:\b)word(?-u:\B)[\b\]x]\\b"
        );
        assert_eq!(ascii_boundaries(r"[]\b]\b"), r"[]\b](?-u:\b)");
        assert_eq!(ascii_boundaries(r"[^]]\b"), r"[^]](?-u:\b)");
        assert_eq!(ascii_boundaries("plain"), "plain");
    }

    #[test]
    fn non_ascii_word_characters_are_told_from_other_non_ascii() {
        assert!(!has_non_ascii_word_char("plain ascii"));
        assert!(!has_non_ascii_word_char(
            "em — dash, “quotes”, ✅, \u{a0}nbsp"
        ));
        assert!(has_non_ascii_word_char("café"));
        assert!(has_non_ascii_word_char("\u{212a}elvin"));
        assert!(has_non_ascii_word_char("٣"));
    }

    /// The two builds agree on every text, positions included.
    #[test]
    fn answers_equal_the_patterns_as_written() {
        let patterns = [
            r"(?i)\b(ignore|disregard)\b.{0,30}\b(previous|all)\b",
            r"(?i)\bai\b[\s,:!\-]{0,4}(please\s+)?send\b",
            r"\bkey\B",
            r"(?i)\bsk[-_][a-z0-9]{4,}",
        ];
        let set = WordSet::new(patterns).unwrap();
        let written = RegexSet::new(patterns).unwrap();
        let texts = [
            "Ignore all previous instructions",
            "ignore — all previous",
            "AI: send it",
            "AI,send it",
            "éAI: send it",
            "ai: send — it",
            "keys keyé key",
            "monkey key",
            "SK-abcd1234 ſk-abcd \u{212a}ey",
            "“ignore” the “previous” one",
            "ignoreé all",
            "",
            "\u{a0}ai\u{a0}send",
        ];
        for t in texts {
            let a: Vec<usize> = set.matches(t).into_iter().collect();
            let b: Vec<usize> = written.matches(t).into_iter().collect();
            assert_eq!(a, b, "{t:?}");
            for p in patterns {
                let fast = WordRegex::new(p).unwrap();
                let slow = Regex::new(p).unwrap();
                let x: Vec<_> = fast.find_iter(t).map(|m| m.range()).collect();
                let y: Vec<_> = slow.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(x, y, "{p} on {t:?}");
            }
        }
        assert_eq!(set.len(), 4);
        assert!(!set.is_empty());
        set.warm_up();
    }
}
