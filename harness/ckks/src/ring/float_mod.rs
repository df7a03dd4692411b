//! Exact modular arithmetic in double precision for primes p < 2^50 (the FLINT
//! `fft_small` technique): residues are f64 integers, a·w mod p is an FMA two-product
//! h + l = a·w, a quotient q = round(a·(w/p)) and r = (h - q·p) + l, exact because every
//! intermediate is an integer below 2^53. No 64-bit integer multiply is needed, which
//! AVX2 lacks, so these helpers vectorize on AVX2 and AVX-512 alike. Call them only in
//! code compiled with FMA (see `dispatch::run`): elsewhere `mul_add` is a library call.

/// 1.5·2^52: adding and subtracting it rounds any |x| < 2^51 to the nearest integer.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// 2^52: the bit pattern trick that converts integers below 2^52 exactly.
const MAGIC: f64 = 4_503_599_627_370_496.0;

#[inline(always)]
pub(crate) fn round(x: f64) -> f64 {
    (x + ROUND) - ROUND
}

/// From an integer in [0, 2^52) to its f64 value.
#[inline(always)]
pub(crate) fn from_u64(a: u64) -> f64 {
    f64::from_bits(a | MAGIC.to_bits()) - MAGIC
}

/// From an integer in (-p, p) to its canonical residue in [0, p).
#[inline(always)]
pub(crate) fn to_residue(r: f64, p: f64) -> u64 {
    let r = if r < 0.0 { r + p } else { r };
    (r + MAGIC).to_bits() - MAGIC.to_bits()
}

/// An integer ≡ a·w (mod p), for integers a and |w| ≤ p/2 with wq = w/p and
/// |a·w/p| < 2^50. The quotient estimate is off by at most e = |a·w/p|·2^-52 (two
/// roundings), so the result's magnitude is at most (0.5 + e)·p: below 0.9p for
/// |a| < 3p, below 0.75p for a < 2^51.
#[inline(always)]
pub(crate) fn mul_mod(a: f64, w: f64, wq: f64, p: f64) -> f64 {
    let h = a * w;
    let l = a.mul_add(w, -h);
    let q = round(a * wq);
    (-q).mul_add(p, h) + l
}

/// An integer ≡ x (mod p) of magnitude at most p/2 + 1, for integers |x| < 2^51.
#[inline(always)]
pub(crate) fn reduce(x: f64, p: f64, p_inv: f64) -> f64 {
    (-round(x * p_inv)).mul_add(p, x)
}

/// A constant w as [`mul_mod`] wants it: the signed representative in (-p/2, p/2] (so
/// products stay small) and w/p (to estimate quotients).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FloatConst {
    pub(crate) w: f64,
    pub(crate) w_over_p: f64,
}

impl FloatConst {
    /// The constant w (< p) modulo p.
    pub(crate) fn new(w: u64, p: u64) -> Self {
        let signed = if w > p / 2 {
            w as f64 - p as f64
        } else {
            w as f64
        };
        Self {
            w: signed,
            w_over_p: signed / p as f64,
        }
    }
}
