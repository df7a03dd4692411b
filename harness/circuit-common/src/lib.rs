//! What the HELR baseline (`lowdepth-helr-circuit`) and the low-depth circuit
//! (`lowdepth-circuit`) share: the configuration they are built from, their error type
//! and the one-multiplication level change. It lives here so that both circuits use one
//! copy; each re-exports these items under its own paths.

pub mod config;
pub mod cubic;
pub mod error;
pub mod scale;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use config::{CircuitConfig, LevelPolicy};
pub use cubic::{Cubic, HELR_CUBIC};
pub use error::{CircuitError, Result};
pub use scale::scale_to_level;
