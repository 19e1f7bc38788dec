//! Long documents: how the held-out numbers move when a tool output is several kilobytes long
//! (development numbers; the card's "Long documents" section).
//!
//! The detector scores a long text by its windows (segments and neighbouring pairs, and the
//! whole text up to `WHOLE_BYTES`) and keeps the maximum, so padding cannot dilute an injection.
//! The price of a maximum is that every extra window is one more chance of a false flag. The
//! held-out rows are mostly under 3 KB, so the held-out FPR says little about a 6 KB page.
//! Here the held-out (test-side) tool rows are assembled into longer texts:
//!
//! - **joined benign**: consecutive benign rows of one family joined with a blank line until
//!   the text reaches the length (one source per text, as a long page or file is);
//! - **padded injections**: each injection row with benign rows before and after it, half the
//!   length on each side (rows drawn from the whole benign stream, at a per-row offset).
//!
//! Both are scored by the training-side model, at the shipped threshold.

use std::collections::BTreeMap;

use vigil_injection::{Channel, InjectionDetector, InjectionScratch};

use super::train::Example;

/// Lengths (bytes, at least) the held-out tool rows are assembled to.
pub const LENGTHS: [usize; 2] = [3000, 6000];

/// Flag counts at one length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LongDocCounts {
    /// Joined benign texts per family: (texts, flagged).
    pub benign_by_family: BTreeMap<String, (usize, usize)>,
    /// Padded injections: (texts, caught).
    pub padded: (usize, usize),
}

impl LongDocCounts {
    /// Joined benign texts over every family: (texts, flagged).
    pub fn benign(&self) -> (usize, usize) {
        self.benign_by_family
            .values()
            .fold((0, 0), |(n, f), (dn, df)| (n + dn, f + df))
    }
}

/// Joins `rows` with blank lines into texts of at least `length` bytes (a shorter tail is
/// dropped: it would not be long).
pub fn join_to_length(rows: &[&str], length: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for row in rows {
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(row);
        if current.len() >= length {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

/// `injection` in the middle of benign rows: about `length / 2` bytes before it and the rest
/// after, the rows taken in order from `benign` starting at `offset`.
pub fn pad_to_length(injection: &str, benign: &[&str], offset: usize, length: usize) -> String {
    let mut text = String::new();
    let mut next = offset;
    let mut take = |text: &mut String| {
        text.push_str(benign[next % benign.len()]);
        text.push_str("\n\n");
        next += 1;
    };
    if !benign.is_empty() {
        while text.len() < length / 2 {
            take(&mut text);
        }
    }
    text.push_str(injection);
    if !benign.is_empty() {
        text.push_str("\n\n");
        while text.len() < length {
            take(&mut text);
        }
    }
    text
}

/// The counts at each of [`LENGTHS`] for the held-out tool rows `held`, scored by `detector`
/// and flagged at `high_risk`.
pub fn long_document_counts(
    detector: &InjectionDetector,
    held: &[&Example],
    high_risk: f64,
) -> BTreeMap<usize, LongDocCounts> {
    let tool: Vec<&Example> = held
        .iter()
        .copied()
        .filter(|e| e.channel == Channel::Tool)
        .collect();
    let benign: Vec<&str> = tool
        .iter()
        .filter(|e| !e.injection)
        .map(|e| e.text.as_str())
        .collect();
    let mut by_family: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in tool.iter().filter(|e| !e.injection) {
        by_family
            .entry(e.family.as_str())
            .or_default()
            .push(e.text.as_str());
    }
    let mut scratch = InjectionScratch::default();
    let mut flagged = |text: &str| {
        usize::from(detector.score_text_with(text, Channel::Tool, &mut scratch) >= high_risk)
    };
    let mut out = BTreeMap::new();
    for length in LENGTHS {
        let mut counts = LongDocCounts::default();
        for (family, rows) in &by_family {
            let texts = join_to_length(rows, length);
            if texts.is_empty() {
                continue;
            }
            let hits = texts.iter().map(|t| flagged(t)).sum();
            counts
                .benign_by_family
                .insert((*family).to_owned(), (texts.len(), hits));
        }
        if !benign.is_empty() {
            for (i, e) in tool.iter().filter(|e| e.injection).enumerate() {
                // A prime stride, so neighbouring injections get different padding.
                let text = pad_to_length(&e.text, &benign, i * 7, length);
                counts.padded.0 += 1;
                counts.padded.1 += flagged(&text);
            }
        }
        out.insert(length, counts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_texts_reach_the_length_and_drop_a_short_tail() {
        let rows = ["aaaa", "bbbb", "cccc", "dd"];
        assert_eq!(join_to_length(&rows, 8), vec!["aaaa\n\nbbbb", "cccc\n\ndd"]);
        assert_eq!(join_to_length(&rows, 9), vec!["aaaa\n\nbbbb"]);
        assert_eq!(join_to_length(&rows, 100), Vec::<String>::new());
    }

    #[test]
    fn a_padded_injection_sits_in_the_middle() {
        let benign = ["one one", "two two", "three"];
        let t = pad_to_length("INJECT", &benign, 1, 30);
        assert_eq!(t, "two two\n\nthree\n\nINJECT\n\none one\n\n");
        assert!(t.len() >= 30);
        // No benign rows: the injection alone, and no endless loop.
        assert_eq!(pad_to_length("INJECT", &[], 0, 30), "INJECT");
    }
}
