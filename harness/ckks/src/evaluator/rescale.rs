//! Rescale: divide by the last prime q_l and drop it (level l → l-1, scale / q_l).

use rayon::prelude::*;

use super::Evaluator;
use crate::ciphertext::Ciphertext;
use crate::error::{CkksError, Result};
use crate::params::CkksParameters;
use crate::ring::poly::RnsPoly;
use crate::ring::simd;

/// (x - [x]_{q_l}) / q_l over Q_{l-1}, NTT form in and out (rounded division).
pub(crate) fn divide_by_last(params: &CkksParameters, x: &RnsPoly, level: usize) -> RnsPoly {
    // A pooled buffer: a fresh limb-sized allocation would page-fault on every call.
    let mut last = params.take_buffer(params.n());
    last.copy_from_slice(x.limb(level));
    params.ntt(level).inverse(&mut last);
    let ql = params.prime(level);
    let mut out = RnsPoly::scratch(params, level);
    out.par_limbs_mut().enumerate().for_each(|(i, o)| {
        let m = params.modulus(i);
        simd::centered_reduce_into(params.level(), m, o, &last, ql);
        params.ntt(i).forward(o);
        simd::sub_mul_const_assign(params.level(), m, o, x.limb(i), m.inv(m.reduce(ql)));
    });
    params.recycle(last);
    out
}

impl Evaluator {
    /// Level l → l-1; scale becomes scale / q_l (exact f64 division).
    pub fn rescale(&self, ct: &Ciphertext) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        if ct.level == 0 {
            return Err(CkksError::LevelExhausted);
        }
        let p = &self.params;
        let (c0, c1) = rayon::join(
            || divide_by_last(p, &ct.c0, ct.level),
            || divide_by_last(p, &ct.c1, ct.level),
        );
        Ok(Ciphertext {
            c0,
            c1,
            level: ct.level - 1,
            scale: ct.scale / p.prime(ct.level) as f64,
        })
    }
}
