//! Ciphertext × ciphertext multiplication: tensor product then relinearization.
//!
//! [`Evaluator::mul_sum`] adds several tensor products *before* the one relinearization
//! (the degree-2 parts add like the others), so a sum of `n` products costs one key switch
//! instead of `n`: the key switch dominates a product's cost.

use super::keyswitch::key_switch;
use super::tensor::tensor_sum;
use super::{scales_match, Evaluator};
use crate::ciphertext::Ciphertext;
use crate::error::{CkksError, Result};
use crate::ring::basis::Combine;

impl Evaluator {
    /// a · b slot-wise, relinearized; result scale = a.scale · b.scale (no rescale inside).
    pub fn mul(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.mul_sum_named("mul", &[(a, b)])
    }

    /// a², relinearized.
    pub fn square(&self, a: &Ciphertext) -> Result<Ciphertext> {
        self.mul(a, a)
    }

    /// Σ aᵢ · bᵢ slot-wise with a single relinearization. Every pair is at the same level
    /// and every product has the same scale (relative tolerance 1e-9), which is the
    /// result's scale (no rescale inside). Same value as adding the [`Evaluator::mul`]s.
    pub fn mul_sum(&self, pairs: &[(&Ciphertext, &Ciphertext)]) -> Result<Ciphertext> {
        self.mul_sum_named("mul_sum", pairs)
    }

    fn mul_sum_named(
        &self,
        op: &'static str,
        pairs: &[(&Ciphertext, &Ciphertext)],
    ) -> Result<Ciphertext> {
        let Some(&(a0, b0)) = pairs.first() else {
            return Err(CkksError::InvalidParameter {
                name: "pairs",
                reason: format!("{op} needs at least one pair of ciphertexts"),
            });
        };
        let (level, scale) = (a0.level, a0.scale * b0.scale);
        for &(a, b) in pairs {
            self.check_pair(op, a, b)?;
            if a.level != level {
                return Err(CkksError::LevelMismatch {
                    op,
                    left: level,
                    right: a.level,
                });
            }
            if !scales_match(scale, a.scale * b.scale) {
                return Err(CkksError::ScaleMismatch {
                    op,
                    left: scale,
                    right: a.scale * b.scale,
                });
            }
        }
        let rlk = self
            .relin_key
            .as_ref()
            .ok_or(CkksError::MissingRelinearizationKey)?;
        self.check_product_scale(op, scale, level)?;
        let p = &self.params;
        let (mut d0, mut d1, d2) = tensor_sum(p, pairs, &p.q_indices(level));
        key_switch(
            p,
            &d2,
            level,
            &rlk.key,
            (&mut d0, &mut d1),
            (Combine::Add, Combine::Add),
        );
        d2.recycle(p);
        Ok(Ciphertext {
            c0: d0,
            c1: d1,
            level,
            scale,
        })
    }
}
