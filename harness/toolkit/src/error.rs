//! The toolkit's error type.

use thiserror::Error;

/// Result alias used throughout the toolkit.
pub type Result<T> = std::result::Result<T, ToolkitError>;

/// Every way a toolkit operation can fail.
///
/// The checked [`Evaluator`](crate::Evaluator) raises the same variant for the same
/// circuit whichever backend runs it, so a circuit that would fail under CKKS fails the
/// same way in plaintext simulation and in the tracer.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ToolkitError {
    /// Two operands of a binary operation are at different levels.
    #[error("{op}: level mismatch (left operand at level {left}, right at level {right})")]
    LevelMismatch {
        /// Operation name.
        op: &'static str,
        /// Level of the left operand.
        left: usize,
        /// Level of the right operand.
        right: usize,
    },
    /// Two operands of an addition-like operation have different scales.
    #[error("{op}: scale mismatch (left 2^{:.6}, right 2^{:.6})", .left.log2(), .right.log2())]
    ScaleMismatch {
        /// Operation name.
        op: &'static str,
        /// Scale of the left operand.
        left: f64,
        /// Scale of the right operand.
        right: f64,
    },
    /// The operation needs a level below the ciphertext's (rescale or multiply at level 0).
    #[error("{op}: no level left (operand at level {level})")]
    LevelExhausted {
        /// Operation name.
        op: &'static str,
        /// Level of the operand.
        level: usize,
    },
    /// A level outside `0..=max_level` was requested, or a level increase was asked for.
    #[error("{op}: invalid level {level} (allowed: {allowed})")]
    InvalidLevel {
        /// Operation name.
        op: &'static str,
        /// The requested level.
        level: usize,
        /// Human-readable description of the allowed range.
        allowed: String,
    },
    /// A scale that is not positive and finite, or a scale schedule that cannot be built.
    #[error("{op}: invalid scale {scale}")]
    InvalidScale {
        /// Operation name.
        op: &'static str,
        /// The offending scale.
        scale: f64,
    },
    /// The scale of a result would not fit under the modulus at its level.
    #[error(
        "{op}: scale 2^{log2_scale:.2} does not fit modulus 2^{log2_modulus:.2} at level {level}"
    )]
    ScaleOverflow {
        /// Operation name.
        op: &'static str,
        /// log2 of the scale the result would have.
        log2_scale: f64,
        /// log2 of the ciphertext modulus at the result's level.
        log2_modulus: f64,
        /// Level of the result.
        level: usize,
    },
    /// A constant times its encoding scale does not fit a signed 63-bit integer.
    #[error("{op}: constant {value} at scale 2^{:.2} is out of range", .scale.log2())]
    ConstantOutOfRange {
        /// Operation name.
        op: &'static str,
        /// The constant.
        value: f64,
        /// Its encoding scale.
        scale: f64,
    },
    /// A cleartext value is NaN or infinite.
    #[error("{op}: non-finite cleartext value at index {index}")]
    NonFiniteValue {
        /// Operation name.
        op: &'static str,
        /// Index of the first offending value.
        index: usize,
    },
    /// No rotation (Galois) key for this step; steps are normalised to `0..slots`.
    #[error("missing rotation key for step {step}")]
    MissingRotationKey {
        /// The normalised rotation step (left rotation, `0..slots`).
        step: usize,
    },
    /// Shapes, lengths or encoding units do not agree.
    #[error("{op}: shape mismatch: {detail}")]
    ShapeMismatch {
        /// Operation name.
        op: &'static str,
        /// What disagreed, with the values.
        detail: String,
    },
    /// An encoding unit that is not a power-of-two tile covering exactly the slots.
    #[error("invalid encoding unit {height}x{width} for {slots} slots: {reason}")]
    InvalidUnit {
        /// Unit height.
        height: usize,
        /// Unit width.
        width: usize,
        /// Slot count of the backend.
        slots: usize,
        /// Why the unit is invalid.
        reason: &'static str,
    },
    /// Invalid parameters given to a backend, schedule or planner.
    #[error("invalid parameters: {0}")]
    InvalidParameters(String),
    /// No ring degree satisfies the security bound for the requested circuit.
    #[error("no secure parameters: {0}")]
    NoSecureParameters(String),
    /// An error reported by the backend itself (e.g. the CKKS engine).
    #[error("backend error: {0}")]
    Backend(String),
}
