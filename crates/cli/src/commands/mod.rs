//! One module per subcommand.

pub mod check;
pub mod plan_risk;
