//! The checked evaluator: preconditions enforced once, for every backend.
//!
//! Circuits use only [`Evaluator`]. It validates levels, scales, level exhaustion,
//! rotation keys and cleartext inputs, then calls the [`Backend`]. Because the checks live
//! here and not in the backends, a circuit that fails under CKKS fails the same way (same
//! [`ToolkitError`] variant) under the plaintext simulation and the tracer.
//!
//! The scale policy ([`ScaleSchedule`]) also lives here: the `*_rescale` helpers and
//! [`Evaluator::adjust_level`] keep every result at its canonical scale, so circuits never
//! compute scales.

use crate::backend::{normalize_step, Backend};
use crate::error::{Result, ToolkitError};
use crate::scale::{scales_match, ScaleSchedule};

/// Largest |constant × scale| accepted by `mul_const` (the engine multiplies by the
/// rounded integer).
const MAX_CONST_MAGNITUDE: f64 = 4.611_686_018_427_388e18; // 2^62

/// Checked evaluator over a backend.
#[derive(Debug)]
pub struct Evaluator<B: Backend> {
    backend: B,
    schedule: ScaleSchedule,
}

impl<B: Backend> Evaluator<B> {
    /// Wraps `backend`, with canonical scales built from its moduli and `2^log_scale`.
    pub fn new(backend: B, log_scale: u32) -> Result<Self> {
        let slots = backend.slots();
        if !slots.is_power_of_two() {
            return Err(ToolkitError::InvalidParameters(format!(
                "slot count {slots} is not a power of two"
            )));
        }
        if slots > i32::MAX as usize {
            return Err(ToolkitError::InvalidParameters(format!(
                "slot count {slots} too large"
            )));
        }
        let schedule = ScaleSchedule::try_new(backend.moduli(), log_scale)?;
        Ok(Self { backend, schedule })
    }

    /// The wrapped backend (for backend-specific reports, e.g. the tracer's).
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Unwraps the backend.
    pub fn into_backend(self) -> B {
        self.backend
    }

    /// The scale policy.
    pub fn schedule(&self) -> &ScaleSchedule {
        &self.schedule
    }

    /// Slots per ciphertext.
    pub fn slots(&self) -> usize {
        self.backend.slots()
    }

    /// Top level `L`.
    pub fn max_level(&self) -> usize {
        self.schedule.max_level()
    }

    /// Canonical scale `Δ_l` at `level`.
    pub fn canonical_scale(&self, level: usize) -> Result<f64> {
        self.schedule.delta(level)
    }

    /// Level of a ciphertext.
    pub fn level(&self, ct: &B::Ciphertext) -> usize {
        self.backend.level(ct)
    }

    /// Scale of a ciphertext.
    pub fn scale(&self, ct: &B::Ciphertext) -> f64 {
        self.backend.scale(ct)
    }

    /// Serialized size of a ciphertext in bytes.
    pub fn ciphertext_bytes(&self, ct: &B::Ciphertext) -> u64 {
        self.backend.ciphertext_bytes(ct)
    }

    // ---------------------------------------------------------------- checks

    fn check_values(&self, op: &'static str, values: &[f64]) -> Result<()> {
        if values.len() > self.slots() {
            return Err(ToolkitError::ShapeMismatch {
                op,
                detail: format!("{} values for {} slots", values.len(), self.slots()),
            });
        }
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(ToolkitError::NonFiniteValue { op, index });
        }
        Ok(())
    }

    fn check_level_exists(&self, op: &'static str, level: usize) -> Result<()> {
        if level > self.max_level() {
            return Err(ToolkitError::InvalidLevel {
                op,
                level,
                allowed: format!("0..={}", self.max_level()),
            });
        }
        Ok(())
    }

    fn check_scale_fits(&self, op: &'static str, scale: f64, level: usize) -> Result<()> {
        if !scale.is_finite() || scale <= 0.0 {
            return Err(ToolkitError::InvalidScale { op, scale });
        }
        let log2_modulus = self.schedule.log2_modulus(level)?;
        let log2_scale = scale.log2();
        // The engine's margin exactly (one bit for the sign, one of headroom), so a circuit
        // that CKKS would refuse is refused here under every backend.
        if log2_scale >= log2_modulus - 2.0 {
            return Err(ToolkitError::ScaleOverflow {
                op,
                log2_scale,
                log2_modulus,
                level,
            });
        }
        Ok(())
    }

    fn check_same_level(op: &'static str, left: usize, right: usize) -> Result<()> {
        if left != right {
            return Err(ToolkitError::LevelMismatch { op, left, right });
        }
        Ok(())
    }

    fn check_same_scale(op: &'static str, left: f64, right: f64) -> Result<()> {
        if !scales_match(left, right) {
            return Err(ToolkitError::ScaleMismatch { op, left, right });
        }
        Ok(())
    }

    fn check_can_multiply(&self, op: &'static str, level: usize) -> Result<()> {
        // Every non-integer multiplication must be followed by a rescale.
        if level == 0 {
            return Err(ToolkitError::LevelExhausted { op, level });
        }
        Ok(())
    }

    fn check_rotation(&self, step: i64) -> Result<i32> {
        let s = normalize_step(step, self.slots());
        // `s < slots <= i32::MAX` (checked in `new`).
        let s32 = i32::try_from(s).map_err(|_| ToolkitError::MissingRotationKey { step: s })?;
        if s != 0 && !self.backend.has_rotation_key(s32) {
            return Err(ToolkitError::MissingRotationKey { step: s });
        }
        Ok(s32)
    }

    // ---------------------------------------------------------------- encode / encrypt

    /// Encodes `values` (at most `slots`, zero-padded) at `level` and `scale`.
    pub fn encode(&self, values: &[f64], level: usize, scale: f64) -> Result<B::Plaintext> {
        self.check_values("encode", values)?;
        self.check_level_exists("encode", level)?;
        self.check_scale_fits("encode", scale, level)?;
        self.backend.encode(values, level, scale)
    }

    /// Encrypts `values` (at most `slots`, zero-padded) at `level` and `scale`.
    pub fn encrypt(&self, values: &[f64], level: usize, scale: f64) -> Result<B::Ciphertext> {
        self.check_values("encrypt", values)?;
        self.check_level_exists("encrypt", level)?;
        self.check_scale_fits("encrypt", scale, level)?;
        self.backend.encrypt(values, level, scale)
    }

    /// Encrypts `values` at `level` with the canonical scale `Δ_level`.
    pub fn encrypt_canonical(&self, values: &[f64], level: usize) -> Result<B::Ciphertext> {
        self.check_level_exists("encrypt", level)?;
        self.encrypt(values, level, self.schedule.delta(level)?)
    }

    /// Encodes `values` so they can be added to a ciphertext at (`level`, `scale`).
    pub fn encode_for_add(&self, values: &[f64], level: usize, scale: f64) -> Result<B::Plaintext> {
        self.encode(values, level, scale)
    }

    /// Encodes `values` to multiply a ciphertext at `level` with scale `ct_scale`, such
    /// that [`Evaluator::mul_plain_rescale`] lands exactly on `Δ_{level-1}`.
    pub fn encode_for_mul(
        &self,
        values: &[f64],
        level: usize,
        ct_scale: f64,
    ) -> Result<B::Plaintext> {
        self.check_level_exists("encode_for_mul", level)?;
        self.check_can_multiply("encode_for_mul", level)?;
        let scale = self.schedule.operand_scale_for_mul(level, ct_scale)?;
        self.encode(values, level, scale)
    }

    /// Decrypts all `slots` values.
    pub fn decrypt(&self, ct: &B::Ciphertext) -> Result<Vec<f64>> {
        self.backend.decrypt(ct)
    }

    // ---------------------------------------------------------------- primitive ops

    /// `a + b`; equal levels and scales required.
    pub fn add(&self, a: &B::Ciphertext, b: &B::Ciphertext) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        Self::check_same_level("add", b_.level(a), b_.level(b))?;
        Self::check_same_scale("add", b_.scale(a), b_.scale(b))?;
        b_.add(a, b)
    }

    /// `a - b`; equal levels and scales required.
    pub fn sub(&self, a: &B::Ciphertext, b: &B::Ciphertext) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        Self::check_same_level("sub", b_.level(a), b_.level(b))?;
        Self::check_same_scale("sub", b_.scale(a), b_.scale(b))?;
        b_.sub(a, b)
    }

    /// `-a`.
    pub fn negate(&self, a: &B::Ciphertext) -> Result<B::Ciphertext> {
        self.backend.negate(a)
    }

    /// `a + p`; equal levels and scales required.
    pub fn add_plain(&self, a: &B::Ciphertext, p: &B::Plaintext) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        Self::check_same_level("add_plain", b_.level(a), b_.plaintext_level(p))?;
        Self::check_same_scale("add_plain", b_.scale(a), b_.plaintext_scale(p))?;
        b_.add_plain(a, p)
    }

    /// `a * p` without rescale (level > 0, equal levels; the product scale must fit).
    pub fn mul_plain(&self, a: &B::Ciphertext, p: &B::Plaintext) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        let level = b_.level(a);
        Self::check_same_level("mul_plain", level, b_.plaintext_level(p))?;
        self.check_can_multiply("mul_plain", level)?;
        self.check_scale_fits("mul_plain", b_.scale(a) * b_.plaintext_scale(p), level)?;
        b_.mul_plain(a, p)
    }

    /// `a * c` with `c` encoded at `const_scale`, without rescale.
    pub fn mul_const(&self, a: &B::Ciphertext, c: f64, const_scale: f64) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        let level = b_.level(a);
        self.check_can_multiply("mul_const", level)?;
        if !const_scale.is_finite() || const_scale <= 0.0 {
            return Err(ToolkitError::InvalidScale {
                op: "mul_const",
                scale: const_scale,
            });
        }
        if !c.is_finite() || (c * const_scale).abs() >= MAX_CONST_MAGNITUDE {
            return Err(ToolkitError::ConstantOutOfRange {
                op: "mul_const",
                value: c,
                scale: const_scale,
            });
        }
        self.check_scale_fits("mul_const", b_.scale(a) * const_scale, level)?;
        b_.mul_const(a, c, const_scale)
    }

    /// `a * i` for an integer (no level, scale unchanged).
    pub fn mul_int(&self, a: &B::Ciphertext, i: i64) -> Result<B::Ciphertext> {
        self.backend.mul_int(a, i)
    }

    /// `c · a` for a public constant `c != 0` by bookkeeping: the scale becomes
    /// `scale / |c|` (negated first when `c < 0`). No level and no noise, but the scale
    /// leaves the canonical schedule, so the result only meets operands relabelled alike
    /// (or a product whose plaintext/constant scale absorbs it).
    pub fn relabel(&self, a: &B::Ciphertext, c: f64) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        if !c.is_finite() || c == 0.0 {
            return Err(ToolkitError::ConstantOutOfRange {
                op: "relabel",
                value: c,
                scale: b_.scale(a),
            });
        }
        let new_scale = b_.scale(a) / c.abs();
        // The same bounds as any other scale: it must fit the modulus, and be >= 1 (the
        // bound a rescale enforces) so the integer data still carries the value.
        self.check_scale_fits("relabel", new_scale, b_.level(a))?;
        if new_scale < 1.0 {
            return Err(ToolkitError::InvalidScale {
                op: "relabel",
                scale: new_scale,
            });
        }
        let relabelled = b_.relabel(a, c.abs())?;
        if c < 0.0 {
            b_.negate(&relabelled)
        } else {
            Ok(relabelled)
        }
    }

    /// `a * b` with relinearization, without rescale (level > 0, equal levels).
    pub fn mul(&self, a: &B::Ciphertext, b: &B::Ciphertext) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        let level = b_.level(a);
        Self::check_same_level("mul", level, b_.level(b))?;
        self.check_can_multiply("mul", level)?;
        self.check_scale_fits("mul", b_.scale(a) * b_.scale(b), level)?;
        b_.mul(a, b)
    }

    /// `Σ aᵢ * bᵢ` with one relinearization, without rescale: every operand at one level
    /// (> 0), every product of one scale. Same value as adding the [`Evaluator::mul`]s;
    /// CKKS pays one key switch for the whole sum.
    pub fn mul_sum(&self, pairs: &[(&B::Ciphertext, &B::Ciphertext)]) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        let Some(&(a0, b0)) = pairs.first() else {
            return Err(ToolkitError::ShapeMismatch {
                op: "mul_sum",
                detail: "no pairs to multiply".into(),
            });
        };
        let (level, scale) = (b_.level(a0), b_.scale(a0) * b_.scale(b0));
        for &(a, b) in pairs {
            Self::check_same_level("mul_sum", level, b_.level(a))?;
            Self::check_same_level("mul_sum", level, b_.level(b))?;
            Self::check_same_scale("mul_sum", scale, b_.scale(a) * b_.scale(b))?;
        }
        self.check_can_multiply("mul_sum", level)?;
        self.check_scale_fits("mul_sum", scale, level)?;
        b_.mul_sum(pairs)
    }

    /// Rescale: level `l -> l - 1`, scale divided by `q_l`.
    pub fn rescale(&self, a: &B::Ciphertext) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        let level = b_.level(a);
        if level == 0 {
            return Err(ToolkitError::LevelExhausted {
                op: "rescale",
                level,
            });
        }
        let new_scale = b_.scale(a) / self.schedule.modulus(level)?;
        if new_scale < 1.0 {
            return Err(ToolkitError::InvalidScale {
                op: "rescale",
                scale: new_scale,
            });
        }
        b_.rescale(a)
    }

    /// Drops primes down to `level` (keeps the scale, which must fit the smaller modulus).
    pub fn drop_to_level(&self, a: &B::Ciphertext, level: usize) -> Result<B::Ciphertext> {
        let b_ = &self.backend;
        let current = b_.level(a);
        if level > current {
            return Err(ToolkitError::InvalidLevel {
                op: "drop_to_level",
                level,
                allowed: format!("0..={current}"),
            });
        }
        if level == current {
            return Ok(a.clone());
        }
        self.check_scale_fits("drop_to_level", b_.scale(a), level)?;
        b_.drop_to_level(a, level)
    }

    /// Rotates left by `step` (slot `i` receives slot `i + step`); negative steps rotate
    /// right. Steps are taken modulo `slots`; step 0 is free and needs no key.
    pub fn rotate(&self, a: &B::Ciphertext, step: i64) -> Result<B::Ciphertext> {
        let s = self.check_rotation(step)?;
        if s == 0 {
            return Ok(a.clone());
        }
        self.backend.rotate(a, s)
    }

    /// Several rotations of one ciphertext (hoisted in CKKS), in the order of `steps`.
    pub fn rotate_many(&self, a: &B::Ciphertext, steps: &[i64]) -> Result<Vec<B::Ciphertext>> {
        let normalized = steps
            .iter()
            .map(|&s| self.check_rotation(s))
            .collect::<Result<Vec<i32>>>()?;
        let nonzero: Vec<i32> = normalized.iter().copied().filter(|&s| s != 0).collect();
        let mut rotated = if nonzero.is_empty() {
            Vec::new()
        } else {
            self.backend.rotate_many(a, &nonzero)?
        };
        if rotated.len() != nonzero.len() {
            return Err(ToolkitError::Backend(format!(
                "rotate_many returned {} ciphertexts for {} steps",
                rotated.len(),
                nonzero.len()
            )));
        }
        let mut out = Vec::with_capacity(steps.len());
        let mut it = rotated.drain(..);
        for s in normalized {
            if s == 0 {
                out.push(a.clone());
            } else {
                match it.next() {
                    Some(ct) => out.push(ct),
                    None => return Err(ToolkitError::Backend("rotate_many: too few".into())),
                }
            }
        }
        Ok(out)
    }

    // ---------------------------------------------------------------- scale-policy helpers

    /// `a * b`, relinearized and rescaled: from `(l, Δ_l)` operands to `(l-1, Δ_{l-1})`.
    pub fn mul_rescale(&self, a: &B::Ciphertext, b: &B::Ciphertext) -> Result<B::Ciphertext> {
        self.rescale(&self.mul(a, b)?)
    }

    /// `Σ aᵢ * bᵢ` with one relinearization, then rescaled (see [`Evaluator::mul_sum`]).
    pub fn mul_sum_rescale(
        &self,
        pairs: &[(&B::Ciphertext, &B::Ciphertext)],
    ) -> Result<B::Ciphertext> {
        self.rescale(&self.mul_sum(pairs)?)
    }

    /// `a * c` for a real constant, encoded so the rescaled result is at `Δ_{l-1}`.
    pub fn mul_const_rescale(&self, a: &B::Ciphertext, c: f64) -> Result<B::Ciphertext> {
        let level = self.level(a);
        self.check_can_multiply("mul_const", level)?;
        let s = self.schedule.operand_scale_for_mul(level, self.scale(a))?;
        self.rescale(&self.mul_const(a, c, s)?)
    }

    /// `a * p` then rescale; `p` should come from [`Evaluator::encode_for_mul`].
    pub fn mul_plain_rescale(&self, a: &B::Ciphertext, p: &B::Plaintext) -> Result<B::Ciphertext> {
        self.rescale(&self.mul_plain(a, p)?)
    }

    /// `a * values` (encoded on the fly) then rescale.
    pub fn mul_values_rescale(&self, a: &B::Ciphertext, values: &[f64]) -> Result<B::Ciphertext> {
        let p = self.encode_for_mul(values, self.level(a), self.scale(a))?;
        self.mul_plain_rescale(a, &p)
    }

    /// Brings `a` down to `level` at the canonical scale `Δ_level`: drop to `level + 1`,
    /// multiply by 1.0 encoded at `Δ_level · q_{level+1} / scale`, rescale. Returns `a`
    /// unchanged if it is already at `level`.
    pub fn adjust_level(&self, a: &B::Ciphertext, level: usize) -> Result<B::Ciphertext> {
        let current = self.level(a);
        if level == current {
            return Ok(a.clone());
        }
        if level > current {
            return Err(ToolkitError::InvalidLevel {
                op: "adjust_level",
                level,
                allowed: format!("0..={current}"),
            });
        }
        let dropped = self.drop_to_level(a, level + 1)?;
        let s =
            self.schedule.delta(level)? * self.schedule.modulus(level + 1)? / self.scale(&dropped);
        self.rescale(&self.mul_const(&dropped, 1.0, s)?)
    }

    /// Brings the higher of two ciphertexts down to the other's level (see
    /// [`Evaluator::adjust_level`]).
    pub fn match_levels(
        &self,
        a: &B::Ciphertext,
        b: &B::Ciphertext,
    ) -> Result<(B::Ciphertext, B::Ciphertext)> {
        let (la, lb) = (self.level(a), self.level(b));
        match la.cmp(&lb) {
            std::cmp::Ordering::Equal => Ok((a.clone(), b.clone())),
            std::cmp::Ordering::Greater => Ok((self.adjust_level(a, lb)?, b.clone())),
            std::cmp::Ordering::Less => Ok((a.clone(), self.adjust_level(b, la)?)),
        }
    }
}
