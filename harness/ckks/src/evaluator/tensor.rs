//! The degree-2 tensor product of a sum of ciphertext products, computed in one
//! limb-parallel pass: each worker takes a limb and accumulates every pair's products into
//! it while it is in cache, instead of one whole-polynomial pass per product (4 per pair,
//! each a separate parallel region with a join between them).

use rayon::prelude::*;

use crate::ciphertext::Ciphertext;
use crate::params::CkksParameters;
use crate::ring::poly::RnsPoly;

/// (d0, d1, d2) = Σ_k (a_k.c0·b_k.c0, a_k.c0·b_k.c1 + a_k.c1·b_k.c0, a_k.c1·b_k.c1) over
/// the primes `idx` (NTT form). Products are accumulated in the order the engine always
/// used, so the result is bit-identical.
pub(crate) fn tensor_sum(
    params: &CkksParameters,
    pairs: &[(&Ciphertext, &Ciphertext)],
    idx: &[usize],
) -> (RnsPoly, RnsPoly, RnsPoly) {
    let mut d0 = RnsPoly::scratch(params, idx.len());
    let mut d1 = RnsPoly::scratch(params, idx.len());
    let mut d2 = RnsPoly::scratch(params, idx.len());
    d0.par_limbs_mut()
        .zip(d1.par_limbs_mut())
        .zip(d2.par_limbs_mut())
        .enumerate()
        .for_each(|(t, ((o0, o1), o2))| {
            let ntt = params.ntt(idx[t]);
            o0.fill(0);
            o1.fill(0);
            o2.fill(0);
            for &(a, b) in pairs {
                let (a0, a1) = (a.c0.limb(t), a.c1.limb(t));
                let (b0, b1) = (b.c0.limb(t), b.c1.limb(t));
                ntt.mul_accumulate(o0, a0, b0);
                ntt.mul_accumulate(o1, a0, b1);
                ntt.mul_accumulate(o1, a1, b0);
                ntt.mul_accumulate(o2, a1, b1);
            }
        });
    (d0, d1, d2)
}
