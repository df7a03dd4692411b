//! RNS polynomials: one limb of N residues per prime, stored contiguously.
//!
//! A polynomial does not know its basis; the caller passes the global prime indices
//! (see `CkksParameters::q_indices` / `qp_indices`). Ciphertexts and keys keep their
//! polynomials in NTT (evaluation) form; coefficient form appears only transiently.

use std::sync::Arc;

use rayon::prelude::*;
use zeroize::Zeroize;

use super::dispatch;
use super::pool::BufferPool;
use crate::params::CkksParameters;

/// A polynomial in RNS representation: `limbs` × N residues.
///
/// Pooled polynomials (evaluator values) return their buffer to the parameter set's pool
/// when dropped; unpooled ones (secret material, keys) are freed normally.
#[derive(Zeroize)]
pub(crate) struct RnsPoly {
    n: usize,
    data: Vec<u64>,
    #[zeroize(skip)]
    pool: Option<Arc<BufferPool>>,
}

impl std::fmt::Debug for RnsPoly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RnsPoly")
            .field("n", &self.n)
            .field("limbs", &self.limbs())
            .finish()
    }
}

impl PartialEq for RnsPoly {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.data == other.data
    }
}
impl Eq for RnsPoly {}

impl Clone for RnsPoly {
    fn clone(&self) -> Self {
        self.prefix(self.limbs())
    }
}

impl Drop for RnsPoly {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.give(std::mem::take(&mut self.data));
        }
    }
}

impl RnsPoly {
    /// An unpooled zero polynomial (for secret material and long-lived keys).
    pub(crate) fn zero(n: usize, limbs: usize) -> Self {
        Self {
            n,
            data: vec![0u64; n * limbs],
            pool: None,
        }
    }

    /// A pooled polynomial with unspecified contents (public values only).
    pub(crate) fn scratch(params: &CkksParameters, limbs: usize) -> Self {
        let n = params.n();
        Self {
            n,
            data: params.take_buffer(n * limbs),
            pool: Some(params.pool().clone()),
        }
    }

    /// A pooled copy of `self`.
    pub(crate) fn scratch_copy(&self, params: &CkksParameters) -> Self {
        self.copy_into(
            params.take_buffer(self.data.len()),
            Some(params.pool().clone()),
        )
    }

    /// Limbs `first..first + idx.len()` copied and taken to coefficient form (inverse
    /// NTT), pooled; copy and transform are fused per limb in one parallel pass.
    pub(crate) fn coeff_copy(&self, params: &CkksParameters, first: usize, idx: &[usize]) -> Self {
        let mut out = Self::scratch(params, idx.len());
        out.par_limbs_mut()
            .zip(idx.par_iter())
            .enumerate()
            .for_each(|(t, (o, &i))| {
                o.copy_from_slice(self.limb(first + t));
                params.ntt(i).inverse(o);
            });
        out
    }

    /// Copies the leading limbs of `self` into `data` (limb-parallel), which becomes a
    /// polynomial of `data.len() / n` limbs.
    fn copy_into(&self, mut data: Vec<u64>, pool: Option<Arc<BufferPool>>) -> Self {
        data.par_chunks_mut(self.n)
            .zip(self.data.par_chunks(self.n))
            .for_each(|(o, a)| o.copy_from_slice(a));
        Self {
            n: self.n,
            data,
            pool,
        }
    }

    /// Gives the buffer back to the parameters' pool now (public data only).
    pub(crate) fn recycle(mut self, params: &CkksParameters) {
        if self.pool.is_none() {
            self.pool = Some(params.pool().clone());
        }
        drop(self);
    }

    pub(crate) fn n(&self) -> usize {
        self.n
    }

    pub(crate) fn limbs(&self) -> usize {
        self.data.len() / self.n
    }

    pub(crate) fn limb(&self, i: usize) -> &[u64] {
        &self.data[i * self.n..(i + 1) * self.n]
    }

    pub(crate) fn limb_mut(&mut self, i: usize) -> &mut [u64] {
        &mut self.data[i * self.n..(i + 1) * self.n]
    }

    pub(crate) fn data(&self) -> &[u64] {
        &self.data
    }

    pub(crate) fn par_limbs_mut(&mut self) -> rayon::slice::ChunksMut<'_, u64> {
        self.data.par_chunks_mut(self.n)
    }

    pub(crate) fn par_limbs(&self) -> rayon::slice::Chunks<'_, u64> {
        self.data.par_chunks(self.n)
    }

    /// A copy of the first `limbs` limbs (pooled if `self` is).
    pub(crate) fn prefix(&self, limbs: usize) -> Self {
        let len = (limbs * self.n).min(self.data.len());
        match &self.pool {
            Some(pool) => self.copy_into(pool.take(len), Some(pool.clone())),
            None => Self {
                n: self.n,
                data: self.data[..len].to_vec(),
                pool: None,
            },
        }
    }

    /// Keeps the first `limbs` limbs.
    pub(crate) fn truncate(&mut self, limbs: usize) {
        self.data.truncate(limbs * self.n);
    }

    /// Forward NTT of every limb; `idx[i]` is the global prime index of limb i.
    pub(crate) fn ntt(&mut self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .for_each(|(l, &i)| params.ntt(i).forward(l));
    }

    /// Inverse NTT (normalized) of every limb.
    pub(crate) fn intt(&mut self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .for_each(|(l, &i)| {
                params.ntt(i).inverse(l);
            });
    }

    pub(crate) fn add_assign(&mut self, other: &Self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(other.par_limbs())
            .zip(idx.par_iter())
            .for_each(|((a, b), &i)| {
                let m = params.modulus(i);
                dispatch::run(
                    params.level(),
                    #[inline(always)]
                    || {
                        for (x, &y) in a.iter_mut().zip(b) {
                            *x = m.add(*x, y);
                        }
                    },
                );
            });
    }

    pub(crate) fn sub_assign(&mut self, other: &Self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(other.par_limbs())
            .zip(idx.par_iter())
            .for_each(|((a, b), &i)| {
                let m = params.modulus(i);
                dispatch::run(
                    params.level(),
                    #[inline(always)]
                    || {
                        for (x, &y) in a.iter_mut().zip(b) {
                            *x = m.sub(*x, y);
                        }
                    },
                );
            });
    }

    /// self += a ⊙ b pointwise (NTT form).
    pub(crate) fn mul_acc(&mut self, a: &Self, b: &Self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(a.par_limbs())
            .zip(b.par_limbs())
            .zip(idx.par_iter())
            .for_each(|(((acc, x), y), &i)| params.ntt(i).mul_accumulate(acc, x, y));
    }

    /// Applies an NTT-domain permutation (Galois automorphism) to every limb.
    pub(crate) fn permute(&self, perm: &[u32]) -> Self {
        let mut out = Self {
            n: self.n,
            data: match &self.pool {
                Some(pool) => pool.take(self.data.len()),
                None => vec![0u64; self.data.len()],
            },
            pool: self.pool.clone(),
        };
        out.par_limbs_mut()
            .zip(self.par_limbs())
            .for_each(|(o, a)| {
                for (x, &p) in o.iter_mut().zip(perm) {
                    *x = a[p as usize];
                }
            });
        out
    }

    /// Reduces small signed coefficients into every limb (coefficient form), unpooled.
    pub(crate) fn from_signed(
        n: usize,
        coeffs: &[i64],
        params: &CkksParameters,
        idx: &[usize],
    ) -> Self {
        let mut out = Self::zero(n, idx.len());
        out.fill_signed(coeffs, params, idx);
        out
    }

    /// Overwrites every limb with the signed coefficients reduced mod that limb's prime.
    pub(crate) fn fill_signed(&mut self, coeffs: &[i64], params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .for_each(|(l, &i)| {
                let m = params.modulus(i);
                for (x, &c) in l.iter_mut().zip(coeffs) {
                    *x = m.reduce_i64(c);
                }
            });
    }
}
