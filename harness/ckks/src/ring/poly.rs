//! RNS polynomials: one limb of N residues per prime, stored contiguously.
//!
//! A polynomial does not know its basis; the caller passes the global prime indices
//! (see `CkksParameters::q_indices` / `qp_indices`). Ciphertexts and keys keep their
//! polynomials in NTT (evaluation) form; coefficient form appears only transiently.

use rayon::prelude::*;
use zeroize::Zeroize;

use crate::params::CkksParameters;

/// A polynomial in RNS representation: `limbs` × N residues.
#[derive(Clone, Debug, PartialEq, Eq, Zeroize)]
pub(crate) struct RnsPoly {
    n: usize,
    data: Vec<u64>,
}

impl RnsPoly {
    pub(crate) fn zero(n: usize, limbs: usize) -> Self {
        Self {
            n,
            data: vec![0u64; n * limbs],
        }
    }

    #[allow(dead_code)]
    pub(crate) fn from_data(n: usize, data: Vec<u64>) -> Self {
        debug_assert!(n > 0 && data.len().is_multiple_of(n));
        Self { n, data }
    }

    /// A pooled polynomial with unspecified contents (public temporaries only).
    pub(crate) fn scratch(params: &CkksParameters, limbs: usize) -> Self {
        let n = params.n();
        Self {
            n,
            data: params.take_buffer(n * limbs),
        }
    }

    /// A pooled polynomial set to zero.
    pub(crate) fn scratch_zeroed(params: &CkksParameters, limbs: usize) -> Self {
        let mut p = Self::scratch(params, limbs);
        p.data.fill(0);
        p
    }

    /// A pooled copy of `self`.
    pub(crate) fn scratch_copy(&self, params: &CkksParameters) -> Self {
        let mut p = Self::scratch(params, self.limbs());
        p.data.copy_from_slice(&self.data);
        p
    }

    /// Gives the buffer back to the parameters' scratch pool.
    pub(crate) fn recycle(self, params: &CkksParameters) {
        params.recycle(self.data);
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

    /// Keeps the first `limbs` limbs.
    pub(crate) fn truncate(&mut self, limbs: usize) {
        self.data.truncate(limbs * self.n);
    }

    /// Forward NTT of every limb; `idx[i]` is the global prime index of limb i.
    pub(crate) fn ntt(&mut self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .for_each(|(l, &i)| params.plan(i).fwd(l));
    }

    /// Inverse NTT (normalized) of every limb.
    pub(crate) fn intt(&mut self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .for_each(|(l, &i)| {
                let plan = params.plan(i);
                plan.inv(l);
                plan.normalize(l);
            });
    }

    pub(crate) fn add_assign(&mut self, other: &Self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(other.par_limbs())
            .zip(idx.par_iter())
            .for_each(|((a, b), &i)| {
                let m = params.modulus(i);
                for (x, &y) in a.iter_mut().zip(b) {
                    *x = m.add(*x, y);
                }
            });
    }

    pub(crate) fn sub_assign(&mut self, other: &Self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(other.par_limbs())
            .zip(idx.par_iter())
            .for_each(|((a, b), &i)| {
                let m = params.modulus(i);
                for (x, &y) in a.iter_mut().zip(b) {
                    *x = m.sub(*x, y);
                }
            });
    }

    pub(crate) fn neg_assign(&mut self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .for_each(|(a, &i)| {
                let m = params.modulus(i);
                for x in a.iter_mut() {
                    *x = m.neg(*x);
                }
            });
    }

    /// Pointwise product (both operands in NTT form).
    pub(crate) fn mul(&self, other: &Self, params: &CkksParameters, idx: &[usize]) -> Self {
        let mut out = Self::zero(self.n, idx.len());
        out.mul_acc(self, other, params, idx);
        out
    }

    /// self += a ⊙ b pointwise (NTT form).
    pub(crate) fn mul_acc(&mut self, a: &Self, b: &Self, params: &CkksParameters, idx: &[usize]) {
        self.par_limbs_mut()
            .zip(a.par_limbs())
            .zip(b.par_limbs())
            .zip(idx.par_iter())
            .for_each(|(((acc, x), y), &i)| params.plan(i).mul_accumulate(acc, x, y));
    }

    /// Multiplies limb i by `consts[i]` (already reduced mod that prime).
    pub(crate) fn mul_scalar_assign(
        &mut self,
        consts: &[u64],
        params: &CkksParameters,
        idx: &[usize],
    ) {
        self.par_limbs_mut()
            .zip(idx.par_iter())
            .zip(consts.par_iter())
            .for_each(|((a, &i), &c)| {
                super::simd::mul_const_assign(params.modulus(i), a, c);
            });
    }

    /// Applies an NTT-domain permutation (Galois automorphism) to every limb.
    pub(crate) fn permute(&self, perm: &[u32]) -> Self {
        let mut out = Self::zero(self.n, self.limbs());
        out.par_limbs_mut()
            .zip(self.par_limbs())
            .for_each(|(o, a)| {
                for (x, &p) in o.iter_mut().zip(perm) {
                    *x = a[p as usize];
                }
            });
        out
    }

    /// Reduces small signed coefficients into every limb (coefficient form).
    pub(crate) fn from_signed(
        n: usize,
        coeffs: &[i64],
        params: &CkksParameters,
        idx: &[usize],
    ) -> Self {
        let mut out = Self::zero(n, idx.len());
        out.par_limbs_mut().zip(idx.par_iter()).for_each(|(l, &i)| {
            let m = params.modulus(i);
            for (x, &c) in l.iter_mut().zip(coeffs) {
                *x = m.reduce_i64(c);
            }
        });
        out
    }
}
