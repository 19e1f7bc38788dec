//! What every stage of a plan's walk reads, built once per plan.
//!
//! The rules (V_R), the argument inspector (V_A) and the session memory all look at the same
//! things: the user's request, each step's annotations, the 9 features, every string inside each
//! step's arguments, and whether each step is grounded in the request. [`PlanContext::new`]
//! computes what they share across steps in one walk and keeps only that (the annotations, the
//! grounding, the observation scans); the stages visit the steps through
//! [`PlanContext::for_each_step`], which hands each one over with its argument strings.
//!
//! The steps are either a parsed [`Plan`]'s or a [`RawPlan`]'s, parsed one at a time while
//! visited: a 300,000-step plan is never held as 300,000 [`Step`]s.

use std::cell::{Cell, OnceCell};
use std::collections::BTreeSet;

use vigil_contracts::plan::RawPlan;
use vigil_contracts::{Plan, PlanPolicy, Step};
use vigil_features::json_walk::for_each_string_in;
use vigil_features::plan::{
    Action, StepAnnotation, ToolAnnotator, is_search_key, plan_features_of,
};

use crate::grounding::Request;
use crate::rules::injection::{ObservationScan, scan_observation};

/// What a [`PlanContext`] walks: a plan's request, budget and policy, and its steps, parsed or
/// as JSON text.
#[derive(Debug, Clone, Copy)]
pub struct PlanView<'p> {
    /// [`Plan::request`].
    pub request: Option<&'p str>,
    /// [`Plan::budget`].
    pub budget: Option<f64>,
    /// [`Plan::policy`].
    pub policy: PlanPolicy,
    steps: Steps<'p>,
}

#[derive(Debug, Clone, Copy)]
enum Steps<'p> {
    Parsed(&'p [Step]),
    Raw(&'p RawPlan<'p>),
}

impl<'p> From<&'p Plan> for PlanView<'p> {
    fn from(plan: &'p Plan) -> Self {
        PlanView {
            request: plan.request.as_deref(),
            budget: plan.budget,
            policy: plan.policy,
            steps: Steps::Parsed(&plan.steps),
        }
    }
}

impl<'p> From<&'p RawPlan<'p>> for PlanView<'p> {
    fn from(plan: &'p RawPlan<'p>) -> Self {
        PlanView {
            request: plan.request.as_deref(),
            budget: plan.budget,
            policy: plan.policy,
            steps: Steps::Raw(plan),
        }
    }
}

impl PlanView<'_> {
    /// The number of steps.
    pub fn len(&self) -> usize {
        match self.steps {
            Steps::Parsed(s) => s.len(),
            Steps::Raw(r) => r.len(),
        }
    }

    /// Whether the plan has no steps.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with step `index` (parsed for the call when the plan is raw).
    fn with_step<R>(&self, index: usize, f: impl FnOnce(&Step) -> R) -> R {
        match self.steps {
            Steps::Parsed(s) => f(&s[index]),
            Steps::Raw(r) => f(&r.step(index)),
        }
    }
}

/// An identifier-like string: 5–256 bytes, no whitespace, with a digit or one of `@ / . :`.
pub(crate) fn is_entity(s: &str) -> bool {
    (5..=256).contains(&s.len())
        && !s.contains(char::is_whitespace)
        && s.bytes()
            .any(|b| b.is_ascii_digit() || matches!(b, b'@' | b'/' | b'.' | b':'))
}

/// Strings longer than this (in bytes) are left out of [`StepContext::lower_arg_strings`].
const MAX_LOWERED_LEN: usize = 4096;

/// Bytes of accumulated observation text a plan's substring searches may read in all.
///
/// Rules ask whether an entity of a step appears in what earlier steps returned; over a plan
/// of thousands of steps that reads the growing text once per step, quadratic in the plan's
/// size (an 11 MB plan of 5,000 read-then-send pairs took 4.5 s). Within this budget (about
/// 30 ms of searching lower-cased tool outputs for an address, measured on this project's
/// 2-core machine) every answer is exact; past it a search answers the way that trusts
/// nothing: an entity is not found among clean observations (the step is not grounded by
/// them) and is found among injected ones.
pub const SCAN_BUDGET_BYTES: usize = 256 << 20;

/// The search budget of one plan ([`SCAN_BUDGET_BYTES`]).
#[derive(Debug)]
pub struct ScanBudget(Cell<usize>);

impl Default for ScanBudget {
    fn default() -> Self {
        ScanBudget(Cell::new(SCAN_BUDGET_BYTES))
    }
}

impl ScanBudget {
    /// Spends `bytes`; false (and nothing left) when they are not there.
    pub fn spend(&self, bytes: usize) -> bool {
        match self.0.get().checked_sub(bytes) {
            Some(left) => {
                self.0.set(left);
                true
            }
            None => {
                self.0.set(0);
                false
            }
        }
    }

    /// `haystack.contains(needle)` within the budget; `when_spent` once it is spent.
    pub fn contains(&self, haystack: &str, needle: &str, when_spent: bool) -> bool {
        if self.spend(haystack.len()) {
            haystack.contains(needle)
        } else {
            when_spent
        }
    }
}

/// The lower-cased clean observations of grounded steps before a step, searched within the
/// plan's [`ScanBudget`].
#[derive(Debug, Clone, Copy)]
pub struct TrustedText<'c> {
    text: &'c str,
    budget: &'c ScanBudget,
}

impl<'c> TrustedText<'c> {
    /// The text itself (for reading it once, not for searching it per step).
    pub fn as_str(&self) -> &'c str {
        self.text
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether `needle` occurs in the text; false once the plan's budget is spent.
    pub fn contains(&self, needle: &str) -> bool {
        !self.text.is_empty() && self.budget.contains(self.text, needle, false)
    }

    /// Whether `needle` occurs in `haystack` (a form of this text, such as its compacted
    /// copy), charged to the same budget; false once it is spent.
    pub fn search(&self, haystack: &str, needle: &str) -> bool {
        self.budget.contains(haystack, needle, false)
    }

    /// Charges a scan of `bytes` to the budget: whether it may run.
    pub fn spend(&self, bytes: usize) -> bool {
        self.budget.spend(bytes)
    }
}

/// A plan with everything its stages share, computed once.
#[derive(Debug)]
pub struct PlanContext<'p> {
    plan: PlanView<'p>,
    request: Request,
    annotations: Vec<StepAnnotation>,
    features: [f64; 9],
    grounded: Vec<bool>,
    /// (step, scan) of the steps with an observation, by step.
    scans: Vec<(usize, ObservationScan)>,
    trusted: String,
    trusted_upto: Vec<usize>,
    /// Per step, the actions a delegating request's content asked for before it.
    delegated_upto: Vec<u16>,
    /// Per step, [`PlanContext::sets_unspelled_credential`].
    unspelled_credential: Vec<bool>,
    budget: ScanBudget,
}

impl<'p> PlanContext<'p> {
    /// Annotates the plan, computes its features, reads its request and grounds each step.
    pub fn new(annotator: &ToolAnnotator, plan: impl Into<PlanView<'p>>) -> Self {
        let plan = plan.into();
        let request = Request::new(plan.request);
        let n = plan.len();
        let mut annotations = Vec::with_capacity(n);
        let mut tools: BTreeSet<Box<str>> = BTreeSet::new();
        // Only steps with an observation have a scan (a long plan rarely has many).
        let mut scans: Vec<(usize, ObservationScan)> = Vec::new();
        let mut grounding = Grounding::new(n, &request);
        let budget = ScanBudget::default();
        for i in 0..n {
            plan.with_step(i, |step| {
                let a = annotator.annotate(step);
                if !tools.contains(step.tool.as_str()) {
                    tools.insert(step.tool.as_str().into());
                }
                let scan = step.observation.as_deref().map(scan_observation);
                let injected = scan.as_ref().is_some_and(ObservationScan::injected);
                grounding.step(&request, step, &a, &ArgStrings::of(step), injected, &budget);
                if let Some(scan) = scan {
                    scans.push((i, scan));
                }
                annotations.push(a);
            });
        }
        let features = plan_features_of(tools.len(), plan.budget, &annotations);
        PlanContext {
            plan,
            request,
            annotations,
            features,
            grounded: grounding.grounded,
            scans,
            trusted: grounding.clean,
            trusted_upto: grounding.upto,
            delegated_upto: grounding.delegated_upto,
            unspelled_credential: grounding.unspelled_credential,
            budget,
        }
    }

    /// Whether step `index` sets a credential (a password, PIN or passcode argument, at any
    /// depth) to a value the request does not spell out exactly
    /// ([`Request::spells_credential`]).
    pub fn sets_unspelled_credential(&self, index: usize) -> bool {
        self.unspelled_credential
            .get(index)
            .copied()
            .unwrap_or(false)
    }

    /// Whether step `index`'s kind of action is asked for: by the request, or — when the
    /// request delegates ([`Request::delegates`]) — by a clean observation of a grounded step
    /// before it ("Please do the following: … add them to the file").
    pub fn asks_for(&self, action: Action, index: usize) -> bool {
        self.request.asks_for(action)
            || self
                .delegated_upto
                .get(index)
                .is_some_and(|bits| bits & 1 << action as usize != 0)
    }

    /// The lower-cased clean observations of grounded steps before step `index` (where an
    /// entity may come from besides the request).
    pub fn trusted_text(&self, index: usize) -> TrustedText<'_> {
        TrustedText {
            text: &self.trusted[..self.trusted_upto[index]],
            budget: &self.budget,
        }
    }

    /// What step `index`'s observation carried ([`scan_observation`]); clean without one.
    pub fn scan(&self, index: usize) -> &ObservationScan {
        static CLEAN: ObservationScan = ObservationScan {
            cues: Vec::new(),
            score: 0.0,
            span: None,
        };
        self.scans
            .binary_search_by_key(&index, |(i, _)| *i)
            .map_or(&CLEAN, |at| &self.scans[at].1)
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.annotations.len()
    }

    /// Whether the plan has no steps.
    pub fn is_empty(&self) -> bool {
        self.annotations.is_empty()
    }

    /// The plan's budget.
    pub fn budget(&self) -> Option<f64> {
        self.plan.budget
    }

    /// The user's request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Every step with its annotations filled in.
    pub fn annotations(&self) -> &[StepAnnotation] {
        &self.annotations
    }

    /// The 9 NEXUS features, in order.
    pub fn features(&self) -> &[f64; 9] {
        &self.features
    }

    /// The plan's `allow_sensitive` policy.
    pub fn allow_sensitive(&self) -> bool {
        self.plan.policy.allow_sensitive
    }

    /// Calls `f` with step `index` and what the stages read about it (panics if out of range).
    pub fn with_step<R>(&self, index: usize, f: impl FnOnce(StepContext<'_>) -> R) -> R {
        self.plan.with_step(index, |step| {
            let args = ArgStrings::of(step);
            f(StepContext {
                index,
                step,
                annotation: &self.annotations[index],
                grounded: self.grounded[index],
                args: &args,
            })
        })
    }

    /// Calls `f` with every step, in plan order.
    pub fn for_each_step(&self, mut f: impl FnMut(StepContext<'_>)) {
        for i in 0..self.len() {
            self.with_step(i, &mut f);
        }
    }

    /// Hands the annotations over (the context is done with).
    pub fn into_annotations(self) -> Vec<StepAnnotation> {
        self.annotations
    }
}

/// Grounding with provenance, one step at a time. A step is grounded when the request asks for
/// its kind of action and every entity it names comes from a trusted place:
///
/// - an endpoint (host, e-mail address) is named in the request or appears in the observation
///   of an earlier grounded step whose observation carried no injection ("e-mail the address in
///   the file you just read");
/// - no identifier-like argument (an account, IBAN, URL, file, guest id: ≥ 5 characters, no
///   spaces, with a digit or one of `@ / . :`) appears in an injected observation unless the
///   request or a clean observation also has it — entities introduced only by an injection are
///   ungrounded.
///
/// When the request delegates ([`Request::delegates`]: "do the actions specified in the e-mail
/// from David"), a step's action is also asked for when a clean observation of an earlier
/// grounded step asks for it: the user handed the choice of actions to that content. The
/// entity checks above still apply, and an injected observation never asks for anything.
struct Grounding {
    grounded: Vec<bool>,
    /// The clean observations of grounded steps, lower-cased, one a line.
    clean: String,
    /// `clean`'s length before each step.
    upto: Vec<usize>,
    /// The injected observations, lower-cased, one a line.
    injected: String,
    /// The same, letters and digits only ([`compact`]).
    injected_compact: String,
    /// Whether the request delegates.
    delegating: bool,
    /// Under a delegating request, the actions the clean observations so far ask for
    /// ([`Request::asked_actions`] bits); 0 otherwise.
    delegated: u16,
    /// `delegated` before each step.
    delegated_upto: Vec<u16>,
    /// Per step: it sets a credential to a value the request does not spell out.
    unspelled_credential: Vec<bool>,
}

impl Grounding {
    fn new(steps: usize, request: &Request) -> Self {
        Grounding {
            grounded: Vec::with_capacity(steps),
            clean: String::new(),
            upto: Vec::with_capacity(steps),
            injected: String::new(),
            injected_compact: String::new(),
            delegating: request.delegates(),
            delegated: 0,
            delegated_upto: Vec::with_capacity(steps),
            unspelled_credential: Vec::with_capacity(steps),
        }
    }

    /// Grounds the next step (`injected`: its observation carried instructions).
    fn step(
        &mut self,
        request: &Request,
        step: &Step,
        a: &StepAnnotation,
        args: &ArgStrings<'_>,
        injected: bool,
        budget: &ScanBudget,
    ) {
        let (clean, upto) = (&mut self.clean, &mut self.upto);
        upto.push(clean.len());
        self.delegated_upto.push(self.delegated);
        // Past the budget an entity counts as introduced by the injection (not grounded).
        let tainted = !self.injected.is_empty()
            && (args.all.iter().any(|s| {
                let t = s.trim();
                is_entity(t) && {
                    let l = t.to_lowercase();
                    budget.contains(&self.injected, &l, true)
                        && !budget.contains(clean, &l, false)
                        && !request.mentions(&l)
                }
            })
            // The same with spaces and dashes taken out: an account written in groups
            // ("DE89 3704 0044 0532 0130 00") is the account the injection named, either way.
            || {
                // Compacted once per step, and only when an argument is shaped like an account.
                let accounts: Vec<String> = args.all.iter().filter_map(|s| account_number(s)).collect();
                !accounts.is_empty() && {
                    let (clean_compact, request_compact) =
                        (compact(clean), compact(request.text().unwrap_or("")));
                    accounts.iter().any(|c| {
                        budget.contains(&self.injected_compact, c, true)
                            && !budget.contains(&clean_compact, c, false)
                            && !request_compact.contains(c.as_str())
                    })
                }
            });
        // A credential set to a value the request does not spell out exactly
        // (`update_password("new_password")` when the user said '1j1l-2k3j', or a value an
        // e-mail suggested) is not the one asked for.
        let credentials = credential_values(step);
        let unnamed_credential = credentials.iter().any(|v| !request.spells_credential(v));
        self.unspelled_credential.push(unnamed_credential);
        let trusted_has = |e: &str| budget.contains(clean, e, false);
        let asked = request.asks_for(a.action)
            || self.delegated & 1 << a.action as usize != 0
            // "Fix the lint errors" asks for `ruff check --fix`: see `crate::topic`.
            || crate::topic::asks_for_execute_on_topic(request, a, &step.tool, &args.all)
            || (!credentials.is_empty()
                && a.action.changes()
                && request.asks_for_credential_change());
        let grounded =
            !tainted && !unnamed_credential && asked && request.names_what(a, trusted_has);
        self.grounded.push(grounded);
        if let Some(obs) = step.observation.as_deref() {
            let lower = obs.to_lowercase();
            if injected {
                self.injected.push_str(&lower);
                self.injected.push('\n');
                self.injected_compact.push_str(&compact(&lower));
                self.injected_compact.push('\n');
            } else if grounded {
                // Only the content the request points to (a step whose argument it names: the
                // file, the sender, the page) is delegated, and only its affirmative sentences
                // ask for anything ("do NOT send money" asks for no transfer).
                let pointed_to = args
                    .all
                    .iter()
                    .any(|t| t.trim().len() >= 4 && request.mentions(t));
                if self.delegating && pointed_to && budget.spend(lower.len()) {
                    self.delegated |= Request::new(Some(&imperatives(&lower))).asked_actions();
                }
                clean.push_str(&lower);
                clean.push('\n');
            }
        }
    }
}

/// A text's letters and digits, lower-cased (spaces, dashes and dots taken out): how
/// identifiers are compared whatever their grouping (`DE89 3704…` = `de893704…`).
pub(crate) fn compact(text: &str) -> String {
    if text.is_ascii() {
        // The same, byte by byte: an ASCII character is alphanumeric and lower-cases as ASCII.
        let mut out = String::with_capacity(text.len());
        out.extend(
            text.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return out;
    }
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// An account-like identifier — an IBAN, card or account number, plain or written in groups
/// ("DE89 3704 0044 0532 0130 00", "4111-1111-1111-1111") — as its [`compact`] form: only
/// letters, digits, spaces, `-` and `.`, and at least 8 characters with 4 digits once compacted.
/// `None` for anything else (a sentence, an address).
fn account_number(arg: &str) -> Option<String> {
    let t = arg.trim();
    let shaped = (8..=64).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.'))
        && t.bytes().filter(u8::is_ascii_digit).count() >= 4;
    shaped.then(|| compact(t)).filter(|c| c.len() >= 8)
}

/// An argument key holding a credential's value: `password`, `new_password`, `passwd`, `pwd`,
/// `passcode`, `pin`, `newPin`, `secret`, … (ASCII case-insensitively).
fn is_credential_key(key: &str) -> bool {
    [
        "password",
        "passwd",
        "passcode",
        "passphrase",
        "secret",
        "pwd",
    ]
    .iter()
    .any(|w| contains_ignore_ascii_case(key, w))
        || key.eq_ignore_ascii_case("pass")
        || key.eq_ignore_ascii_case("new_pass")
        || key
            .get(key.len().saturating_sub(3)..)
            .is_some_and(|end| end.eq_ignore_ascii_case("pin"))
}

/// Whether `haystack` contains `needle` (lower-case ASCII), ASCII case-insensitively, without
/// allocating.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The credential values a step sets: every string or number under a credential-like key
/// ([`is_credential_key`]) at any depth, and every top-level string of a tool named for a
/// password or passcode (`update_password(new="…")`).
fn credential_values(step: &Step) -> Vec<String> {
    fn collect(v: &serde_json::Value, credential: bool, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if credential => out.push(s.trim().to_owned()),
            serde_json::Value::Number(n) if credential => out.push(n.to_string()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, credential, out)),
            serde_json::Value::Object(o) => o
                .iter()
                .for_each(|(k, x)| collect(x, credential || is_credential_key(k), out)),
            _ => {}
        }
    }
    let named_for_it = ["password", "passcode", "passphrase"]
        .iter()
        .any(|w| contains_ignore_ascii_case(&step.tool, w));
    let mut out = Vec::new();
    for (k, v) in &step.args {
        let by_tool = named_for_it && v.is_string();
        collect(v, by_tool || is_credential_key(k), &mut out);
    }
    out.retain(|v| !v.is_empty());
    out
}

/// What a (lower-cased) text asks for, as the first word of each imperative clause, one a
/// line: a clause (cut at `. , ; : ! ?`, line breaks, "and", "then") read from its first word
/// after "please", "kindly", a list number or bullet. Sentences with a negation ("please do not
/// send money", "never share") are left out whole. So "1. Take a look at the file … and add
/// them to the file. 2. Send me an email …" asks for a write and a send, and neither "the rent
/// will be increased" (a noun) nor "contact archive@…" names a transfer or a deletion.
fn imperatives(text: &str) -> String {
    const NEGATIONS: &[&str] = &["not", "never", "no", "don't", "dont", "without", "nor"];
    const LEAD: &[&str] = &[
        "please", "kindly", "also", "just", "now", "pls", "-", "*", "•",
    ];
    let mut out = String::new();
    for sentence in text.split(['.', '!', '?', ';', '\n']) {
        let words: Vec<&str> = sentence
            // A backslash is a line break escaped in a serialized observation (`and\ add`).
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '\\' | '"'))
            .filter(|w| !w.is_empty())
            .collect();
        if words
            .iter()
            .any(|w| NEGATIONS.contains(w) || w.ends_with("n't"))
        {
            continue;
        }
        for clause in words.split(|w| matches!(*w, "and" | "then")) {
            let mut rest = clause.iter().skip_while(|w| {
                LEAD.contains(w) || w.chars().all(|c| c.is_ascii_digit() || c == ')')
            });
            // The verb, and the word after it only for the verbs the lexicon reads in two
            // ("send money", "top up"): a second word of its own ("contact archive@…") is not
            // read as a verb.
            if let Some(first) = rest.next() {
                out.push_str(first);
                if matches!(*first, "send" | "top") {
                    if let Some(second) = rest.next() {
                        out.push(' ');
                        out.push_str(second);
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

/// One step of a [`PlanContext`].
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'c> {
    /// Position in the plan.
    pub index: usize,
    /// The step as given.
    pub step: &'c Step,
    /// Its annotations.
    pub annotation: &'c StepAnnotation,
    /// Whether the request asks for it ([`Request::grounds`]).
    pub grounded: bool,
    args: &'c ArgStrings<'c>,
}

impl<'c> StepContext<'c> {
    /// Every string inside the step's argument values (nested object keys too, top-level keys
    /// not), depth-first in document order, down to
    /// [`MAX_ARG_DEPTH`](vigil_features::json_walk::MAX_ARG_DEPTH) levels.
    pub fn arg_strings(&self) -> &'c [&'c str] {
        &self.args.all
    }

    /// Whether `arg_strings()[i]` is (inside) the step's search-query argument (`query`, `q`,
    /// `keywords`, … — [`SEARCH_KEYS`](vigil_features::plan::SEARCH_KEYS)).
    pub fn is_query(&self, i: usize) -> bool {
        let (a, b) = self.args.queries;
        (a as usize..b as usize).contains(&i)
    }

    /// [`arg_strings`](Self::arg_strings) of at most 4 KiB, trimmed and lower-cased; built on
    /// first use.
    pub fn lower_arg_strings(&self) -> &'c [String] {
        self.args.lower.get_or_init(|| {
            self.args
                .all
                .iter()
                .filter(|s| s.len() <= MAX_LOWERED_LEN)
                .map(|s| s.trim().to_lowercase())
                .collect()
        })
    }

    /// The step sends something out: it is networked and not a read.
    pub fn sends(&self) -> bool {
        self.annotation.network && self.annotation.action != Action::Read
    }
}

/// The strings inside one step's arguments, and their lower-cased form once asked for.
#[derive(Debug)]
struct ArgStrings<'p> {
    all: Vec<&'p str>,
    /// `all[..]` indices `queries.0..queries.1` of the first search-query argument
    /// ([`is_search_key`]); empty when there is none.
    queries: (u32, u32),
    lower: OnceCell<Vec<String>>,
}

impl<'p> ArgStrings<'p> {
    fn of(step: &'p Step) -> Self {
        let mut all = Vec::new();
        let mut queries = (0, 0);
        for (k, v) in &step.args {
            let start = all.len();
            for_each_string_in(v, &mut |s| all.push(s));
            if queries.0 == queries.1 && is_search_key(k) {
                queries = (
                    u32::try_from(start).unwrap_or(u32::MAX),
                    u32::try_from(all.len()).unwrap_or(u32::MAX),
                );
            }
        }
        ArgStrings {
            all,
            queries,
            lower: OnceCell::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_letters_and_digits_lower_cased() {
        assert_eq!(compact("DE89 3704-0044.05"), "de893704004405");
        assert_eq!(compact("  "), "");
        // Non-ASCII text takes the character path: the same rule.
        assert_eq!(compact("Zürich Straße 5"), "zürichstraße5");
        assert_eq!(compact("ÉTÉ-2024"), "été2024");
    }

    #[test]
    fn content_asks_for_what_its_affirmative_imperative_clauses_begin_with() {
        let asked = |text: &str| Request::new(Some(&imperatives(text))).asked_actions();
        let bit = |a: Action| 1u16 << a as usize;
        // A serialized e-mail: escaped line breaks, a numbered list, "and" opening a clause.
        assert_eq!(
            asked(
                "please do the following:\\n  - 1. take a look at\\ the file, suggest two, and\\ add them to the file.\\n  - 2. send me an email with the scores"
            ),
            bit(Action::Write) | bit(Action::Send)
        );
        // Negated sentences ask for nothing; nouns and addresses are not verbs.
        assert_eq!(
            asked("please do not send money or delete files. contact archive@mail-keeper.example"),
            0
        );
        assert_eq!(asked("the rent will be increased by 100.00"), 0);
    }

    #[test]
    fn steps_carry_their_strings_annotations_and_grounding() {
        let plan: Plan = vigil_contracts::from_json_str(
            r#"{"request": "email the Q3 report to dana@acme.example", "steps": [
              {"tool": "read_file", "args": {"path": "  /Reports/Q3.xlsx ", "opts": {"mode": ["r"]}}},
              {"tool": "send_email", "args": {"to": "dana@acme.example", "body": "attached"}}]}"#,
        )
        .unwrap();
        let ctx = PlanContext::new(&ToolAnnotator::default(), &plan);
        assert_eq!(ctx.len(), 2);
        ctx.with_step(0, |read| {
            assert_eq!(read.arg_strings(), ["  /Reports/Q3.xlsx ", "mode", "r"]);
            assert_eq!(read.lower_arg_strings(), ["/reports/q3.xlsx", "mode", "r"]);
            assert!(!read.sends());
        });
        ctx.with_step(1, |send| {
            assert!(send.sends() && send.grounded);
            assert_eq!(send.annotation.endpoints, ["dana@acme.example"]);
        });
        assert_eq!(ctx.features()[0], 2.0);
    }

    #[test]
    fn searches_are_exact_within_the_budget_and_trust_nothing_past_it() {
        let budget = ScanBudget(Cell::new(10));
        // Within the budget: the answer of `str::contains`, whatever `when_spent` says.
        assert!(budget.contains("abcde", "cd", false));
        assert!(!budget.contains("abcde", "xy", true));
        assert_eq!(budget.0.get(), 0);
        // Spent: the given answer, and nothing left.
        assert!(!budget.contains("abcde", "cd", false));
        assert!(budget.contains("abcde", "xy", true));
        assert!(!budget.spend(1));
        assert!(budget.spend(0));

        let budget = ScanBudget(Cell::new(8));
        let trusted = TrustedText {
            text: "dana@acme.example",
            budget: &budget,
        };
        // 17 bytes do not fit in 8: not found, so not grounded by it.
        assert!(!trusted.contains("dana@acme.example"));
        assert!(!trusted.search("abc", "a"));
    }

    #[test]
    fn a_long_plan_of_read_then_send_pairs_is_judged_in_linear_time() {
        // 3,000 pairs with 2 KB observations: checking every send against all that was read
        // before would read about 9 GB; the budget stops at 256 MiB.
        let obs = "lorem ipsum dolor sit amet ".repeat(80);
        let steps: Vec<String> = (0..3000)
            .map(|i| {
                format!(
                    r#"{{"tool": "read_file", "args": {{"path": "f{i}.txt"}}, "observation": "{obs} bob{i}@example.com"}},
                       {{"tool": "send_email", "args": {{"recipients": ["bob{i}@example.com"], "body": "hi"}}}}"#
                )
            })
            .collect();
        let plan: Plan = vigil_contracts::from_json_str(&format!(
            r#"{{"request": "read the files and email the people they name", "steps": [{}]}}"#,
            steps.join(",")
        ))
        .unwrap();
        let ctx = PlanContext::new(&ToolAnnotator::default(), &plan);
        // Early sends are grounded by the file read just before them (exact answers)...
        ctx.with_step(1, |s| assert!(s.grounded));
        // ...late ones, past the budget, are not: they are judged as not asked for.
        ctx.with_step(5999, |s| assert!(!s.grounded));
        assert_eq!(ctx.budget.0.get(), 0);
    }
}
