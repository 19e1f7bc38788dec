//! # vigil-task-signal
//!
//! Is this prompt focused, moderate or expansive; readonly, generative or mutative; which domain?
//! A re-implementation of axor's `HeuristicClassifier` and `TaskSignalClassifier` with the
//! TaskAnalyzer's escalation cascade, answering in microseconds with an embedded model.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`classify`] | **what it answers** with a model: [`TaskSignalClassifier`] — hashed char_wb 1–4 + word 1–2 tf-idf → three temperature-calibrated softmax heads |
//! | [`model`] | the artifact: [`TaskSignalModel`], [`EMBEDDED`], [`MODEL_ENV`], loading ([`TaskSignalModel::load`], [`ModelSource`]) |
//! | [`heuristic`] | [`HeuristicClassifier`]: the reference regex/weight table and confidence rules, keyword domain |
//! | [`cascade`] | [`Cascade`]: heuristic first, ML when the heuristic is unsure (< 0.75), adopted only if more confident |
//! | [`language`] | [`language::detect_language`]: `ru`/`zh`/`ar`/`hi`/`ko`/`he` by Unicode block, else `en` |
//!
//! The encoder is [`vigil_features::text`] (with [`model::TEXT_PARAMS`]); training, data and the
//! model card are `vigil-trainer`'s (`cargo xtask train task-signal`).
//!
//! The three classifiers each implement [`vigil_contracts::SignalClassifier`]; the sync `classify_text` methods are the
//! fast path the async trait wraps. Scores are keyed `complexity.focused`, `nature.mutative`,
//! `domain.coding`, …, and each head sums to 1. The model comes from an explicit path, then
//! `VIGIL_TASK_SIGNAL_MODEL`, then the embedded default ([`TaskSignalClassifier::load`]).
//!
//! ```
//! use vigil_contracts::{PolicyName, TaskComplexity, TaskNature};
//! use vigil_task_signal::{Cascade, CascadeParams, TaskSignalClassifier};
//!
//! let ml = TaskSignalClassifier::embedded().unwrap();
//! let c = ml.classify_text("fix the bug in parser.py");
//! assert_eq!(c.signal.complexity, TaskComplexity::Focused);
//! assert_eq!(c.signal.nature, TaskNature::Mutative);
//! assert_eq!(c.signal.policy_name(), PolicyName::FocusedMutative);
//!
//! let cascade = Cascade::new(Some(ml), CascadeParams::default()).unwrap();
//! let d = cascade.classify_text("rewrite the whole billing service in Go");
//! assert_eq!(d.classification.signal.complexity, TaskComplexity::Expansive);
//! ```
//!
//! ## The taxonomy (axor's)
//!
//! The labels are axor-core 0.8.0's (`AgentDomain` docstrings) as axor-classifier-simple 0.2.1's
//! 1,114 MIT training templates use them; those templates are one of the model's training
//! sources (`data/axor/`), and `cargo xtask eval task-signal --external axor` measures the model
//! on axor's own hard set.
//!
//! | domain | what belongs there | examples |
//! |---|---|---|
//! | `coding` | writing, changing or explaining code | "fix the bug in validate", "add pagination to the orders API" |
//! | `support` | Q&A, diagnosis and short operational turns: errors, outages, configs, runbooks | "why is /health returning 404", "the pod is in CrashLoopBackOff", "fix my connection string" |
//! | `analysis` | data interpretation and metrics: DAU, RPS, trends, dashboards, audits | "why did DAU drop last week", "build a Grafana dashboard for p99 latency" |
//! | `research` | papers, literature, studies, rebuttals | "summarize Smith et al. 2020", "draft the rebuttal to reviewer 2" |
//! | `general` | non-technical writing and planning: OKRs, press releases, postmortems, onboarding docs | "write the Q3 OKRs", "draft a press release for the launch" |
//!
//! Complexity is scope: `focused` is one thing ("just", "this function", "a single file"),
//! `moderate` a module or a few related things ("the auth module", "several endpoints"),
//! `expansive` everything ("the entire codebase", "across all services", "end to end"); the noun
//! decides, not the quantifier: "entire" or "complete" over one bounded thing ("review the entire
//! payment module", "a complete setup guide for kafka") stays `moderate`, as in axor's templates. Nature
//! is the verb: `readonly` explains, finds, reviews or audits; `generative` writes something new
//! (write, create, add, implement, scaffold, draft); `mutative` changes what exists (fix,
//! refactor, update, migrate, rename, remove). A diagnosis question ("why is X failing?") is
//! readonly support; "fix X" is mutative, and support rather than coding when X is an operation
//! (a deployment, a config, a connection) rather than code.
//!
//! ```
//! use vigil_contracts::Domain;
//! let names: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
//! assert_eq!(names, ["coding", "research", "support", "analysis", "general"]);
//! ```
//!
//! ## What it does not do
//!
//! It does not train (see `vigil-trainer`, `cargo xtask train task-signal`), does not decide
//! capabilities (the policy name is advice; classification is not a security boundary), and
//! reads at most the first [`MAX_INPUT_BYTES`] bytes of a prompt. Blank input is not an error: it
//! gets focused / readonly / general with confidence 0, the most restrictive answer.
#![deny(missing_docs)]

pub mod cascade;
pub mod classify;
mod error;
pub mod heuristic;
pub mod language;
pub mod model;

use std::collections::BTreeMap;

use vigil_contracts::{Classification, Domain, TaskComplexity, TaskNature, TaskSignal};

pub use cascade::{Cascade, CascadeParams, Decider, Decision};
pub use classify::{HeadProbabilities, TaskSignalClassifier};
pub use error::{Error, Result};
pub use heuristic::HeuristicClassifier;
pub use model::{EMBEDDED, MODEL_ENV, ModelSource, TaskSignalModel};

/// Only this many leading bytes of a prompt are read (cut at a character boundary): the task is
/// stated at the start, and it bounds the cost of a pathological 1 MB prompt.
pub const MAX_INPUT_BYTES: usize = 8 * 1024;

/// What every classifier reads of a prompt: the text with look-alikes folded
/// ([`vigil_features::fold`]: fullwidth and compatibility forms, zero-width and other invisible
/// characters, Cyrillic and Greek look-alikes inside Latin words), as the injection detector
/// and the plan annotator read it. "Dеlete every file" with a Cyrillic `е`, or written in
/// fullwidth letters, is classified as the ASCII prompt is (it read as `moderate_mutative` in
/// Russian, or `focused_generative`, before). Only the [`bounded`] prefix is folded. Borrowed,
/// unchanged, for ASCII text; the trainer reads its rows the same way.
pub fn read_as(text: &str) -> std::borrow::Cow<'_, str> {
    vigil_features::fold::fold(bounded(text))
}

/// `c` with `raw_input` set back to the prompt as sent (classifiers read [`read_as`] of it).
pub(crate) fn keep_raw_input(mut c: Classification, raw: &str) -> Classification {
    if c.signal.raw_input != raw {
        c.signal.raw_input = raw.to_owned();
    }
    c
}

/// The leading part of `text` that is classified (at most [`MAX_INPUT_BYTES`]).
pub fn bounded(text: &str) -> &str {
    vigil_contracts::text::prefix_within(text, MAX_INPUT_BYTES)
}

/// The defined answer for blank input: focused / readonly / general (the most restrictive
/// policy, `focused_readonly`), confidence 0, uniform scores, language `unknown`.
pub fn empty_input_classification(raw: &str) -> Classification {
    let mut scores = BTreeMap::new();
    for c in TaskComplexity::ALL {
        scores.insert(format!("complexity.{c}"), 1.0 / 3.0);
    }
    for n in TaskNature::ALL {
        scores.insert(format!("nature.{n}"), 1.0 / 3.0);
    }
    for d in Domain::ALL {
        scores.insert(format!("domain.{d}"), 1.0 / 5.0);
    }
    Classification {
        signal: TaskSignal::new(
            raw,
            TaskComplexity::Focused,
            TaskNature::Readonly,
            Domain::General,
            "unknown",
        ),
        confidence: 0.0,
        scores,
    }
}
