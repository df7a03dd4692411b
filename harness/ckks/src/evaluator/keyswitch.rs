//! Hybrid key switching (Han–Ki 2020 style): decompose into dnum digits, ModUp each digit
//! to Q_l ∪ P, inner product with the switching key, ModDown by P.

use rayon::prelude::*;

use crate::keys::SwitchingKey;
use crate::params::CkksParameters;
use crate::ring::basis::{mod_down, mod_up_digit};
use crate::ring::poly::RnsPoly;

/// The ModUp'd digits of one polynomial (NTT form over Q_level ∪ P). Computing these is the
/// expensive, key-independent half of key switching, shared by hoisted rotations.
pub(crate) struct Decomposed {
    pub(crate) level: usize,
    pub(crate) digits: Vec<RnsPoly>,
}

/// Decomposes `c` (NTT form over Q_level).
pub(crate) fn decompose(params: &CkksParameters, c: &RnsPoly, level: usize) -> Decomposed {
    let q_idx = params.q_indices(level);
    let mut coeff = c.clone();
    coeff.intt(params, &q_idx);
    let digits = (0..params.digits_at(level))
        .into_par_iter()
        .map(|j| mod_up_digit(params, c, &coeff, level, j))
        .collect();
    Decomposed { level, digits }
}

/// Σ_j digit_j ⊙ key_j (optionally with the digits permuted by an NTT-domain Galois
/// permutation), then ModDown. Returns (k0, k1) over Q_level with k0 + k1·s ≈ c·s'.
pub(crate) fn key_switch_decomposed(
    params: &CkksParameters,
    dec: &Decomposed,
    key: &SwitchingKey,
    perm: Option<&[u32]>,
) -> (RnsPoly, RnsPoly) {
    let level = dec.level;
    let n = params.n();
    let ext_idx = params.qp_indices(level);
    let nq = level + 1;
    let num_q = params.num_q();
    // Position of each extended limb inside the full-basis key.
    let key_pos: Vec<usize> = (0..ext_idx.len())
        .map(|t| if t < nq { t } else { num_q + (t - nq) })
        .collect();
    let mut acc0 = RnsPoly::zero(n, ext_idx.len());
    let mut acc1 = RnsPoly::zero(n, ext_idx.len());
    acc0.par_limbs_mut()
        .zip(acc1.par_limbs_mut())
        .enumerate()
        .for_each(|(t, (a0, a1))| {
            let plan = params.plan(ext_idx[t]);
            let kp = key_pos[t];
            let mut tmp = if perm.is_some() {
                vec![0u64; n]
            } else {
                Vec::new()
            };
            for (d, (kb, ka)) in dec.digits.iter().zip(&key.parts) {
                let src = d.limb(t);
                let x: &[u64] = match perm {
                    Some(p) => {
                        for (o, &i) in tmp.iter_mut().zip(p) {
                            *o = src[i as usize];
                        }
                        &tmp
                    }
                    None => src,
                };
                plan.mul_accumulate(a0, x, kb.limb(kp));
                plan.mul_accumulate(a1, x, ka.limb(kp));
            }
        });
    let (k0, k1) = rayon::join(
        || mod_down(params, &acc0, level),
        || mod_down(params, &acc1, level),
    );
    (k0, k1)
}

/// Full key switch of one polynomial.
pub(crate) fn key_switch(
    params: &CkksParameters,
    c: &RnsPoly,
    level: usize,
    key: &SwitchingKey,
) -> (RnsPoly, RnsPoly) {
    let dec = decompose(params, c, level);
    key_switch_decomposed(params, &dec, key, None)
}
