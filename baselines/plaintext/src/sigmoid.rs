//! The two sigmoids of the reference models, in HELR's sign convention: `s = sigma(-u)`.
//!
//! ```
//! use lowdepth_plaintext::Sigmoid;
//! assert_eq!(Sigmoid::Cubic.eval(0.0), 0.5);
//! assert!((Sigmoid::Exact.eval(2.0) - 1.0 / (1.0 + 2f64.exp())).abs() < 1e-15);
//! ```

/// Coefficients `[c0, c1, c2, c3]` of HELR's cubic `p(x) = 0.5 - 0.0843 x + 0.0002 x^3`, the
/// least-squares fit of `1 / (1 + e^x)` on `[-16, 16]`.
pub const CUBIC_COEFFS: [f64; 4] = [0.5, -0.0843, 0.0, 0.0002];

/// Which function maps `u = Z v` to `s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sigmoid {
    /// `p(u) = 0.5 - 0.0843 u + 0.0002 u^3` (what the encrypted circuits compute).
    Cubic,
    /// `1 / (1 + exp(u))`.
    Exact,
}

impl Sigmoid {
    /// `s(u)`.
    pub fn eval(self, u: f64) -> f64 {
        match self {
            Sigmoid::Cubic => {
                let [c0, c1, _, c3] = CUBIC_COEFFS;
                c0 + c1 * u + c3 * u * u * u
            }
            // 1/(1+e^u) = sigma(-u), computed without overflow for large |u|.
            Sigmoid::Exact => logistic(-u),
        }
    }

    /// A short lower-case name (`cubic`, `exact`) for tables.
    pub fn name(self) -> &'static str {
        match self {
            Sigmoid::Cubic => "cubic",
            Sigmoid::Exact => "exact",
        }
    }
}

/// The logistic function `1 / (1 + e^-t)`, without overflow.
pub fn logistic(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_values() {
        assert!((Sigmoid::Cubic.eval(4.5) - 0.138875).abs() < 1e-15);
        assert!((Sigmoid::Cubic.eval(-1.0) - (0.5 + 0.0843 - 0.0002)).abs() < 1e-15);
    }

    #[test]
    fn exact_is_stable() {
        assert_eq!(Sigmoid::Exact.eval(1000.0), 0.0);
        assert_eq!(Sigmoid::Exact.eval(-1000.0), 1.0);
        assert_eq!(Sigmoid::Exact.eval(0.0), 0.5);
    }
}
