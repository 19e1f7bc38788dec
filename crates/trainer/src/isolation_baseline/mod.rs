//! isolation-baseline in `cargo xtask`: data, the smoke fit, its card, eval and bench.
//!
//! `vigil-isolation-baseline` learns online, per agent, so it ships no embedded model. The main
//! job still fits harombe's reference configuration (100 trees, ψ = min(256, n), contamination
//! 0.05, threshold 0.7) on one seeded simulated agent, checks it the way the
//! `isolation_baseline_fpr` example does — false positives on the same agent's next 2,000
//! events, detection of the hand-written anomalies in `fixtures/isolation-baseline/anomalies.jsonl`
//! — gates both, and writes the agent's artifact through the store and a card. Everything is
//! derived from the seed, so the card is reproducible byte for byte.
//!
//! | file | what |
//! |---|---|
//! | [`data`](mod@data) | the seeded [`Generator`] of normal activity, the hand-written anomalies, `cargo xtask data` |
//! | [`train`](mod@train) | the smoke fit, its gates and the agent's artifact |
//! | [`card`](mod@card) | `docs/models/isolation-baseline.md` |
//! | [`eval`](mod@eval) | `cargo xtask eval isolation-baseline` |
//! | [`bench`](mod@bench) | its part of `cargo xtask bench`: detect, train, record |

pub mod bench;
pub mod card;
pub mod data;
pub mod eval;
pub mod train;

pub use bench::bench;
pub use data::{FRESH_EVENTS, Generator, TRAIN_EVENTS, anomalies, write_data};
pub use eval::eval;
pub use train::{AGENT, MAX_FPR, MIN_DETECTION, train};
