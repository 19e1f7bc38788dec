//! One module per subcommand.

pub mod anomaly;
pub mod baseline;
pub mod check;
pub mod injection;
pub mod normalize;
pub mod plan_risk;
pub mod preflight;
pub mod serve;
pub mod task_signal;
pub mod verify;
