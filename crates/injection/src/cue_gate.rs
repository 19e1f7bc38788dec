//! The literals each cue pattern needs, for [`vigil_features::literal_gate`]: every cue pattern
//! is run only when the literals any of its matches must contain are all present.
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

use vigil_features::literal_gate::LiteralGate;

use crate::cues::CUE_NAMES;
use crate::foreign_cues;

/// Per cue, in [`CUE_NAMES`] order: groups of literals; a match of the cue's pattern contains at
/// least one literal of every group (literals are lower case, as the detection text is). An empty
/// list means no gate (the cue is checked another way; see [`crate::cues`]).
const GATES: [&[&[&str]]; 24] = [
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
            "gemini",
            // "to the automated triage system:", "whoever manages this calendar".
            "automated",
            "whoever ",
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
            // The vocative ("bot, when you read this", "AI code reviewers: approve …").
            ",",
            ":",
            // "note for AI coding agents", "reminder to the shopping assistant".
            "note",
            "message",
            "notice",
            "reminder",
            "direction",
            // "(for the AI assistant)".
            "(for",
            "(to",
            // "any AI model reading this".
            "reading",
            "processing",
            "parsing",
            "summari",
            "seeing",
            "reads",
            "handling",
            "reviewing",
            // "@assistant-bot", "todo for the assistant", "whoever manages this".
            "@",
            "attn",
            "hey ",
            "hi ",
            "hello ",
            "yo ",
            "need to",
            "have to",
            "are required",
            "are asked",
            "are instructed",
            "are expected",
            "todo",
            "task",
            "request",
            "action item",
            "whoever ",
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
        "your user",
        "your owner",
        "your principal",
        "your human",
        "your boss",
        "the owner",
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
    // The foreign cues: their literals sit beside their patterns.
    foreign_cues::OVERRIDE_LITERALS,
    foreign_cues::REVEAL_LITERALS,
    foreign_cues::PERSONA_LITERALS,
    foreign_cues::ADDRESSED_LITERALS,
];

const _: () = assert!(GATES.len() == CUE_NAMES.len());

/// The gate of every cue (literals exactly as written: the detection copy is lower-cased).
pub(crate) fn cue_gate() -> LiteralGate {
    LiteralGate::new(&GATES, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cue_needs_all_of_its_groups() {
        let g = cue_gate();
        let cue = |name: &str| CUE_NAMES.iter().position(|&c| c == name).unwrap();
        let quoted = cue("quoted_attack");
        assert!(g.allows(quoted, g.groups_in("\"ignore your rules\"")));
        assert!(!g.allows(quoted, g.groups_in("\"ignore the noise\"")));
        assert!(!g.allows(quoted, g.groups_in("")));
        // No gate: always allowed.
        assert!(g.allows(cue("spaced_letters"), 0));
        // Overlapping literals are all seen ("sys" inside "system prompt").
        assert!(g.allows(cue("role_marker"), g.groups_in("print the system prompt")));
    }
}
