//! Fast RNS base conversion (Bajard et al.; "FastBConv") and the ModUp / ModDown steps of
//! hybrid key switching.

use rayon::prelude::*;

use super::modular::Modulus;
use super::poly::RnsPoly;
use crate::params::CkksParameters;

/// Converts coefficient-form limbs `src` (primes `src_idx`) to primes `dst_idx`.
///
/// Computes Σ_i [x_i · Q̂_i^{-1}]_{q_i} · Q̂_i mod p for each target p, which equals
/// x + u·Q_src for some integer 0 ≤ u < len(src): the small multiple of Q_src is the
/// usual, harmless approximation error of fast base conversion.
pub(crate) fn fast_base_conv(
    params: &CkksParameters,
    src: &RnsPoly,
    src_idx: &[usize],
    dst_idx: &[usize],
) -> RnsPoly {
    let n = src.n();
    let k = src_idx.len();
    // Q̂_i^{-1} mod q_i.
    let qhat_inv: Vec<u64> = (0..k)
        .map(|i| {
            let m = params.modulus(src_idx[i]);
            let mut prod = 1u64;
            for (j, &sj) in src_idx.iter().enumerate() {
                if j != i {
                    prod = m.mul(prod, m.reduce(params.prime(sj)));
                }
            }
            m.inv(prod)
        })
        .collect();
    // y_i = x_i · Q̂_i^{-1} mod q_i.
    let mut y = src.clone();
    y.par_limbs_mut()
        .zip(src_idx.par_iter())
        .zip(qhat_inv.par_iter())
        .for_each(|((l, &si), &c)| {
            let m = params.modulus(si);
            let s = m.shoup(c);
            for x in l.iter_mut() {
                *x = m.mul_shoup(*x, s);
            }
        });
    let mut out = RnsPoly::zero(n, dst_idx.len());
    out.par_limbs_mut()
        .zip(dst_idx.par_iter())
        .for_each(|(o, &di)| {
            let m: &Modulus = params.modulus(di);
            // [Q̂_i]_p for every source i.
            let w: Vec<u64> = (0..k)
                .map(|i| {
                    let mut prod = 1u64;
                    for (j, &sj) in src_idx.iter().enumerate() {
                        if j != i {
                            prod = m.mul(prod, m.reduce(params.prime(sj)));
                        }
                    }
                    prod
                })
                .collect();
            let ys: Vec<&[u64]> = (0..k).map(|i| y.limb(i)).collect();
            conv_limb(o, &ys, &w, m);
        });
    out
}

#[inline]
fn conv_limb(out: &mut [u64], ys: &[&[u64]], w: &[u64], m: &Modulus) {
    // Process in blocks to keep the u128 accumulators in cache.
    const B: usize = 256;
    let mut acc = [0u128; B];
    for (blk, o) in out.chunks_mut(B).enumerate() {
        let base = blk * B;
        let len = o.len();
        acc[..len].iter_mut().for_each(|a| *a = 0);
        for (yi, &wi) in ys.iter().zip(w) {
            let ysl = &yi[base..base + len];
            let wi = u128::from(wi);
            for (a, &v) in acc[..len].iter_mut().zip(ysl) {
                *a += u128::from(v) * wi;
            }
        }
        for (x, &a) in o.iter_mut().zip(&acc[..len]) {
            *x = m.reduce_u128(a);
        }
    }
}

/// ModUp of one digit: `c_ntt` / `c_coeff` hold the same polynomial (NTT and coefficient
/// form) over Q_level. Returns the digit's residues extended to Q_level ∪ P in NTT form:
/// exact on the digit's own primes, base-converted elsewhere.
pub(crate) fn mod_up_digit(
    params: &CkksParameters,
    c_ntt: &RnsPoly,
    c_coeff: &RnsPoly,
    level: usize,
    digit: usize,
) -> RnsPoly {
    let range = params.digit_range(digit, level);
    let src_idx: Vec<usize> = range.clone().collect();
    let ext_idx = params.qp_indices(level);
    let dst_pos: Vec<usize> = (0..ext_idx.len()).filter(|p| !range.contains(p)).collect();
    let dst_idx: Vec<usize> = dst_pos.iter().map(|&p| ext_idx[p]).collect();
    let src = c_coeff.select(&src_idx);
    let mut conv = fast_base_conv(params, &src, &src_idx, &dst_idx);
    conv.ntt(params, &dst_idx);
    let n = c_ntt.n();
    let mut out = RnsPoly::zero(n, ext_idx.len());
    let mut k = 0usize;
    for pos in 0..ext_idx.len() {
        if range.contains(&pos) {
            out.limb_mut(pos).copy_from_slice(c_ntt.limb(pos));
        } else {
            out.limb_mut(pos).copy_from_slice(conv.limb(k));
            k += 1;
        }
    }
    out
}

/// ModDown: given x over Q_level ∪ P (NTT form), returns round-ish(x / P) over Q_level
/// (NTT form), computed as (x - FastBConv_{P→Q}([x]_P)) · P^{-1}.
pub(crate) fn mod_down(params: &CkksParameters, x: &RnsPoly, level: usize) -> RnsPoly {
    let nq = level + 1;
    let p_idx = params.p_indices();
    let q_idx = params.q_indices(level);
    let p_pos: Vec<usize> = (nq..nq + p_idx.len()).collect();
    let mut xp = x.select(&p_pos);
    xp.intt(params, &p_idx);
    let mut conv = fast_base_conv(params, &xp, &p_idx, &q_idx);
    conv.ntt(params, &q_idx);
    let mut out = x.clone();
    out.truncate(nq);
    out.par_limbs_mut()
        .zip(conv.par_limbs())
        .zip(q_idx.par_iter())
        .for_each(|((o, c), &qi)| {
            let m = params.modulus(qi);
            let mut p_mod = 1u64;
            for &pi in &p_idx {
                p_mod = m.mul(p_mod, m.reduce(params.prime(pi)));
            }
            let s = m.shoup(m.inv(p_mod));
            for (a, &b) in o.iter_mut().zip(c) {
                *a = m.mul_shoup(m.sub(*a, b), s);
            }
        });
    out
}
