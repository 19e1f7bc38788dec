//! Which cues could fire in a text, from one pass over it: every cue pattern is run only when
//! the literals any of its matches must contain are all present.
//!
//! Run one after the other, the twenty cue regexes each scan the whole text (twenty prefilter
//! passes, and a lazy-DFA walk from every quote or `?`), which was a third of the time spent on
//! a tool output. Most patterns cannot match without certain words: `quoted_attack` needs one of
//! `ignore`/`disregard`/`forget` *and* one of `instruction`/`prompt`/`rules`. One Aho-Corasick
//! pass finds which of those literal groups occur; a pattern whose groups are not all present is
//! skipped. The gate is a necessary condition, never a guess: answers are exactly those of running
//! every pattern (the `gated_cues_equal_ungated_cues` tests check this on every corpus text).
//!
//! Literals contain no line break, so a literal occurs in texts joined by `\n` exactly when it
//! occurs in one of them: the groups present in a whole text are the union of its segments'
//! ([`crate::detect`] relies on this to skip the whole-text pass of a pattern no segment could
//! match).

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::cues::CUE_NAMES;

/// Per cue, in [`CUE_NAMES`] order: groups of literals; a match of the cue's pattern contains at
/// least one literal of every group (literals are lower case, as the detection text is). An empty
/// list means no gate (the cue is checked another way; see [`crate::cues`]).
const GATES: [&[&[&str]]; 20] = [
    // override_instructions: verb … target noun.
    &[
        &[
            "ignore",
            "disregard",
            "forget",
            "override",
            "bypass",
            "skip",
            "drop",
            "abandon",
        ],
        &[
            "instruction",
            "prompt",
            "rules",
            "guidelines",
            "directive",
            "polic",
            "constraints",
            "guardrails",
            "message",
            "context",
            "programming",
            "safeguards",
        ],
    ],
    // role_marker: every branch names a role or a chat-template token.
    &[&[
        "sys",
        "developer",
        "assistant",
        "admin",
        "<|",
        "<im",
        "<endoftext",
        "[inst",
        "[/inst",
        "###",
    ]],
    // new_instructions: adjective + noun.
    &[
        &[
            "new",
            "updated",
            "real",
            "actual",
            "true",
            "hidden",
            "secret",
            "revised",
            "additional",
            "override",
        ],
        &[
            "instruction",
            "task",
            "directive",
            "objective",
            "orders",
            "rules",
            "system prompt",
        ],
    ],
    // reveal_secrets: verb … secret.
    &[
        &[
            "reveal", "print", "show", "output", "repeat", "leak", "disclose", "display", "dump",
            "share", "return", "echo",
        ],
        &[
            "system prompt",
            "hidden prompt",
            "initial prompt",
            "original prompt",
            "your instructions",
            "your prompt",
            "developer message",
            "apikey",
            "api key",
            "api_key",
            "api-key",
            "password",
            "secret",
            "credentials",
            "token",
            "env variables",
            "environment variables",
        ],
    ],
    // addressed_to_assistant: an addressee and a call to it, in each branch.
    &[
        &[
            "ai",
            "assistant",
            "language model",
            "llm",
            "chatbot",
            "agent",
            "gpt",
            "claude",
            "copilot",
            "bot",
            "model",
        ],
        &[
            "must",
            "should",
            "you will",
            "you are now",
            "you have to",
            "please",
            "attention",
            "note to",
            "message for",
            "message to",
            "instruction",
            "dear",
            "if you are a",
        ],
    ],
    // persona_switch
    &[&[
        "you are now",
        "from now on",
        "act as ",
        "pretend ",
        "developer mode",
        "jailbr",
        "do anything now",
        "bound by",
        "restricted by",
        "limited by",
        "restrictions",
        "filters",
        "limitations",
    ]],
    // hidden_markup (the invisible-character half is checked on the raw text)
    &[&[
        "<!--",
        "display",
        "font-size",
        "font size",
        "visibility",
        "color",
        "[//]",
    ]],
    // encoded_payload (the base64 half is checked on the raw text)
    &[&["\\x", "%", "base64", "rot13", "rot-13", "hex", "decode "]],
    // exfiltration_action: verb … destination.
    &[
        &[
            "send",
            "forward",
            "email",
            "post",
            "upload",
            "exfiltrate",
            "transfer",
            "copy",
            "paste",
            "submit",
        ],
        &["http", "@", "webhook", "attacker", "external"],
    ],
    // claims_user_authority
    &[&[
        "important ",
        "the user",
        "on behalf of the",
        "the admin",
        "authorized by",
        "authorised by",
    ]],
    // second_person_command
    &[&[
        "you must",
        "you have to",
        "you will now",
        "you should now",
        "do not tell",
        "don't tell",
        "do not mention",
        "don't mention",
        "do not inform",
        "never reveal",
        "instead",
        "your new",
        "your real",
        "your only",
    ]],
    // discusses_injection
    &[&[
        "inject",
        "jailbreak",
        "attack",
        "payload",
        "exploit",
        "adversar",
        "hidden",
        "malicious",
        "such",
        "tell",
    ]],
    // spaced_letters: no literal; a byte scan stands in (see `could_be_spaced_letters`).
    &[],
    // quoted_attack: verb … target noun.
    &[
        &["ignore", "disregard", "forget"],
        &["instruction", "prompt", "rules"],
    ],
    // sensitive_target
    &[&[
        "password",
        "apikey",
        "api key",
        "api_key",
        "api-key",
        "credentials",
        "access token",
        ".env",
        "ssh key",
        "id_rsa",
        "id rsa",
        "private key",
        "credit card",
        "card number",
        "session cookie",
        "verification code",
        "iban",
        "bank details",
        "payout account",
        "admin ",
    ]],
    // conceal_from_user: (negation ∧ verb) ∨ one of three phrases, written as two groups
    // that each hold the phrases.
    &[
        &[
            "do not",
            "don't",
            "never",
            "without",
            "silently",
            "keep this ",
            "as if this ",
        ],
        &[
            "tell",
            "inform",
            "notify",
            "alert",
            "ask",
            "silently",
            "keep this ",
            "as if this ",
        ],
    ],
    // claims_authorization
    &[&[
        "authori",
        "approved",
        "permitted",
        "allowed",
        "override code",
        " mode",
        "exception",
    ]],
    // tool_invocation
    &[&[" tool", "attached", "rm -rf"]],
    // question_frame: checked by code, exactly (see `crate::cues::question_frame`).
    &[],
    // analysis_frame
    &[&[
        "is this",
        "is it",
        "explain",
        "classify",
        "incident report",
        "rate how",
        "unit test",
        "for our ",
        "for my ",
        "example",
        "injection attempt",
        "red team",
        "red-team",
        "security ",
    ]],
];

const _: () = assert!(GATES.len() == CUE_NAMES.len());

/// The literal groups of the cue gates, found in one pass.
#[derive(Debug, Clone)]
pub struct CueGate {
    literals: AhoCorasick,
    /// Per literal: the bit of every group it belongs to.
    groups_of: Vec<u64>,
    /// Per cue: the bits of its groups (0: no gate).
    needs: [u64; 20],
}

impl CueGate {
    /// Builds the automaton over every gate literal.
    pub fn new() -> Self {
        let mut literals: Vec<&'static str> = Vec::new();
        let mut groups_of: Vec<u64> = Vec::new();
        let mut needs = [0u64; 20];
        let mut group = 0u32;
        for (cue, groups) in GATES.iter().enumerate() {
            for members in groups.iter() {
                let bit = 1u64 << group;
                group += 1;
                needs[cue] |= bit;
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
        }
        debug_assert!(group <= 64, "{group} literal groups do not fit a u64");
        // The literals are constants covered by tests; failing to build is a build defect.
        let literals = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .unwrap_or_else(|e| panic!("cue gate literals: {e}"));
        CueGate {
            literals,
            groups_of,
            needs,
        }
    }

    /// The literal groups present in `detection` (a bit set; see [`Self::allows`]).
    pub fn groups_in(&self, detection: &str) -> u64 {
        let mut present = 0u64;
        for m in self.literals.find_overlapping_iter(detection) {
            present |= self.groups_of[m.pattern().as_usize()];
        }
        present
    }

    /// Whether cue `cue`'s pattern can match a text whose literal groups are `present`.
    #[inline]
    pub fn allows(&self, cue: usize, present: u64) -> bool {
        let need = self.needs[cue];
        present & need == need
    }
}

impl Default for CueGate {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_found_and_a_pattern_needs_all_of_its_groups() {
        let g = CueGate::new();
        let quoted = CUE_NAMES
            .iter()
            .position(|&c| c == "quoted_attack")
            .unwrap();
        let spaced = CUE_NAMES
            .iter()
            .position(|&c| c == "spaced_letters")
            .unwrap();
        let both = g.groups_in("\"ignore your rules\"");
        assert!(g.allows(quoted, both));
        let verb_only = g.groups_in("\"ignore the noise\"");
        assert!(!g.allows(quoted, verb_only));
        assert!(!g.allows(quoted, g.groups_in("")));
        // No gate: always allowed.
        assert!(g.allows(spaced, 0));
        // Overlapping literals are all seen ("sys" inside "system prompt").
        let role = CUE_NAMES.iter().position(|&c| c == "role_marker").unwrap();
        assert!(g.allows(role, g.groups_in("print the system prompt")));
    }
}
