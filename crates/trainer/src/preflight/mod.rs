//! The preflight prompt-injection classifier (`cargo xtask data|train|eval|bench preflight`):
//! a two-class logistic regression over text n-grams and structural cues, temperature-
//! calibrated out of fold and shifted to a deployment prior.
//!
//! | file | what |
//! |---|---|
//! | [`data`] | the seeded synthetic injection corpus, families dealt into folds |
//! | [`train`] | cross-validated fit, temperature, prior shift, gates, artifact |
//! | `card` | the model card and its pictures |
//! | [`eval`] | per-source metrics on the hand-written texts in `fixtures/preflight`; end to end |
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
