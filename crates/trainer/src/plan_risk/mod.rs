//! The plan-risk model (`cargo xtask data|train|eval|bench plan-risk`): the NEXUS-style scorer
//! ρ (standardized, balanced logistic regression over the 9 plan features, Platt-calibrated on
//! cross-fitted scores) and the policy thresholds (τ_b, τ_c) chosen by a loss grid.
//!
//! | file | what |
//! |---|---|
//! | [`data`] | seeded synthetic plans, split by template |
//! | [`train`] | cross-fitting, C sweep, Platt, threshold grid, gates, artifact |
//! | `card` | the model card and its pictures |
//! | [`eval`] | decisions on the hand-written plans in `fixtures/plan-risk` |
//! | [`external`] | measurement on the public AgentDojo plans in `fixtures/external/agentdojo` (never trained on) |
//! | [`bench`] | hot-path timings |

pub mod bench;
mod card;
pub mod data;
pub mod eval;
pub mod external;
pub mod train;

pub use bench::bench;
pub use data::write_data;
pub use eval::eval;
pub use external::eval_external;
pub use train::train;
