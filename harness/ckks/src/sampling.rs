//! Random sampling: ternary secrets, bounded discrete Gaussian errors, uniform polynomials.
//!
//! All randomness comes from ChaCha20 (`rand_chacha`), seeded from the OS CSPRNG by default.

use rand::Rng;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rayon::prelude::*;

use crate::params::CkksParameters;
use crate::ring::poly::RnsPoly;

/// Standard deviation of the error distribution.
pub const ERROR_SIGMA: f64 = 3.2;
/// Errors are bounded at 6σ (rejection).
pub const ERROR_BOUND: f64 = 6.0 * ERROR_SIGMA;

/// A fresh CSPRNG seeded by the operating system.
pub(crate) fn os_rng() -> ChaCha20Rng {
    ChaCha20Rng::from_entropy()
}

/// Uniform ternary coefficients in {-1, 0, 1}.
pub(crate) fn ternary(rng: &mut ChaCha20Rng, n: usize) -> Vec<i64> {
    (0..n)
        .map(|_| i64::from(rng.gen_range(0u8..3)) - 1)
        .collect()
}

/// Rounded Gaussian with σ = 3.2, rejected outside ±6σ.
pub(crate) fn gaussian(rng: &mut ChaCha20Rng, n: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        // Box–Muller gives two normals per pair of uniforms.
        let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
        let u2: f64 = rng.gen::<f64>();
        let r = (-2.0 * u1.ln()).sqrt() * ERROR_SIGMA;
        let t = std::f64::consts::TAU * u2;
        for z in [r * t.cos(), r * t.sin()] {
            if z.abs() <= ERROR_BOUND && out.len() < n {
                out.push(z.round() as i64);
            }
        }
    }
    out
}

/// Limb at position j is drawn from ChaCha20(seed, stream `first_stream + j`) by rejection
/// sampling, so limbs are generated in parallel and every prefix of limbs is reproducible.
pub(crate) fn expand_into(
    seed: [u8; 32],
    params: &CkksParameters,
    idx: &[usize],
    first_stream: u64,
) -> RnsPoly {
    let mut out = RnsPoly::zero(params.n(), idx.len());
    out.par_limbs_mut().enumerate().for_each(|(pos, limb)| {
        let mut r = ChaCha20Rng::from_seed(seed);
        r.set_stream(first_stream + pos as u64);
        let q = params.prime(idx[pos]);
        for x in limb.iter_mut() {
            *x = r.gen_range(0..q);
        }
    });
    out
}

/// Expands a 32-byte seed into the uniform polynomial `a` of seeded encryption over
/// Q_level (NTT form). Prefix-consistent: limb i depends only on the seed and i.
pub(crate) fn expand_seed(seed: [u8; 32], params: &CkksParameters, level: usize) -> RnsPoly {
    expand_into(seed, params, &params.q_indices(level), 0)
}

/// Streams reserved per key-switching digit when a switching key's uniform parts are all
/// expanded from one seed (more than the largest possible number of limbs).
pub(crate) const STREAMS_PER_DIGIT: u64 = 1 << 10;

/// The uniform part a_j of digit j of a seeded switching key (NTT form over Q·P).
pub(crate) fn expand_key_part(seed: [u8; 32], params: &CkksParameters, digit: usize) -> RnsPoly {
    let idx = params.qp_indices(params.max_level());
    expand_into(seed, params, &idx, (digit as u64 + 1) * STREAMS_PER_DIGIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_is_bounded_and_has_the_right_spread() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let v = gaussian(&mut rng, 100_000);
        assert!(v.iter().all(|&x| (x.abs() as f64) <= ERROR_BOUND));
        let var = v.iter().map(|&x| (x * x) as f64).sum::<f64>() / v.len() as f64;
        assert!((var.sqrt() - ERROR_SIGMA).abs() < 0.1, "sd {}", var.sqrt());
        let t = ternary(&mut rng, 1000);
        assert!(t.iter().all(|&x| (-1..=1).contains(&x)));
    }
}
