//! Hybrid key switching (Han–Ki 2020 style): decompose into dnum digits, ModUp each digit
//! to Q_l ∪ P, inner product with the switching key, ModDown by P.

use rayon::prelude::*;

use crate::keys::SwitchingKey;
use crate::params::CkksParameters;
use crate::ring::basis::{mod_down_into, mod_up_digit, Combine, Conv};
use crate::ring::poly::RnsPoly;

/// The ModUp'd digits of one polynomial (NTT form over Q_level ∪ P). Computing these is the
/// expensive, key-independent half of key switching, shared by hoisted rotations.
pub(crate) struct Decomposed {
    pub(crate) level: usize,
    pub(crate) digits: Vec<RnsPoly>,
}

impl Decomposed {
    pub(crate) fn recycle(self, params: &CkksParameters) {
        for d in self.digits {
            d.recycle(params);
        }
    }
}

/// Position of each limb of the Q_level ∪ P basis inside a full-basis key.
fn key_positions(params: &CkksParameters, level: usize) -> Vec<usize> {
    let nq = level + 1;
    let num_q = params.num_q();
    (0..nq + params.num_special())
        .map(|t| if t < nq { t } else { num_q + (t - nq) })
        .collect()
}

/// Decomposes `c` (NTT form over Q_level), materializing every ModUp'd digit.
pub(crate) fn decompose(params: &CkksParameters, c: &RnsPoly, level: usize) -> Decomposed {
    let coeff = c.coeff_copy(params, 0, &params.q_indices(level));
    let digits = (0..params.digits_at(level))
        .into_par_iter()
        .map(|j| mod_up_digit(params, c, &coeff, level, j))
        .collect();
    coeff.recycle(params);
    Decomposed { level, digits }
}

/// ModDown of the two accumulators into the outputs, then recycling.
fn finish(
    params: &CkksParameters,
    acc: (RnsPoly, RnsPoly),
    level: usize,
    out: (&mut RnsPoly, &mut RnsPoly),
    combine: (Combine, Combine),
) {
    let (acc0, acc1) = acc;
    let (out0, out1) = out;
    rayon::join(
        || mod_down_into(params, &acc0, level, out0, combine.0),
        || mod_down_into(params, &acc1, level, out1, combine.1),
    );
    acc0.recycle(params);
    acc1.recycle(params);
}

/// Σ_j digit_j ⊙ key_j, then ModDown into (out0, out1) over Q_level, so that
/// out0 + out1·s gains ≈ c·s' (s' the key's source secret).
pub(crate) fn key_switch_decomposed(
    params: &CkksParameters,
    dec: &Decomposed,
    key: &SwitchingKey,
    out: (&mut RnsPoly, &mut RnsPoly),
    combine: (Combine, Combine),
) {
    let level = dec.level;
    let ext_idx = params.qp_indices(level);
    let key_pos = key_positions(params, level);
    let mut acc0 = RnsPoly::scratch(params, ext_idx.len());
    let mut acc1 = RnsPoly::scratch(params, ext_idx.len());
    acc0.par_limbs_mut()
        .zip(acc1.par_limbs_mut())
        .enumerate()
        .for_each(|(t, (a0, a1))| {
            let ntt = params.ntt(ext_idx[t]);
            let kp = key_pos[t];
            // Cleared here, in cache and in parallel, rather than by a serial fill.
            a0.fill(0);
            a1.fill(0);
            for (d, (kb, ka)) in dec.digits.iter().zip(&key.parts) {
                ntt.mul_accumulate(a0, d.limb(t), kb.limb(kp));
                ntt.mul_accumulate(a1, d.limb(t), ka.limb(kp));
            }
        });
    finish(params, (acc0, acc1), level, out, combine);
}

/// Full key switch of one polynomial, fused per limb: each extended limb of each digit is
/// base-converted, transformed and multiplied into the accumulators while in cache, so the
/// digits are never materialized.
pub(crate) fn key_switch(
    params: &CkksParameters,
    c: &RnsPoly,
    level: usize,
    key: &SwitchingKey,
    out: (&mut RnsPoly, &mut RnsPoly),
    combine: (Combine, Combine),
) {
    let n = params.n();
    let q_idx = params.q_indices(level);
    let ext_idx = params.qp_indices(level);
    let key_pos = key_positions(params, level);
    let coeff = c.coeff_copy(params, 0, &q_idx);
    let ranges: Vec<std::ops::Range<usize>> = (0..params.digits_at(level))
        .map(|j| params.digit_range(j, level))
        .collect();
    let srcs: Vec<Vec<usize>> = ranges.iter().map(|r| r.clone().collect()).collect();
    let convs: Vec<Conv> = srcs
        .par_iter()
        .map(|src| Conv::new(params, &coeff, src, src))
        .collect();
    coeff.recycle(params);
    let mut acc0 = RnsPoly::scratch(params, ext_idx.len());
    let mut acc1 = RnsPoly::scratch(params, ext_idx.len());
    acc0.par_limbs_mut()
        .zip(acc1.par_limbs_mut())
        .enumerate()
        .for_each(|(t, (a0, a1))| {
            let gi = ext_idx[t];
            let ntt = params.ntt(gi);
            let kp = key_pos[t];
            a0.fill(0);
            a1.fill(0);
            let mut scratch = params.take_buffer(n);
            for (j, (kb, ka)) in key.parts.iter().take(ranges.len()).enumerate() {
                let x: &[u64] = if ranges[j].contains(&t) {
                    c.limb(t)
                } else {
                    convs[j].convert_into(params, &srcs[j], gi, &mut scratch);
                    ntt.forward(&mut scratch);
                    &scratch
                };
                ntt.mul_accumulate(a0, x, kb.limb(kp));
                ntt.mul_accumulate(a1, x, ka.limb(kp));
            }
            params.recycle(scratch);
        });
    for conv in convs {
        conv.recycle(params);
    }
    finish(params, (acc0, acc1), level, out, combine);
}
