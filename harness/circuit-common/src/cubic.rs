//! The cubic approximation of the sigmoid both circuits evaluate.

/// The cubic `p(x) = c0 + c1 x + c3 x^3` (HELR's least-squares fit of `1/(1+e^x)` on
/// `[-16, 16]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cubic {
    /// Constant coefficient.
    pub c0: f64,
    /// Linear coefficient.
    pub c1: f64,
    /// Cubic coefficient (non-zero: the circuits fold `c1 / c3`).
    pub c3: f64,
}

/// HELR's cubic: `0.5 - 0.0843 x + 0.0002 x^3`.
pub const HELR_CUBIC: Cubic = Cubic {
    c0: 0.5,
    c1: -0.0843,
    c3: 0.0002,
};

impl Cubic {
    /// `p(x)`.
    pub fn eval(&self, x: f64) -> f64 {
        self.c0 + self.c1 * x + self.c3 * x * x * x
    }
}
