//! Out-of-place element-wise operations (compiled for the kernel path's vector
//! instructions via `dispatch::run`). Each writes a fresh pooled polynomial in one
//! limb-parallel pass; copying an input first and then updating the copy would read and
//! write every word twice and run the copy serially.
//!
//! `idx` gives the output's primes (one limb each); operands may have more limbs (a
//! plaintext above the ciphertext's level), of which the first `idx.len()` are used.

use rayon::prelude::*;

use super::dispatch;
use super::poly::RnsPoly;
use super::simd;
use crate::params::CkksParameters;

impl RnsPoly {
    /// A pooled polynomial of `idx.len()` limbs whose limb t is written by `f(t, limb)`,
    /// which must overwrite every word.
    pub(crate) fn from_limbs(
        params: &CkksParameters,
        idx: &[usize],
        f: impl Fn(usize, &mut [u64]) + Sync + Send,
    ) -> Self {
        let mut out = Self::scratch(params, idx.len());
        out.par_limbs_mut().enumerate().for_each(|(t, o)| f(t, o));
        out
    }

    /// self + other.
    pub(crate) fn add(&self, other: &Self, params: &CkksParameters, idx: &[usize]) -> Self {
        Self::from_limbs(params, idx, |t, o| {
            let m = params.modulus(idx[t]);
            dispatch::run(
                params.level(),
                #[inline(always)]
                || {
                    for ((o, &x), &y) in o.iter_mut().zip(self.limb(t)).zip(other.limb(t)) {
                        *o = m.add(x, y);
                    }
                },
            );
        })
    }

    /// self - other.
    pub(crate) fn sub(&self, other: &Self, params: &CkksParameters, idx: &[usize]) -> Self {
        Self::from_limbs(params, idx, |t, o| {
            let m = params.modulus(idx[t]);
            dispatch::run(
                params.level(),
                #[inline(always)]
                || {
                    for ((o, &x), &y) in o.iter_mut().zip(self.limb(t)).zip(other.limb(t)) {
                        *o = m.sub(x, y);
                    }
                },
            );
        })
    }

    /// -self.
    pub(crate) fn neg(&self, params: &CkksParameters, idx: &[usize]) -> Self {
        Self::from_limbs(params, idx, |t, o| {
            let m = params.modulus(idx[t]);
            dispatch::run(
                params.level(),
                #[inline(always)]
                || {
                    for (o, &x) in o.iter_mut().zip(self.limb(t)) {
                        *o = m.neg(x);
                    }
                },
            );
        })
    }

    /// Limb t times `consts[t]` (already reduced mod that prime).
    pub(crate) fn mul_scalar(
        &self,
        consts: &[u64],
        params: &CkksParameters,
        idx: &[usize],
    ) -> Self {
        Self::from_limbs(params, idx, |t, o| {
            simd::mul_const_into(
                params.level(),
                params.modulus(idx[t]),
                o,
                self.limb(t),
                consts[t],
            );
        })
    }

    /// Pointwise product (both operands in NTT form). The limb is cleared and accumulated
    /// into, as the engine always did, inside the parallel loop.
    pub(crate) fn mul(&self, other: &Self, params: &CkksParameters, idx: &[usize]) -> Self {
        Self::from_limbs(params, idx, |t, o| {
            o.fill(0);
            params
                .ntt(idx[t])
                .mul_accumulate(o, self.limb(t), other.limb(t));
        })
    }
}
