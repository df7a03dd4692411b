//! The circuit's error type (shared with the baseline circuit).

pub use lowdepth_circuit_common::{CircuitError, Result};
