//! What a circuit is built for.

use lowdepth_toolkit::EncodingUnit;

use crate::cubic::{Cubic, HELR_CUBIC};

/// At which level the customer encrypts each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LevelPolicy {
    /// At the level where the circuit first uses it (saves bandwidth and time).
    #[default]
    FirstUse,
    /// Every input at the top level (HELR's choice).
    Top,
}

/// What the circuit is built for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircuitConfig {
    /// Rows per minibatch `b` (`γ = 1/b`).
    pub batch_size: usize,
    /// Features `f` (columns of each minibatch, including the bias column).
    pub features: usize,
    /// Number of minibatches `k` (one iteration each).
    pub minibatches: usize,
    /// Slots per ciphertext (a power of two).
    pub slots: usize,
    /// Encoding unit; `None` picks the circuit's own `default_unit`.
    pub unit: Option<EncodingUnit>,
    /// Input levels.
    pub level_policy: LevelPolicy,
    /// The polynomial approximating `1/(1+e^x)`.
    pub cubic: Cubic,
}

impl CircuitConfig {
    /// A configuration with the default unit, first-use levels and HELR's cubic.
    pub fn new(batch_size: usize, features: usize, minibatches: usize, slots: usize) -> Self {
        Self {
            batch_size,
            features,
            minibatches,
            slots,
            unit: None,
            level_policy: LevelPolicy::FirstUse,
            cubic: HELR_CUBIC,
        }
    }
}
