//! The crate's single error type.

use thiserror::Error;

/// Every fallible operation of the engine returns this error.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CkksError {
    /// A parameter is outside its supported range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// Parameter name as in [`crate::ParameterSpec`].
        name: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The requested kernel path (`LOWDEPTH_CKKS_ISA` or an explicit
    /// [`crate::KernelPath`]) is unknown or needs instructions this CPU lacks.
    #[error("kernel path: {reason}")]
    KernelPath {
        /// What was requested and why it cannot run.
        reason: String,
    },
    /// log2(Q·P) exceeds the HE-standard 128-bit bound for this ring degree.
    #[error("insecure parameters: log2(QP) = {log_qp:.1} bits exceeds the 128-bit bound of {bound} bits for N = 2^{log_n}")]
    InsecureParameters {
        /// log2 of the full modulus Q·P.
        log_qp: f64,
        /// HE-standard bound for 128-bit classical security (ternary secret).
        bound: u32,
        /// log2 of the ring degree.
        log_n: u32,
    },
    /// Not enough NTT-friendly primes were found for the requested sizes.
    #[error("could not find {needed} NTT-friendly primes of {bits} bits for N = 2^{log_n}")]
    PrimeSearch {
        /// Number of primes needed.
        needed: usize,
        /// Bit size requested.
        bits: u32,
        /// log2 of the ring degree.
        log_n: u32,
    },
    /// Operands live at different levels.
    #[error("{op}: level mismatch (left {left}, right {right})")]
    LevelMismatch {
        /// Operation name.
        op: &'static str,
        /// Level of the left operand.
        left: usize,
        /// Level of the right operand.
        right: usize,
    },
    /// Operands have scales that differ by more than the relative tolerance 1e-9.
    #[error("{op}: scale mismatch (left {left}, right {right})")]
    ScaleMismatch {
        /// Operation name.
        op: &'static str,
        /// Scale of the left operand.
        left: f64,
        /// Scale of the right operand.
        right: f64,
    },
    /// A target level above the operand's level was requested.
    #[error("{op}: cannot raise level {from} to {to}")]
    LevelTooHigh {
        /// Operation name.
        op: &'static str,
        /// Current level.
        from: usize,
        /// Requested level.
        to: usize,
    },
    /// The result scale would not fit the ciphertext modulus at this level.
    #[error("{op}: result scale 2^{log2_scale:.1} does not fit the modulus 2^{log2_modulus:.1} at this level (rescale first)")]
    ScaleOverflow {
        /// Operation name.
        op: &'static str,
        /// log2 of the would-be scale.
        log2_scale: f64,
        /// log2 of Q_level.
        log2_modulus: f64,
    },
    /// A rescale was requested at level 0: the multiplicative depth is used up.
    #[error("level exhausted: cannot rescale a ciphertext at level 0")]
    LevelExhausted,
    /// No Galois key was generated for this rotation step.
    #[error("missing Galois key for rotation step {step}")]
    MissingGaloisKey {
        /// Rotation step (positive = left), as requested.
        step: i32,
    },
    /// No Galois key was generated for complex conjugation.
    #[error("missing Galois key for conjugation")]
    MissingConjugationKey,
    /// The evaluator was built without a relinearization key.
    #[error("missing relinearization key")]
    MissingRelinearizationKey,
    /// More cleartext values than slots.
    #[error("too many values: {got} given, {slots} slots")]
    TooManyValues {
        /// Number of values given.
        got: usize,
        /// Slot count N/2.
        slots: usize,
    },
    /// A value or scale cannot be encoded (not finite, or too large for the modulus).
    #[error("cannot encode: {reason}")]
    Encode {
        /// What went wrong.
        reason: String,
    },
    /// An object belongs to other parameters (different ring degree or moduli).
    #[error("{what}: object does not match these parameters")]
    ParameterMismatch {
        /// Which object.
        what: &'static str,
    },
    /// Bytes could not be decoded.
    #[error("cannot decode {what}: {reason}")]
    Decode {
        /// Kind of object being decoded.
        what: &'static str,
        /// What went wrong.
        reason: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, CkksError>;
