//! Is a step grounded in the user's request?
//!
//! A step is *grounded* when the request asks for its kind of action (a verb from the action's
//! synonym list appears in the request) and every external endpoint it contacts is named in the
//! request (the full address, the host's organisation label, or an e-mail address's local part).
//! Reads are always grounded in action. Without a request nothing consequential is grounded.

use vigil_features::plan::{Action, StepAnnotation};

/// The user's request, lower-cased once per plan.
#[derive(Debug, Clone, Default)]
pub struct Request {
    lower: Option<String>,
    /// Memo of [`Request::asks_for`] per action: 0 unknown, 1 no, 2 yes.
    asks: std::cell::Cell<[u8; 8]>,
}

impl Request {
    /// Wraps an optional request text.
    pub fn new(text: Option<&str>) -> Self {
        Request {
            lower: text.map(str::to_lowercase).filter(|t| !t.trim().is_empty()),
            asks: std::cell::Cell::new([0; 8]),
        }
    }

    /// The lower-cased request text, if one was given.
    pub fn text(&self) -> Option<&str> {
        self.lower.as_deref()
    }

    /// Whether a request was given.
    pub fn is_present(&self) -> bool {
        self.lower.is_some()
    }

    /// Case-insensitive substring test (false without a request).
    pub fn mentions(&self, needle: &str) -> bool {
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        let n = needle.trim();
        if n.is_empty() {
            false
        } else if n.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            r.contains(&n.to_lowercase())
        } else {
            r.contains(n)
        }
    }

    /// Whether the request asks for this kind of action.
    pub fn asks_for(&self, action: Action) -> bool {
        let slot = action as usize;
        let mut memo = self.asks.get();
        if memo[slot] == 0 {
            memo[slot] = 1 + u8::from(self.asks_for_uncached(action));
            self.asks.set(memo);
        }
        memo[slot] == 2
    }

    fn asks_for_uncached(&self, action: Action) -> bool {
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        let verbs: &[&str] = match action {
            Action::Read | Action::Other => return true,
            Action::Write => &[
                "create",
                "update",
                "edit",
                "write",
                "set",
                "add",
                "save",
                "schedule",
                "book",
                "turn",
                "change",
                "move",
                "rename",
                "fix",
                "make",
                "put",
                "adjust",
                "start",
                "stop",
                "restart",
                "scale",
                "launch",
                "lock",
                "close",
                "copy",
                "mark",
                "tag",
                "label",
                "draft",
                "configure",
                "enable",
                "disable",
                "record",
                "dim",
                "merge",
                "commit",
                "note",
                "log",
                "organi",
                "archive",
                "append",
                "insert",
                "provision",
                "prepare",
                "plan",
                "remind",
                "open",
                "assign",
                "reply",
            ],
            Action::Send => &[
                "send",
                "email",
                "e-mail",
                "mail",
                "forward",
                "reply",
                "post",
                "share",
                "message",
                "tell",
                "notify",
                "text",
                "publish",
                "tweet",
                "upload",
                "submit",
                "announc",
                "invite",
                "ping",
                "dm ",
                "push",
                "respond",
                "broadcast",
            ],
            Action::Delete => &[
                "delete",
                "remove",
                "clean",
                "clear",
                "drop",
                "purge",
                "cancel",
                "get rid",
                "wipe",
                "erase",
                "uninstall",
                "terminate",
                "tear down",
                "teardown",
                "kill",
                "revoke",
                "unsubscribe",
                "trash",
                "discard",
                "archive",
                "free up",
            ],
            Action::Transfer => &[
                "pay",
                "transfer",
                "buy",
                "purchase",
                "order",
                "refund",
                "wire",
                "donate",
                "checkout",
                "sell",
                "send money",
                "send $",
                "reimburse",
                "tip",
                "subscribe",
                "renew",
                "top up",
                "withdraw",
                "invest",
                // Booking, reserving, renting or hiring a paid service asks for its payment.
                "book",
                "reserve",
                "rent",
                "hire",
            ],
            Action::Grant => &[
                "grant",
                "share",
                "invite",
                "unlock",
                "permission",
                "role",
                "admin",
                "disarm",
                "open the door",
                "give ",
                "collaborator",
                "promote",
                "chmod",
            ],
            Action::Execute => &[
                "run",
                "execute",
                "build",
                "test",
                "install",
                "deploy",
                "compile",
                "script",
                "command",
                "lint",
                "format",
                "benchmark",
                "start",
                "check",
                "migrate",
                "debug",
                "reproduce",
                "launch",
            ],
        };
        verbs.iter().any(|v| contains_verb(r, v))
            // "Send Sam $200", "give my nephew 50 euros": a send or give of money.
            || (action == Action::Transfer
                && ["send", "give", "lend", "loan", "gift"]
                    .iter()
                    .any(|v| contains_verb(r, v))
                && mentions_money(r))
    }

    /// Whether an endpoint (host or e-mail address) is named in the request.
    pub fn names_endpoint(&self, endpoint: &str) -> bool {
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        let e = endpoint.to_lowercase();
        if r.contains(&e) {
            return true;
        }
        if let Some((local, host)) = e.split_once('@') {
            let name = local.split(['.', '+', '_', '-']).next().unwrap_or(local);
            return (name.len() >= 3 && contains_word(r, name)) || host_named(r, host);
        }
        host_named(r, &e)
    }

    /// Whether the request quotes one of a step's identifier-like argument strings
    /// ([`StepContext::arg_strings`](crate::context::StepContext::arg_strings): ≥ 6 characters
    /// with a `/ . _ @ \\`) in full — e.g. the path of the file it asks to read.
    pub fn quotes_an_arg(&self, arg_strings: &[&str]) -> bool {
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        arg_strings.iter().any(|s| {
            let t = s.trim();
            (6..=1024).contains(&t.len())
                && t.contains(['/', '.', '_', '@', '\\'])
                && r.contains(&t.to_lowercase())
        })
    }

    /// Full grounding test of a step: its action is asked for, every endpoint is named, and a
    /// send to a social platform without an explicit endpoint names the platform (so "send Maya
    /// the contract" does not ground a public tweet).
    pub fn grounds(&self, annotation: &StepAnnotation) -> bool {
        self.grounds_given(annotation, "")
    }

    /// [`grounds`](Self::grounds), where an endpoint may also come from `trusted` — the
    /// lower-cased text of clean observations of requested steps (an address read from the
    /// file the user asked about).
    pub fn grounds_given(&self, annotation: &StepAnnotation, trusted: &str) -> bool {
        self.asks_for(annotation.action)
            && annotation.endpoints.iter().all(|e| {
                self.names_endpoint(e) || (!trusted.is_empty() && trusted.contains(e.as_str()))
            })
            && !(annotation.action == Action::Send
                && annotation.endpoints.is_empty()
                && annotation.domain == "social"
                && !vigil_features::plan::domain_words("social")
                    .iter()
                    .chain(["post", "publish", "channel", "public"].iter())
                    .any(|w| self.mentions(w)))
    }
}

/// Words that make the next word a noun ("my email", "the post"), not a request to act.
const DETERMINERS: &[&str] = &[
    "my", "the", "a", "an", "this", "that", "these", "those", "your", "our", "his", "her", "their",
    "latest", "last", "new", "unread", "recent", "its", "of", "any", "every", "which",
];

/// `verb` at a word start, not right after a determiner.
fn contains_verb(haystack: &str, verb: &str) -> bool {
    haystack.match_indices(verb).any(|(i, _)| {
        let before = &haystack[..i];
        if before
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            return false;
        }
        let prev = before
            .split(|c: char| !c.is_alphanumeric())
            .rfind(|w| !w.is_empty());
        !prev.is_some_and(|w| DETERMINERS.contains(&w))
    })
}

/// A currency sign or word in a (lower-cased) text.
fn mentions_money(text: &str) -> bool {
    text.contains(['$', '€', '£', '¥'])
        || [
            "usd", "eur", "gbp", "dollar", "euro", "pound", "bucks", "money", "funds", "chf",
        ]
        .iter()
        .any(|w| contains_word(text, w) || text.contains(&format!("{w}s")))
}

fn host_named(request: &str, host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    // The organisation label: second-to-last ("api.github.com" → "github").
    labels.len() >= 2 && {
        let org = labels[labels.len() - 2];
        org.len() >= 3 && contains_word(request, org)
    }
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_grounded_by_address_org_or_name() {
        let r = Request::new(Some("Email Bob the Q3 report and post it to GitHub"));
        assert!(r.names_endpoint("bob@acme.example"));
        assert!(r.names_endpoint("api.github.com"));
        assert!(!r.names_endpoint("drop@evil.example"));
        assert!(!Request::new(None).names_endpoint("api.github.com"));
    }

    #[test]
    fn actions_are_grounded_by_verbs() {
        let r = Request::new(Some("please pay the electricity bill"));
        assert!(r.asks_for(Action::Transfer));
        assert!(!r.asks_for(Action::Delete));
        assert!(!Request::new(Some("read my latest email")).asks_for(Action::Send));
        assert!(Request::new(Some("email the report to dana")).asks_for(Action::Send));
        assert!(Request::new(Some("Send my friend Sam $200")).asks_for(Action::Transfer));
        assert!(Request::new(Some("give my nephew 50 euros")).asks_for(Action::Transfer));
        assert!(!Request::new(Some("send Sam the slides")).asks_for(Action::Transfer));
        assert!(Request::new(Some("book a table for two")).asks_for(Action::Transfer));
        assert!(
            !Request::new(Some("reset my profile picture")).asks_for(Action::Write)
                || Request::new(Some("reset")).asks_for(Action::Write)
        );
        assert!(r.asks_for(Action::Read));
        assert!(!Request::new(None).asks_for(Action::Send));
        assert!(!Request::new(Some("   ")).is_present());
    }
}
