//! Ciphertext × ciphertext multiplication: tensor product then relinearization.

use super::keyswitch::key_switch;
use super::Evaluator;
use crate::ciphertext::Ciphertext;
use crate::error::{CkksError, Result};
use crate::ring::basis::Combine;
use crate::ring::poly::RnsPoly;

impl Evaluator {
    /// a · b slot-wise, relinearized; result scale = a.scale · b.scale (no rescale inside).
    pub fn mul(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.check_pair("mul", a, b)?;
        let rlk = self
            .relin_key
            .as_ref()
            .ok_or(CkksError::MissingRelinearizationKey)?;
        self.check_product_scale("mul", a.scale * b.scale, a.level)?;
        let p = &self.params;
        let idx = p.q_indices(a.level);
        let mut d0 = a.c0.mul(&b.c0, p, &idx);
        let mut d1 = a.c0.mul(&b.c1, p, &idx);
        d1.mul_acc(&a.c1, &b.c0, p, &idx);
        let mut d2 = RnsPoly::scratch_zeroed(p, idx.len());
        d2.mul_acc(&a.c1, &b.c1, p, &idx);
        key_switch(
            p,
            &d2,
            a.level,
            &rlk.key,
            (&mut d0, &mut d1),
            (Combine::Add, Combine::Add),
        );
        d2.recycle(p);
        Ok(Ciphertext {
            c0: d0,
            c1: d1,
            level: a.level,
            scale: a.scale * b.scale,
        })
    }

    /// a², relinearized.
    pub fn square(&self, a: &Ciphertext) -> Result<Ciphertext> {
        self.mul(a, a)
    }
}
