//! The argument scan: one pass over a step's argument strings for URLs, e-mail addresses,
//! paths, SQL and sensitive terms, and the command line of shell-like steps. Every string is
//! read through the look-alike [`fold`](crate::fold::fold) first.

use std::sync::OnceLock;

use crate::regex_fast::WordRegex;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde_json::Value;

use super::lexicon::SENSITIVE_SUBSTRINGS;
use crate::fold::fold;
use crate::json_walk::for_each_string_in;

/// What a pass over a step's argument values found (URLs, e-mails, paths, SQL, sensitive terms).
#[derive(Debug, Default)]
pub(super) struct ArgScan {
    pub(super) urls: Vec<String>,
    pub(super) emails: Vec<String>,
    pub(super) has_path: bool,
    pub(super) has_sql: bool,
    /// A sensitive term outside the search-query arguments (or in an argument name).
    pub(super) sensitive: bool,
    /// A sensitive term in a search-query argument ([`SEARCH_KEYS`]): the words a user searches
    /// their own mail or files for ("password reset"), sensitive only when the step is not a read.
    pub(super) query_sensitive: bool,
}

/// Argument names that hold a search query (compared case-insensitively). A read whose only
/// sensitive word is in its query — `search_emails(query="password reset")` — reads the user's
/// own data about the topic, not a credential store.
pub const SEARCH_KEYS: &[&str] = &[
    "query",
    "q",
    "search",
    "search_query",
    "search_term",
    "search_terms",
    "keyword",
    "keywords",
    "term",
    "terms",
];

/// Whether `key` names a search query ([`SEARCH_KEYS`]).
pub fn is_search_key(key: &str) -> bool {
    SEARCH_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

struct ScanRegexes {
    url: WordRegex,
    email: WordRegex,
    /// [`SQL_PATTERN`].
    sql: regex::Regex,
    /// The keywords every [`SQL_PATTERN`] match starts with (ASCII case-insensitively): on
    /// ASCII text, the regex runs only when one is there.
    sql_keywords: AhoCorasick,
    /// [`SENSITIVE_SUBSTRINGS`] ASCII case-insensitively: exactly what their `(?i-u)`
    /// alternation matches, with the automaton built in full here, not lazily on new text.
    sensitive: AhoCorasick,
}

const SQL_PATTERN: &str = r"(?i)(?-u:\b)(select\s[^;]*\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|drop\s+(table|database)|truncate\s+table|grant\s+\w+)";

/// The first word of each alternative of [`SQL_PATTERN`].
const SQL_KEYWORDS: &[&str] = &[
    "select", "insert", "update", "delete", "drop", "truncate", "grant",
];

/// A full (DFA) ASCII case-insensitive automaton of `literals`.
fn literal_automaton(literals: &[&str]) -> AhoCorasick {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(literals)
        .expect("literal automaton")
}

/// Compiles the scan's regexes now (at model construction) instead of on the first string.
pub fn warm_up() {
    let r = scan_regexes();
    let _ = r.sql.is_match(crate::regex_fast::WARM_UP_TEXT);
    r.url.warm_up();
    r.email.warm_up();
}

fn scan_regexes() -> &'static ScanRegexes {
    static R: OnceLock<ScanRegexes> = OnceLock::new();
    R.get_or_init(|| ScanRegexes {
        url: WordRegex::new(
            r#"(?i)\b(?:https?|ftp|wss?|sftp)://([^\s/:?#"'<>@]+@)?([a-z0-9.\-\[\]:_]+)"#,
        )
        .expect("url regex"),
        email: WordRegex::new(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+\b")
            .expect("email regex"),
        // Word boundaries ASCII-only so the lazy DFA handles them.
        sql: regex::Regex::new(SQL_PATTERN).expect("sql regex"),
        sql_keywords: literal_automaton(SQL_KEYWORDS),
        sensitive: literal_automaton(SENSITIVE_SUBSTRINGS),
    })
}

impl ScanRegexes {
    /// Whether `s` holds an SQL statement ([`SQL_PATTERN`]). A non-ASCII text always runs the
    /// regex (its `(?i)` is Unicode: `ſ` matches `s`).
    fn is_sql(&self, s: &str) -> bool {
        (!s.is_ascii() || self.sql_keywords.is_match(s)) && self.sql.is_match(s)
    }
}

impl ArgScan {
    pub(super) fn of(args: &serde_json::Map<String, Value>) -> Self {
        let mut scan = ArgScan::default();
        for (k, v) in args {
            if scan_regexes().sensitive.is_match(fold(k).as_ref()) {
                scan.sensitive = true;
            }
            if is_search_key(k) {
                // Same scan, but a sensitive word found here counts as a query's — unless the
                // query is SQL (`SELECT password FROM users` reads the secret itself).
                let (sensitive, sql) = (scan.sensitive, scan.has_sql);
                (scan.sensitive, scan.has_sql) = (false, false);
                scan.visit(v);
                let (found, is_sql) = (scan.sensitive, scan.has_sql);
                scan.has_sql = sql || is_sql;
                scan.sensitive = sensitive || (found && is_sql);
                scan.query_sensitive |= found && !is_sql;
            } else {
                scan.visit(v);
            }
        }
        scan
    }

    fn visit(&mut self, v: &Value) {
        for_each_string_in(v, &mut |s| self.text(s));
    }

    /// Scans one argument string, look-alikes folded first (`attacker@ｅｖｉｌ.ｅｘａｍｐｌｅ`).
    pub(super) fn text(&mut self, s: &str) {
        let s = &*fold(s);
        let r = scan_regexes();
        // Most argument values hold no colon: one byte scan spares them the searches for
        // `://` and `:\\`.
        let has_colon = s.contains(':');
        if has_colon && s.contains("://") {
            for m in r.url.find_iter(s) {
                self.urls
                    .push(url_host(m.as_str()).trim_end_matches('.').to_lowercase());
            }
        }
        if s.contains('@') {
            for m in r.email.find_iter(s) {
                // Skip the user@ part of URLs, caught as hosts above.
                let before = &s[..m.start()];
                if !before.ends_with("//") {
                    self.emails.push(m.as_str().to_lowercase());
                }
            }
        }
        if s.starts_with('/')
            || s.starts_with("~/")
            || (has_colon && s.contains(":\\"))
            || s.contains("/etc/")
        {
            self.has_path = true;
        }
        if !self.has_sql {
            self.has_sql = r.is_sql(s);
        }
        if !self.sensitive {
            self.sensitive = r.sensitive.is_match(s);
        }
    }

    pub(super) fn endpoints(&self) -> impl Iterator<Item = String> + '_ {
        self.urls.iter().chain(&self.emails).cloned()
    }
}

/// The host of a match of the URL pattern (its second group), read off the match: what follows
/// `scheme://` and the user part up to its `@`, if any. Neither the scheme nor the host can hold
/// `://` or `@`, and the user part ends at the only `@`. A capture search costs several times the
/// match itself (the pattern's Unicode classes make a large automaton to backtrack over).
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.rsplit_once('@').map_or(rest, |(_, host)| host)
}

/// The command line of a shell-like step (`command`, `cmd`, `script`, or `args` as a list),
/// look-alikes folded.
pub(super) fn command_text(args: &serde_json::Map<String, Value>) -> Option<String> {
    for key in ["command", "cmd", "script", "args", "argv"] {
        match args.get(key) {
            Some(Value::String(s)) => return Some(fold(s).into_owned()),
            Some(Value::Array(a)) => {
                let parts: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                return Some(fold(&parts.join(" ")).into_owned());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The host read off a URL match is the pattern's host group, whatever the user part.
    #[test]
    fn url_hosts_are_the_host_group_of_each_match() {
        let r = scan_regexes();
        let texts = [
            "see https://example.com/a and http://x.org.",
            "HTTPS://Bob:pw@Host.Example:8443/p",
            "ftp://user@ftp.example.net/file and wss://a@b@c",
            "sftp://@host",
            "http://user@ later",
            "mailto:x@y.z http://[::1]:80/ https://ſub.example",
            "https://ünï.example/ http://a_b-c.d",
            "no url here://",
        ];
        for t in texts {
            let by_groups: Vec<&str> = r
                .url
                .captures_iter(t)
                .filter_map(|c| c.get(2))
                .map(|h| h.as_str())
                .collect();
            let by_matches: Vec<&str> = r.url.find_iter(t).map(|m| url_host(m.as_str())).collect();
            assert_eq!(by_matches, by_groups, "{t:?}");
        }
    }

    /// The keyword gate and the literal automaton answer what the regexes they replace did.
    #[test]
    fn gated_sql_and_sensitive_literals_agree_with_the_regexes() {
        let r = scan_regexes();
        let alt: Vec<String> = SENSITIVE_SUBSTRINGS
            .iter()
            .map(|s| regex::escape(s))
            .collect();
        let sensitive = regex::Regex::new(&format!("(?i-u){}", alt.join("|"))).unwrap();
        let texts = [
            "SELECT name FROM users",
            "ſelect x from y",
            "insert  into t",
            "UPDATE orders SET a=1",
            "Delete From logs",
            "drop table x",
            "truncate TABLE y",
            "grant all on db",
            "please select the best from the list",
            "reset my PassWord",
            "Social Security number",
            "/home/me/.ENV",
            "nothing to see",
            "é credit card",
            "",
        ];
        for t in texts {
            assert_eq!(r.is_sql(t), r.sql.is_match(t), "{t:?}");
            assert_eq!(r.sensitive.is_match(t), sensitive.is_match(t), "{t:?}");
        }
    }
}
