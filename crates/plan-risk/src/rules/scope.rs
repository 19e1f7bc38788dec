//! Rule families 8, `broad_scope` (an irreversible mass operation), and 7, `scope_ambiguity`
//! (a consequential step with a vague or missing target). Both read the step's target values;
//! a step with a broad scope is not also ambiguous.

use serde_json::Value;
use vigil_contracts::{Severity, Step, Violation};
use vigil_features::plan::Action;

use super::report;
use crate::context::{PlanContext, StepContext};
use crate::grounding::WordList;

/// Target values that say "no particular target".
const VAGUE: &[&str] = &[
    "",
    "?",
    "??",
    "...",
    "etc",
    "etc.",
    "whatever",
    "stuff",
    "things",
    "something",
    "somewhere",
    "someone",
    "somebody",
    "tbd",
    "todo",
    "xxx",
    "<target>",
    "<recipient>",
    "the usual",
    "n/a",
    "unknown",
    "any",
    "anything",
];
/// Target values that mean "everything".
const MASS: &[&str] = &[
    "*",
    "/*",
    "all",
    "everything",
    "everyone",
    "all_users",
    "all users",
    "*@*",
    "%",
];
/// Target values that a recursive operation turns into "everything".
const MASS_ROOTS: &[&str] = &["/", "~", "~/", "/home", "c:\\", "."];
/// Tool-name tokens of bulk operations.
const MASS_TOOL_TOKENS: &[&str] = &["all", "bulk", "mass", "batch", "everyone", "purge", "wipe"];
/// A list argument this long is a mass operation.
const MASS_LIST_LEN: usize = 20;
/// Argument keys that name what a step acts on (see [`is_target_key`]).
const TARGET_KEYS: &[&str] = &[
    "to",
    "recipient",
    "recipients",
    "path",
    "file",
    "target",
    "id",
    "account",
    "table",
    "user",
    "email",
    "address",
    "destination",
    "dest",
    "url",
    "resource",
    "name",
    "payee",
    "device",
    "ids",
    "items",
    "query",
    "folder",
    "scope",
    "filter",
    "where",
    "selector",
    "pattern",
    "glob",
    "bucket",
    "prefix",
    "objects",
    "messages",
    "users",
    "files",
    "zone",
    "with",
    "username",
];
/// Request words that ask for a mass operation.
const MASS_REQUEST: &[&str] = &[
    "all ",
    "every",
    "entire",
    "whole",
    "clean up",
    "clear out",
    "inactive",
    "bulk",
    "in bulk",
];

/// [`MASS_REQUEST`], searched in one pass.
static MASS_REQUEST_LIST: WordList = WordList::new(MASS_REQUEST);

/// Builds the word automaton now (at monitor construction).
pub(super) fn warm_up() {
    MASS_REQUEST_LIST.warm_up();
}

/// An irreversible step on everything matching its target (`*`, `all`, recursive on `/` or `~`,
/// ≥ 20 list items, a bulk tool): high when the request asks for the action in bulk, crit
/// otherwise. Returns whether it fired.
pub(super) fn broad_scope(
    ctx: &PlanContext<'_>,
    s: StepContext<'_>,
    out: &mut Vec<Violation>,
) -> bool {
    let (step, ann) = (s.step, s.annotation);
    if !ann.irreversible {
        return false;
    }
    let mass_value = target_values(step).any(|v| is_one_of(v, MASS))
        || step
            .args
            .get("recursive")
            .is_some_and(|r| r == &Value::Bool(true))
            && target_values(step).any(|v| is_one_of(v, MASS_ROOTS))
        || step
            .args
            .values()
            .any(|x| matches!(x, Value::Array(a) if a.len() >= MASS_LIST_LEN))
        || ann
            .tokens
            .iter()
            .any(|t| MASS_TOOL_TOKENS.contains(&t.as_str()));
    if !mass_value {
        return false;
    }
    let request = ctx.request();
    let asked = request.asks_for(ann.action) && request.mentions_any(&MASS_REQUEST_LIST);
    let sev = if asked {
        Severity::High
    } else {
        Severity::Crit
    };
    report(
        out,
        "broad_scope",
        sev,
        Some(s.index),
        format!("{} acts on everything matching its target", step.tool),
    );
    true
}

/// A consequential step (irreversible or a write) whose target is vague, or a send, delete,
/// transfer or grant with no arguments at all: med.
pub(super) fn scope_ambiguity(s: StepContext<'_>, out: &mut Vec<Violation>) {
    let (step, ann) = (s.step, s.annotation);
    let consequential = ann.irreversible || ann.action == Action::Write;
    if !consequential {
        return;
    }
    let vague = target_values(step).any(|v| is_one_of(v, VAGUE) || v.chars().all(|c| c == '?'))
        || (step.args.is_empty()
            && matches!(
                ann.action,
                Action::Send | Action::Delete | Action::Transfer | Action::Grant
            ));
    if vague {
        report(
            out,
            "scope_ambiguity",
            Severity::Med,
            Some(s.index),
            format!("{} has a vague or missing target", step.tool),
        );
    }
}

/// The trimmed string values (and string list items) under the step's target keys.
fn target_values(step: &Step) -> impl Iterator<Item = &str> + '_ {
    step.args
        .iter()
        .filter(|(k, _)| is_target_key(k))
        .flat_map(|(_, v)| {
            let items: Box<dyn Iterator<Item = &str>> = match v {
                Value::String(s) => Box::new(std::iter::once(s.trim())),
                Value::Array(a) => Box::new(a.iter().filter_map(|x| x.as_str().map(str::trim))),
                _ => Box::new(std::iter::empty()),
            };
            items
        })
}

/// Keys that name what a step acts on: the [`TARGET_KEYS`] and any `*_id(s)`, `*_name`,
/// `*_path` key.
fn is_target_key(k: &str) -> bool {
    // Compared ASCII case-insensitively in place: every step's keys pass through here, and a
    // lower-cased copy of each cost an allocation.
    is_one_of(k, TARGET_KEYS)
        || ["_id", "_ids", "_name", "_path", "_email"].iter().any(|s| {
            k.len() >= s.len()
                && k.as_bytes()[k.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
        })
}

/// A vague target value (`""`, `?`, `tbd`, `someone`, …): not a named recipient or grantee.
pub(super) fn is_vague(v: &str) -> bool {
    let v = v.trim();
    is_one_of(v, VAGUE) || v.chars().all(|c| c == '?')
}

/// ASCII case-insensitive membership.
fn is_one_of(s: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(s))
}
