//! Ciphertext × ciphertext multiplication: tensor product then relinearization.

use super::keyswitch::key_switch;
use super::Evaluator;
use crate::ciphertext::Ciphertext;
use crate::error::{CkksError, Result};

impl Evaluator {
    /// a · b slot-wise, relinearized; result scale = a.scale · b.scale (no rescale inside).
    pub fn mul(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.check_pair("mul", a, b)?;
        let rlk = self
            .relin_key
            .as_ref()
            .ok_or(CkksError::MissingRelinearizationKey)?;
        let p = &self.params;
        let idx = p.q_indices(a.level);
        let mut d0 = a.c0.mul(&b.c0, p, &idx);
        let mut d1 = a.c0.mul(&b.c1, p, &idx);
        d1.mul_acc(&a.c1, &b.c0, p, &idx);
        let d2 = a.c1.mul(&b.c1, p, &idx);
        let (k0, k1) = key_switch(p, &d2, a.level, &rlk.key);
        d0.add_assign(&k0, p, &idx);
        d1.add_assign(&k1, p, &idx);
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
