//! One module per subcommand.

pub mod check;
pub mod injection;
pub mod preflight;
