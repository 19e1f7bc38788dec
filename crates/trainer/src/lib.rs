//! # vigil-trainer
//!
//! Seeded synthetic data, training algorithms, metrics, accuracy gates and reproducible artifacts
//! for every vigil model. Heavy training code lives here so runtime crates stay small.
//!
//! ## The big picture
//!
//! Planned: per-model data generators, sparse multinomial logistic regression, boosted trees,
//! Platt/temperature calibration, metrics (accuracy, F1, ECE, Brier, confusion matrices), gates and
//! model cards.
//!
//! ```
//! use vigil_contracts::{Artifact, FeatureSchema};
//! let schema = FeatureSchema::new("demo", 1, vec!["x".into()]);
//! let bytes = Artifact::new("demo", &schema, 42, vec![1.0_f64]).to_bytes().unwrap();
//! let back = Artifact::<Vec<f64>>::from_bytes(&bytes, "demo", &schema).unwrap();
//! assert_eq!(back.model, vec![1.0]);
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
