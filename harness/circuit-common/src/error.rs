//! The circuits' error type.

use lowdepth_toolkit::ToolkitError;
use thiserror::Error;

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, CircuitError>;

/// Every way building, uploading or training either circuit can fail.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CircuitError {
    /// An error of the toolkit or the backend (level, scale, rotation key, shape).
    #[error(transparent)]
    Toolkit(#[from] ToolkitError),
    /// A configuration that describes no circuit (zero sizes, no minibatch).
    #[error("invalid circuit configuration: {0}")]
    InvalidConfig(String),
    /// A cleartext minibatch of the wrong size or with non-finite values.
    #[error("minibatch {index}: {detail}")]
    Minibatch {
        /// Index of the minibatch.
        index: usize,
        /// What is wrong with it.
        detail: String,
    },
    /// The number of minibatches does not match the plan.
    #[error("expected {expected} minibatches, got {got}")]
    MinibatchCount {
        /// Minibatches in the plan.
        expected: usize,
        /// Minibatches given.
        got: usize,
    },
    /// The Nesterov schedule is shorter than the number of minibatches, or not finite.
    #[error("need {needed} finite Nesterov coefficients eta, got {got}")]
    Etas {
        /// One per minibatch.
        needed: usize,
        /// How many were given (or the index of the first non-finite one).
        got: usize,
    },
    /// A model vector of the wrong length, or an encrypted model from another plan.
    #[error("model: {0}")]
    Model(String),
    /// The backend has fewer levels than the circuit consumes.
    #[error("the circuit consumes {needed} levels but the backend's top level is {available}")]
    InsufficientLevels {
        /// Levels the circuit consumes (its depth).
        needed: usize,
        /// The backend's top level.
        available: usize,
    },
}
