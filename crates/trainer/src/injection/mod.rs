//! The prompt-injection detector (`cargo xtask data|train|eval|bench injection`; `preflight` is
//! an alias): a two-class logistic regression over text n-grams and structural cues, fitted on
//! the real corpus of `data/injection` plus the synthetic families, split by source family,
//! temperature-calibrated out of fold and shifted per channel onto one operating point.
//!
//! | file | what |
//! |---|---|
//! | [`data`] | the real corpus reader (held-out families) and the seeded synthetic corpus |
//! | [`multilingual`] | the non-English synthetic families (de, fr, es, it, pt, zh, ru, ja) |
//! | [`train`] | family-split fit, temperature, thresholds, held-out and AgentDojo gates, artifact |
//! | [`long_docs`] | held-out tool rows joined or padded to 3 and 6 KB (development numbers) |
//! | [`unseen_languages`] | benign interface text in languages the corpus leaves out (development numbers) |
//! | `card` | the model card and its pictures |
//! | [`eval`] | per-channel metrics on `fixtures/preflight` (end to end too) and AgentDojo (`--external`) |
//! | [`bench`] | hot-path timings |

pub mod bench;
mod card;
pub mod data;
pub mod eval;
pub mod long_docs;
pub mod multilingual;
pub mod train;
pub mod unseen_languages;

pub use bench::bench;
pub use data::write_data;
pub use eval::eval;
pub use train::{train, train_with};
