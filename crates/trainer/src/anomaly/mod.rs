//! The anomaly model: session generator, histogram GBDT, training pipeline and fixture
//! evaluation for `vigil-anomaly`.

pub mod gbdt;
pub mod generate;
pub mod train;

pub use train::{EvalReport, evaluate_fixtures, train, write_data};
