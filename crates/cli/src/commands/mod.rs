//! One module per subcommand.

pub mod anomaly;
pub mod baseline;
pub mod check;
pub mod normalize;
pub mod plan_risk;
pub mod task_signal;
pub mod verify;
