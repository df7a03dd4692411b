//! Homomorphic operations. Every method takes `&self`, checks its preconditions (levels,
//! scales, keys) and returns a new value.

mod arith;
mod keyswitch;
mod mul;
mod rescale;
mod rotate;
mod tensor;

use std::sync::Arc;

use crate::ciphertext::{Ciphertext, Plaintext};
use crate::error::{CkksError, Result};
use crate::keys::{GaloisKeys, RelinearizationKey};
use crate::params::CkksParameters;

/// Relative tolerance for "equal scales" in additions.
pub const SCALE_TOLERANCE: f64 = 1e-9;

/// The homomorphic evaluator. Holds shared (`Arc`) evaluation keys; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Evaluator {
    params: CkksParameters,
    relin_key: Option<Arc<RelinearizationKey>>,
    galois_keys: Option<Arc<GaloisKeys>>,
}

impl Evaluator {
    /// An evaluator with optional relinearization and Galois keys.
    pub fn new(
        params: &CkksParameters,
        relin_key: Option<Arc<RelinearizationKey>>,
        galois_keys: Option<Arc<GaloisKeys>>,
    ) -> Result<Self> {
        let full = params.max_level() + 1 + params.num_special();
        let digits = params.digits_at(params.max_level());
        let key_ok = |k: &crate::keys::SwitchingKey| {
            k.parts.len() == digits
                && k.parts
                    .iter()
                    .all(|(b, a)| b.n() == params.n() && b.limbs() == full && a.limbs() == full)
        };
        if let Some(r) = &relin_key {
            if !key_ok(&r.key) {
                return Err(CkksError::ParameterMismatch {
                    what: "relinearization key",
                });
            }
        }
        if let Some(g) = &galois_keys {
            if !g
                .keys
                .values()
                .all(|(k, perm)| key_ok(k) && perm.len() == params.n())
            {
                return Err(CkksError::ParameterMismatch {
                    what: "Galois keys",
                });
            }
        }
        Ok(Self {
            params: params.clone(),
            relin_key,
            galois_keys,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &CkksParameters {
        &self.params
    }

    fn check_ct(&self, ct: &Ciphertext) -> Result<()> {
        ct.check(&self.params, "ciphertext")
    }

    fn check_pt(&self, pt: &Plaintext, level: usize) -> Result<()> {
        if pt.poly.n() != self.params.n() || pt.poly.limbs() != pt.level + 1 {
            return Err(CkksError::ParameterMismatch { what: "plaintext" });
        }
        if pt.level < level {
            return Err(CkksError::LevelMismatch {
                op: "plaintext operand",
                left: level,
                right: pt.level,
            });
        }
        Ok(())
    }

    fn check_pair(&self, op: &'static str, a: &Ciphertext, b: &Ciphertext) -> Result<()> {
        self.check_ct(a)?;
        self.check_ct(b)?;
        if a.level != b.level {
            return Err(CkksError::LevelMismatch {
                op,
                left: a.level,
                right: b.level,
            });
        }
        Ok(())
    }
}

impl Evaluator {
    /// The scale of a product must stay below Q_level / 2 (plus one bit of headroom).
    pub(crate) fn check_product_scale(
        &self,
        op: &'static str,
        scale: f64,
        level: usize,
    ) -> Result<()> {
        let log2_modulus = self.params.log2_modulus(level);
        let log2_scale = scale.log2();
        if !(scale.is_finite() && log2_scale < log2_modulus - 2.0) {
            return Err(CkksError::ScaleOverflow {
                op,
                log2_scale,
                log2_modulus,
            });
        }
        Ok(())
    }
}

pub(crate) fn scales_match(a: f64, b: f64) -> bool {
    (a - b).abs() <= SCALE_TOLERANCE * a.abs().max(b.abs())
}
