//! The scale policy shared by every backend (the CKKS engine uses exactly this).
//!
//! Canonical scales: `Δ_L = 2^log_scale` and `Δ_{l-1} = Δ_l^2 / q_l`. A ciphertext "at
//! canonical scale" at level `l` has scale `Δ_l`.
//!
//! - ct × ct at level `l` (both `Δ_l`), then rescale: exactly `Δ_{l-1}`.
//! - ct × plaintext / constant at level `l` (ct scale `s`): the operand is encoded at
//!   `Δ_{l-1} · q_l / s`, so after the rescale the result is exactly `Δ_{l-1}`.
//! - level adjustment from `h` down to `l < h`: drop to `l + 1`, multiply by the constant
//!   1.0 encoded at `Δ_l · q_{l+1} / s`, rescale: `(l, Δ_l)`.
//!
//! Circuits never compute scales themselves: the [`Evaluator`](crate::Evaluator) asks
//! its schedule.

use serde::{Deserialize, Serialize};

use crate::backend::RingDegree;
use crate::error::{Result, ToolkitError};

/// Relative tolerance under which two scales count as equal.
pub const SCALE_TOLERANCE: f64 = 1e-9;

/// Whether two scales are equal within [`SCALE_TOLERANCE`] (relative).
pub fn scales_match(a: f64, b: f64) -> bool {
    (a - b).abs() <= SCALE_TOLERANCE * a.abs().max(b.abs())
}

/// Canonical scales per level, derived from the moduli and `log_scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleSchedule {
    log_scale: u32,
    moduli: Vec<u64>,
    /// `deltas[l]` = canonical scale at level `l`.
    deltas: Vec<f64>,
    /// `log2_moduli_prefix[l]` = log2(q_0 * ... * q_l).
    log2_modulus: Vec<f64>,
}

impl ScaleSchedule {
    /// Builds the schedule for moduli `q_0..=q_L` and top scale `2^log_scale`.
    pub fn try_new(moduli: &[u64], log_scale: u32) -> Result<Self> {
        if moduli.is_empty() {
            return Err(ToolkitError::InvalidParameters(
                "scale schedule needs at least one modulus".into(),
            ));
        }
        if log_scale == 0 || log_scale > 62 {
            return Err(ToolkitError::InvalidParameters(format!(
                "log_scale {log_scale} must be in 1..=62"
            )));
        }
        if let Some(q) = moduli.iter().find(|&&q| q < 2) {
            return Err(ToolkitError::InvalidParameters(format!(
                "modulus {q} is too small"
            )));
        }
        let top = moduli.len() - 1;
        let mut deltas = vec![0.0; moduli.len()];
        deltas[top] = 2f64.powi(log_scale as i32);
        for l in (1..=top).rev() {
            let next = deltas[l] * deltas[l] / moduli[l] as f64;
            if !next.is_finite() || next < 1.0 {
                return Err(ToolkitError::InvalidScale {
                    op: "scale schedule",
                    scale: next,
                });
            }
            deltas[l - 1] = next;
        }
        let mut log2_modulus = Vec::with_capacity(moduli.len());
        let mut acc = 0.0;
        for &q in moduli {
            acc += (q as f64).log2();
            log2_modulus.push(acc);
        }
        Ok(Self {
            log_scale,
            moduli: moduli.to_vec(),
            deltas,
            log2_modulus,
        })
    }

    /// log2 of the top-level scale.
    pub fn log_scale(&self) -> u32 {
        self.log_scale
    }

    /// The top level `L`.
    pub fn max_level(&self) -> usize {
        self.moduli.len() - 1
    }

    /// The moduli `q_0..=q_L`.
    pub fn moduli(&self) -> &[u64] {
        &self.moduli
    }

    fn check_level(&self, op: &'static str, level: usize) -> Result<()> {
        if level > self.max_level() {
            return Err(ToolkitError::InvalidLevel {
                op,
                level,
                allowed: format!("0..={}", self.max_level()),
            });
        }
        Ok(())
    }

    /// Canonical scale `Δ_l`.
    pub fn delta(&self, level: usize) -> Result<f64> {
        self.check_level("canonical scale", level)?;
        Ok(self.deltas[level])
    }

    /// `q_l` as f64.
    pub fn modulus(&self, level: usize) -> Result<f64> {
        self.check_level("modulus", level)?;
        Ok(self.moduli[level] as f64)
    }

    /// log2 of `q_0 * ... * q_l`.
    pub fn log2_modulus(&self, level: usize) -> Result<f64> {
        self.check_level("modulus", level)?;
        Ok(self.log2_modulus[level])
    }

    /// Scale at which to encode a plaintext or constant that multiplies a ciphertext of
    /// scale `ct_scale` at `level`, so that after the rescale the result is exactly
    /// `Δ_{level-1}`: `Δ_{l-1} · q_l / ct_scale`.
    pub fn operand_scale_for_mul(&self, level: usize, ct_scale: f64) -> Result<f64> {
        if level == 0 {
            return Err(ToolkitError::LevelExhausted {
                op: "mul (operand scale)",
                level,
            });
        }
        self.check_level("mul (operand scale)", level)?;
        let s = self.deltas[level - 1] * self.moduli[level] as f64 / ct_scale;
        if !s.is_finite() || s <= 0.0 {
            return Err(ToolkitError::InvalidScale {
                op: "mul (operand scale)",
                scale: s,
            });
        }
        Ok(s)
    }

    /// Largest |log2(Δ_l) - log_scale| over all levels: how far the chosen primes let the
    /// canonical scales drift from `2^log_scale`.
    pub fn max_log2_drift(&self) -> f64 {
        self.deltas
            .iter()
            .map(|d| (d.log2() - f64::from(self.log_scale)).abs())
            .fold(0.0, f64::max)
    }
}

/// Moduli for *simulation only* (plaintext and tracer backends): `q_0` of
/// `first_bits` bits and `levels` scaling moduli near `2^log_scale`, chosen greedily so
/// that the canonical scales stay within about 1e-5 (relative) of `2^log_scale` (each `q_l`
/// is the integer `≡ 1 mod 2N` near `Δ_l^2 / 2^log_scale`, perturbed by about 1e-6 like
/// real NTT primes, so scales are not trivially equal). The numbers are not checked for primality.
pub fn simulation_moduli(
    levels: usize,
    log_scale: u32,
    first_bits: u32,
    ring_degree: RingDegree,
) -> Vec<u64> {
    let two_n = 2 * ring_degree.0 as u64;
    let target = 2f64.powi(log_scale as i32);
    let mut moduli = vec![0u64; levels + 1];
    let top = 1u64 << first_bits.clamp(2, 62);
    let first = if top > two_n {
        top - two_n + 1
    } else {
        top - 1
    };
    moduli[0] = first;
    let mut delta = target;
    for l in (1..=levels).rev() {
        let ideal = delta * delta / target;
        // Perturb by about ±1e-6 relative (like the gap between real NTT primes), in
        // multiples of 2N, alternating in sign.
        let k = (ideal / two_n as f64).round() as i64;
        let step = ((ideal * 1e-6 / two_n as f64) as i64).max(1);
        let perturb = if l % 2 == 0 { 3 * step } else { -2 * step };
        let q = ((k + perturb).max(1) as u64) * two_n + 1;
        moduli[l] = q;
        delta = delta * delta / q as f64;
    }
    moduli
}

/// Moduli that are exact powers of two (`2^first_bits`, then `levels` times
/// `2^log_scale`): every canonical scale is exactly `2^log_scale`. For the depth finder,
/// where hundreds of levels would otherwise let the scales drift.
pub fn power_of_two_moduli(levels: usize, log_scale: u32, first_bits: u32) -> Vec<u64> {
    let mut moduli = vec![1u64 << log_scale.clamp(1, 62); levels + 1];
    moduli[0] = 1u64 << first_bits.clamp(1, 62);
    moduli
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    #[test]
    fn canonical_scales_follow_the_recurrence() -> Result<()> {
        let moduli = simulation_moduli(6, 40, 60, RingDegree(64));
        let s = ScaleSchedule::try_new(&moduli, 40)?;
        assert_eq!(s.delta(6)?, 2f64.powi(40));
        for l in 1..=6 {
            let expect = s.delta(l)? * s.delta(l)? / moduli[l] as f64;
            assert!(scales_match(s.delta(l - 1)?, expect));
        }
        assert!(s.max_log2_drift() < 1e-4, "drift {}", s.max_log2_drift());
        // Operand scale makes ct*pt rescale to the next canonical scale.
        for l in 1..=6 {
            let ct_scale = s.delta(l)?;
            let op = s.operand_scale_for_mul(l, ct_scale)?;
            assert!(scales_match(
                ct_scale * op / moduli[l] as f64,
                s.delta(l - 1)?
            ));
        }
        assert!(matches!(
            s.operand_scale_for_mul(0, 1.0),
            Err(ToolkitError::LevelExhausted { .. })
        ));
        Ok(())
    }

    #[test]
    fn power_of_two_schedule_is_flat() -> Result<()> {
        let s = ScaleSchedule::try_new(&power_of_two_moduli(200, 40, 60), 40)?;
        assert_eq!(s.max_log2_drift(), 0.0);
        assert_eq!(s.max_level(), 200);
        Ok(())
    }
}
