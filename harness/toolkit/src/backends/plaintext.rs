//! Plaintext simulation: the same slots in f64 with CKKS's level and scale bookkeeping.
//!
//! Values are exact (no encoding or encryption noise), so results equal an f64 reference
//! up to f64 rounding. Levels, scales and rotation keys are tracked exactly as CKKS would,
//! and the [`Evaluator`](crate::Evaluator) checks them, so a circuit that would fail under
//! CKKS (level exhausted, scale mismatch, missing rotation key) fails here too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::backend::{ckks_ciphertext_bytes, Backend, RingDegree, RotationKeys};
use crate::error::{Result, ToolkitError};

/// Parameters of a plaintext-simulation backend.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaintextParams {
    /// Slots per ciphertext (power of two).
    pub slots: usize,
    /// Ring degree for byte counts (`>= 2 * slots`).
    pub ring_degree: RingDegree,
    /// Moduli `q_0..=q_L` (see [`crate::scale::simulation_moduli`]).
    pub moduli: Vec<u64>,
    /// Available rotation keys.
    pub rotation_keys: RotationKeys,
}

/// A simulated ciphertext: the slot values, level and scale.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainCiphertext {
    /// Slot values (exactly `slots` of them).
    pub values: Arc<Vec<f64>>,
    /// Level.
    pub level: usize,
    /// Scale.
    pub scale: f64,
}

/// A simulated plaintext (encoded values): same representation as a ciphertext.
pub type PlainPlaintext = PlainCiphertext;

/// The plaintext-simulation backend.
///
/// It also records the largest |value| of any ciphertext it produced
/// ([`PlaintextBackend::max_abs`]), the input to the planner's `max_value_bits`.
#[derive(Debug)]
pub struct PlaintextBackend {
    params: PlaintextParams,
    /// f64 bits of the largest |value| seen (non-negative floats order like their bits).
    max_abs: AtomicU64,
}

impl PlaintextBackend {
    /// Validates and builds the backend.
    pub fn try_new(params: PlaintextParams) -> Result<Self> {
        if !params.slots.is_power_of_two() {
            return Err(ToolkitError::InvalidParameters(format!(
                "slots {} is not a power of two",
                params.slots
            )));
        }
        RingDegree::try_new(params.ring_degree.0, params.slots)?;
        if params.moduli.is_empty() {
            return Err(ToolkitError::InvalidParameters("no moduli".into()));
        }
        let mut params = params;
        if let RotationKeys::Steps(set) = &params.rotation_keys {
            let slots = params.slots;
            params.rotation_keys = RotationKeys::Steps(set.iter().map(|s| s % slots).collect());
        }
        Ok(Self {
            params,
            max_abs: AtomicU64::new(0),
        })
    }

    /// Largest |value| of any ciphertext produced so far.
    pub fn max_abs(&self) -> f64 {
        f64::from_bits(self.max_abs.load(Ordering::Relaxed))
    }

    /// Bits needed for the integer part of [`PlaintextBackend::max_abs`] (0 below 1).
    pub fn max_value_bits(&self) -> u32 {
        let m = self.max_abs();
        if m < 1.0 {
            0
        } else {
            m.log2().floor() as u32 + 1
        }
    }

    /// Resets [`PlaintextBackend::max_abs`].
    pub fn reset_max_abs(&self) {
        self.max_abs.store(0, Ordering::Relaxed);
    }

    fn track(&self, ct: PlainCiphertext) -> PlainCiphertext {
        let m = ct.values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        self.max_abs.fetch_max(m.to_bits(), Ordering::Relaxed);
        ct
    }

    /// The parameters.
    pub fn params(&self) -> &PlaintextParams {
        &self.params
    }

    fn padded(&self, values: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; self.params.slots];
        let n = values.len().min(self.params.slots);
        v[..n].copy_from_slice(&values[..n]);
        v
    }

    fn zip(a: &PlainCiphertext, b: &PlainCiphertext, f: impl Fn(f64, f64) -> f64) -> Arc<Vec<f64>> {
        Arc::new(
            a.values
                .iter()
                .zip(b.values.iter())
                .map(|(&x, &y)| f(x, y))
                .collect(),
        )
    }

    fn map(a: &PlainCiphertext, f: impl Fn(f64) -> f64) -> Arc<Vec<f64>> {
        Arc::new(a.values.iter().map(|&x| f(x)).collect())
    }

    fn rotated(&self, a: &PlainCiphertext, step: i32) -> PlainCiphertext {
        let n = a.values.len();
        if n == 0 {
            return a.clone();
        }
        let k = (step as i64).rem_euclid(n as i64) as usize;
        let mut v = Vec::with_capacity(n);
        v.extend_from_slice(&a.values[k..]);
        v.extend_from_slice(&a.values[..k]);
        PlainCiphertext {
            values: Arc::new(v),
            level: a.level,
            scale: a.scale,
        }
    }
}

impl Backend for PlaintextBackend {
    type Ciphertext = PlainCiphertext;
    type Plaintext = PlainPlaintext;

    fn slots(&self) -> usize {
        self.params.slots
    }

    fn ring_degree(&self) -> RingDegree {
        self.params.ring_degree
    }

    fn moduli(&self) -> &[u64] {
        &self.params.moduli
    }

    fn encode(&self, values: &[f64], level: usize, scale: f64) -> Result<PlainPlaintext> {
        Ok(self.track(PlainCiphertext {
            values: Arc::new(self.padded(values)),
            level,
            scale,
        }))
    }

    fn encrypt(&self, values: &[f64], level: usize, scale: f64) -> Result<PlainCiphertext> {
        self.encode(values, level, scale)
    }

    fn decrypt(&self, ct: &PlainCiphertext) -> Result<Vec<f64>> {
        Ok(ct.values.as_ref().clone())
    }

    fn level(&self, ct: &PlainCiphertext) -> usize {
        ct.level
    }

    fn scale(&self, ct: &PlainCiphertext) -> f64 {
        ct.scale
    }

    fn plaintext_level(&self, pt: &PlainPlaintext) -> usize {
        pt.level
    }

    fn plaintext_scale(&self, pt: &PlainPlaintext) -> f64 {
        pt.scale
    }

    fn add(&self, a: &PlainCiphertext, b: &PlainCiphertext) -> Result<PlainCiphertext> {
        Ok(self.track(PlainCiphertext {
            values: Self::zip(a, b, |x, y| x + y),
            level: a.level,
            scale: a.scale,
        }))
    }

    fn sub(&self, a: &PlainCiphertext, b: &PlainCiphertext) -> Result<PlainCiphertext> {
        Ok(self.track(PlainCiphertext {
            values: Self::zip(a, b, |x, y| x - y),
            level: a.level,
            scale: a.scale,
        }))
    }

    fn negate(&self, a: &PlainCiphertext) -> Result<PlainCiphertext> {
        Ok(PlainCiphertext {
            values: Self::map(a, |x| -x),
            level: a.level,
            scale: a.scale,
        })
    }

    fn add_plain(&self, a: &PlainCiphertext, p: &PlainPlaintext) -> Result<PlainCiphertext> {
        self.add(a, p)
    }

    fn mul_plain(&self, a: &PlainCiphertext, p: &PlainPlaintext) -> Result<PlainCiphertext> {
        Ok(self.track(PlainCiphertext {
            values: Self::zip(a, p, |x, y| x * y),
            level: a.level,
            scale: a.scale * p.scale,
        }))
    }

    fn mul_const(&self, a: &PlainCiphertext, c: f64, const_scale: f64) -> Result<PlainCiphertext> {
        Ok(self.track(PlainCiphertext {
            values: Self::map(a, |x| x * c),
            level: a.level,
            scale: a.scale * const_scale,
        }))
    }

    fn mul_int(&self, a: &PlainCiphertext, i: i64) -> Result<PlainCiphertext> {
        let c = i as f64;
        Ok(self.track(PlainCiphertext {
            values: Self::map(a, |x| x * c),
            level: a.level,
            scale: a.scale,
        }))
    }

    fn mul(&self, a: &PlainCiphertext, b: &PlainCiphertext) -> Result<PlainCiphertext> {
        self.mul_plain(a, b)
    }

    fn rescale(&self, a: &PlainCiphertext) -> Result<PlainCiphertext> {
        let q = *self
            .params
            .moduli
            .get(a.level)
            .ok_or_else(|| ToolkitError::Backend(format!("no modulus at level {}", a.level)))?;
        Ok(PlainCiphertext {
            values: a.values.clone(),
            level: a.level.saturating_sub(1),
            scale: a.scale / q as f64,
        })
    }

    fn relabel(&self, a: &PlainCiphertext, factor: f64) -> Result<PlainCiphertext> {
        Ok(PlainCiphertext {
            values: Self::map(a, |x| x * factor),
            level: a.level,
            scale: a.scale / factor,
        })
    }

    fn drop_to_level(&self, a: &PlainCiphertext, level: usize) -> Result<PlainCiphertext> {
        Ok(PlainCiphertext {
            values: a.values.clone(),
            level,
            scale: a.scale,
        })
    }

    fn rotate(&self, a: &PlainCiphertext, step: i32) -> Result<PlainCiphertext> {
        Ok(self.rotated(a, step))
    }

    fn rotate_many(&self, a: &PlainCiphertext, steps: &[i32]) -> Result<Vec<PlainCiphertext>> {
        Ok(steps.iter().map(|&s| self.rotated(a, s)).collect())
    }

    fn has_rotation_key(&self, step: i32) -> bool {
        usize::try_from(step)
            .map(|s| self.params.rotation_keys.contains(s % self.params.slots))
            .unwrap_or(false)
    }

    fn ciphertext_bytes(&self, ct: &PlainCiphertext) -> u64 {
        ckks_ciphertext_bytes(self.params.ring_degree, &self.params.moduli, ct.level)
    }
}
