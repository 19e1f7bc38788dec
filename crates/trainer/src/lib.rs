//! # vigil-trainer
//!
//! Seeded synthetic data, training algorithms, metrics, accuracy gates and reproducible artifacts
//! for every vigil model. Heavy training code lives here so runtime crates stay small: a runtime
//! crate holds a model struct and its inference; this crate builds that struct.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`metrics`] | accuracy, confusion matrices, precision/recall/F1, ECE, reliability bins, Brier, TPR at fixed FPR |
//! | [`svg`] | reliability diagrams and confusion-matrix pictures for model cards |
//! | [`card`] | Markdown model cards written by `cargo xtask train` |
//! | [`gate`] | accuracy gates, training options and the per-model training report |
//! | [`optim`] | L-BFGS for smooth convex objectives |
//! | [`logistic`] | sparse L2-regularized multinomial logistic regression (uniform or balanced weights) |
//! | [`calibration`] | temperature scaling and Platt scaling on held-out data |
//! | [`plan_risk`] | plan-risk: seeded plan generator, scorer training, threshold grid, card, fixture eval |
//! | [`isolation_baseline`] | the isolation-baseline smoke fit (reference configuration, gated FPR and detection) |
//! | [`timing`] | p50/p99 per-call latency for `cargo xtask bench` |
//! | [`anomaly`] | session generator, histogram GBDT and training pipeline of the anomaly model |
//!
//! Per-model data generators and training pipelines live in their own modules as the models land.
//! Fallible functions return [`Result`] with the crate's one [`Error`] (the optimizer-level
//! [`logistic::FitError`] converts into it).
//!
//! ```
//! use vigil_trainer::gate::Gate;
//! use vigil_trainer::metrics::{accuracy, expected_calibration_error};
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
pub mod calibration;
pub mod card;
mod error;
pub mod gate;
pub mod isolation_baseline;
pub mod logistic;
pub mod metrics;
pub mod optim;
pub mod plan_risk;
pub mod preflight;
pub mod svg;
pub mod task_signal;
pub mod timing;

pub use error::{Error, Result};

/// The workspace README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
