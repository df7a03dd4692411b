//! The backend trait: what an evaluator (CKKS, plaintext simulation, tracer) provides.
//!
//! Backends implement *unchecked* primitive operations: the checked
//! [`Evaluator`](crate::Evaluator) validates levels, scales, level exhaustion and rotation
//! keys once for every backend before calling them. A backend may still return
//! [`ToolkitError::Backend`] for failures of its own (e.g. an engine error).
//!
//! # Rotation convention
//!
//! `rotate(ct, k)` with `k > 0` rotates **left**: slot `i` of the result receives slot
//! `(i + k) mod slots` of the input (SEAL's convention). The evaluator normalises every step
//! to `0..slots` before calling the backend, so backends only ever see steps in that range
//! (step `k` and step `k - slots` are the same rotation of the slot vector).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Result, ToolkitError};

/// Ring degree N of the CKKS ring `Z_Q[X]/(X^N + 1)`; `N >= 2 * slots`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RingDegree(pub usize);

impl RingDegree {
    /// Checks that `N` is a power of two with at least `2 * slots` coefficients.
    pub fn try_new(n: usize, slots: usize) -> Result<Self> {
        if !n.is_power_of_two() || slots == 0 || slots.checked_mul(2).is_none_or(|m| n < m) {
            return Err(ToolkitError::InvalidParameters(format!(
                "ring degree {n} must be a power of two >= 2 * slots = {}",
                2 * slots
            )));
        }
        Ok(Self(n))
    }

    /// The smallest ring degree for `slots` slots (full packing, `N = 2 * slots`).
    pub fn for_slots(slots: usize) -> Self {
        Self(2 * slots)
    }
}

/// Which rotation (Galois) keys a backend holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RotationKeys {
    /// Every rotation step is available (debugging, depth finding).
    #[default]
    All,
    /// Only these steps, normalised to `0..slots` (step 0 needs no key).
    Steps(BTreeSet<usize>),
}

impl RotationKeys {
    /// A key set from signed steps, normalised to `0..slots`.
    pub fn from_steps(steps: impl IntoIterator<Item = i64>, slots: usize) -> Self {
        Self::Steps(
            steps
                .into_iter()
                .map(|s| normalize_step(s, slots))
                .collect(),
        )
    }

    /// Whether the (already normalised) step is available.
    pub fn contains(&self, normalized_step: usize) -> bool {
        match self {
            Self::All => true,
            Self::Steps(set) => normalized_step == 0 || set.contains(&normalized_step),
        }
    }
}

/// Normalises a signed left-rotation step to `0..slots` (`slots` a power of two, > 0).
pub fn normalize_step(step: i64, slots: usize) -> usize {
    let n = slots.max(1) as i64;
    step.rem_euclid(n) as usize
}

/// Number of bits of `q` (position of its highest set bit, plus one).
pub fn modulus_bits(q: u64) -> u32 {
    64 - q.leading_zeros()
}

/// Serialized size of a CKKS ciphertext at `level`: two polynomials of `N` coefficients
/// in each of the moduli `q_0..=q_level`, each coefficient stored in `bits(q_i)` bits.
pub fn ckks_ciphertext_bytes(ring_degree: RingDegree, moduli: &[u64], level: usize) -> u64 {
    let bits: u64 = moduli
        .iter()
        .take(level + 1)
        .map(|&q| u64::from(modulus_bits(q)))
        .sum();
    (2 * ring_degree.0 as u64 * bits).div_ceil(8)
}

/// A homomorphic-evaluation backend.
///
/// Methods take `&self` and backends are `Send + Sync`, so the toolkit can process the
/// ciphertexts of one object in parallel. All operations return new values.
///
/// Level and scale semantics follow full-RNS CKKS: a ciphertext at level `l` lives modulo
/// `q_0 * ... * q_l` ([`Backend::moduli`]); [`Backend::rescale`] at level `l` divides the
/// scale by `q_l` and moves to level `l - 1`.
///
/// Implementations may assume the preconditions the [`Evaluator`](crate::Evaluator) checks
/// (equal levels/scales for additions, level > 0 for rescale, rotation keys present,
/// steps normalised to `0..slots`, value vectors of length at most `slots`).
pub trait Backend: Send + Sync {
    /// The backend's ciphertext.
    type Ciphertext: Clone + Send + Sync;
    /// The backend's encoded (unencrypted) plaintext.
    type Plaintext: Clone + Send + Sync;

    /// Number of (real) slots per ciphertext; a power of two.
    fn slots(&self) -> usize;
    /// Ring degree N (`>= 2 * slots`), used for byte counts.
    fn ring_degree(&self) -> RingDegree;
    /// The ciphertext moduli `q_0..=q_L`: rescale at level `l` divides the scale by `q_l`.
    fn moduli(&self) -> &[u64];
    /// The top level `L` (`moduli().len() - 1`).
    fn max_level(&self) -> usize {
        self.moduli().len().saturating_sub(1)
    }

    /// Encodes `values` (zero-padded to `slots`) at `level` and `scale`.
    fn encode(&self, values: &[f64], level: usize, scale: f64) -> Result<Self::Plaintext>;
    /// Encodes and encrypts `values` (zero-padded to `slots`) at `level` and `scale`.
    fn encrypt(&self, values: &[f64], level: usize, scale: f64) -> Result<Self::Ciphertext>;
    /// Decrypts and decodes all `slots` values.
    fn decrypt(&self, ct: &Self::Ciphertext) -> Result<Vec<f64>>;

    /// Level of a ciphertext.
    fn level(&self, ct: &Self::Ciphertext) -> usize;
    /// Scale of a ciphertext.
    fn scale(&self, ct: &Self::Ciphertext) -> f64;
    /// Level of a plaintext.
    fn plaintext_level(&self, pt: &Self::Plaintext) -> usize;
    /// Scale of a plaintext.
    fn plaintext_scale(&self, pt: &Self::Plaintext) -> f64;

    /// `a + b` (same level and scale).
    fn add(&self, a: &Self::Ciphertext, b: &Self::Ciphertext) -> Result<Self::Ciphertext>;
    /// `a - b` (same level and scale).
    fn sub(&self, a: &Self::Ciphertext, b: &Self::Ciphertext) -> Result<Self::Ciphertext>;
    /// `-a`.
    fn negate(&self, a: &Self::Ciphertext) -> Result<Self::Ciphertext>;
    /// `a + p` (same level and scale).
    fn add_plain(&self, a: &Self::Ciphertext, p: &Self::Plaintext) -> Result<Self::Ciphertext>;
    /// `a * p` (same level); result scale is the product, not rescaled.
    fn mul_plain(&self, a: &Self::Ciphertext, p: &Self::Plaintext) -> Result<Self::Ciphertext>;
    /// `a * c` with `c` encoded as the integer `round(c * const_scale)`; result scale is
    /// `scale(a) * const_scale`, not rescaled.
    fn mul_const(&self, a: &Self::Ciphertext, c: f64, const_scale: f64)
        -> Result<Self::Ciphertext>;
    /// `a * i` for a small integer; scale and level unchanged.
    fn mul_int(&self, a: &Self::Ciphertext, i: i64) -> Result<Self::Ciphertext>;
    /// `a * b` with relinearization (same level); scale is the product, not rescaled.
    fn mul(&self, a: &Self::Ciphertext, b: &Self::Ciphertext) -> Result<Self::Ciphertext>;
    /// `Σ aᵢ * bᵢ` with a single relinearization (every pair at one level, every product
    /// of one scale; at least one pair); scale is the product, not rescaled. CKKS adds the
    /// degree-2 tensor products before relinearizing, so the sum costs one key switch, not
    /// one per pair. The default adds the [`Backend::mul`]s (same value).
    fn mul_sum(
        &self,
        pairs: &[(&Self::Ciphertext, &Self::Ciphertext)],
    ) -> Result<Self::Ciphertext> {
        let mut products = pairs.iter().map(|&(a, b)| self.mul(a, b));
        let first = products.next().ok_or_else(|| {
            ToolkitError::InvalidParameters("mul_sum needs at least one pair".into())
        })??;
        products.try_fold(first, |acc, p| self.add(&acc, &p?))
    }
    /// Multiplies by a public `factor > 0` for free: the same ciphertext data with its scale
    /// divided by `factor`, so it decodes as `factor · m` (no level, no noise added).
    fn relabel(&self, a: &Self::Ciphertext, factor: f64) -> Result<Self::Ciphertext>;
    /// Divides by `q_level` and moves to `level - 1` (level > 0).
    fn rescale(&self, a: &Self::Ciphertext) -> Result<Self::Ciphertext>;
    /// Drops primes down to `level` (<= current level); the scale is kept.
    fn drop_to_level(&self, a: &Self::Ciphertext, level: usize) -> Result<Self::Ciphertext>;
    /// Rotates left by `step` (normalised to `1..slots`): slot `i` receives slot `i + step`.
    fn rotate(&self, a: &Self::Ciphertext, step: i32) -> Result<Self::Ciphertext>;
    /// Rotations of one ciphertext by several steps (hoisted in CKKS: one key-switch
    /// decomposition shared by all steps). Steps are normalised to `1..slots`.
    fn rotate_many(&self, a: &Self::Ciphertext, steps: &[i32]) -> Result<Vec<Self::Ciphertext>>;
    /// Whether a rotation key for the normalised `step` (`1..slots`) is available.
    fn has_rotation_key(&self, step: i32) -> bool;
    /// Serialized size of the ciphertext in bytes (for simulated backends: what CKKS
    /// would need, see [`ckks_ciphertext_bytes`]).
    fn ciphertext_bytes(&self, ct: &Self::Ciphertext) -> u64;
}
