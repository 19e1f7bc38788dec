//! The anomaly model (`cargo xtask data|train|eval|bench anomaly`): histogram boosted trees
//! over `vigil-window-v1` encodings of the last 10 normalized intents, with a severity score
//! calibrated to the reference bands.
//!
//! | file | what |
//! |---|---|
//! | [`data`] | seeded synthetic agent sessions (raw tool calls with per-call stage labels) |
//! | [`train`] | windows, label collisions, GBDT fit, score calibration, gates, artifact |
//! | `card` | the model card and its pictures |
//! | [`eval`] | the hand-written sessions in `fixtures/anomaly` |
//! | [`bench`] | hot-path timings |

pub mod bench;
mod card;
pub mod data;
pub mod eval;
pub mod train;

pub use bench::bench;
pub use data::write_data;
pub use eval::{EvalReport, eval, evaluate_fixtures};
pub use train::train;
