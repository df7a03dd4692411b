//! The crate's error type.

/// Errors of `lowdepth-plaintext`.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlaintextError {
    /// A vector has the wrong length.
    #[error("{what}: length {found}, expected {expected}")]
    DimensionMismatch {
        /// Which vector (e.g. `initial w`).
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A configuration value is invalid.
    #[error("invalid {field}: {reason}")]
    InvalidConfig {
        /// The parameter (e.g. `training.learning_rate`).
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// `Result` with [`PlaintextError`].
pub type Result<T, E = PlaintextError> = std::result::Result<T, E>;
