//! # vigil-plan-risk
//!
//! Should this planned sequence of tool calls be allowed, blocked, confirmed or revised?
//! A NEXUS-style runtime monitor that works on the plans agents really emit: tool names and
//! arguments, often after reading untrusted content.
//!
//! ## The big picture
//!
//! Planned: rule families V_R, argument inspector V_A, a Platt-calibrated logistic risk scorer ρ over
//! the 9 NEXUS plan features, the NEXUS policy Π, and a multi-turn session monitor.
//!
//! ```
//! use vigil_contracts::{Intervention, Severity};
//! assert!(Severity::Crit > Severity::High);
//! assert_eq!(Intervention::Confirm.as_str(), "confirm");
//! ```
//!
//! ## What it does not do
//!
//! Nothing is implemented here yet beyond the shared contracts; see the crate map in the
//! workspace README.
#![deny(missing_docs)]
