//! Additive operations and multiplications that consume no key: add, sub, negate,
//! plaintext and constant operands, level dropping. Each output polynomial is written in
//! one limb-parallel pass (`ring::elementwise`), never as a copy of an input updated in place.

use super::{scales_match, Evaluator};
use crate::ciphertext::{Ciphertext, Plaintext};
use crate::encoding::Encoder;
use crate::error::{CkksError, Result};

impl Evaluator {
    fn check_scales(&self, op: &'static str, left: f64, right: f64) -> Result<()> {
        if !scales_match(left, right) {
            return Err(CkksError::ScaleMismatch { op, left, right });
        }
        Ok(())
    }

    /// a + b (same level, scales equal within 1e-9 relative).
    pub fn add(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.check_pair("add", a, b)?;
        self.check_scales("add", a.scale, b.scale)?;
        let idx = self.params.q_indices(a.level);
        Ok(Ciphertext {
            c0: a.c0.add(&b.c0, &self.params, &idx),
            c1: a.c1.add(&b.c1, &self.params, &idx),
            ..*a
        })
    }

    /// a - b (same level, scales equal within 1e-9 relative).
    pub fn sub(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.check_pair("sub", a, b)?;
        self.check_scales("sub", a.scale, b.scale)?;
        let idx = self.params.q_indices(a.level);
        Ok(Ciphertext {
            c0: a.c0.sub(&b.c0, &self.params, &idx),
            c1: a.c1.sub(&b.c1, &self.params, &idx),
            ..*a
        })
    }

    /// -a.
    pub fn negate(&self, a: &Ciphertext) -> Result<Ciphertext> {
        self.check_ct(a)?;
        let idx = self.params.q_indices(a.level);
        Ok(Ciphertext {
            c0: a.c0.neg(&self.params, &idx),
            c1: a.c1.neg(&self.params, &idx),
            ..*a
        })
    }

    /// ct + pt (plaintext level ≥ ciphertext level; equal scales).
    pub fn add_plain(&self, ct: &Ciphertext, pt: &Plaintext) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        self.check_pt(pt, ct.level)?;
        self.check_scales("add_plain", ct.scale, pt.scale)?;
        let idx = self.params.q_indices(ct.level);
        Ok(Ciphertext {
            c0: ct.c0.add(&pt.poly, &self.params, &idx),
            c1: ct.c1.clone(),
            ..*ct
        })
    }

    /// ct - pt (plaintext level ≥ ciphertext level; equal scales).
    pub fn sub_plain(&self, ct: &Ciphertext, pt: &Plaintext) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        self.check_pt(pt, ct.level)?;
        self.check_scales("sub_plain", ct.scale, pt.scale)?;
        let idx = self.params.q_indices(ct.level);
        Ok(Ciphertext {
            c0: ct.c0.sub(&pt.poly, &self.params, &idx),
            c1: ct.c1.clone(),
            ..*ct
        })
    }

    /// ct ⊙ pt slot-wise; result scale = ct.scale · pt.scale; no rescale inside.
    pub fn mul_plain(&self, ct: &Ciphertext, pt: &Plaintext) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        self.check_pt(pt, ct.level)?;
        self.check_product_scale("mul_plain", ct.scale * pt.scale, ct.level)?;
        let idx = self.params.q_indices(ct.level);
        Ok(Ciphertext {
            c0: ct.c0.mul(&pt.poly, &self.params, &idx),
            c1: ct.c1.mul(&pt.poly, &self.params, &idx),
            level: ct.level,
            scale: ct.scale * pt.scale,
        })
    }

    /// ct · c, with c encoded as the integer round(c · const_scale) in every slot; result
    /// scale = ct.scale · const_scale; no rescale inside.
    pub fn mul_const(&self, ct: &Ciphertext, c: f64, const_scale: f64) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        if !(const_scale.is_finite() && const_scale > 0.0) {
            return Err(CkksError::Encode {
                reason: format!("constant scale {const_scale} must be finite and positive"),
            });
        }
        self.check_product_scale("mul_const", ct.scale * const_scale, ct.level)?;
        let consts = Encoder::constant_residues(&self.params, c, const_scale, ct.level)?;
        let idx = self.params.q_indices(ct.level);
        Ok(Ciphertext {
            c0: ct.c0.mul_scalar(&consts, &self.params, &idx),
            c1: ct.c1.mul_scalar(&consts, &self.params, &idx),
            level: ct.level,
            scale: ct.scale * const_scale,
        })
    }

    /// ct · k for an integer k: no level used, scale unchanged.
    pub fn mul_int(&self, ct: &Ciphertext, k: i64) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        let idx = self.params.q_indices(ct.level);
        let consts: Vec<u64> = idx
            .iter()
            .map(|&i| self.params.modulus(i).reduce_i64(k))
            .collect();
        Ok(Ciphertext {
            c0: ct.c0.mul_scalar(&consts, &self.params, &idx),
            c1: ct.c1.mul_scalar(&consts, &self.params, &idx),
            ..*ct
        })
    }

    /// Drops primes down to `level` (cheap); the scale is kept.
    pub fn drop_to_level(&self, ct: &Ciphertext, level: usize) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        if level > ct.level {
            return Err(CkksError::LevelTooHigh {
                op: "drop_to_level",
                from: ct.level,
                to: level,
            });
        }
        Ok(Ciphertext {
            c0: ct.c0.prefix(level + 1),
            c1: ct.c1.prefix(level + 1),
            level,
            scale: ct.scale,
        })
    }
}
