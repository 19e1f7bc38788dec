//! # vigil-trainer
//!
//! Per-model training pipelines: seeded synthetic data, fitting, calibration, accuracy gates,
//! reproducible artifacts and model cards for every vigil model. Heavy training code lives here
//! so runtime crates stay small: a runtime crate holds a model struct and its inference; this
//! crate builds that struct. The learning algorithms themselves (optimizer, logistic
//! regression, boosted trees, calibration, metrics, plots) are in `vigil-learn`.
//!
//! ## The big picture
//!
//! Every model exports the same four entry points `cargo xtask` calls — `write_data`, `train`,
//! `eval`, `bench` — and the trained models share one layout: `<model>/data.rs` (the seeded
//! generator or corpus), `train.rs` (split, fit, calibrate, gates, artifact), `card.rs` (the
//! model card text and plots), `eval.rs` (hand-written fixtures) and `bench.rs` (hot-path
//! timings). The isolation-baseline smoke fit is one file.
//!
//! | model | `data` | `train` | `card` | `eval` | `bench` |
//! |---|---|---|---|---|---|
//! | [`task_signal`] | synthetic prompts, template-disjoint splits | text featurizer, 3 logistic heads, temperatures | ✓ | hand-written prompts: heuristic, ML, cascade | ✓ |
//! | [`anomaly`] | synthetic agent sessions | windows, collisions, GBDT, severity cut-offs | ✓ | hand-written sessions | ✓ |
//! | [`plan_risk`] | synthetic plans, split by template | cross-fitted scorer, Platt, threshold grid | ✓ | hand-written plans and sessions | ✓ |
//! | [`injection`] | real corpus (`data/injection`) + synthetic families, split by source family | n-grams + cues, logistic, temperature, prior | ✓ | hand-written texts, end to end | ✓ |
//! | [`isolation_baseline`] | one simulated agent | smoke fit of the reference configuration | ✓ | hand-written anomalies | ✓ |
//!
//! Shared by the pipelines:
//!
//! | module | what |
//! |---|---|
//! | [`card`] | Markdown model cards written by `cargo xtask train` |
//! | [`gate`] | accuracy gates, training options and the per-model training report |
//! | [`softmax`] | fitting `vigil-features` softmax models with `vigil-learn`'s logistic regression |
//! | [`timing`] | p50/p99 per-call latency for `cargo xtask bench` |
//!
//! Fallible functions return [`Result`] with the crate's one [`Error`] (errors of
//! `vigil-learn` and of the runtime crates convert into it).
//!
//! ```
//! use vigil_learn::metrics::{accuracy, expected_calibration_error};
//! use vigil_trainer::gate::Gate;
//!
//! let acc = accuracy(&["focused", "moderate"], &["focused", "focused"]);
//! let gate = Gate::at_least("complexity accuracy", acc, 0.90);
//! assert!(!gate.passed());
//! assert!(expected_calibration_error(&[0.9, 0.9], &[true, true], 10) < 0.11);
//! ```
//!
//! ## What it does not do
//!
//! Inference. Nothing in a runtime crate depends on this crate.
#![deny(missing_docs)]

pub mod anomaly;
pub mod card;
mod error;
pub mod gate;
pub mod injection;
pub mod isolation_baseline;
pub mod jsonl;
pub mod plan_risk;
pub mod softmax;
pub mod task_signal;
#[cfg(test)]
mod testing;
pub mod timing;

pub use error::{Error, Result};

/// The workspace README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
