//! Plaintexts (encoded, NTT form) and ciphertexts (two NTT-form polynomials over Q_level).

use crate::error::{CkksError, Result};
use crate::params::CkksParameters;
use crate::ring::poly::RnsPoly;
use crate::sampling::expand_seed;

/// An encoded message: one polynomial over Q_level in NTT form, with its scale.
#[derive(Clone, Debug, PartialEq)]
pub struct Plaintext {
    pub(crate) poly: RnsPoly,
    pub(crate) level: usize,
    pub(crate) scale: f64,
}

impl Plaintext {
    /// Level l: the plaintext lives modulo q_0..q_l.
    pub fn level(&self) -> usize {
        self.level
    }
    /// Scale Δ (exact f64).
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

/// A CKKS ciphertext (c0, c1) with c0 + c1·s ≈ Δ·m, over Q_level in NTT form.
#[derive(Clone, Debug, PartialEq)]
pub struct Ciphertext {
    pub(crate) c0: RnsPoly,
    pub(crate) c1: RnsPoly,
    pub(crate) level: usize,
    pub(crate) scale: f64,
}

impl Ciphertext {
    /// Level l: the ciphertext lives modulo q_0..q_l (l rescales remain).
    pub fn level(&self) -> usize {
        self.level
    }
    /// Scale Δ (exact f64).
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Ring degree N.
    pub fn n(&self) -> usize {
        self.c0.n()
    }

    pub(crate) fn check(&self, params: &CkksParameters, what: &'static str) -> Result<()> {
        let limbs = self.level + 1;
        if self.c0.n() != params.n()
            || self.c1.n() != params.n()
            || self.level > params.max_level()
            || self.c0.limbs() != limbs
            || self.c1.limbs() != limbs
        {
            return Err(CkksError::ParameterMismatch { what });
        }
        Ok(())
    }
}

/// A symmetric-key ciphertext whose uniform part c1 = a is replaced by the 32-byte
/// ChaCha20 seed it expands from (about half the size of a [`Ciphertext`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SeededCiphertext {
    pub(crate) seed: [u8; 32],
    pub(crate) c0: RnsPoly,
    pub(crate) level: usize,
    pub(crate) scale: f64,
}

impl SeededCiphertext {
    /// Level of the ciphertext.
    pub fn level(&self) -> usize {
        self.level
    }
    /// Scale Δ (exact f64).
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Regenerates c1 from the seed and returns the ordinary ciphertext.
    pub fn expand(&self, params: &CkksParameters) -> Result<Ciphertext> {
        if self.c0.n() != params.n()
            || self.level > params.max_level()
            || self.c0.limbs() != self.level + 1
        {
            return Err(CkksError::ParameterMismatch {
                what: "seeded ciphertext",
            });
        }
        Ok(Ciphertext {
            c0: self.c0.clone(),
            c1: expand_seed(self.seed, params, self.level),
            level: self.level,
            scale: self.scale,
        })
    }
}
