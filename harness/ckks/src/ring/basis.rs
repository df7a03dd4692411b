//! Fast RNS base conversion (Bajard et al.; "FastBConv") and the ModUp / ModDown steps of
//! hybrid key switching. Conversion, NTT and the final combination are fused per target
//! limb so each limb is touched while it is in cache.

use rayon::prelude::*;

use super::modular::Modulus;
use super::poly::RnsPoly;
use super::simd;
use crate::params::CkksParameters;

/// Precomputed data to convert from the primes `src_idx`.
pub(crate) struct Conv {
    /// y_i = x_i · Q̂_i^{-1} mod q_i, coefficient form, one limb per source prime.
    y: RnsPoly,
}

impl Conv {
    /// `src` holds the source limbs in coefficient form (positions `src_pos` of `poly`).
    pub(crate) fn new(
        params: &CkksParameters,
        poly: &RnsPoly,
        src_pos: &[usize],
        src_idx: &[usize],
    ) -> Self {
        let k = src_idx.len();
        let mut y = RnsPoly::scratch(params, k);
        y.par_limbs_mut().enumerate().for_each(|(i, out)| {
            let m = params.modulus(src_idx[i]);
            let mut prod = 1u64;
            for (j, &sj) in src_idx.iter().enumerate() {
                if j != i {
                    prod = m.mul(prod, m.reduce(params.prime(sj)));
                }
            }
            simd::mul_const_into(params.level(), m, out, poly.limb(src_pos[i]), m.inv(prod));
        });
        Self { y }
    }

    /// Writes Σ_i y_i · [Q̂_i]_p mod p into `out` (= x + u·Q_src, 0 ≤ u < len(src)).
    pub(crate) fn recycle(self, params: &CkksParameters) {
        self.y.recycle(params);
    }

    pub(crate) fn convert_into(
        &self,
        params: &CkksParameters,
        src_idx: &[usize],
        dst: usize,
        out: &mut [u64],
    ) {
        let m: &Modulus = params.modulus(dst);
        let k = src_idx.len();
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
        for (i, &wi) in w.iter().enumerate() {
            if i == 0 {
                simd::mul_const_into(params.level(), m, out, self.y.limb(0), wi);
            } else {
                simd::mul_const_add_assign(params.level(), m, out, self.y.limb(i), wi);
            }
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
    let conv = Conv::new(params, c_coeff, &src_idx, &src_idx);
    let mut out = RnsPoly::scratch(params, ext_idx.len());
    out.par_limbs_mut().enumerate().for_each(|(pos, o)| {
        if range.contains(&pos) {
            o.copy_from_slice(c_ntt.limb(pos));
        } else {
            conv.convert_into(params, &src_idx, ext_idx[pos], o);
            params.ntt(ext_idx[pos]).forward(o);
        }
    });
    conv.recycle(params);
    out
}

/// How [`mod_down_into`] combines its result with the output polynomial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Combine {
    /// out = x / P
    Set,
    /// out += x / P
    Add,
}

/// ModDown: given x over Q_level ∪ P (NTT form), computes ≈ x / P over Q_level (NTT form)
/// as (x - FastBConv_{P→Q}([x]_P)) · P^{-1}, and stores or adds it into `out`.
pub(crate) fn mod_down_into(
    params: &CkksParameters,
    x: &RnsPoly,
    level: usize,
    out: &mut RnsPoly,
    combine: Combine,
) {
    let nq = level + 1;
    let n = params.n();
    let p_idx = params.p_indices();
    let xp = x.coeff_copy(params, nq, &p_idx);
    let all: Vec<usize> = (0..p_idx.len()).collect();
    let conv = Conv::new(params, &xp, &all, &p_idx);
    out.par_limbs_mut().enumerate().for_each(|(qi, o)| {
        let m = params.modulus(qi);
        let mut p_mod = 1u64;
        for &pi in &p_idx {
            p_mod = m.mul(p_mod, m.reduce(params.prime(pi)));
        }
        let p_inv = m.inv(p_mod);
        match combine {
            Combine::Set => {
                conv.convert_into(params, &p_idx, qi, o);
                params.ntt(qi).forward(o);
                simd::sub_mul_const_assign(params.level(), m, o, x.limb(qi), p_inv);
            }
            Combine::Add => {
                let mut t = params.take_buffer(n);
                conv.convert_into(params, &p_idx, qi, &mut t);
                params.ntt(qi).forward(&mut t);
                simd::sub_mul_const_assign(params.level(), m, &mut t, x.limb(qi), p_inv);
                simd::add_assign(params.level(), m, o, &t);
                params.recycle(t);
            }
        }
    });
    conv.recycle(params);
    xp.recycle(params);
}
