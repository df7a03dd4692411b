//! The baseline circuit's error type: the one both circuits share, under its old name.

pub use lowdepth_circuit_common::{CircuitError as HelrError, Result};
