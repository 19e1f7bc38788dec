//! # vigil-learn
//!
//! The learning algorithms behind the vigil models, with no knowledge of any model: an
//! optimizer, two learners, post-hoc calibration, the metrics every model card reports and the
//! pictures drawn from them. `vigil-trainer` turns what this crate fits into the runtime crates'
//! model structs; this crate depends on no vigil crate at all.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`optim`] | L-BFGS for smooth convex objectives |
//! | [`logistic`] | sparse L2-regularized multinomial logistic regression (uniform or balanced weights) |
//! | [`gbdt`] | histogram gradient-boosted trees for multiclass softmax, weighted rows |
//! | [`calibration`] | temperature scaling and Platt scaling on held-out data |
//! | [`scaler`] | standard scaling (population std, unit scale for constant columns) |
//! | [`link`] | softmax with a temperature, sigmoid, argmax |
//! | [`metrics`] | accuracy, confusion, P/R/F1, ECE, reliability bins, Brier, ROC AUC, TPR at a fixed FPR, percentiles |
//! | [`plot`] | SVG reliability diagrams and confusion matrices (reads metrics; metrics never read plots) |
//!
//! Hyper-parameters follow linfa: a plain `XParams` struct whose `Default` is what vigil trains
//! with, `check()` to get a `ValidXParams` (or an [`Error`] naming the bad value), and the
//! algorithm takes only the valid form. Every algorithm is deterministic: fixed iteration
//! order, first candidate kept on ties, no hidden randomness, so the same data and parameters
//! give the same model bit for bit.
//!
//! ```
//! use vigil_learn::calibration::fit_platt;
//! use vigil_learn::gbdt::{GbdtParams, train};
//! use vigil_learn::metrics::{ConfusionMatrix, auc};
//!
//! // Label 1 iff the first feature is above 2.
//! let x: Vec<Vec<f32>> = (0..8).map(|i| vec![i as f32, (i % 3) as f32]).collect();
//! let y: Vec<usize> = (0..8).map(|i| usize::from(i > 2)).collect();
//! let params = GbdtParams { rounds: 20, ..GbdtParams::default() }.check()?;
//! let trees = train(&x, &y, &[1.0; 8], 2, &params);
//!
//! let mut p = [0.0f32; 2];
//! let scores: Vec<f64> = x
//!     .iter()
//!     .map(|row| {
//!         trees.probabilities(row, &mut p);
//!         f64::from(p[1])
//!     })
//!     .collect();
//! let positive: Vec<bool> = y.iter().map(|&c| c == 1).collect();
//! assert_eq!(auc(&scores, &positive), 1.0);
//!
//! let predicted: Vec<usize> = scores.iter().map(|&s| usize::from(s >= 0.5)).collect();
//! assert_eq!(ConfusionMatrix::new(&["no", "yes"], &y, &predicted).accuracy(), 1.0);
//! assert!(fit_platt(&scores, &positive).probability(0.99) > 0.5);
//! # Ok::<(), vigil_learn::Error>(())
//! ```
//!
//! ## What it does not do
//!
//! No feature extraction, no data generation, no artifacts, no model cards (those are
//! `vigil-features` and `vigil-trainer`), no inference for the shipped models (each runtime crate
//! evaluates its own model struct), no I/O and no threads. Dense linear algebra, kernels,
//! clustering and the rest of a general ML library are out of scope: only what the vigil models
//! train with is here.
#![deny(missing_docs)]

pub mod calibration;
mod error;
pub mod gbdt;
pub mod link;
pub mod logistic;
pub mod metrics;
pub mod optim;
pub mod plot;
pub mod scaler;

pub use error::{Error, Result};
