//! What a SQL text does: a query tool (`sql_query`, `run_query`, `snowflake.query`) is named
//! for reading, but `DELETE FROM users`, `CREATE ROLE … SUPERUSER` or `GRANT … TO PUBLIC`
//! sent through it changes the database. The annotator raises such a step's action to what
//! its statements do ([`statement_action`]), never lowers it.
//!
//! ```
//! use vigil_features::plan::{Action, sql_statement_action};
//!
//! assert_eq!(sql_statement_action("SELECT count(*) FROM users"), Some(Action::Read));
//! assert_eq!(sql_statement_action("DELETE FROM users WHERE id = 4"), Some(Action::Delete));
//! assert_eq!(sql_statement_action("select 1; GRANT ALL ON db TO public"), Some(Action::Grant));
//! assert_eq!(sql_statement_action("find the largest customers"), None);
//! ```

use super::Action;
use super::annotator::riskier;

/// Statement keywords and what they do. A statement is read by its first keyword (after
/// comments and a `WITH … AS (…)` prefix, which can hide a `DELETE` in PostgreSQL).
const STATEMENTS: &[(&str, Action)] = &[
    ("select", Action::Read),
    ("show", Action::Read),
    ("describe", Action::Read),
    ("desc", Action::Read),
    ("explain", Action::Read),
    ("values", Action::Read),
    ("table", Action::Read),
    ("pragma", Action::Read),
    ("insert", Action::Write),
    ("update", Action::Write),
    ("merge", Action::Write),
    ("upsert", Action::Write),
    ("replace", Action::Write),
    ("create", Action::Write),
    ("alter", Action::Write),
    ("comment", Action::Write),
    ("copy", Action::Write),
    ("set", Action::Write),
    ("vacuum", Action::Write),
    ("reindex", Action::Write),
    ("delete", Action::Delete),
    ("drop", Action::Delete),
    ("truncate", Action::Delete),
    ("grant", Action::Grant),
    ("revoke", Action::Grant),
    ("call", Action::Execute),
    ("exec", Action::Execute),
    ("execute", Action::Execute),
    ("do", Action::Execute),
];

/// What the statements of `text` do, the riskiest one's action (the annotator's order of risk,
/// [`riskier`]); `None` when the text is not
/// SQL (no statement opens with a known keyword followed by more text).
pub fn statement_action(text: &str) -> Option<Action> {
    let mut found: Option<Action> = None;
    for statement in text.split(';') {
        let Some(action) = first_keyword_action(statement) else {
            continue;
        };
        found = Some(found.map_or(action, |f| riskier(f, action)));
    }
    found
}

/// The action of one statement's first keyword, skipping comments and a `WITH … AS (…)`
/// prefix (the statement after the last closing parenthesis of the common table expressions
/// decides, and a data-modifying one inside them counts too).
fn first_keyword_action(statement: &str) -> Option<Action> {
    let body = strip_comments(statement);
    let lower = body.trim_start().to_ascii_lowercase();
    let word = lower
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .filter(|w| !w.is_empty())?;
    // Prose that opens with "show" or "set" is no statement: a statement goes on.
    let rest = lower[word.len()..].trim_start();
    if rest.is_empty() {
        return None;
    }
    if word == "with" {
        // `WITH gone AS (DELETE FROM … RETURNING *) SELECT …`: any modifying keyword inside.
        return ["delete", "update", "insert", "drop", "truncate", "grant"]
            .iter()
            .filter(|k| contains_keyword(&lower, k))
            .filter_map(|k| STATEMENTS.iter().find(|(w, _)| w == k).map(|(_, a)| *a))
            .reduce(riskier)
            .or(Some(Action::Read));
    }
    let action = STATEMENTS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, a)| *a)?;
    // A sentence like "show me the top customers" or "update: the job failed" is no SQL: a
    // `show` or `describe` needs a clause keyword, a changing statement its object.
    let looks_like_sql = match word {
        "show" | "describe" | "desc" => [
            "from",
            "*",
            "(",
            "tables",
            "databases",
            "columns",
            "create",
            "index",
            "select",
        ]
        .iter()
        .any(|k| contains_keyword(rest, k) || rest.starts_with(k)),
        "select" | "values" | "table" | "pragma" | "explain" => true,
        "insert" => rest.starts_with("into"),
        "update" => contains_keyword(rest, "set"),
        "delete" => rest.starts_with("from") || rest.split_whitespace().nth(1) == Some("where"),
        "create" | "alter" | "drop" => [
            "table",
            "role",
            "user",
            "database",
            "schema",
            "index",
            "view",
            "function",
            "share",
            "trigger",
            "procedure",
            "extension",
            "sequence",
            "or",
        ]
        .iter()
        .any(|k| rest.starts_with(k)),
        "truncate" => true,
        "grant" | "revoke" => contains_keyword(rest, "to") || contains_keyword(rest, "from"),
        "copy" => contains_keyword(rest, "to") || contains_keyword(rest, "from"),
        "set" => rest.contains('=') || contains_keyword(rest, "to"),
        _ => !rest.contains(". "),
    };
    looks_like_sql.then_some(action)
}

/// `word` as a whole word of `text` (lower case).
fn contains_keyword(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The statement without `-- …` line comments and `/* … */` block comments.
fn strip_comments(statement: &str) -> String {
    let mut out = String::with_capacity(statement.len());
    let mut rest = statement;
    loop {
        let line = rest.find("--");
        let block = rest.find("/*");
        let line_first = match (line, block) {
            (None, None) => {
                out.push_str(rest);
                return out;
            }
            (Some(l), Some(b)) => l < b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
        };
        if let (true, Some(l)) = (line_first, line) {
            out.push_str(&rest[..l]);
            rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
        } else if let Some(b) = block {
            out.push_str(&rest[..b]);
            out.push(' ');
            rest = rest[b + 2..]
                .find("*/")
                .map_or("", |e| &rest[b + 2 + e + 2..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_read_by_their_first_keyword_and_the_riskiest_wins() {
        for (sql, action) in [
            ("SELECT rolname FROM pg_roles", Action::Read),
            ("  select * from t where a = 1;", Action::Read),
            ("SHOW TABLES", Action::Read),
            ("EXPLAIN SELECT 1 FROM t", Action::Read),
            ("INSERT INTO t VALUES (1)", Action::Write),
            ("UPDATE users SET admin = true WHERE id = 4", Action::Write),
            (
                "CREATE ROLE svc_sync LOGIN PASSWORD 'x' SUPERUSER;",
                Action::Write,
            ),
            ("CREATE INDEX ON events (ts)", Action::Write),
            ("DELETE FROM users WHERE 1=1;", Action::Delete),
            ("delete from sessions -- expired", Action::Delete),
            ("DROP TABLE IF EXISTS tmp", Action::Delete),
            ("TRUNCATE users, orders CASCADE", Action::Delete),
            (
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC",
                Action::Grant,
            ),
            ("SELECT 1; DROP TABLE users", Action::Delete),
            ("/* cleanup */ DELETE FROM logs", Action::Delete),
            ("-- note\nSELECT 1 FROM t", Action::Read),
            (
                "WITH gone AS (DELETE FROM users RETURNING *) SELECT count(*) FROM gone",
                Action::Delete,
            ),
            ("WITH t AS (SELECT 1) SELECT * FROM t", Action::Read),
            ("CALL refresh_all()", Action::Execute),
        ] {
            assert_eq!(statement_action(sql), Some(action), "{sql}");
        }
    }

    #[test]
    fn prose_is_not_sql() {
        for text in [
            "",
            "show me the top customers",
            "update: the nightly job failed",
            "delete",
            "create a summary of the report",
            "set up the dev environment",
            "find all users who signed up last week",
            "drop me a line",
        ] {
            assert_eq!(statement_action(text), None, "{text}");
        }
    }
}
