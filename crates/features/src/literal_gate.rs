//! Which patterns of a table could match a text, from one pass over it: a pattern runs only when
//! the literals every match of it must contain are present.
//!
//! A table of regexes run one after the other scans the text once per pattern, and a pattern
//! seen on a new text builds lazy-DFA states. Most patterns cannot match without certain words:
//! `(ignore|disregard).{0,60}(instructions?|rules)` needs one of `ignore`/`disregard` *and* one of
//! `instruction`/`rules`. Each pattern's gate is such a conjunction of literal groups; one
//! Aho-Corasick pass (overlapping, so a literal inside another is seen too) finds which groups
//! occur, and a pattern whose groups are not all present is skipped. A gate is a necessary
//! condition, never a guess: callers test that gated answers equal running every pattern.
//!
//! Literals hold no line break in any of the tables, so the groups present in texts joined by
//! `\n` are the union of each text's: a caller that has the groups of the pieces need not search
//! the whole again.
//!
//! ```
//! use vigil_features::literal_gate::LiteralGate;
//!
//! // Pattern 0 needs "ignore" and one of "rules"/"prompt"; pattern 1 has no gate.
//! let gate = LiteralGate::new(&[&[&["ignore"], &["rules", "prompt"]], &[]], false);
//! assert_eq!(gate.candidates("ignore your rules"), 0b11);
//! assert_eq!(gate.candidates("ignore the noise"), 0b10);
//! ```

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Per pattern, the groups of literals every match of it holds one of each (`&[]`: no gate).
pub type Gates<'a> = [&'a [&'a [&'a str]]];

/// The literal groups of a table of gates, searched in one pass.
#[derive(Debug, Clone)]
pub struct LiteralGate {
    literals: AhoCorasick,
    /// Per literal: the bit of every group it belongs to.
    groups_of: Vec<u64>,
    /// Per pattern: the bits of its groups (0: no gate).
    needs: Vec<u64>,
}

impl LiteralGate {
    /// Builds the automaton over every literal of `gates` (ASCII case-insensitively when asked:
    /// exact for a case-insensitive pattern only on ASCII text).
    ///
    /// # Panics
    /// On more than 64 patterns or 64 groups: gate tables are constants, and a table that does
    /// not fit is a build defect that every test catches.
    pub fn new(gates: &Gates<'_>, ascii_case_insensitive: bool) -> Self {
        assert!(
            gates.len() <= 64,
            "{} gated patterns; at most 64",
            gates.len()
        );
        let mut literals: Vec<&str> = Vec::new();
        let mut groups_of: Vec<u64> = Vec::new();
        let mut needs = Vec::with_capacity(gates.len());
        let mut group = 0u32;
        for groups in gates {
            let mut need = 0u64;
            for members in groups.iter() {
                assert!(group < 64, "more than 64 literal groups");
                let bit = 1u64 << group;
                group += 1;
                need |= bit;
                for &lit in members.iter() {
                    match literals.iter().position(|&l| l == lit) {
                        Some(i) => groups_of[i] |= bit,
                        None => {
                            literals.push(lit);
                            groups_of.push(bit);
                        }
                    }
                }
            }
            needs.push(need);
        }
        let literals = AhoCorasick::builder()
            .ascii_case_insensitive(ascii_case_insensitive)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .unwrap_or_else(|e| panic!("gate literals: {e}"));
        LiteralGate {
            literals,
            groups_of,
            needs,
        }
    }

    /// The literal groups present in `text` (a bit set for [`Self::allows`]).
    pub fn groups_in(&self, text: &str) -> u64 {
        self.literals
            .find_overlapping_iter(text)
            .fold(0, |present, m| {
                present | self.groups_of[m.pattern().as_usize()]
            })
    }

    /// Whether pattern `pattern` can match a text whose literal groups are `present`.
    #[inline]
    pub fn allows(&self, pattern: usize, present: u64) -> bool {
        let need = self.needs.get(pattern).copied().unwrap_or(0);
        present & need == need
    }

    /// The patterns whose gates `text` passes (bit i: pattern i).
    pub fn candidates(&self, text: &str) -> u64 {
        let present = self.groups_in(text);
        (0..self.needs.len())
            .filter(|&i| self.allows(i, present))
            .fold(0, |mask, i| mask | 1 << i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_is_needed_and_overlapping_literals_are_seen() {
        let gate = LiteralGate::new(
            &[
                &[&["ignore", "forget"], &["instruction", "rules"]],
                &[&["sys"]],
                &[],
            ],
            false,
        );
        assert_eq!(gate.candidates(""), 0b100);
        assert_eq!(gate.candidates("forget the rules"), 0b101);
        assert_eq!(gate.candidates("forget it"), 0b100);
        // "sys" inside "system", next to "instruction": both are seen.
        assert_eq!(gate.candidates("ignore system instructions"), 0b111);
        // Case: exact unless asked.
        assert_eq!(gate.candidates("IGNORE THE RULES"), 0b100);
        let folded = LiteralGate::new(&[&[&["ignore"], &["rules"]]], true);
        assert_eq!(folded.candidates("IGNORE THE RULES"), 0b1);
    }
}
