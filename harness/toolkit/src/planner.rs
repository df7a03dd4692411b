//! Parameter planner: from a traced circuit to CKKS parameter requirements.
//!
//! Policy (docs/design.md section 6), the same for every circuit:
//!
//! - `levels = d`, the depth the tracer measured; scaling primes of `log_scale` bits;
//! - `q_0` of `log_scale + max_value_bits + guard_bits` bits, so the largest value
//!   decrypted at level 0 does not wrap around;
//! - hybrid key switching with `dnum` digits and `alpha = ceil((d+1)/dnum)` special primes
//!   of `special_prime_bits` bits: `log2 QP = first + d·log_scale + alpha·special`;
//! - the smallest ring degree `N >= 2·slots` for which some `dnum` meets the
//!   HE-standard 128-bit bound on `log2 QP`, and for that `N` the smallest such `dnum`
//!   (fewest digits: smallest switching keys and the cheapest key switch among those
//!   that fit).

use serde::{Deserialize, Serialize};

use crate::backends::tracer::TraceReport;
use crate::error::{Result, ToolkitError};

/// Bound on `log2(QP)` for 128-bit classical security (ternary secret, σ = 3.2), by
/// `log2 N`: the HE standard up to 2^15, OpenFHE's lattice-estimator bounds for 2^16 and
/// 2^17. The engine keeps the same table (`lowdepth_ckks::max_log_qp_128`); a test in
/// `lowdepth-toolkit-ckks` checks that the two agree.
pub fn he_standard_max_log_qp(log_n: u32) -> Option<u32> {
    match log_n {
        10 => Some(27),
        11 => Some(54),
        12 => Some(109),
        13 => Some(218),
        14 => Some(438),
        15 => Some(881),
        // Not in the standard's table: the lattice-estimator values OpenFHE uses
        // (HEStd_128_classic, ternary secret), slightly below a linear extrapolation.
        16 => Some(1747),
        17 => Some(3523),
        _ => None,
    }
}

/// What the planner needs to know about a circuit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitProfile {
    /// Multiplicative depth (levels consumed).
    pub depth: usize,
    /// Rotation steps used (normalised left steps).
    pub rotation_steps: Vec<usize>,
    /// Bits of the largest |value| at any point (0 for values below 1).
    pub max_value_bits: u32,
    /// Slots per ciphertext the circuit was written for.
    pub slots: usize,
}

impl CircuitProfile {
    /// The profile of a traced circuit (depth and rotation steps from the tracer; the
    /// value bound comes from elsewhere, e.g. the plaintext backend's
    /// [`max_abs`](crate::backends::PlaintextBackend::max_abs)).
    pub fn from_trace(report: &TraceReport, slots: usize, max_value_bits: u32) -> Self {
        Self {
            depth: report.max_depth,
            rotation_steps: report.rotation_steps.clone(),
            max_value_bits,
            slots,
        }
    }
}

/// Planner settings. The defaults follow the engine (`lowdepth-ckks`): every prime below
/// 2^50 (the AVX-512 IFMA NTT path), special primes the largest NTT primes below 2^50.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannerConfig {
    /// Bits of the scale (and of the scaling primes).
    pub log_scale: u32,
    /// Bits of each special (key-switching) prime.
    pub special_prime_bits: u32,
    /// Extra bits of `q_0` beyond `log_scale + max_value_bits` (sign and margin).
    pub guard_bits: u32,
    /// Largest prime size the engine supports.
    pub max_prime_bits: u32,
}

impl Default for PlannerConfig {
    fn default() -> Self {
        Self {
            log_scale: 40,
            special_prime_bits: 50,
            guard_bits: 3,
            max_prime_bits: 50,
        }
    }
}

/// Parameters a circuit needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterRequirement {
    /// Number of levels `L = d` (moduli `q_0..=q_L`).
    pub levels: usize,
    /// Bits of the scale and scaling primes.
    pub log_scale: u32,
    /// Bits of `q_0`.
    pub first_prime_bits: u32,
    /// Bits of each special prime.
    pub special_prime_bits: u32,
    /// Number of special primes `alpha = ceil((L+1)/dnum)`.
    pub special_primes: usize,
    /// Key-switching digits.
    pub dnum: usize,
    /// `log2 Q` (ciphertext modulus at the top level).
    pub log_q: u32,
    /// `log2 QP` (with the special primes).
    pub log_qp: u32,
    /// The HE-standard bound at the chosen ring degree.
    pub log_qp_bound: u32,
    /// Smallest secure `log2 N` (with `N >= 2·slots`).
    pub min_log_n: u32,
    /// Rotation steps whose Galois keys must be generated.
    pub rotation_steps: Vec<usize>,
    /// Size of one switching key (relinearization or one rotation), unseeded, in bytes:
    /// `dnum · 2 · N · log2(QP) / 8`.
    pub switching_key_bytes: u64,
    /// Relinearization key plus all rotation keys, in bytes.
    pub evaluation_key_bytes: u64,
}

/// Plans parameters for a circuit profile.
pub fn plan(profile: &CircuitProfile, config: &PlannerConfig) -> Result<ParameterRequirement> {
    let d = profile.depth;
    let first_prime_bits = config.log_scale + profile.max_value_bits + config.guard_bits;
    if first_prime_bits > config.max_prime_bits {
        return Err(ToolkitError::InvalidParameters(format!(
            "q_0 would need {first_prime_bits} bits (log_scale {} + value bits {} + guard {}), \
             more than the {}-bit maximum",
            config.log_scale, profile.max_value_bits, config.guard_bits, config.max_prime_bits
        )));
    }
    if config.log_scale > config.max_prime_bits
        || config.special_prime_bits > config.max_prime_bits
        || config.special_prime_bits < first_prime_bits.max(config.log_scale)
    {
        return Err(ToolkitError::InvalidParameters(format!(
            "special primes of {} bits must be at least as large as q_0 ({first_prime_bits}) \
             and the scaling primes ({}), and at most {} bits",
            config.special_prime_bits, config.log_scale, config.max_prime_bits
        )));
    }
    if profile.slots == 0 || !profile.slots.is_power_of_two() {
        return Err(ToolkitError::InvalidParameters(format!(
            "slot count {} is not a power of two",
            profile.slots
        )));
    }
    let log_q = u64::from(first_prime_bits) + d as u64 * u64::from(config.log_scale);
    let min_by_slots = profile.slots.trailing_zeros() + 1;
    let primes = d + 1;
    for log_n in min_by_slots.max(10)..=17 {
        let Some(bound) = he_standard_max_log_qp(log_n) else {
            continue;
        };
        // Smallest dnum whose alpha special primes still fit.
        for dnum in 1..=primes {
            let alpha = primes.div_ceil(dnum);
            let log_qp = log_q + alpha as u64 * u64::from(config.special_prime_bits);
            if log_qp <= u64::from(bound) {
                let n = 1u64 << log_n;
                let switching_key_bytes = (dnum as u64 * 2 * n * log_qp).div_ceil(8);
                let keys = 1 + profile.rotation_steps.iter().filter(|&&s| s != 0).count() as u64;
                // log2 Q <= log2 QP <= bound, a u32: these conversions cannot fail, but a
                // failure is an error rather than a saturated figure.
                let to_u32 = |x: u64| {
                    u32::try_from(x).map_err(|_| {
                        ToolkitError::InvalidParameters(format!("{x} bits exceed u32"))
                    })
                };
                return Ok(ParameterRequirement {
                    levels: d,
                    log_scale: config.log_scale,
                    first_prime_bits,
                    special_prime_bits: config.special_prime_bits,
                    special_primes: alpha,
                    dnum,
                    log_q: to_u32(log_q)?,
                    log_qp: to_u32(log_qp)?,
                    log_qp_bound: bound,
                    min_log_n: log_n,
                    rotation_steps: profile.rotation_steps.clone(),
                    switching_key_bytes,
                    evaluation_key_bytes: keys * switching_key_bytes,
                });
            }
        }
    }
    Err(ToolkitError::NoSecureParameters(format!(
        "depth {d} needs log2 Q = {log_q} bits plus special primes; no N <= 2^17 with \
         N >= 2 * {} slots meets the 128-bit bound",
        profile.slots
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(depth: usize) -> CircuitProfile {
        CircuitProfile {
            depth,
            rotation_steps: vec![1, 2, 4],
            // 40-bit scale + 7 value bits + 3 guard bits = a 50-bit q_0.
            max_value_bits: 7,
            slots: 1 << 14,
        }
    }

    #[test]
    fn design_reference_points() -> Result<()> {
        let cfg = PlannerConfig::default();
        // Baseline, k = 6: depth 30 -> N = 2^16.
        let base = plan(&profile(30), &cfg)?;
        assert_eq!(base.min_log_n, 16);
        assert_eq!(base.first_prime_bits, 50);
        assert!(base.log_qp <= 1747);
        assert_eq!(base.log_q, 50 + 30 * 40);
        assert_eq!(base.special_primes, 8); // dnum 4: alpha = ceil(31 / 4) = 8 primes of 50 bits
        assert_eq!(base.dnum, 4);
        // Low depth, k = 6: depth 15 -> N = 2^15.
        let low = plan(&profile(15), &cfg)?;
        assert_eq!(low.min_log_n, 15);
        assert!(low.log_qp <= 881);
        assert_eq!(low.log_q, 650);
        assert_eq!(low.special_primes, 4);
        assert_eq!(low.dnum, 4);
        assert_eq!(low.evaluation_key_bytes, 4 * low.switching_key_bytes);
        Ok(())
    }

    #[test]
    fn slots_bound_the_ring_degree_from_below() -> Result<()> {
        let mut p = profile(1);
        p.slots = 1 << 15;
        assert_eq!(plan(&p, &PlannerConfig::default())?.min_log_n, 16);
        p.slots = 4;
        p.depth = 0;
        // q_0 (50 bits) + one special prime (50 bits) = 100 <= 109 (2^12).
        assert_eq!(plan(&p, &PlannerConfig::default())?.min_log_n, 12);
        Ok(())
    }

    #[test]
    fn refuses_impossible_circuits() {
        let cfg = PlannerConfig::default();
        assert!(matches!(
            plan(&profile(100), &cfg),
            Err(ToolkitError::NoSecureParameters(_))
        ));
        let mut p = profile(3);
        p.max_value_bits = 8;
        assert!(matches!(
            plan(&p, &cfg),
            Err(ToolkitError::InvalidParameters(_))
        ));
    }
}
