//! Rule family 6, `suspicious_pattern`: sending what an earlier step encoded, weakening a
//! security or audit control, and the same tool called 10 times in a row (names compared after
//! the look-alike fold, [`vigil_features::fold`], and ASCII case-insensitively).

use std::sync::OnceLock;

use regex::RegexSet;
use vigil_contracts::{Severity, Violation};
use vigil_features::fold::fold;
use vigil_features::plan::Action;

use super::report;
use crate::context::{PlanContext, StepContext};

/// Tool-name tokens and argument words naming a security or audit control.
const TAMPER_TOKENS: &[&str] = &[
    "audit",
    "auditing",
    "logging",
    "logs",
    "log",
    "cloudtrail",
    "guardduty",
    "monitoring",
    "monitor",
    "mfa",
    "2fa",
    // "DisableTwoFactorAuthentication", "disable_authentication".
    "factor",
    "authentication",
    "firewall",
    "antivirus",
    "defender",
    "alarm",
    "history",
    "trail",
    "backup",
    "backups",
    "security",
    "alerts",
    "alerting",
    "camera",
    "cameras",
    "siem",
];
/// Tool-name tokens and argument words that switch a control off or erase it.
const TAMPER_VERBS: &[&str] = &[
    "disable",
    "stop",
    "off",
    "deactivate",
    "clear",
    "delete",
    "remove",
    "purge",
    "wipe",
    "disarm",
    "mute",
    "suspend",
    "turn_off",
    "erase",
    "truncate",
    "-c",
];

/// Calls of one tool in a row that make a loop.
const LOOP_LENGTH: usize = 10;

/// The family, with what earlier steps did.
#[derive(Debug, Default)]
pub(super) struct SuspiciousPattern {
    /// An earlier step encoded, compressed or encrypted something.
    encoded_seen: bool,
    /// How many steps in a row before this one called the same tool as their predecessor.
    run_len: usize,
    /// The tool of the step before this one.
    previous_tool: Option<String>,
}

impl SuspiciousPattern {
    /// Encode-then-send (high, unless grounded); tampering with a control (high; low when the
    /// step is grounded and the request names the control); a loop (med, once, on the 10th
    /// call).
    pub(super) fn check(
        &mut self,
        ctx: &PlanContext<'_>,
        s: StepContext<'_>,
        out: &mut Vec<Violation>,
    ) {
        let (i, step, ann) = (s.index, s.step, s.annotation);
        let tokens = &ann.tokens;
        if s.sends() && self.encoded_seen && !s.grounded {
            report(
                out,
                "suspicious_pattern",
                Severity::High,
                Some(i),
                format!("{} sends data encoded by an earlier step", step.tool),
            );
        }

        // One pass over the argument strings for the three word lists.
        let mut lexical = [false; 3];
        for value in s.arg_strings() {
            if value.len() <= 4096 && !lexical.iter().all(|b| *b) && lexicon_may_match(value) {
                for m in lexicon().matches(value).iter() {
                    lexical[m] = true;
                }
            }
        }
        let [tamper_target_word, tamper_verb_word, encode_word] = lexical;
        let tamper_target =
            tokens.iter().any(|t| TAMPER_TOKENS.contains(&t.as_str())) || tamper_target_word;
        let tamper_verb = ann.action == Action::Delete
            || tokens.iter().any(|t| TAMPER_VERBS.contains(&t.as_str()))
            || tamper_verb_word;
        if tamper_target && tamper_verb && ann.action != Action::Read {
            // Grounded only when the request names the control being weakened.
            let request = ctx.request();
            let named = TAMPER_TOKENS.iter().any(|w| {
                request.mentions(w)
                    && (tokens.iter().any(|t| t == w)
                        || s.lower_arg_strings().iter().any(|value| value.contains(w)))
            });
            let sev = if s.grounded && named {
                Severity::Low
            } else {
                Severity::High
            };
            report(
                out,
                "suspicious_pattern",
                sev,
                Some(i),
                format!("{} weakens a security or audit control", step.tool),
            );
        }
        if tokens.iter().any(|t| {
            matches!(
                t.as_str(),
                "encode" | "base64" | "encrypt" | "compress" | "zip" | "obfuscate" | "tar"
            )
        }) || encode_word
        {
            self.encoded_seen = true;
        }

        // Look-alikes fold first: `ｇｍａｉｌ.forward` ×10 is the same call ten times, and so is
        // `Gmail.Forward` after `gmail.forward` (the fold borrows ASCII names, no copy).
        // (`check` sees every step in order, so the last tool seen is step i - 1's.)
        let repeated =
            i > 0 && (self.previous_tool.as_deref()).is_some_and(|p| same_tool(p, &step.tool));
        let previous = self.previous_tool.get_or_insert_with(String::new);
        previous.clear();
        previous.push_str(&step.tool);
        if repeated {
            self.run_len += 1;
            if self.run_len + 1 == LOOP_LENGTH {
                report(
                    out,
                    "suspicious_pattern",
                    Severity::Med,
                    Some(i),
                    format!("{} called {LOOP_LENGTH} times in a row", step.tool),
                );
            }
        } else {
            self.run_len = 0;
        }
    }
}

/// Two tool names that read the same: equal after the look-alike fold, ASCII case ignored.
fn same_tool(a: &str, b: &str) -> bool {
    a == b || fold(a).eq_ignore_ascii_case(&fold(b))
}

/// False only when no word of the lists can be in `text`: an ASCII text without any of them
/// (ASCII case-insensitively) — a full Aho-Corasick automaton built at construction, where the
/// set's lazy DFA builds states on each text seen for the first time. Non-ASCII text always runs
/// the set (its `(?i)` is Unicode: `ſ` matches `s`, the Kelvin sign `k`).
fn lexicon_may_match(text: &str) -> bool {
    static GATE: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let gate = GATE.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(
                TAMPER_TOKENS
                    .iter()
                    .chain(TAMPER_VERBS)
                    .chain(&["base64", "tar", "zip"]),
            )
            .expect("word list literals")
    });
    !text.is_ascii() || gate.is_match(text)
}

/// `[tamper target, tamper verb, encoding]` word lists compiled once into case-insensitive
/// alternations (separators: anything but letters and digits, so `stop_logging` has the words
/// `stop` and `logging`).
/// Compiles the word lists now (at monitor construction) instead of on the first plan.
pub(crate) fn warm_up() {
    let _ = lexicon().matches(vigil_features::regex_fast::WARM_UP_TEXT);
    let _ = lexicon_may_match("warm up");
}

fn lexicon() -> &'static RegexSet {
    static L: OnceLock<RegexSet> = OnceLock::new();
    L.get_or_init(|| {
        let words = |list: &[&str]| {
            let alt: Vec<String> = list.iter().map(|w| regex::escape(w)).collect();
            format!("(?i)(?:^|[^a-z0-9])(?:{})(?:$|[^a-z0-9])", alt.join("|"))
        };
        RegexSet::new([
            words(TAMPER_TOKENS),
            words(TAMPER_VERBS),
            r"(?i)base64|^\s*(tar|zip)\s".to_owned(),
        ])
        .expect("word lists compile")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal gate never hides a match of the word lists.
    #[test]
    fn gate_keeps_every_match() {
        let fragments: &[&str] = &[
            " ", "_", ".", "-", "/", "\t", "x", "1", "stop", "Logging", "audit", "LOG", "-c",
            "history", "base64", "tar", "zip", "off", "2fa", "ſ", "\u{212a}", "é", "catalog",
            "start", "clear", "backup", "wipe", "cameras", "turn_off", "hello",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let n = 1 + (next() % 6) as usize;
            let text: String = (0..n)
                .map(|_| fragments[(next() % fragments.len() as u64) as usize])
                .collect();
            if !lexicon_may_match(&text) {
                assert!(!lexicon().is_match(&text), "{text:?}");
            }
        }
    }
    use vigil_contracts::Plan;
    use vigil_features::plan::ToolAnnotator;

    fn loops(tools: &[&str]) -> Vec<(Severity, Option<usize>, String)> {
        let steps: Vec<serde_json::Value> = tools
            .iter()
            .map(|t| serde_json::json!({"tool": t, "args": {"id": "m1"}}))
            .collect();
        let plan: Plan = vigil_contracts::from_json_value(
            serde_json::json!({"request": "tidy my inbox", "steps": steps}),
        )
        .unwrap();
        let ctx = PlanContext::new(&ToolAnnotator::default(), &plan);
        let mut p = SuspiciousPattern::default();
        let mut out = Vec::new();
        ctx.for_each_step(|s| p.check(&ctx, s, &mut out));
        out.into_iter()
            .filter(|v| v.detail.contains("times in a row"))
            .map(|v| (v.severity, v.step, v.detail))
            .collect()
    }

    #[test]
    fn a_loop_of_look_alike_names_is_a_loop() {
        let ascii = loops(&["gmail.forward"; 10]);
        assert_eq!(ascii.len(), 1);
        assert_eq!((ascii[0].0, ascii[0].1), (Severity::Med, Some(9)));
        // Fullwidth, mixed with ASCII and another case: still the same tool ten times.
        let mut mixed = vec!["ｇｍａｉｌ.forward"; 5];
        mixed.extend([
            "gmail.forward",
            "GMAIL.FORWARD",
            "ｇｍａｉｌ.ｆｏｒｗａｒｄ",
            "gm\u{430}il.forward",
            "gmail.forward",
        ]);
        let found = loops(&mixed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, Some(9));
        // Nine calls, or ten broken by another tool, are not a loop.
        assert!(loops(&["gmail.forward"; 9]).is_empty());
        let mut broken = vec!["gmail.forward"; 5];
        broken.push("gmail.reply");
        broken.extend(["gmail.forward"; 5]);
        assert!(loops(&broken).is_empty());
    }
}
