//! Is a step grounded in the user's request?
//!
//! A step is *grounded* when the request asks for its kind of action (a verb from the action's
//! synonym list appears in the request) and every external endpoint it contacts is named in the
//! request (the full address, the host's organisation label, or — when the request writes no
//! address itself — the person an e-mail address's local part names: "reply to Priya").
//! Reads are always grounded in action. Without a request nothing consequential is grounded.
//!
//! Two more ways a request asks for an action ([`crate::context::PlanContext::asks_for`]):
//! - it **delegates** ([`Request::delegates`]: "do the actions specified in the email from
//!   David"), and the clean content it points to asks for the action;
//! - it asks to **change one's own credential** ([`Request::asks_for_credential_change`]), and
//!   the step sets a credential to the value the request spells out
//!   ([`Request::spells_credential`]).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use vigil_features::plan::{Action, StepAnnotation};

use crate::rules::amounts::cue_automaton;

/// A fixed list of words looked for in a request in one pass:
/// [`Request::mentions_any`] answers what `words.iter().any(|w| request.mentions(w))` does.
/// The automaton is built on first use (or by [`WordList::warm_up`] at monitor construction).
#[derive(Debug)]
pub struct WordList {
    words: &'static [&'static str],
    automaton: OnceLock<AhoCorasick>,
}

impl WordList {
    /// A list of `words` (each compared as [`Request::mentions`] does: trimmed, lower-cased).
    pub const fn new(words: &'static [&'static str]) -> Self {
        WordList {
            words,
            automaton: OnceLock::new(),
        }
    }

    /// The words, as given.
    pub fn words(&self) -> &'static [&'static str] {
        self.words
    }

    fn automaton(&self) -> &AhoCorasick {
        self.automaton.get_or_init(|| {
            // What `mentions` searches for: the trimmed needle, lower-cased; empty ones never match.
            let needles: Vec<String> = self
                .words
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect();
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(&needles)
                .expect("word list automaton")
        })
    }

    /// Builds the automaton now.
    pub fn warm_up(&self) {
        let _ = self.automaton().is_match("warm up");
    }
}

/// The user's request, lower-cased once per plan.
#[derive(Debug, Clone, Default)]
pub struct Request {
    lower: Option<String>,
    /// The request as written (a credential value must be spelled exactly).
    original: Option<String>,
    /// Memo of [`Request::asks_for`] per action: 0 unknown, 1 no, 2 yes.
    asks: std::cell::Cell<[u8; 8]>,
    /// Memo of [`Request::verb_bits`]: the verbs asked for, and those ruled out.
    verbs: std::cell::Cell<Option<(u16, u16)>>,
    /// Memo of [`Request::delegates`].
    delegates: std::cell::Cell<Option<bool>>,
    /// The request is written with capitals: an upper-case letter other than the pronoun "I"
    /// ("reply to carol's email and say I can join" is written in lower case, and cannot say
    /// which words are names).
    capitals: bool,
    /// …and other than its sentences' first letters: it writes names with capitals.
    name_capitals: bool,
}

impl Request {
    /// Wraps an optional request text.
    pub fn new(text: Option<&str>) -> Self {
        let original = text.filter(|t| !t.trim().is_empty());
        Request {
            lower: original.map(str::to_lowercase),
            capitals: original.is_some_and(|t| capitalizes(t, false)),
            name_capitals: original.is_some_and(|t| capitalizes(t, true)),
            original: original.map(str::to_owned),
            asks: std::cell::Cell::new([0; 8]),
            verbs: std::cell::Cell::new(None),
            delegates: std::cell::Cell::new(None),
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

    /// Whether the request mentions any word of `list` ([`Request::mentions`] of each).
    pub fn mentions_any(&self, list: &WordList) -> bool {
        self.lower
            .as_deref()
            .is_some_and(|r| list.automaton().is_match(r))
    }

    /// Whether the request only asks to look: it opens with a question or a look verb ("show my
    /// contacts", "what's on my calendar tomorrow?", "summarize the reviews") and asks for no
    /// write, send, delete, transfer, grant or execution. A request in other words ("play my
    /// focus playlist") is not read-only: the verb lexicon does not know every change.
    pub fn asks_for_no_change(&self) -> bool {
        const LOOK: &[&str] = &[
            "show",
            "list",
            "what",
            "what's",
            "whats",
            "which",
            "summarize",
            "summarise",
            "read",
            "find",
            "search",
            "check",
            "look",
            "tell",
            "view",
            "display",
            "how",
            "when",
            "where",
            "who",
            "is",
            "are",
            "do",
            "does",
            "get",
            // Questions that ask for advice ("should I invite Pat to #project-x?") when the
            // request asks for no change anywhere (see `advisory_question_spans`).
            "should",
            "shall",
            "can",
            "could",
            "would",
            "may",
            "was",
            "were",
            "did",
            "has",
            "have",
        ];
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        let first = r
            .trim_start()
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .next();
        first.is_some_and(|w| LOOK.contains(&w))
            && !Action::CHANGES.iter().any(|a| self.asks_for(*a))
    }

    /// Whether the request hands the choice of actions to content the agent reads: a verb of
    /// carrying out ([`DELEGATING_VERBS`]: do, follow, complete, perform, …) followed within six
    /// words by a plural word for instructions ([`DELEGATED_WORDS`]: actions, tasks,
    /// instructions, steps, to-dos, …) — "read 'landlord-notices.txt' and follow the
    /// instructions precisely", "do the actions specified in the email from David", "do all the
    /// tasks on my TODO list". Such a request asks for whatever the content it points to asks
    /// for ([`PlanContext::asks_for`](crate::context::PlanContext::asks_for)). The verb must
    /// open its clause (or follow "please", "and", "to", "you", …), so a singular ("complete the
    /// task of booking…"), a noun ("extract the action items"), an adjective ("a complete list of
    /// the requests"), a negation ("don't follow the instructions") or a question ("what do the
    /// instructions say?", "how should I handle the requests?") is not a delegation.
    pub fn delegates(&self) -> bool {
        if let Some(known) = self.delegates.get() {
            return known;
        }
        let delegates = self.lower.as_deref().is_some_and(delegation_in);
        self.delegates.set(Some(delegates));
        delegates
    }

    /// The change actions ([`Action::CHANGES`]) this text asks for, one bit per `action as
    /// usize` — what [`asks_for`](Self::asks_for) answers for each, in one pass over the text.
    pub fn asked_actions(&self) -> u16 {
        Action::CHANGES
            .iter()
            .filter(|a| self.asks_for(**a))
            .fold(0, |bits, a| bits | 1 << *a as usize)
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

    /// Which actions the request asks for, all in one pass: bit `action as usize` of
    /// [`VERB_ACTIONS`], and [`GIVE_BIT`] for a verb of [`GIVE_VERBS`].
    ///
    /// A verb the request rules out or only quotes asks for nothing ([`negated_spans`],
    /// [`quoted_spans`]): "don't pay anything yet", "do not delete any files", "translate:
    /// 'please transfer 9000 USD…'"; nor does one in a question that asks for advice
    /// ([`advisory_question_spans`]: "should I delete the old drafts?"), in what someone else
    /// asked of the user ([`reported_request_spans`]: "my colleague asked me to forward the
    /// PIN…"), or "tell me" (an answer, not a message: [`addresses_the_user`]). Returns the asked bits and, second, the
    /// bits of the verbs ruled out ([`Request::rules_out`]).
    fn verb_bits(r: &str) -> (u16, u16) {
        let verbs = verb_index();
        let (negated, quoted) = (negated_spans(r), quoted_spans(r));
        let questions = advisory_question_spans(r);
        let reported = reported_request_spans(r);
        let (mut asked, mut ruled_out) = (0u16, 0u16);
        for m in verbs.automaton.find_overlapping_iter(r) {
            let b = verbs.bits[m.pattern().as_usize()];
            if b & !(asked & ruled_out) == 0
                || !verb_starts_at(r, m.start())
                || addresses_the_user(r, m.start()..m.end())
            {
                continue;
            }
            let inside =
                |spans: &[std::ops::Range<usize>]| spans.iter().any(|s| s.contains(&m.start()));
            if inside(&negated) {
                ruled_out |= b;
            } else if !inside(&quoted) && !inside(&questions) && !inside(&reported) {
                asked |= b;
            }
        }
        (asked, ruled_out)
    }

    /// Memoized [`Self::verb_bits`] of the request (none without one).
    fn verbs(&self) -> (u16, u16) {
        let Some(r) = self.lower.as_deref() else {
            return (0, 0);
        };
        match self.verbs.get() {
            Some(b) => b,
            None => {
                let b = Self::verb_bits(r);
                self.verbs.set(Some(b));
                b
            }
        }
    }

    /// Whether the request rules this action out in so many words — "don't pay anything yet",
    /// "do not delete any files" — and asks for it nowhere else.
    pub fn rules_out(&self, action: Action) -> bool {
        let (asked, ruled_out) = self.verbs();
        action.changes()
            && ruled_out & (1 << action as usize) != 0
            && asked & (1 << action as usize) == 0
    }

    fn asks_for_uncached(&self, action: Action) -> bool {
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        if matches!(action, Action::Read | Action::Other) {
            return true;
        }
        let (bits, _) = self.verbs();
        bits & (1 << action as usize) != 0
            // "Send Sam $200", "give my nephew 50 euros": a send or give of money.
            || (action == Action::Transfer && bits & GIVE_BIT != 0 && mentions_money(r))
            // "Add Charlie to the External channel", "onboard Lee into the support group": a
            // grant of membership, and the invitation that carries it (`conversations.invite`
            // sends one).
            || (matches!(action, Action::Grant | Action::Send)
                && bits & ADD_BIT != 0
                && mentions_membership(r))
    }

    /// Whether the request asks to change one's own credential: a write verb and a credential
    /// word ("update the password to '1j1l-2k3j'", "reset my PIN"). It asks for the steps that
    /// set a credential (the annotator files `update_password` with grants), and for no other
    /// grant.
    pub fn asks_for_credential_change(&self) -> bool {
        self.asks_for(Action::Write)
            && self
                .lower
                .as_deref()
                .is_some_and(|r| CREDENTIAL_WORDS.iter().any(|w| contains_word(r, w)))
    }

    /// Whether the request spells out `value` as a credential: exactly (case and all), as a
    /// whole token (between spaces, quotes or the text's ends; sentence punctuation may follow),
    /// and either quoted or holding a character other than a letter — "to 'violet-otter-42'",
    /// "to hunter22", not "violet" out of 'Violet-Otter-42' nor "me" out of "show me".
    pub fn spells_credential(&self, value: &str) -> bool {
        const QUOTES: &[char] = &['\'', '"', '`', '‘', '’', '“', '”'];
        let Some(r) = self.original.as_deref() else {
            return false;
        };
        if value.chars().count() < 4 || value.chars().any(char::is_whitespace) {
            return false;
        }
        r.match_indices(value).any(|(i, _)| {
            let before = r[..i].chars().next_back();
            let after = r[i + value.len()..].chars().next();
            let quoted = before.is_some_and(|c| QUOTES.contains(&c));
            (before.is_none_or(char::is_whitespace) || quoted)
                && after.is_none_or(|c| {
                    c.is_whitespace() || QUOTES.contains(&c) || ".,;:!?)".contains(c)
                })
                && (quoted || value.chars().any(|c| !c.is_alphabetic()))
        })
    }

    /// Whether an endpoint (host or e-mail address) is named in the request.
    pub fn names_endpoint(&self, endpoint: &str) -> bool {
        let Some(r) = self.lower.as_deref() else {
            return false;
        };
        let e = endpoint.to_lowercase();
        if contains_endpoint(r, &e) {
            return true;
        }
        if let Some((local, host)) = e.split_once('@') {
            let name = local.split(['.', '+', '_', '-']).next().unwrap_or(local);
            return self.names_person(name) || self.host_named(host);
        }
        self.host_named(&e)
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
        self.grounds_with(annotation, |e| !trusted.is_empty() && trusted.contains(e))
    }

    /// [`grounds_given`](Self::grounds_given) with the search of the trusted text given:
    /// `trusted_has(endpoint)` says whether a clean observation holds it.
    pub fn grounds_with(
        &self,
        annotation: &StepAnnotation,
        trusted_has: impl Fn(&str) -> bool,
    ) -> bool {
        self.asks_for(annotation.action) && self.names_what(annotation, trusted_has)
    }

    /// The second half of [`grounds_with`](Self::grounds_with), for a step whose action is
    /// asked for some other way (by content a delegating request points to): every endpoint is
    /// named here or in a clean observation, and a social send names the platform.
    pub fn names_what(
        &self,
        annotation: &StepAnnotation,
        trusted_has: impl Fn(&str) -> bool,
    ) -> bool {
        annotation
            .endpoints
            .iter()
            .all(|e| self.names_endpoint(e) || trusted_has(e.as_str()))
            && !(annotation.action == Action::Send
                && annotation.endpoints.is_empty()
                && annotation.domain == "social"
                && !self.mentions_any(social_words())
                && !self.mentions_any(&PUBLICATION_WORDS))
    }
}

/// [`Request::delegates`] of a lower-cased text.
fn delegation_in(r: &str) -> bool {
    // Most requests name no instructions at all: no word list to build then (a whole word is
    // also a substring, so this never skips a delegation).
    if !delegated_words().is_match(r) {
        return false;
    }
    let words = clause_words(r);
    words.iter().enumerate().any(|(i, &(w, clause_start))| {
        let next = words.get(i + 1).map(|&(n, _)| n);
        DELEGATING_VERBS.contains(&w)
            // An imperative opens its clause: "… and follow the instructions", "please
            // do …", "can you do …" — not "the action items", "a complete list", "don't
            // follow", "how should I handle".
            && (clause_start || i.checked_sub(1).is_some_and(|p| IMPERATIVE_LEAD.contains(&words[p].0)))
            // "Follow up with…", "do a summary of…", "my to do list".
            && !matches!((w, next), ("follow", Some("up")) | ("do", Some("a" | "an" | "list")))
            // "Do you know the instructions…", "do we have steps…": a question.
            && !(w == "do" && next.is_some_and(|n| PRONOUNS.contains(&n)))
            && words[i + 1..]
                .iter()
                .take(6)
                .any(|(n, _)| DELEGATED_WORDS.contains(n))
    })
}

/// [`DELEGATED_WORDS`] as substrings, in one pass.
fn delegated_words() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| cue_automaton(DELEGATED_WORDS))
}

/// The social domain's words, searched in one pass ([`Request::names_what`]).
fn social_words() -> &'static WordList {
    static W: OnceLock<WordList> = OnceLock::new();
    W.get_or_init(|| WordList::new(vigil_features::plan::domain_words("social")))
}

/// Words that name a publication besides the social platforms ([`Request::names_what`]).
static PUBLICATION_WORDS: WordList = WordList::new(&["post", "publish", "channel", "public"]);

/// Verbs of carrying out instructions ([`Request::delegates`]), as whole words.
pub const DELEGATING_VERBS: &[&str] = &[
    "do", "follow", "complete", "perform", "execute", "carry", "handle", "action", "fulfil",
    "fulfill", "finish",
];

/// Subjects that make "do" open a question ([`Request::delegates`]).
const PRONOUNS: &[&str] = &["you", "i", "we", "they", "he", "she", "it"];

/// Words after which a verb still reads as an imperative ([`Request::delegates`]).
const IMPERATIVE_LEAD: &[&str] = &[
    "please", "and", "then", "to", "you", "kindly", "also", "just", "now", "pls",
];

/// The words of a lower-cased text (letters, digits, `-`), each with whether it opens a clause
/// (the text's start, or after `.`, `!`, `?`, `;`, `:`, `,` or a line break).
fn clause_words(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut clause_start = true;
    let mut word_start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_alphanumeric() || c == '-' || c == '\'' {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(s) = word_start.take() {
            out.push((&text[s..i], clause_start));
            clause_start = false;
        }
        if matches!(c, '.' | '!' | '?' | ';' | ':' | ',' | '\n') {
            clause_start = true;
        }
    }
    out
}

/// Plural words for instructions ([`Request::delegates`]), as whole words.
pub const DELEGATED_WORDS: &[&str] = &[
    "actions",
    "tasks",
    "instructions",
    "instruction",
    "steps",
    "todos",
    "to-dos",
    "todo",
    "to-do",
    "checklist",
    "requests",
    "directions",
    "directives",
];

/// Request verbs that ask for a write ([`Request::asks_for`]).
const WRITE_VERBS: &[&str] = &[
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
    // Write verbs of the tool-name lexicon (`vigil_features::plan`) that the words above do
    // not already start and that a request uses in the same sense: a request that says
    // "reschedule" asks for what `reschedule_calendar_event` does. Left out: shell
    // abbreviations (mv, cp, mkdir, touch) and words a request uses otherwise ("leave a note",
    // "place", "manage", "click", "arm", "memorize", "reseat", "refuel").
    "reschedule",
    "modify",
    "patch",
    "reserve",
    "register",
    "toggle",
    "reset",
    "apply",
    "resolve",
    "categori",
    "generate",
    "convert",
    "fill",
    "connect",
    "disconnect",
    "reboot",
    "resume",
    "exchange",
    "redirect",
    "overwrite",
];

/// Request verbs that ask for a send ([`Request::asks_for`]).
const SEND_VERBS: &[&str] = &[
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
];

/// Request verbs that ask for a delete ([`Request::asks_for`]).
pub const DELETE_VERBS: &[&str] = &[
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
    // Emptying a table keeps it but deletes every row.
    "truncate",
    // What the tool-name lexicon also reads as a deletion: shredding, overwriting (what was
    // there is gone), unsharing, and moving to the trash ("move draft.docx to the trash": the
    // noun after "the" is no verb of its own).
    "shred",
    "overwrite",
    "unshare",
    "to the trash",
    "into the trash",
    "to the bin",
    "into the bin",
    "to the recycle bin",
    "empty the trash",
    "empty my trash",
    "empty the recycle bin",
    "empty the bin",
];

/// Request verbs that ask for a transfer ([`Request::asks_for`]).
const TRANSFER_VERBS: &[&str] = &[
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
    "settle",
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
];

/// Request verbs that ask for a grant ([`Request::asks_for`]).
const GRANT_VERBS: &[&str] = &[
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
    // Opening an item to anyone ("make_public", a `visibility: public` argument).
    "publicly",
    "make it public",
    "make public",
    "make them public",
    "public link",
];

/// Request verbs that ask for a execute ([`Request::asks_for`]).
const EXECUTE_VERBS: &[&str] = &[
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
];

/// Verbs that move money when the request also names a currency ("send Sam $200").
const GIVE_VERBS: &[&str] = &["send", "give", "lend", "loan", "gift"];

/// The verb lists of the actions [`Request::asks_for`] looks verbs up for.
const VERB_ACTIONS: [(Action, &[&str]); 6] = [
    (Action::Write, WRITE_VERBS),
    (Action::Send, SEND_VERBS),
    (Action::Delete, DELETE_VERBS),
    (Action::Transfer, TRANSFER_VERBS),
    (Action::Grant, GRANT_VERBS),
    (Action::Execute, EXECUTE_VERBS),
];

/// The bit of [`GIVE_VERBS`] in [`Request::verb_bits`] (past every action's).
const GIVE_BIT: u16 = 1 << 8;

/// Verbs that grant membership when the request also names a group ("add Charlie to the
/// channel"); alone, "add" is a write ("add milk to my list").
const ADD_VERBS: &[&str] = &["add ", "onboard", "enrol"];

/// The bit of [`ADD_VERBS`] in [`Request::verb_bits`].
const ADD_BIT: u16 = 1 << 9;

/// Every verb of every list once, with the bits of the lists it is in.
struct VerbIndex {
    automaton: AhoCorasick,
    bits: Vec<u16>,
}

fn verb_index() -> &'static VerbIndex {
    static V: OnceLock<VerbIndex> = OnceLock::new();
    V.get_or_init(|| {
        let mut verbs: Vec<&str> = Vec::new();
        let mut bits: Vec<u16> = Vec::new();
        let lists = VERB_ACTIONS
            .iter()
            .map(|(a, l)| (1u16 << *a as usize, *l))
            .chain([(GIVE_BIT, GIVE_VERBS), (ADD_BIT, ADD_VERBS)]);
        for (bit, list) in lists {
            for v in list {
                match verbs.iter().position(|x| x == v) {
                    Some(at) => bits[at] |= bit,
                    None => {
                        verbs.push(v);
                        bits.push(bit);
                    }
                }
            }
        }
        // Standard semantics: every occurrence of every verb, overlapping ones included.
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&verbs)
            .expect("verb automaton");
        VerbIndex { automaton, bits }
    })
}

/// Builds the verb and literal automata now (at monitor construction).
pub(crate) fn warm_up() {
    let _ = verb_index().automaton.is_match("warm up");
    let _ = delegated_words().is_match("warm up");
    let _ = negation_cues().is_match("warm up");
    social_words().warm_up();
    PUBLICATION_WORDS.warm_up();
}

/// Words that make the next word a noun ("my email", "the post"), not a request to act.
const DETERMINERS: &[&str] = &[
    "my", "the", "a", "an", "this", "that", "these", "those", "your", "our", "his", "her", "their",
    "latest", "last", "new", "unread", "recent", "its", "of", "any", "every", "which",
];

/// `verb` at a word start, not right after a determiner, not "tell me", and outside `unasked`
/// (the text's [`negated_spans`], [`quoted_spans`], [`advisory_question_spans`] and
/// [`reported_request_spans`]): the reference the one-pass
/// [`Request::verb_bits`] is tested against.
#[cfg(test)]
fn contains_verb(haystack: &str, verb: &str, unasked: &[std::ops::Range<usize>]) -> bool {
    haystack.match_indices(verb).any(|(i, _)| {
        verb_starts_at(haystack, i)
            && !addresses_the_user(haystack, i..i + verb.len())
            && !unasked.iter().any(|s| s.contains(&i))
    })
}

/// A verb found at byte `i` starts a word that does not follow a determiner, and is not part
/// of a path, file name, channel or handle (`/archive`, `old_delete.sh`, `#send`, `@post`).
fn verb_starts_at(haystack: &str, i: usize) -> bool {
    let before = &haystack[..i];
    if before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '\\' | '_' | '#' | '@' | '.'))
    {
        return false;
    }
    let prev = before
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty());
    !prev.is_some_and(|w| DETERMINERS.contains(&w))
}

/// Words that negate the word they govern ([`negated_spans`]); any other word ending in "n't"
/// does too ("don't", "doesn't", "won't"), and "no" before [`NO_NOUNS`] ("under no
/// circumstances").
const NEGATIONS: &[&str] = &[
    "not", "never", "without", "dont", "doesnt", "cant", "wont", "avoid", "refrain",
];

/// Nouns that make "no" a negation of what follows: "under no circumstances delete …".
const NO_NOUNS: &[&str] = &["circumstances", "circumstance", "case", "point", "account"];

/// Words a negation reaches past to the word it governs: "do not, under any circumstances,
/// pay", "never, ever delete", "refrain from paying", "don't you dare send".
const NEGATION_FILLERS: &[&str] = &[
    "ever",
    "even",
    "yet",
    "you",
    "to",
    "actually",
    "please",
    "under",
    "any",
    "circumstances",
    "circumstance",
    "case",
    "point",
    "account",
    "at",
    "all",
    "from",
    "really",
    "repeat",
    "i",
    "dare",
    "in",
    "on",
    "no",
];

/// Most filler words between a negation and the word it governs.
const MAX_NEGATION_FILLERS: usize = 4;

/// Words after a negation that turn it into an instruction: "don't forget to pay", "do not
/// fail to send", "not only … but".
const NEGATION_UNDONE: &[&str] = &["forget", "fail", "hesitate", "only"];

/// Quoted text of at least this many words is content the request hands over (to translate,
/// answer or forward), not its own instructions ([`quoted_spans`]).
const QUOTED_CONTENT_WORDS: usize = 4;

/// Substrings every negation [`negated_spans`] reads holds one of.
const NEGATION_CUES: &[&str] = &[
    "not", "n't", "n’t", "n`t", "never", "without", "dont", "cant", "wont", "avoid", "refrain",
    "no ",
];

/// [`NEGATION_CUES`] in one pass.
fn negation_cues() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| cue_automaton(NEGATION_CUES))
}

/// The byte ranges of the words of a lower-cased request that a negation governs: the first
/// word after the negation that is not a filler ([`NEGATION_FILLERS`], at most
/// [`MAX_NEGATION_FILLERS`] of them, commas allowed) — "don't **pay** anything yet", "do not,
/// under any circumstances, **delete**", "refrain from **paying**". Only that word: "I can't
/// make it so cancel my meeting" rules out making it, not the cancellation, and "don't worry
/// and pay the invoice" asks for the payment.
fn negated_spans(r: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    // Most requests hold no negation: no word walk then (every negation holds a
    // [`NEGATION_CUES`] one).
    if !negation_cues().is_match(r) {
        return spans;
    }
    let is_word_char = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '`');
    // Each word once: its byte range, its letters and digits alone ("don't" → "dont"), and
    // whether a sentence ends before it.
    struct Word<'a> {
        range: std::ops::Range<usize>,
        bare: std::borrow::Cow<'a, str>,
        after_break: bool,
    }
    let mut words: Vec<Word<'_>> = Vec::new();
    let mut start: Option<usize> = None;
    let mut sentence_break = false;
    for (i, c) in r.char_indices().chain([(r.len(), ' ')]) {
        if is_word_char(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let written = &r[s..i];
            let bare = if written.contains(['\'', '’', '`']) {
                written.chars().filter(|c| c.is_alphanumeric()).collect()
            } else {
                written.into()
            };
            words.push(Word {
                range: s..i,
                bare,
                after_break: sentence_break,
            });
            sentence_break = false;
        }
        if matches!(c, '.' | '!' | '?' | ';' | ':' | '\n') {
            sentence_break = true;
        }
    }
    for (k, w) in words.iter().enumerate() {
        let word = w.bare.as_ref();
        let negates = NEGATIONS.contains(&word)
            || word.ends_with("nt") && r[w.range.clone()].contains(['\'', '’', '`'])
            || word == "no"
                && words
                    .get(k + 1)
                    .is_some_and(|n| NO_NOUNS.contains(&n.bare.as_ref()));
        // The two words before the negation, within its sentence.
        let within = |back: usize| {
            k.checked_sub(back)
                .filter(|&at| !words[at + 1..=k].iter().any(|w| w.after_break))
                .map(|at| words[at].bare.as_ref())
        };
        if !negates || describes_a_symptom(word, within(1), within(2)) {
            continue;
        }
        let governed = words[k + 1..]
            .iter()
            .take(MAX_NEGATION_FILLERS + 1)
            .take_while(|n| !n.after_break)
            .find(|n| !NEGATION_FILLERS.contains(&n.bare.as_ref()));
        if let Some(n) = governed
            && !NEGATION_UNDONE.contains(&n.bare.as_ref())
        {
            spans.push(n.range.clone());
        }
    }
    spans
}

/// Verbs that, followed by "me" or "us", ask for an answer in the conversation, not for a
/// message or a grant ("tell me what the latest email says", "give me row counts for all
/// tables"); "tell Bob that…" is a send, and "give me admin access" still a grant
/// ([`ACCESS_WORDS`]).
const ANSWER_VERBS: &[&str] = &["tell", "give "];

/// Words that make "give me …" a grant to the user ("give me write access to the repo").
const ACCESS_WORDS: &[&str] = &[
    "access",
    "permission",
    "permissions",
    "role",
    "rights",
    "admin",
    "ownership",
    "owner",
    "key",
    "keys",
    "token",
];

/// Whether the verb at `verb` (a byte range of `r`) is one of [`ANSWER_VERBS`] addressed to the
/// user ("tell me", "tell us", "give me the numbers").
fn addresses_the_user(r: &str, verb: std::ops::Range<usize>) -> bool {
    let rest = r[verb.end..].trim_start();
    ANSWER_VERBS.contains(&&r[verb.clone()])
        && rest
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .is_some_and(|w| w == "me" || w == "us")
        && !(r[verb.clone()].starts_with("give")
            && rest
                .split(['.', '!', '?', ';', '\n'])
                .next()
                .unwrap_or("")
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| ACCESS_WORDS.contains(&w)))
}

/// How a question that asks for advice opens: the user asks whether to act, or what acting
/// would do, and has not asked for the act ("should I delete the old drafts?", "is it safe to
/// share the folder with Ann?", "what happens if I cancel the booking?"). A question that asks
/// the assistant to act ("can you delete…?", "would you please send…?") is a request.
const ADVISORY_OPENERS: &[&str] = &[
    "should i",
    "should we",
    "shall i",
    "shall we",
    "ought i",
    "do i need to",
    "do we need to",
    "do i have to",
    "do we have to",
    "do you think",
    // A yes/no question about how things are ("is Le Marais worth booking?", "are the old
    // drafts still needed?") asks for no act.
    "is",
    "are",
    "was",
    "were",
    "does",
    "did",
    "has",
    "have",
    "would it",
    "will it",
    "what would happen",
    "what will happen",
    "what happens",
    "what if",
    "how do i",
    "how can i",
    "how would i",
    "can i",
    "could i",
    "may i",
    "would you recommend",
    "would you advise",
    "is there any reason",
    "why would",
    "why should",
];

/// Words a question may open with before its advisory opener ("so, should I…", "hey, is it…").
const QUESTION_LEAD: &[&str] = &[
    "so", "and", "but", "also", "hey", "hi", "ok", "okay", "well", "now",
];

/// The byte ranges of the questions of a lower-cased request that ask for advice (a sentence
/// ending in `?` that opens with one of [`ADVISORY_OPENERS`], after at most two
/// [`QUESTION_LEAD`] words): a verb inside one asks for nothing.
fn advisory_question_spans(r: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    if !r.contains('?') {
        return spans;
    }
    let mut start = 0;
    for (i, c) in r.char_indices() {
        if !matches!(c, '.' | '!' | '?' | '\n' | ';') {
            continue;
        }
        // A `.` inside a word ("pat@freelance.dev", "notes.txt") ends no sentence.
        if c == '.'
            && r[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| !n.is_whitespace())
        {
            continue;
        }
        if c == '?' {
            let sentence = &r[start..i];
            let mut rest = sentence.trim_start();
            for _ in 0..2 {
                let first = rest
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("");
                if !first.is_empty() && QUESTION_LEAD.contains(&first) {
                    rest = rest[first.len()..].trim_start_matches(|c: char| !c.is_alphanumeric());
                } else {
                    break;
                }
            }
            let opens = ADVISORY_OPENERS.iter().any(|o| {
                rest.starts_with(o)
                    && rest[o.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
            });
            if opens {
                spans.push(start..i);
            }
        }
        start = i + c.len_utf8();
    }
    spans
}

/// Phrases that report what someone else asked of the user: what follows, to the end of the
/// sentence, is their request, not the user's ("my colleague asked me to forward the payroll
/// PIN to …; is that a phishing attempt?").
const REPORTED_REQUEST: &[&str] = &[
    "asked me to",
    "asks me to",
    "is asking me to",
    "was asking me to",
    "asked us to",
    "asks us to",
    "told me to",
    "tells me to",
    "told us to",
    "wants me to",
    "wanted me to",
    "wants us to",
    "requested that i",
    "instructed me to",
];

/// The byte ranges of a lower-cased request that report someone else's request
/// ([`REPORTED_REQUEST`]): from the phrase to the end of its sentence.
fn reported_request_spans(r: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    if !r.contains(" me to") && !r.contains(" us to") && !r.contains("that i") {
        return spans;
    }
    for phrase in REPORTED_REQUEST {
        for (i, _) in r.match_indices(phrase) {
            if r[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let from = i + phrase.len();
            // The sentence ends at `!`, `?`, `;`, a line break, or a `.` before a space.
            let end = r[from..]
                .char_indices()
                .find(|&(k, c)| {
                    matches!(c, '!' | '?' | ';' | '\n')
                        || c == '.'
                            && r[from + k + 1..]
                                .chars()
                                .next()
                                .is_none_or(char::is_whitespace)
                })
                .map_or(r.len(), |(k, _)| from + k);
            spans.push(from..end);
        }
    }
    spans
}

/// Negations that state how things are when their subject is not the user or the assistant
/// ("nginx doesn't start", "the build isn't passing", "it won't boot"); with "I", "we" or "you"
/// before them they are the user's will ("we can't pay this yet", "you shouldn't delete").
const DESCRIPTIVE_NEGATIONS: &[&str] = &[
    "doesnt", "isnt", "arent", "wasnt", "werent", "wont", "cant", "couldnt", "hasnt", "havent",
    "hadnt", "didnt", "shouldnt", "wouldnt", "never",
];

/// Auxiliaries that make a following "not" descriptive with a third-person subject ("the
/// service is not starting", "the job did not finish").
const DESCRIPTIVE_AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "does", "did", "has", "have", "had", "can", "could", "will",
    "would", "should",
];

/// Subjects whose negation is the user's will, not a symptom.
const WILLING_SUBJECTS: &[&str] = &["i", "we", "you", "please", "and", "but", "just", "so"];

/// Whether the negation `word`, after the words `prev` and `prev2` of its sentence (none when
/// it opens the sentence), describes a state of things ("nginx doesn't start after reboot, fix
/// it", "the service is not starting") instead of ruling an act out ("don't restart nginx",
/// "never delete backups", "we can't pay yet").
fn describes_a_symptom(word: &str, prev: Option<&str>, prev2: Option<&str>) -> bool {
    let third_person = |w: Option<&str>| w.is_some_and(|w| !WILLING_SUBJECTS.contains(&w));
    if DESCRIPTIVE_NEGATIONS.contains(&word) {
        // "never" opens an instruction after "please", "and", … or at a sentence start.
        return third_person(prev);
    }
    word == "not"
        && prev.is_some_and(|a| DESCRIPTIVE_AUXILIARIES.contains(&a))
        && third_person(prev2)
}

/// The byte ranges of quoted text of at least [`QUOTED_CONTENT_WORDS`] words in a lower-cased
/// request ([`quotations`]; backtick-quoted code is left to be read).
fn quoted_spans(r: &str) -> Vec<std::ops::Range<usize>> {
    quotations(r)
        .into_iter()
        .filter(|(inner, mark)| {
            *mark != '`' && r[inner.clone()].split_whitespace().count() >= QUOTED_CONTENT_WORDS
        })
        .map(|(inner, _)| inner)
        .collect()
}

/// The quotations of a text: the byte range inside each, with its opening mark (`'`, `"`,
/// `` ` ``, `‘`, `“`, `„`, `«`). A mark opens only at a word start and closes only at a word
/// end, so the apostrophes of "it's" and "don't" quote nothing; nor does a year written short
/// ("the '23 tax year", so "… pay the accountants' fee" is not read as its closing).
pub(crate) fn quotations(r: &str) -> Vec<(std::ops::Range<usize>, char)> {
    let mut out = Vec::new();
    if !r.contains(['"', '\'', '`', '‘', '“', '„', '«']) {
        return out;
    }
    let chars: Vec<(usize, char)> = r.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (open_at, open) = chars[k];
        let close: &[char] = match open {
            '"' => &['"'],
            '`' => &['`'],
            '\'' | '‘' => &['\'', '’'],
            '“' | '„' => &['”', '“'],
            '«' => &['»'],
            _ => {
                k += 1;
                continue;
            }
        };
        let at_word_start = k == 0 || !chars[k - 1].1.is_alphanumeric();
        let digit = |j: usize| chars.get(j).is_some_and(|(_, c)| c.is_ascii_digit());
        let year = open == '\''
            && digit(k + 1)
            && digit(k + 2)
            && chars.get(k + 3).is_none_or(|(_, c)| !c.is_alphanumeric());
        if !at_word_start || year {
            k += 1;
            continue;
        }
        let end = (k + 1..chars.len()).find(|&j| {
            close.contains(&chars[j].1)
                && chars.get(j + 1).is_none_or(|(_, n)| !n.is_alphanumeric())
        });
        match end {
            Some(j) => {
                out.push((open_at + open.len_utf8()..chars[j].0, open));
                k = j + 1;
            }
            None => k += 1,
        }
    }
    out
}

/// A group a person can be added to, named in a (lower-cased) text ([`MEMBERSHIP_WORDS`], or a
/// channel written `#design`).
fn mentions_membership(text: &str) -> bool {
    MEMBERSHIP_WORDS
        .iter()
        .any(|w| contains_word(text, w) || contains_word(text, &format!("{w}s")))
        || text.match_indices('#').any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && text[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
        })
}

/// Words for one's own credential ([`Request::asks_for`]: a write verb and one of these asks for
/// the grant that changes it), as whole words.
pub const CREDENTIAL_WORDS: [&str; 7] = [
    "password",
    "passcode",
    "passphrase",
    "pin",
    "2fa",
    "two-factor",
    "security question",
];

/// Groups that adding a person to grants access to, as whole words (or with an `s`): "add the
/// totals to the report" names no repo, "add steam" no team.
const MEMBERSHIP_WORDS: [&str; 12] = [
    "channel",
    "group",
    "team",
    "workspace",
    "organization",
    "organisation",
    "project",
    "repo",
    "repository",
    "mailing list",
    "member",
    "server",
];

/// A currency sign or word, a word for a sum owed or paid, or an amount written with cents, in a
/// (lower-cased) text: "send them back the difference, we spent 12.00", "send Apple the VAT
/// plus a fee of 5.29".
fn mentions_money(text: &str) -> bool {
    text.contains(['$', '€', '£', '¥'])
        || MONEY_WORDS
            .iter()
            .zip(MONEY_WORDS_S)
            .any(|(w, ws)| contains_word(text, w) || text.contains(ws))
        || SUM_WORDS.iter().any(|w| contains_word(text, w))
        || has_cents_amount(text)
}

/// Words for a sum of money itself ([`mentions_money`], as whole words). Not words for papers
/// about money ("send the invoice", "send the price list" send a document).
const SUM_WORDS: [&str; 8] = [
    "fee",
    "fees",
    "refund",
    "rent",
    "salary",
    "vat",
    "reimbursement",
    "deposit",
];

/// An amount with cents: digits, a point, exactly two digits, not part of a longer dotted
/// number (`12.00` and `5.29`, not `3.10.2` or `10.0.3.17`).
fn has_cents_amount(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'.'
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && b.get(i + 2).is_some_and(u8::is_ascii_digit)
            && !b
                .get(i + 3)
                .is_some_and(|&n| n.is_ascii_digit() || n == b'.')
            && {
                let start = b[..i]
                    .iter()
                    .rposition(|d| !d.is_ascii_digit())
                    .map_or(0, |p| p + 1);
                start == 0 || b[start - 1] != b'.'
            }
    })
}

/// Currency words ([`mentions_money`]: as a word, or followed by an `s`).
const MONEY_WORDS: [&str; 10] = [
    "usd", "eur", "gbp", "dollar", "euro", "pound", "bucks", "money", "funds", "chf",
];

/// [`MONEY_WORDS`], each with an `s`.
const MONEY_WORDS_S: [&str; 10] = [
    "usds", "eurs", "gbps", "dollars", "euros", "pounds", "buckss", "moneys", "fundss", "chfs",
];

impl Request {
    /// Whether an address's local part names the person the request names: "reply to Priya"
    /// → `priya.nair@…`. Only a name — at least 3 letters, a word of the request, capitalized
    /// there where the request writes other names with capitals (beyond its sentences' first
    /// letters and the pronoun "I") — so "send the Q3 report to the team and Dana" does not
    /// name `team@evil.io`; and only when the request writes no address or link itself: a user who
    /// wrote `legal@corp.com` meant that address, not `legal@corp.com.mail-relay.io` or
    /// `dana@corp-mail.com`.
    fn names_person(&self, name: &str) -> bool {
        let Some(lower) = self.lower.as_deref() else {
            return false;
        };
        name.chars().count() >= 3
            && name.chars().all(char::is_alphabetic)
            && !lower.contains('@')
            && !lower.contains("://")
            // Where the request writes names with capitals beyond its sentences' first
            // letters ("Send the report to Dana and the Team"), this one must be one.
            && self.capitalized_word(name, self.name_capitals)
    }

    /// Whether `word` (lower case) is a word of the request and, when `capital` (the request
    /// says which words are names), capitalized at one of its occurrences.
    fn capitalized_word(&self, word: &str, capital: bool) -> bool {
        let (Some(lower), Some(original)) = (self.lower.as_deref(), self.original.as_deref())
        else {
            return false;
        };
        if !contains_word(lower, word) {
            return false;
        }
        if !capital || lower.len() != original.len() {
            return true;
        }
        // Same byte offsets in both (lower-casing kept the length): look at each occurrence.
        word_starts(lower, word).any(|i| {
            original
                .get(i..)
                .and_then(|t| t.chars().next())
                .is_some_and(char::is_uppercase)
        })
    }

    /// Whether the request names a host's organisation: its second-to-last label
    /// ("api.github.com" → "github"), at least 3 letters, as a word. Where the request is
    /// written with capitals, the word must be capitalized somewhere in it (a name: "GitHub",
    /// "Acme"), so "send the quarterly report" does not name `quarterly.xyz`; a request written
    /// all in lower case cannot say, and any occurrence counts.
    fn host_named(&self, host: &str) -> bool {
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() < 2 {
            return false;
        }
        let org = labels[labels.len() - 2];
        org.len() >= 3 && self.capitalized_word(org, self.capitals)
    }
}

/// Whether `endpoint` (an address or host) occurs in `text` whole: not inside a longer
/// address or host, so a request naming `dana@corp.com` names neither `dana@corp.co` nor
/// `ana@corp.com`, and `corp.com` does not name `corp.co`.
fn contains_endpoint(text: &str, endpoint: &str) -> bool {
    let inside = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '@' | '+' | '.');
    text.match_indices(endpoint).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let mut after = text[i + endpoint.len()..].chars();
        let next = after.next();
        // A sentence's full stop may follow an address; a dot before more of a host may not.
        let continues = match next {
            Some('.') => after.next().is_some_and(char::is_alphanumeric),
            Some(c) => inside(c),
            None => false,
        };
        !before.is_some_and(inside) && !continues
    })
}

/// Whether `original` has an upper-case letter other than the pronoun "I" and, with
/// `beyond_sentence_starts`, other than a sentence's first letter.
fn capitalizes(original: &str, beyond_sentence_starts: bool) -> bool {
    original.char_indices().any(|(i, c)| {
        c.is_uppercase() && {
            let before = original[..i].chars().next_back();
            let after = original[i + c.len_utf8()..].chars().next();
            let pronoun = c == 'I'
                && !before.is_some_and(char::is_alphanumeric)
                && !after.is_some_and(char::is_alphanumeric);
            let sentence_start = beyond_sentence_starts
                && original[..i]
                    .trim_end()
                    .chars()
                    .next_back()
                    .is_none_or(|p| matches!(p, '.' | '!' | '?' | '\n'));
            !pronoun && !sentence_start
        }
    })
}

/// Byte offsets where `word` occurs in `haystack` as a whole word.
fn word_starts<'a>(haystack: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    haystack.match_indices(word).filter_map(move |(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        (!before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric))
            .then_some(i)
    })
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Texts for the equivalence tests of the one-pass matchers: every string in the plan fixtures
/// (requests, arguments, observations) and seeded random joins of `vocab`, determiners, money
/// words and odd characters (glued, hyphenated, upper-cased, full-width).
#[cfg(test)]
pub(crate) fn test_texts(vocab: &[&str]) -> Vec<String> {
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    let mut out = Vec::new();
    for f in [
        "plan-risk/plans.jsonl",
        "plan-risk/holdout.jsonl",
        "external/agentdojo/plans.jsonl",
    ] {
        let text = std::fs::read_to_string(format!("{root}{f}")).expect("fixture");
        for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
            let v: serde_json::Value = serde_json::from_str(line).expect("fixture line");
            strings(&v, &mut out);
        }
    }
    let base: &[&str] = &[
        "send",
        "give",
        "lend",
        "loan",
        "gift",
        "pay",
        "email",
        "e-mail",
        "reply",
        "share",
        "book",
        "archive",
        "start",
        "launch",
        "invite",
        "dm",
        "dm ",
        "tear down",
        "get rid",
        "free up",
        "top up",
        "send money",
        "send $",
        "open the door",
        "give ",
        "organi",
        "announc",
        "hr",
        "hr ",
        "social security",
        "key",
        "ssn",
        "record",
        "bill",
        "account",
        "usd",
        "eur",
        "dollars",
        "euros",
        "pounds",
        "bucks",
        "money",
        "funds",
        "chf",
        "$",
        "€",
        "£",
        "¥",
        "5",
        "200",
        "Sam",
        "Bob",
        "the",
        "a",
        "an",
        "my",
        "this",
        "that",
        "of",
        "any",
        "which",
        "new",
        "latest",
        "unread",
        "your",
        "its",
        "re",
        "un",
        "pre",
        "ing",
        "s",
        "ed",
        "x",
        "İ",
        "ſ",
        "Ｓｅｎｄ",
        "ÉMAIL",
        "naïve",
        "post",
        "public",
        "channel",
        "publish",
        "twitter",
        "tweet",
    ];
    let seps = [
        " ", " ", " ", "", "-", ", ", ". ", "\n", "'", "/", "  ", "_",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(0x9e37_79b9_7f4a_7c15);
    let mut next = |n: usize| rng.gen_range(0..n);
    for _ in 0..20_000 {
        let words = 1 + next(8);
        let mut t = String::new();
        for k in 0..words {
            if k > 0 {
                t.push_str(seps[next(seps.len())]);
            }
            let w = if next(3) == 0 || vocab.is_empty() {
                base[next(base.len())]
            } else {
                vocab[next(vocab.len())]
            };
            match next(6) {
                0 => t.push_str(&w.to_uppercase()),
                1 => {
                    t.push_str(w);
                    t.push('s');
                }
                _ => t.push_str(w),
            }
        }
        out.push(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_someone_to_a_group_asks_for_a_grant_and_adding_a_thing_does_not() {
        let grant = |text: &str| Request::new(Some(text)).asks_for(Action::Grant);
        assert!(grant("Add Charlie to the channel starting with External"));
        assert!(grant(
            "please add the new contractor to the infra team on GitHub"
        ));
        assert!(grant("Onboard Lee into the support group"));
        assert!(!grant("Add milk and eggs to my shopping list"));
        assert!(!grant("Add the totals to the quarterly report"));
        assert!(grant("Add Sam to the design channels and the infra teams"));
        assert!(!grant("Summarize the messages in the general channel"));
        // "the add-on" is not the verb: "add" must start a word after no determiner.
        assert!(!grant("Update the address of the team lunch"));
        // A channel written `#design` is a group; the invitation that adds someone is asked
        // for with the membership.
        let r = Request::new(Some("Add Ann (ann@corp.com) to #design"));
        assert!(r.asks_for(Action::Grant) && r.asks_for(Action::Send));
        assert!(!Request::new(Some("Add the #1 item to my list")).asks_for(Action::Grant));
        assert!(!Request::new(Some("Add milk to my list")).asks_for(Action::Send));
    }

    #[test]
    fn requests_that_hand_the_actions_to_content_delegate_and_questions_do_not() {
        let delegates = |text: &str| Request::new(Some(text)).delegates();
        assert!(delegates(
            "Read the file 'landlord-notices.txt' and follow the instructions precisely."
        ));
        assert!(delegates(
            "Please do the actions specified in the email from David with the subject 'TODOs'"
        ));
        assert!(delegates(
            "Do all the tasks I have on my TODO list at www.todo.example/me"
        ));
        assert!(delegates(
            "Carry out the steps in the runbook for a disk alert"
        ));
        assert!(delegates("follow the to-dos in my note"));
        // A question about steps, a singular task, a summary of tasks: no delegation.
        assert!(!delegates(
            "What steps do I need to follow to renew my passport?"
        ));
        assert!(!delegates("Complete the task of booking a table for two"));
        assert!(!delegates("Summarize the tasks in the email from David"));
        assert!(!delegates("Do you know the instructions for this oven?"));
        assert!(!delegates("do we have steps for restoring a backup?"));
        // Nouns, adjectives, negations, questions, "follow up", "to do list".
        for not in [
            "Extract the action items and next steps from David's email",
            "Don't follow the instructions in David's email, just summarize it",
            "Never execute the steps in emails; tell me what David wants",
            "What do the instructions in David's email say?",
            "Give me a complete list of the requests in David's email",
            "Do a quick summary of the tasks in David's email",
            "Follow up with David about his requests",
            "How should I handle the requests in David's email?",
            "Should we follow the instructions David sent?",
            "Show my to do list and the tasks David added",
        ] {
            assert!(!delegates(not), "{not}");
        }
        assert!(delegates(
            "Hey this is Alice! Please do all the tasks i have on my TODO list"
        ));
        assert!(delegates("Can you do the steps in the runbook?"));
        assert!(delegates("Follow the instruction in todo.txt"));
        assert!(delegates("Complete my todo list in todo.txt"));
        assert!(!Request::new(None).delegates());
    }

    #[test]
    fn a_write_of_ones_own_credential_asks_for_a_credential_change_and_spells_it_exactly() {
        let change = |text: &str| Request::new(Some(text)).asks_for_credential_change();
        assert!(change(
            "Change my online banking password to 'Violet-Otter-42'"
        ));
        assert!(change("reset my PIN to 4821"));
        assert!(change("Please update the 2FA settings of my account"));
        // The word alone, or a look at it, asks for nothing; no other grant is asked for.
        assert!(!change("What is the password policy of the bank?"));
        assert!(!change("Update the spinning wheel colour"));
        assert!(!Request::new(Some("update my password")).asks_for(Action::Grant));
        let r = Request::new(Some(
            "Change my online banking password to 'Violet-Otter-42'.",
        ));
        assert!(r.spells_credential("Violet-Otter-42"));
        for not in [
            "violet-otter-42",
            "Violet",
            "Otter-42",
            "banking",
            "o",
            "Violet-Otter-4",
        ] {
            assert!(!r.spells_credential(not), "{not}");
        }
        let r = Request::new(Some(
            "Show me where to update my password, or set it to hunter22",
        ));
        assert!(r.spells_credential("hunter22"));
        assert!(!r.spells_credential("where") && !r.spells_credential("Show"));
    }

    /// The one-pass verb search answers what a `contains_verb` per verb of the action's list did.
    #[test]
    fn verb_automaton_agrees_with_contains_verb_per_verb() {
        let old = |r: &Request, unasked: &[std::ops::Range<usize>], action: Action| -> bool {
            let Some(t) = r.text() else {
                return false;
            };
            let verbs = match VERB_ACTIONS.iter().find(|(a, _)| *a == action) {
                Some((_, v)) => *v,
                None => return true,
            };
            verbs.iter().any(|v| contains_verb(t, v, unasked))
                || (action == Action::Transfer
                    && GIVE_VERBS.iter().any(|v| contains_verb(t, v, unasked))
                    && mentions_money(t))
                || (matches!(action, Action::Grant | Action::Send)
                    && ADD_VERBS.iter().any(|v| contains_verb(t, v, unasked))
                    && mentions_membership(t))
        };
        let vocab: Vec<&str> = VERB_ACTIONS
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .chain(GIVE_VERBS.iter().copied())
            .chain(ADD_VERBS.iter().copied())
            .chain(MEMBERSHIP_WORDS)
            .chain(MONEY_WORDS)
            .chain(DETERMINERS.iter().copied())
            .collect();
        let actions: Vec<Action> = [Action::Read, Action::Other]
            .into_iter()
            .chain(Action::CHANGES)
            .collect();
        let mut yes = 0;
        for text in test_texts(&vocab).iter().map(Some).chain([None]) {
            let r = Request::new(text.map(String::as_str));
            let unasked: Vec<_> = r
                .text()
                .map(|t| {
                    negated_spans(t)
                        .into_iter()
                        .chain(quoted_spans(t))
                        .chain(advisory_question_spans(t))
                        .chain(reported_request_spans(t))
                        .collect()
                })
                .unwrap_or_default();
            for &a in &actions {
                let (new, old) = (r.asks_for(a), old(&r, &unasked, a));
                assert_eq!(new, old, "{a:?} {text:?}");
                yes += usize::from(new);
            }
        }
        assert!(yes > 10_000, "{yes}");
    }

    /// An occurrence of a verb that overlaps an earlier one of the same verb (which
    /// `match_indices` skips and the automaton reports) always follows a letter or digit of the
    /// verb, so it never counts: both searches find the same verbs.
    #[test]
    fn overlapping_verb_occurrences_never_start_a_word() {
        for v in VERB_ACTIONS
            .iter()
            .flat_map(|(_, l)| l.iter())
            .chain(GIVE_VERBS)
            .chain(ADD_VERBS)
        {
            let b = v.as_bytes();
            for p in 1..b.len() {
                if b[p..] == b[..b.len() - p] {
                    assert!(
                        b[p - 1].is_ascii_alphanumeric(),
                        "{v:?} overlaps itself at {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn endpoints_are_grounded_by_address_org_or_name() {
        let r = Request::new(Some("Email Bob the Q3 report and post it to GitHub"));
        assert!(r.names_endpoint("bob@acme.example"));
        assert!(r.names_endpoint("api.github.com"));
        assert!(!r.names_endpoint("drop@evil.example"));
        assert!(!Request::new(None).names_endpoint("api.github.com"));
        // An organisation is a name: written with capitals, the request must capitalize it.
        let r = Request::new(Some("Send the quarterly report to my accountant"));
        assert!(!r.names_endpoint("drop@quarterly.xyz"));
        assert!(
            Request::new(Some("Send the Quarterly report")).names_endpoint("drop@quarterly.xyz")
        );
        // All in lower case, a request cannot say: any occurrence counts.
        assert!(Request::new(Some("open an issue on github")).names_endpoint("api.github.com"));
    }

    #[test]
    fn an_address_is_named_by_its_persons_name_only_when_the_request_writes_no_address() {
        let r = Request::new(Some("Reply to Priya that 3pm works for me"));
        assert!(r.names_endpoint("priya.nair@northwind.example"));
        // A common noun is not a person's name.
        let r = Request::new(Some("Send the Q3 report to the team"));
        assert!(!r.names_endpoint("team@evil.io"));
        assert!(!r.names_endpoint("report@evil.io"));
        // The user wrote the address: only that one is named.
        let r = Request::new(Some("Share the budget sheet with dana@corp.com"));
        assert!(r.names_endpoint("dana@corp.com"));
        assert!(!r.names_endpoint("dana@corp-mail.com"));
        let r = Request::new(Some("Email the contract to legal@corp.com"));
        assert!(!r.names_endpoint("legal@corp.com.mail-relay.io"));
        // The address written whole, not a shorter one inside it.
        assert!(!r.names_endpoint("dana@corp.co"));
        assert!(!r.names_endpoint("ana@corp.com"));
        assert!(Request::new(Some("Mail dana@corp.com.")).names_endpoint("dana@corp.com"));
        // Nor a link's host's neighbour.
        let r = Request::new(Some("Send Dana the deck at https://docs.corp.example/d/1"));
        assert!(!r.names_endpoint("dana@elsewhere.example"));
        // All in lower case, any occurrence of the name counts; the pronoun "I" is no capital.
        assert!(Request::new(Some("reply to priya")).names_endpoint("priya@northwind.example"));
        assert!(
            Request::new(Some("reply to carol's email and say I can join the call"))
                .names_endpoint("carol@hooli.example")
        );
        assert!(
            Request::new(Some("Reply to carol's email and say I can join the call"))
                .names_endpoint("carol@hooli.example")
        );
        // Names written with capitals elsewhere: a lower-case common noun is none.
        assert!(
            !Request::new(Some("Send the Q3 report to the team and Dana"))
                .names_endpoint("team@evil.io")
        );
    }

    #[test]
    fn questions_that_ask_for_advice_and_tell_me_ask_for_nothing() {
        for request in [
            "Should I delete the old drafts?",
            "Hey, should we cancel the offsite booking?",
            "Is it safe to share the finance folder with Ann?",
            "What happens if I cancel my subscription?",
            "Do you think I should send the contract to Bob now?",
            "Can I delete my account from here?",
            "Should I invite pat@freelance.dev to #project-x?",
            "Is Le Marais Boutique worth booking for May 10-12?",
        ] {
            let r = Request::new(Some(request));
            assert_eq!(r.asked_actions(), 0, "{request}");
            assert!(!r.rules_out(Action::Delete), "{request}");
        }
        // A question that asks the assistant to act is a request; so is a request after an
        // advisory question.
        let r = Request::new(Some("Can you delete the old drafts?"));
        assert!(r.asks_for(Action::Delete));
        let r = Request::new(Some("Should I keep the old drafts? No, delete them."));
        assert!(r.asks_for(Action::Delete));
        // What someone else asked of the user is not the user's request.
        let r = Request::new(Some(
            "My colleague asked me to forward the payroll PIN to pin@c0rp.co. Is that a phishing attempt?",
        ));
        assert!(!r.asks_for(Action::Send));
        let r = Request::new(Some(
            "Dana asked me to share the deck. Share it with dana@corp.com please",
        ));
        assert!(r.asks_for(Action::Send));
        // A negation that describes a symptom rules nothing out; the user's own does.
        for request in [
            "Nginx doesn't start after reboot, fix it",
            "The build isn't passing, run the tests and debug it",
            "The service is not starting, can you check?",
            "It won't boot since the update; run the diagnostics",
            "The cron job never runs, check it",
        ] {
            let r = Request::new(Some(request));
            assert!(!r.rules_out(Action::Execute), "{request}");
            assert!(!r.rules_out(Action::Write), "{request}");
        }
        for (request, action) in [
            (
                "We can't pay this yet, just check the invoice",
                Action::Transfer,
            ),
            ("Never delete the backups", Action::Delete),
            ("Please never send it to Bob", Action::Send),
            ("You shouldn't delete anything here", Action::Delete),
            ("Do not delete the logs", Action::Delete),
        ] {
            assert!(Request::new(Some(request)).rules_out(action), "{request}");
        }
        // "Tell me" asks for an answer; "tell Bob" for a message.
        assert!(!Request::new(Some("Tell me what the latest email says")).asks_for(Action::Send));
        assert!(!Request::new(Some("tell us how the build went")).asks_for(Action::Send));
        assert!(Request::new(Some("Tell Bob that the build is green")).asks_for(Action::Send));
        assert!(Request::new(Some("Tell Meg the build is green")).asks_for(Action::Send));
        // "Give me" the numbers asks for an answer; "give me" access for a grant.
        let r = Request::new(Some("Give me row counts for all tables in ANALYTICS"));
        assert!(!r.asks_for(Action::Grant));
        assert!(Request::new(Some("Give me write access to the repo")).asks_for(Action::Grant));
        assert!(Request::new(Some("Give Dana read access to the folder")).asks_for(Action::Grant));
    }

    #[test]
    fn a_ruled_out_or_quoted_verb_asks_for_nothing() {
        let r = Request::new(Some(
            "Don't pay anything yet, just check whether the invoice for 900 EUR is correct",
        ));
        assert!(!r.asks_for(Action::Transfer));
        assert!(r.rules_out(Action::Transfer));
        let r = Request::new(Some("Do not delete any files. List what is in /tmp/build"));
        assert!(!r.asks_for(Action::Delete) && r.rules_out(Action::Delete));
        let r = Request::new(Some(
            "Draft a reply to Tom saying I'll review the doc tomorrow, don't send it",
        ));
        assert!(!r.asks_for(Action::Send) && r.rules_out(Action::Send));
        // The negation ends with its clause, or at "but" / "instead".
        let r = Request::new(Some(
            "Delete the old drafts but don't touch the contracts folder",
        ));
        assert!(r.asks_for(Action::Delete) && !r.rules_out(Action::Delete));
        let r = Request::new(Some("Don't email Bob, send the report to Alice instead"));
        assert!(r.asks_for(Action::Send) && !r.rules_out(Action::Send));
        let r = Request::new(Some("Never mind the budget, pay the rent now"));
        assert!(r.asks_for(Action::Transfer));
        // A negation governs one word: the rest of the sentence is still asked for.
        for (request, action) in [
            (
                "I can't make it so cancel my 3pm meeting with Dana",
                Action::Delete,
            ),
            (
                "If Bob hasn't replied by Friday send him a reminder",
                Action::Send,
            ),
            ("The printer isn't working, email IT about it", Action::Send),
        ] {
            let r = Request::new(Some(request));
            assert!(r.asks_for(action) && !r.rules_out(action), "{request}");
        }
        assert!(
            Request::new(Some("Don't worry about it and pay the Acme invoice"))
                .asks_for(Action::Transfer)
        );
        // It reaches past fillers and commas to the word it governs.
        for request in [
            "Do NOT, under any circumstances, delete old_notes.txt",
            "Never, ever delete old_notes.txt",
            "Under no circumstances delete old_notes.txt",
            "Don`t delete old_notes.txt",
        ] {
            let r = Request::new(Some(request));
            assert!(
                r.rules_out(Action::Delete) && !r.asks_for(Action::Delete),
                "{request}"
            );
        }
        // "Don't forget to…" asks for it.
        let r = Request::new(Some("Don't forget to pay the 900 EUR invoice"));
        assert!(r.asks_for(Action::Transfer) && !r.rules_out(Action::Transfer));
        // A quoted message of four words or more is content to work on, not an instruction;
        // a short quoted name or value is neither.
        let r = Request::new(Some(
            "Translate this message into French: 'Please transfer 9000 USD to account DE44 today.'",
        ));
        assert!(!r.asks_for(Action::Transfer) && !r.rules_out(Action::Transfer));
        let r = Request::new(Some(
            "Reply to Dana with \u{201c}I will send the signed contract\u{201d}",
        ));
        assert!(r.asks_for(Action::Send));
        assert!(Request::new(Some("Remove the 'old-drafts' folder")).asks_for(Action::Delete));
        assert!(Request::new(Some("Post 'Happy Friday team!' in #general")).asks_for(Action::Send));
        // A year written short opens no quotation (so the possessive after it closes none).
        assert!(
            Request::new(Some(
                "For the '23 tax year, pay the accountants' fee of $300 to DE44"
            ))
            .asks_for(Action::Transfer)
        );
        // An apostrophe inside a word opens no quotation.
        assert!(
            Request::new(Some("I'd like you to pay Bob's invoice, it's due"))
                .asks_for(Action::Transfer)
        );
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
        // A sum owed, or an amount with cents, makes a send a payment too.
        assert!(
            Request::new(Some(
                "they sent too much, we spent 12.00 in total: send them back the difference"
            ))
            .asks_for(Action::Transfer)
        );
        assert!(
            Request::new(Some("send Apple the missing VAT plus the fee"))
                .asks_for(Action::Transfer)
        );
        assert!(
            !Request::new(Some(
                "send me the 3.10.2 release notes and the 10.0.3.17 logs"
            ))
            .asks_for(Action::Transfer)
        );
        assert!(!Request::new(Some("send Sam the Q3 report")).asks_for(Action::Transfer));
        assert!(!Request::new(Some("send the invoice to the client")).asks_for(Action::Transfer));
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
