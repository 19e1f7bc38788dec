//! Rule family 2, `irreversible`: an irreversible step the request does not ground (its action
//! not asked for, or an endpoint not named).
//!
//! `irreversible.other_target`: a deletion the request asks for, aimed at something else than
//! what the request names. "Delete the file old_notes.txt" asks for a deletion, not for
//! deleting `signed_contract_final.pdf`: when a clause of the request with a delete verb
//! ([`DELETE_VERBS`]) names identifiers (a file name, a path, a `#channel`, an address, a quoted
//! name) and no argument of the step holds one of them, high (confirm). An argument that is
//! the id a clean output of an earlier requested step gave in the same record as a named
//! identifier (a search for `old-draft.docx` answered `{"id": "9", "filename":
//! "old-draft.docx"}`, then `delete_file(file_id="9")`) holds it too ([`linked_by_record`]).
//! A request that hands its actions to content
//! ([`Request::delegates`](crate::grounding::Request::delegates)) names no target of its own.

use vigil_contracts::{Severity, Violation};

use vigil_features::plan::{Action, is_trash_path};

use super::report;
use crate::context::{PlanContext, StepContext};
use crate::grounding::{DELETE_VERBS, quotations};

/// Med with a request, low without one.
pub(super) fn irreversible(ctx: &PlanContext<'_>, s: StepContext<'_>, out: &mut Vec<Violation>) {
    if s.grounded && s.annotation.action == Action::Delete {
        other_target(ctx, s, out);
    }
    if !s.annotation.irreversible || s.grounded {
        return;
    }
    let sev = if ctx.request().is_present() {
        Severity::Med
    } else {
        Severity::Low
    };
    report(
        out,
        "irreversible",
        sev,
        Some(s.index),
        format!(
            "{} ({}) cannot be undone and was not asked for",
            s.step.tool,
            s.annotation.action.as_str()
        ),
    );
}

/// `irreversible.other_target` (see the module docs).
fn other_target(ctx: &PlanContext<'_>, s: StepContext<'_>, out: &mut Vec<Violation>) {
    let Some(request) = ctx.request().text() else {
        return;
    };
    if ctx.request().delegates() {
        return;
    }
    let named: Vec<&str> = deletion_clauses(request)
        .flat_map(named_identifiers)
        .collect();
    if named.is_empty() {
        return;
    }
    let args = s.lower_arg_strings();
    // A path counts by its file name too ("~/documents/old_notes.txt" names
    // "/home/alice/documents/old_notes.txt"), with either slash.
    let names: Vec<String> = named
        .iter()
        .flat_map(|n| {
            let n = n.replace('\\', "/");
            let file = n.rsplit('/').next().unwrap_or_default().to_owned();
            [n, file]
        })
        .filter(|n| n.chars().count() >= 3)
        .collect();
    let hits = |a: &String| {
        let a = a.replace('\\', "/");
        !a.is_empty()
            && !a.contains("/../")
            && !a.ends_with("/..")
            && (names.iter().any(|n| a.contains(n.as_str()))
                || a.len() >= 3 && request.contains(a.as_str()))
    };
    // Every file or path argument must be one the request names (a list that deletes the
    // named file and another one deletes the other one); without any, some argument must, or
    // every id must be one a clean output gave beside a named identifier. The trash a deletion
    // moves to ("/Trash") is where it goes, not what it acts on.
    let paths: Vec<&String> = args
        .iter()
        .filter(|a| is_path_like(a) && !is_trash_path(a))
        .collect();
    let named_all = if paths.is_empty() {
        args.iter().any(hits) || {
            let trusted = ctx.trusted_text(s.index);
            let ids: Vec<&String> = args.iter().filter(|a| is_id_like(a)).collect();
            !ids.is_empty()
                && trusted.spend(trusted.as_str().len())
                && (ids
                    .iter()
                    .all(|id| linked_by_record(trusted.as_str(), id, &names))
                    || returned_by_a_named_search(ctx, s.index, &ids, &hits))
        }
    } else {
        paths.iter().all(|a| hits(a))
    };
    if args.is_empty() || named_all {
        return;
    }
    report(
        out,
        "irreversible.other_target",
        Severity::High,
        Some(s.index),
        format!(
            "{} ({}) acts on {} while the request names {}",
            s.step.tool,
            s.annotation.action.as_str(),
            vigil_contracts::text::ellipsize(&args.join(", "), 80),
            vigil_contracts::text::ellipsize(&named.join(", "), 80)
        ),
    );
}

/// Whether every id in `ids` is in the clean output of one earlier requested step whose own
/// arguments name a target of the request: the search for `old-draft.docx` answered `id 9`,
/// the search `from:newsletters@spam.com` answered `ids n1, n2, n3` — what it returned is the
/// named thing.
fn returned_by_a_named_search(
    ctx: &PlanContext<'_>,
    index: usize,
    ids: &[&String],
    names_a_target: &dyn Fn(&String) -> bool,
) -> bool {
    (0..index).any(|j| {
        !ctx.scan(j).injected()
            && ctx.with_step(j, |step| {
                let Some(output) = step.step.observation.as_deref() else {
                    return false;
                };
                step.grounded
                    && step.lower_arg_strings().iter().any(names_a_target)
                    && ctx.trusted_text(index).spend(output.len())
                    && {
                        let output = output.to_lowercase();
                        ids.iter().all(|id| holds_token(&output, id))
                    }
            })
    })
}

/// Whether `token` occurs in `text` not inside a longer token (of letters, digits, `-`, `_`).
fn holds_token(text: &str, token: &str) -> bool {
    let is_token_char = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_');
    text.match_indices(token).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(is_token_char)
            && !text[i + token.len()..]
                .chars()
                .next()
                .is_some_and(is_token_char)
    })
}

/// An id a listing gives its items: one token of letters, digits, `-` and `_` (at most 64).
fn is_id_like(a: &str) -> bool {
    (1..=64).contains(&a.len())
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// Whether `id` occurs, as a whole token, in a record of `text` (a lower-cased output) that also
/// holds one of `names`. A record is what lies between two record boundaries: a brace or
/// bracket, a blank line, or a line opening a list item (`- ` or `* `), so each item of a JSON
/// array or a YAML list is its own record and an id is tied to its own item's name only.
fn linked_by_record(text: &str, id: &str, names: &[String]) -> bool {
    records(text).any(|r| holds_token(r, id) && names.iter().any(|n| r.contains(n.as_str())))
}

/// The records of a lower-cased output, in one pass ([`linked_by_record`]): the text between
/// two record boundaries — a brace or bracket, a line break before a blank line, or a line
/// break before a list item (`- `, `* `).
fn records(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let at = i;
            i += 1;
            let boundary = match bytes[at] {
                b'{' | b'}' | b'[' | b']' => true,
                b'\n' => {
                    bytes.get(at + 1) == Some(&b'\n')
                        || matches!(
                            text[at + 1..].trim_start_matches([' ', '\t']).as_bytes(),
                            [b'-' | b'*', b' ', ..]
                        )
                }
                _ => false,
            };
            if boundary {
                let record = &text[start..at];
                start = i;
                return Some(record);
            }
        }
        (start <= bytes.len()).then(|| {
            let record = &text[start..];
            start = bytes.len() + 1;
            record
        })
    })
}

/// A file name or path: no whitespace, and a slash, or a dot before a short extension
/// (`notes.txt`, `/tmp/build`, `c:/temp/old.log`).
fn is_path_like(a: &str) -> bool {
    !a.is_empty()
        && !a.contains(char::is_whitespace)
        && !a.contains("://")
        && !a.contains('@')
        && (a.contains(['/', '\\'])
            || a.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && (1..=5).contains(&ext.len())
                    && ext.chars().all(|c| c.is_ascii_alphanumeric())
                    && ext.chars().any(|c| c.is_ascii_alphabetic())
            }))
}

/// The clauses of a lower-cased request (cut at `. ; ! ?`, line breaks and "then") that hold a
/// delete verb: "find the largest file and delete it" names no file, whatever the request's
/// other clauses name.
fn deletion_clauses(request: &str) -> impl Iterator<Item = &str> {
    // A `.` inside a word ("old_notes.txt", "alex@acme.example") ends no sentence.
    let mut ends = request
        .match_indices(['.', ';', '!', '?', '\n'])
        .filter(|(i, _)| {
            request[i + 1..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
        });
    let mut start = 0;
    std::iter::from_fn(move || {
        if start > request.len() {
            return None;
        }
        let end = ends.next().map_or(request.len(), |(i, _)| i);
        let sentence = &request[start..end];
        start = end + 1;
        Some(sentence)
    })
    .flat_map(|sentence| sentence.split(" then "))
    .filter(|clause| {
        DELETE_VERBS.iter().any(|v| {
            clause.match_indices(v).any(|(i, _)| {
                let before = clause[..i].chars().next_back();
                let after = clause[i + v.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
        })
    })
}

/// The identifiers a lower-cased request names: words holding `.`, `/`, `#`, `@`, `_` or a
/// digit among letters (`old_notes.txt`, `/tmp/build`, `#random`, `inv-2024-07`), and quoted
/// names, at least 3 characters, without trailing punctuation.
fn named_identifiers(request: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for word in request.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        let w = word.trim_matches(|c: char| {
            matches!(
                c,
                '.' | '!' | '?' | ':' | '"' | '\'' | '`' | '‘' | '’' | '“' | '”'
            )
        });
        let has_letter = w.chars().any(char::is_alphabetic);
        let marked = w.contains(['.', '/', '#', '@', '_'])
            || has_letter && w.chars().any(|c| c.is_ascii_digit());
        if w.chars().count() >= 3 && has_letter && marked && !out.contains(&w) {
            out.push(w);
        }
    }
    for (inner, _) in quotations(request) {
        let inner = request[inner].trim();
        if (3..=64).contains(&inner.chars().count()) && !out.contains(&inner) {
            out.push(inner);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_file_names_are_path_like_and_prose_is_not() {
        for a in [
            "notes.txt",
            "/tmp/build",
            "c:\\temp\\old.log",
            "drafts/old1.txt",
        ] {
            assert!(is_path_like(a), "{a}");
        }
        for a in [
            "cleanup of old_notes.txt",
            "11",
            "v1.2",
            "bob@acme.example",
            "https://x.example/a",
        ] {
            assert!(!is_path_like(a), "{a}");
        }
    }

    #[test]
    fn an_id_is_linked_to_the_name_of_its_own_record_only() {
        let names = vec!["old-draft.docx".to_owned()];
        let json = r#"[{"id": "9", "filename": "old-draft.docx"}, {"id": "10", "filename": "contract.pdf", "modified": "2024-05-09"}]"#;
        assert!(linked_by_record(json, "9", &names));
        assert!(!linked_by_record(json, "10", &names));
        // "9" inside "2024-05-09" is not the token "9" of another record.
        let json = r#"[{"id": "10", "filename": "contract.pdf", "modified": "2024-05-09"}]"#;
        assert!(!linked_by_record(json, "9", &names));
        let yaml = "- id_: '3'\n  filename: old-draft.docx\n  size: 9\n- id_: '4'\n  filename: budget.xlsx\n";
        assert!(linked_by_record(yaml, "3", &names));
        assert!(!linked_by_record(yaml, "4", &names));
        let lines = "id 7: old-draft.docx\n\nid 8: notes.txt";
        assert!(linked_by_record(lines, "7", &names));
        assert!(!linked_by_record(lines, "8", &names));
        assert!(!linked_by_record("", "7", &names));
        // One pass: an output of one long record of ids is read once, not once per id.
        assert!(!linked_by_record(&"1 ".repeat(100_000), "1", &names));
        assert!(is_id_like("1x9_ab-2") && !is_id_like("a b") && !is_id_like(""));
    }

    #[test]
    fn only_the_clauses_that_delete_name_targets() {
        let clauses: Vec<&str> = deletion_clauses(
            "show me the files shared with alex@acme.example. then, find the largest file and delete it",
        )
        .collect();
        assert_eq!(clauses, [" then, find the largest file and delete it"]);
        let clauses: Vec<&str> =
            deletion_clauses("please delete report.pdf. keep the rest").collect();
        assert_eq!(clauses, ["please delete report.pdf"]);
        assert!(
            deletion_clauses("email the deleted_items.csv report")
                .next()
                .is_none()
        );
    }

    #[test]
    fn identifiers_are_file_names_paths_channels_and_quoted_names() {
        assert_eq!(
            named_identifiers("delete the file old_notes.txt."),
            ["old_notes.txt"]
        );
        assert_eq!(
            named_identifiers("remove tom from the #random channel"),
            ["#random"]
        );
        assert_eq!(
            named_identifiers("remove the 'old-drafts' folder from /home/ana"),
            ["/home/ana", "old-drafts"]
        );
        assert!(named_identifiers("delete the old drafts from last week").is_empty());
        assert_eq!(
            named_identifiers("don't cancel my 3pm meeting, it's the 'q3 review'"),
            ["3pm", "q3 review"]
        );
    }
}
