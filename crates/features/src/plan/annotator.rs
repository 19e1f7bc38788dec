//! The tool annotator: fills every missing annotation of a step from the step itself, then a
//! user-supplied [`ToolCatalog`], then the default lexicon — the action and resource domain
//! inferred from the tool name's tokens (and HTTP method or command line), irreversible,
//! sensitive, network, permission scopes, estimated cost and endpoints.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_contracts::{Plan, Step};

use super::args::{ArgScan, command_text, is_read_only_command};
use super::endpoints::normalise_endpoints;
use super::lexicon::{
    DELETE, DOMAINS, EXECUTE, GRANT, IRREVERSIBLE_TOKENS, NETWORK_TOKENS, READ, SEND,
    SENSITIVE_TOKENS, TRANSFER, WRITE,
};
use crate::{Error, Result};

/// What a step does, as inferred from its tool name (and HTTP method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Reads, lists, searches.
    Read,
    /// Creates or changes something that can be changed back.
    Write,
    /// Sends, posts or publishes content to someone else.
    Send,
    /// Deletes, drops, terminates, revokes.
    Delete,
    /// Moves money.
    Transfer,
    /// Grants access, unlocks, shares, changes permissions.
    Grant,
    /// Runs code or commands.
    Execute,
    /// Nothing recognisable.
    Other,
}

impl Action {
    /// Lower-case name (`send`, `delete`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Send => "send",
            Action::Delete => "delete",
            Action::Transfer => "transfer",
            Action::Grant => "grant",
            Action::Execute => "execute",
            Action::Other => "other",
        }
    }

    /// Actions whose effect cannot be undone by the agent.
    pub fn is_irreversible(self) -> bool {
        matches!(
            self,
            Action::Send | Action::Delete | Action::Transfer | Action::Grant | Action::Execute
        )
    }
}

/// A step with every annotation filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepAnnotation {
    /// Inferred (or catalogued) action.
    pub action: Action,
    /// Inferred (or catalogued) resource domain: `email`, `files`, `shell`, `payments`, `home`,
    /// `cloud`, `crm`, `social`, `db`, `web`, `calendar`, `iam` or `other`.
    pub domain: String,
    /// The step cannot be undone.
    pub irreversible: bool,
    /// The step touches sensitive data.
    pub sensitive: bool,
    /// The step makes an external network call.
    pub network: bool,
    /// Permission scopes (`domain:action`), unique, sorted.
    pub permissions: Vec<String>,
    /// Estimated cost in the budget's unit.
    pub estimated_cost: f64,
    /// External endpoints (hosts, e-mail addresses), unique, sorted.
    pub endpoints: Vec<String>,
    /// The tool name's lower-case tokens ([`tool_tokens`]), kept for the rules.
    #[serde(skip)]
    pub tokens: Vec<String>,
}

/// One catalogued tool: any field given overrides the lexicon for that tool.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// Action class.
    #[serde(default)]
    pub action: Option<Action>,
    /// Resource domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// Irreversible.
    #[serde(default)]
    pub irreversible: Option<bool>,
    /// Sensitive.
    #[serde(default)]
    pub sensitive: Option<bool>,
    /// Makes network calls.
    #[serde(default)]
    pub network: Option<bool>,
    /// Permission scopes.
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
    /// Per-call cost.
    #[serde(default)]
    pub estimated_cost: Option<f64>,
    /// Fixed endpoints the tool contacts.
    #[serde(default)]
    pub endpoints: Option<Vec<String>>,
}

/// A user-supplied tool catalog: `{"tools": {"<tool name>": {<CatalogEntry>}}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCatalog {
    /// Entries by exact tool name.
    pub tools: BTreeMap<String, CatalogEntry>,
}

impl ToolCatalog {
    /// Parses and validates a catalog; errors name the offending field
    /// (`tools.ship.estimated_cost: -1 must be ...`).
    pub fn from_json(text: &str) -> Result<Self> {
        let catalog: ToolCatalog =
            vigil_contracts::from_json_str(text).map_err(|e| Error::InvalidParam {
                param: "catalog".into(),
                value: vigil_contracts::text::ellipsize(text, 60),
                reason: e.to_string(),
            })?;
        for (name, entry) in &catalog.tools {
            if let Some(c) = entry.estimated_cost
                && !(c.is_finite() && c >= 0.0)
            {
                return Err(Error::InvalidParam {
                    param: format!("catalog tools.{name}.estimated_cost"),
                    value: c.to_string(),
                    reason: "must be a finite number ≥ 0".into(),
                });
            }
            if name.trim().is_empty() {
                return Err(Error::InvalidParam {
                    param: "catalog tools".into(),
                    value: format!("{name:?}"),
                    reason: "tool names must not be empty".into(),
                });
            }
        }
        Ok(catalog)
    }
}

/// Fills missing step annotations: step fields, then the catalog, then the lexicon.
#[derive(Debug, Clone, Default)]
pub struct ToolAnnotator {
    catalog: ToolCatalog,
}

impl ToolAnnotator {
    /// An annotator using `catalog` before the default lexicon.
    pub fn with_catalog(catalog: ToolCatalog) -> Self {
        ToolAnnotator { catalog }
    }

    /// The catalog in use.
    pub fn catalog(&self) -> &ToolCatalog {
        &self.catalog
    }

    /// Annotates every step of a plan.
    pub fn annotate_plan(&self, plan: &Plan) -> Vec<StepAnnotation> {
        plan.steps.iter().map(|s| self.annotate(s)).collect()
    }

    /// Annotates one step.
    pub fn annotate(&self, step: &Step) -> StepAnnotation {
        // Look-alikes read as what they look like: `ｇｍａｉｌ.ｆｏｒｗａｒｄ` is `gmail.forward`.
        let tool = crate::fold::fold(&step.tool);
        let entry = (self.catalog.tools.get(&step.tool)).or_else(|| self.catalog.tools.get(&*tool));
        let tokens = tool_tokens(&tool);
        let scan = ArgScan::of(&step.args);

        let action = entry
            .and_then(|e| e.action)
            .unwrap_or_else(|| infer_action(&tokens, &step.args));
        let domain = entry
            .and_then(|e| e.domain.clone())
            .unwrap_or_else(|| infer_domain(&tokens, &scan).to_owned());

        let endpoints = match (&step.endpoints, entry.and_then(|e| e.endpoints.as_ref())) {
            (Some(given), _) => normalise_endpoints(given.iter().cloned()),
            (None, Some(cat)) => normalise_endpoints(cat.iter().cloned().chain(scan.endpoints())),
            (None, None) => normalise_endpoints(scan.endpoints()),
        };
        let network = step
            .network
            .or(entry.and_then(|e| e.network))
            .unwrap_or_else(|| {
                !endpoints.is_empty()
                    || tokens.iter().any(|t| NETWORK_TOKENS.contains(&t.as_str()))
                    || (action == Action::Send
                        && matches!(domain.as_str(), "email" | "social" | "web"))
                    // Anything written to a social platform is published outside.
                    || (domain == "social" && action != Action::Read)
            });
        let irreversible = step
            .irreversible
            .or(entry.and_then(|e| e.irreversible))
            .unwrap_or_else(|| {
                action.is_irreversible()
                    || tokens
                        .iter()
                        .any(|t| IRREVERSIBLE_TOKENS.contains(&t.as_str()))
            });
        let sensitive = step
            .sensitive
            .or(entry.and_then(|e| e.sensitive))
            .unwrap_or_else(|| {
                domain == "payments"
                    || tokens
                        .iter()
                        .any(|t| SENSITIVE_TOKENS.contains(&t.as_str()))
                    || scan.sensitive
            });
        let permissions = match (
            &step.permissions,
            entry.and_then(|e| e.permissions.as_ref()),
        ) {
            (Some(p), _) | (None, Some(p)) => {
                let set: BTreeSet<String> = p.iter().map(|s| s.trim().to_lowercase()).collect();
                set.into_iter().filter(|s| !s.is_empty()).collect()
            }
            (None, None) => vec![format!("{domain}:{}", action.as_str())],
        };
        let estimated_cost = step
            .estimated_cost
            .or(entry.and_then(|e| e.estimated_cost))
            .unwrap_or_else(|| estimate_cost(action, &domain, &step.args));

        StepAnnotation {
            action,
            domain,
            irreversible,
            sensitive,
            network,
            permissions,
            estimated_cost,
            endpoints,
            tokens,
        }
    }
}

fn infer_action(tokens: &[String], args: &serde_json::Map<String, Value>) -> Action {
    // HTTP-style tools: the method decides.
    if let Some(Value::String(m)) = args.get("method") {
        match m.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" | "OPTIONS" => return Action::Read,
            "POST" | "PUT" | "PATCH" => return Action::Send,
            "DELETE" => return Action::Delete,
            _ => {}
        }
    }
    let has = |list: &[&str]| tokens.iter().any(|t| list.contains(&t.as_str()));
    // A draft is not sent: "create_draft", "draft_reply" are reversible writes.
    if has(&["draft", "drafts"]) {
        return Action::Write;
    }
    // Shell-like tools: a read-only command line is a read, whatever the tool is called.
    if has(EXECUTE) || tokens.iter().any(|t| t == "git") {
        if let Some(cmd) = command_text(args) {
            if is_read_only_command(&cmd) {
                return Action::Read;
            }
        }
    }
    // Priority: the most consequential reading wins ("send_payment" is a transfer).
    for (list, action) in [
        (TRANSFER, Action::Transfer),
        (DELETE, Action::Delete),
        (GRANT, Action::Grant),
        (EXECUTE, Action::Execute),
        (SEND, Action::Send),
        (WRITE, Action::Write),
        (READ, Action::Read),
    ] {
        if has(list) {
            // "read_message"/"get_email"/"list_posts": a read verb with a send noun is a read.
            if action == Action::Send
                && has(&[
                    "read",
                    "get",
                    "list",
                    "fetch",
                    "search",
                    "view",
                    "show",
                    "find",
                    "retrieve",
                    "check",
                    "preview",
                    "count",
                    "summarize",
                    "summarise",
                    "translate",
                    "analyze",
                    "analyse",
                    "draft",
                ])
                && !has(&["send", "reply", "forward", "publish"])
            {
                return Action::Read;
            }
            return action;
        }
    }
    Action::Other
}

fn infer_domain(tokens: &[String], scan: &ArgScan) -> &'static str {
    for (domain, words) in DOMAINS {
        if tokens.iter().any(|t| words.contains(&t.as_str())) {
            return domain;
        }
    }
    if scan.has_sql {
        "db"
    } else if scan.has_path {
        "files"
    } else if !scan.urls.is_empty() {
        "web"
    } else {
        "other"
    }
}

/// Nominal per-call cost of an action (the default cost model).
pub fn action_cost(action: Action) -> f64 {
    match action {
        Action::Read => 0.01,
        Action::Write | Action::Delete | Action::Grant | Action::Other => 0.02,
        Action::Send => 0.05,
        Action::Execute => 0.1,
        Action::Transfer => 0.5,
    }
}

fn estimate_cost(action: Action, domain: &str, args: &serde_json::Map<String, Value>) -> f64 {
    let mut cost = action_cost(action);
    if action == Action::Transfer {
        if let Some(amount) = number_arg(args, &["amount", "value", "total", "price", "sum"]) {
            let qty = number_arg(args, &["quantity", "qty"]).unwrap_or(1.0);
            cost += amount.abs() * qty.abs().max(1.0);
        }
    }
    if domain == "cloud" && matches!(action, Action::Write | Action::Execute) {
        let count = number_arg(args, &["count", "instances", "replicas", "nodes", "size"])
            .unwrap_or(1.0)
            .clamp(1.0, 1e6);
        cost *= 10.0 * count;
    }
    if cost.is_finite() { cost } else { 1e12 }
}

fn number_arg(args: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<f64> {
    keys.iter().find_map(|k| match args.get(*k)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s
            .trim()
            .trim_start_matches(['$', '€', '£'])
            .replace(',', "")
            .parse::<f64>()
            .ok(),
        _ => None,
    })
}

/// Splits a tool name into lower-case tokens on `_ - . / : space` and camelCase boundaries.
pub fn tool_tokens(tool: &str) -> Vec<String> {
    if tool.is_ascii() {
        return ascii_tool_tokens(tool.as_bytes());
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in tool.chars() {
        if ch.is_alphanumeric() {
            if ch.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
            cur.extend(ch.to_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Byte-level fast path of [`tool_tokens`] for ASCII names (the usual case).
fn ascii_tool_tokens(b: &[u8]) -> Vec<String> {
    let mut out = Vec::with_capacity(4);
    let mut start = None;
    let mut prev_lower = false;
    let push = |from: usize, to: usize, out: &mut Vec<String>| {
        let mut t = String::with_capacity(to - from);
        t.extend(
            b[from..to]
                .iter()
                .map(|c| char::from(c.to_ascii_lowercase())),
        );
        out.push(t);
    };
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            match start {
                Some(s) if c.is_ascii_uppercase() && prev_lower => {
                    push(s, i, &mut out);
                    start = Some(i);
                }
                None => start = Some(i),
                _ => {}
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if let Some(s) = start.take() {
                push(s, i, &mut out);
            }
            prev_lower = false;
        }
    }
    if let Some(s) = start {
        push(s, b.len(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_contracts::from_json_str;

    fn step(json: &str) -> Step {
        from_json_str(json).unwrap()
    }

    #[test]
    fn tokens_split_snake_camel_and_dots() {
        assert_eq!(
            tool_tokens("gmail.sendMessage"),
            ["gmail", "send", "message"]
        );
        assert_eq!(tool_tokens("delete_file"), ["delete", "file"]);
        assert_eq!(tool_tokens("HTTP-Request"), ["http", "request"]);
        assert!(tool_tokens("").is_empty());
    }

    #[test]
    fn lexicon_annotates_common_tools() {
        let a = ToolAnnotator::default();
        let pay = a.annotate(&step(
            r#"{"tool": "transfer_funds", "args": {"amount": 250, "to_account": "GB29NWBK60161331926819"}}"#,
        ));
        assert_eq!(pay.action, Action::Transfer);
        assert_eq!(pay.domain, "payments");
        assert!(pay.irreversible && pay.sensitive);
        assert!((pay.estimated_cost - 250.5).abs() < 1e-9);
        assert_eq!(pay.permissions, ["payments:transfer"]);

        let read = a.annotate(&step(
            r#"{"tool": "list_files", "args": {"dir": "/home/me/docs"}}"#,
        ));
        assert_eq!(read.action, Action::Read);
        assert!(!read.irreversible && !read.sensitive && !read.network);
        assert_eq!(read.estimated_cost, 0.01);

        let hook = a.annotate(&step(
            r#"{"tool": "http_request", "args": {"method": "POST", "url": "https://hooks.example.com/x?a=1"}}"#,
        ));
        assert_eq!(hook.action, Action::Send);
        assert!(hook.network && hook.irreversible);
        assert_eq!(hook.endpoints, ["hooks.example.com"]);

        let unlock = a.annotate(&step(
            r#"{"tool": "smart_lock", "args": {"command": "unlock", "door": "front"}}"#,
        ));
        assert_eq!(unlock.domain, "home");

        let unknown = a.annotate(&step(r#"{"tool": "zorblax", "args": {}}"#));
        assert_eq!(unknown.action, Action::Other);
        assert_eq!(unknown.domain, "other");
        assert!(!unknown.irreversible && !unknown.network);
    }

    #[test]
    fn given_annotations_win_over_catalog_and_lexicon() {
        let catalog = ToolCatalog::from_json(
            r#"{"tools": {"send_email": {"irreversible": false, "estimated_cost": 3, "endpoints": ["smtp.corp.example"]}}}"#,
        )
        .unwrap();
        let a = ToolAnnotator::with_catalog(catalog);
        let s = a.annotate(&step(
            r#"{"tool": "send_email", "args": {"to": "x@y.example"}, "estimated_cost": 1.5}"#,
        ));
        assert!(!s.irreversible, "catalog overrides lexicon");
        assert_eq!(s.estimated_cost, 1.5, "given value overrides catalog");
        assert_eq!(s.endpoints, ["smtp.corp.example", "x@y.example"]);
        let s = a.annotate(&step(
            r#"{"tool": "send_email", "args": {}, "endpoints": ["A.example"], "irreversible": true}"#,
        ));
        assert!(s.irreversible);
        assert_eq!(s.endpoints, ["a.example"]);
    }

    #[test]
    fn catalog_is_strictly_validated() {
        let e = ToolCatalog::from_json(r#"{"tools": {"x": {"irreversable": true}}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tools.x") && e.contains("unknown field `irreversable`"),
            "{e}"
        );
        let e = ToolCatalog::from_json(r#"{"tools": {"x": {"sensitive": "yes"}}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tools.x.sensitive") && e.contains("invalid type"),
            "{e}"
        );
        let e = ToolCatalog::from_json(r#"{"tools": {"x": {"estimated_cost": -2}}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tools.x.estimated_cost") && e.contains("-2"),
            "{e}"
        );
        let e = ToolCatalog::from_json(r#"{"tools": {"x": {"action": "fly"}}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("tools.x.action") && e.contains("fly"), "{e}");
        let e = ToolCatalog::from_json(r#"[1,2]"#).unwrap_err().to_string();
        assert!(e.contains("invalid type"), "{e}");
    }
}
