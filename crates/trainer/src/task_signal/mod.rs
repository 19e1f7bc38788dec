//! The task-signal model (`cargo xtask data|train|eval|bench task-signal`): three temperature-
//! calibrated logistic-regression heads (complexity, nature, domain) over hashed text n-grams.
//!
//! | file | what |
//! |---|---|
//! | [`data`] | seeded synthetic prompts, template-disjoint splits ([`data::vocab`]: the vocabularies) |
//! | [`train`] | featurize, fit the heads, calibrate, validate, gate, write the artifact |
//! | `card` | the model card and its pictures |
//! | [`eval`] | the hand-written prompts: heuristic, ML model and cascade |
//! | [`bench`] | hot-path timings |

pub mod bench;
mod card;
pub mod data;
pub mod eval;
pub mod train;

pub use bench::bench;
pub use data::write_data;
pub use eval::eval;
pub use train::{train, train_with};
