//! Log-safe diagnostics, shared with `vigil serve` (see [`vigil_server::diagnostics`]).

pub use vigil_server::diagnostics::*;
