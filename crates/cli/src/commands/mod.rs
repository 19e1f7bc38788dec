//! One module per subcommand.

pub mod anomaly;
pub mod check;
pub mod normalize;
