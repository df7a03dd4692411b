//! Parameter sets: ring degree, RNS moduli (scale-stable choice), special primes for
//! hybrid key switching, the security check, and per-prime NTT plans.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{CkksError, Result};
use crate::kernel_path::KernelPath;
use crate::primes::{largest_ntt_primes_below, nearest_ntt_prime};
use crate::ring::dispatch::Level;
use crate::ring::modular::Modulus;
use crate::ring::ntt::Ntt;
use crate::ring::pool::BufferPool;
use crate::security::max_log_qp_128;
pub use crate::security::Security;
use sha2::{Digest, Sha256};

/// Upper bound (exclusive) on every prime: below 2^50 tfhe-ntt uses its AVX-512 IFMA
/// (52-bit) code path, and our double-precision NTT (AVX-512 and AVX2 paths) is exact.
pub const MAX_PRIME_BITS: u32 = 50;

/// What the user asks for; [`CkksParameters::try_new`] turns it into concrete moduli.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParameterSpec {
    /// log2 of the ring degree N (10..=17). Slots = N/2.
    pub log_n: u32,
    /// log2 of the top-level scale Δ_L; scaling primes sit near 2^log_scale (20..=45).
    pub log_scale: u32,
    /// Bits of q_0, the last prime standing (log_scale+1..=50): decides the precision and
    /// range of values at level 0.
    pub first_prime_bits: u32,
    /// Number of scaling primes L: moduli are q_0..q_L and fresh ciphertexts have level L.
    pub levels: usize,
    /// Number of key-switching digits; alpha = ceil((L+1)/dnum) special primes.
    pub dnum: usize,
    /// Whether to enforce the 128-bit bound.
    pub security: Security,
}

/// Concrete CKKS parameters. Cheap to clone (shared inside an `Arc`).
#[derive(Clone)]
pub struct CkksParameters {
    inner: Arc<Inner>,
}

struct Inner {
    spec: ParameterSpec,
    n: usize,
    /// q_0..q_L then p_0..p_{K-1}.
    all_primes: Vec<u64>,
    num_q: usize,
    mods: Vec<Modulus>,
    /// The kernel path every NTT and element-wise kernel of these parameters runs on.
    kernel_path: KernelPath,
    ntts: Vec<Ntt>,
    canonical_scales: Vec<f64>,
    alpha: usize,
    log_qp: f64,
    fingerprint: [u8; 32],
    /// exponent e_i with NTT output i = a(ψ^{e_i}), and the inverse map (size 2N).
    ntt_exponent: Vec<u32>,
    ntt_index_of_exponent: Vec<u32>,
    /// Recycled buffers for evaluator polynomials (see `ring::pool`).
    pool: Arc<BufferPool>,
}

impl std::fmt::Debug for CkksParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CkksParameters")
            .field("spec", &self.inner.spec)
            .field("moduli", &self.moduli())
            .field("special_moduli", &self.special_moduli())
            .field("log_qp", &self.inner.log_qp)
            .field("kernel_path", &self.inner.kernel_path)
            .finish()
    }
}

impl PartialEq for CkksParameters {
    fn eq(&self, other: &Self) -> bool {
        self.inner.fingerprint == other.inner.fingerprint
    }
}
impl Eq for CkksParameters {}

fn invalid(name: &'static str, reason: impl Into<String>) -> CkksError {
    CkksError::InvalidParameter {
        name,
        reason: reason.into(),
    }
}

impl CkksParameters {
    /// Builds parameters on the run's kernel path ([`KernelPath::from_env`]: the best the
    /// CPU supports, or `LOWDEPTH_CKKS_ISA`); an unknown or unsupported value of that
    /// variable is an error here. See [`Self::with_kernel_path`].
    pub fn try_new(spec: ParameterSpec) -> Result<Self> {
        Self::with_kernel_path(spec, KernelPath::from_env()?)
    }

    /// Builds parameters whose NTTs and kernels run on `path` (which this CPU must
    /// support), ignoring `LOWDEPTH_CKKS_ISA`: searches primes, checks security, prepares
    /// NTT tables. Every path gives bit-identical results, so parameters built on
    /// different paths compare equal and share keys and ciphertexts.
    ///
    /// Prime choice (scale-stable): Δ_L = 2^log_scale and Δ_{l-1} = Δ_l² / q_l, where each
    /// scaling prime q_l (l = L down to 1) is the unused prime ≡ 1 mod 2N nearest to
    /// Δ_l² / 2^log_scale. Then every canonical scale Δ_l stays within a tiny factor of
    /// 2^log_scale, and `mul` + `rescale` of two level-l ciphertexts at Δ_l gives exactly
    /// Δ_{l-1}.
    ///
    /// Special primes: alpha = ceil((L+1)/dnum) of the largest NTT primes below 2^50, all
    /// larger than every q_i, so P = ∏ p_k exceeds every digit modulus and the key-switching
    /// noise after division by P stays at the level of the rounding error.
    pub fn with_kernel_path(spec: ParameterSpec, path: KernelPath) -> Result<Self> {
        path.check_supported()?;
        // The same range as the security table and the planner (2^17 is the largest ring
        // either of them will ask for).
        if !(10..=17).contains(&spec.log_n) {
            return Err(invalid("log_n", format!("{} not in 10..=17", spec.log_n)));
        }
        if !(20..=45).contains(&spec.log_scale) {
            return Err(invalid(
                "log_scale",
                format!("{} not in 20..=45", spec.log_scale),
            ));
        }
        if spec.first_prime_bits <= spec.log_scale || spec.first_prime_bits > MAX_PRIME_BITS {
            return Err(invalid(
                "first_prime_bits",
                format!(
                    "{} not in {}..={}",
                    spec.first_prime_bits,
                    spec.log_scale + 1,
                    MAX_PRIME_BITS
                ),
            ));
        }
        if spec.levels == 0 || spec.levels > 60 {
            return Err(invalid("levels", format!("{} not in 1..=60", spec.levels)));
        }
        if spec.dnum == 0 || spec.dnum > spec.levels + 1 {
            return Err(invalid(
                "dnum",
                format!("{} not in 1..={}", spec.dnum, spec.levels + 1),
            ));
        }
        let n = 1usize << spec.log_n;
        let two_n = 2 * n as u64;
        let num_q = spec.levels + 1;
        let alpha = num_q.div_ceil(spec.dnum);

        // Special primes first: the largest below 2^50.
        let special = largest_ntt_primes_below(1u64 << MAX_PRIME_BITS, two_n, alpha, &[]);
        if special.len() < alpha {
            return Err(CkksError::PrimeSearch {
                needed: alpha,
                bits: MAX_PRIME_BITS,
                log_n: spec.log_n,
            });
        }
        let q0 = largest_ntt_primes_below(1u64 << spec.first_prime_bits, two_n, 1, &special);
        let q0 = *q0.first().ok_or(CkksError::PrimeSearch {
            needed: 1,
            bits: spec.first_prime_bits,
            log_n: spec.log_n,
        })?;
        let mut used: Vec<u64> = special.clone();
        used.push(q0);

        let base = 2f64.powi(spec.log_scale as i32);
        let mut scales = vec![0.0f64; num_q];
        scales[spec.levels] = base;
        let mut q = vec![0u64; num_q];
        q[0] = q0;
        let lo = 1u64 << (spec.log_scale - 2);
        let hi = 1u64 << (spec.log_scale + 2).min(MAX_PRIME_BITS);
        for l in (1..=spec.levels).rev() {
            let target = scales[l] * scales[l] / base;
            let p =
                nearest_ntt_prime(target, two_n, &used, lo, hi).ok_or(CkksError::PrimeSearch {
                    needed: spec.levels,
                    bits: spec.log_scale,
                    log_n: spec.log_n,
                })?;
            used.push(p);
            q[l] = p;
            scales[l - 1] = scales[l] * scales[l] / p as f64;
        }

        let mut all_primes = q.clone();
        all_primes.extend_from_slice(&special);
        let log_qp: f64 = all_primes.iter().map(|&p| (p as f64).log2()).sum();
        let bound = max_log_qp_128(spec.log_n).unwrap_or(0);
        if spec.security == Security::Bits128 && log_qp > f64::from(bound) {
            return Err(CkksError::InsecureParameters {
                log_qp,
                bound,
                log_n: spec.log_n,
            });
        }
        let ntts = all_primes
            .iter()
            .map(|&p| Ntt::try_new(n, p, path))
            .collect::<Result<Vec<_>>>()?;
        let mods: Vec<Modulus> = all_primes.iter().map(|&p| Modulus::new(p)).collect();

        let (ntt_exponent, ntt_index_of_exponent) = ntt_exponents(n, &ntts[0], &mods[0])?;

        let mut h = Sha256::new();
        h.update(b"lowdepth-ckks params v2");
        // The security level is part of the identity: an object made under insecure test
        // parameters must not decode under a 128-bit set with the same primes.
        h.update([match spec.security {
            Security::Bits128 => 0u8,
            Security::InsecureForTests => 1,
        }]);
        h.update(spec.log_n.to_le_bytes());
        h.update(spec.log_scale.to_le_bytes());
        h.update((spec.dnum as u64).to_le_bytes());
        h.update((num_q as u64).to_le_bytes());
        for p in &all_primes {
            h.update(p.to_le_bytes());
        }
        let fingerprint: [u8; 32] = h.finalize().into();

        Ok(Self {
            inner: Arc::new(Inner {
                spec,
                n,
                all_primes,
                num_q,
                mods,
                kernel_path: path,
                ntts,
                canonical_scales: scales,
                alpha,
                log_qp,
                fingerprint,
                ntt_exponent,
                ntt_index_of_exponent,
                pool: Arc::new(BufferPool::with_default_bound()),
            }),
        })
    }

    /// N = 2^14, 7 levels, Δ = 2^40, q_0 of 50 bits, dnum = 8 (one special prime); 128-bit.
    pub fn n14_l7_s40() -> Result<Self> {
        Self::try_new(ParameterSpec {
            log_n: 14,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 7,
            dnum: 8,
            security: Security::Bits128,
        })
    }

    /// N = 2^15, 16 levels, Δ = 2^40, q_0 of 50 bits, dnum = 6 (3 special primes); 128-bit.
    pub fn n15_l16_s40() -> Result<Self> {
        Self::try_new(ParameterSpec {
            log_n: 15,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 16,
            dnum: 6,
            security: Security::Bits128,
        })
    }

    /// N = 2^16, 30 levels, Δ = 2^40, q_0 of 50 bits, dnum = 4 (8 special primes; a Galois
    /// key is about 164 MB in memory); 128-bit.
    pub fn n16_l30_s40() -> Result<Self> {
        Self::try_new(ParameterSpec {
            log_n: 16,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 30,
            dnum: 4,
            security: Security::Bits128,
        })
    }

    /// INSECURE, tests only: N = 2^10, 4 levels, Δ = 2^40, dnum = 2.
    pub fn insecure_test_n10_l4() -> Result<Self> {
        Self::try_new(ParameterSpec {
            log_n: 10,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 4,
            dnum: 2,
            security: Security::InsecureForTests,
        })
    }

    /// INSECURE, tests only: N = 2^11, 6 levels, Δ = 2^40, dnum = 7 (one special prime).
    pub fn insecure_test_n11_l6() -> Result<Self> {
        Self::try_new(ParameterSpec {
            log_n: 11,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 6,
            dnum: 7,
            security: Security::InsecureForTests,
        })
    }

    /// INSECURE, tests only: N = 2^12, 15 levels, Δ = 2^40, dnum = 4.
    pub fn insecure_test_n12_l15() -> Result<Self> {
        Self::try_new(ParameterSpec {
            log_n: 12,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 15,
            dnum: 4,
            security: Security::InsecureForTests,
        })
    }

    /// The specification these parameters were built from.
    pub fn spec(&self) -> &ParameterSpec {
        &self.inner.spec
    }
    /// Ring degree N.
    pub fn n(&self) -> usize {
        self.inner.n
    }
    /// log2 N.
    pub fn log_n(&self) -> u32 {
        self.inner.spec.log_n
    }
    /// Number of real slots, N/2.
    pub fn slots(&self) -> usize {
        self.inner.n / 2
    }
    /// Ciphertext moduli q_0..q_L.
    pub fn moduli(&self) -> &[u64] {
        &self.inner.all_primes[..self.inner.num_q]
    }
    /// Special moduli p_0..p_{K-1} (K = alpha) used only inside key switching.
    pub fn special_moduli(&self) -> &[u64] {
        &self.inner.all_primes[self.inner.num_q..]
    }
    /// Highest level L (fresh ciphertexts).
    pub fn max_level(&self) -> usize {
        self.inner.num_q - 1
    }
    /// Canonical scale Δ_level (Δ_L = 2^log_scale, Δ_{l-1} = Δ_l²/q_l); `None` above L.
    pub fn canonical_scale(&self, level: usize) -> Option<f64> {
        self.inner.canonical_scales.get(level).copied()
    }
    /// log2(Q_level) = Σ_{i ≤ level} log2 q_i (0 above the top level).
    pub fn log2_modulus(&self, level: usize) -> f64 {
        self.moduli()
            .get(..=level)
            .map_or(0.0, |q| q.iter().map(|&p| (p as f64).log2()).sum())
    }

    /// log2(Q·P), the quantity the security bound limits.
    pub fn log_qp(&self) -> f64 {
        self.inner.log_qp
    }
    /// Number of key-switching digits.
    pub fn dnum(&self) -> usize {
        self.inner.spec.dnum
    }
    /// Primes per key-switching digit (= number of special primes).
    pub fn alpha(&self) -> usize {
        self.inner.alpha
    }
    /// The kernel path these parameters' NTTs and element-wise kernels run on.
    pub fn kernel_path(&self) -> KernelPath {
        self.inner.kernel_path
    }
    /// SHA-256 over the resolved parameters; used to bind serialized objects.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.inner.fingerprint
    }

    // ----- crate-internal access -----

    pub(crate) fn num_q(&self) -> usize {
        self.inner.num_q
    }
    pub(crate) fn num_special(&self) -> usize {
        self.inner.all_primes.len() - self.inner.num_q
    }
    pub(crate) fn modulus(&self, idx: usize) -> &Modulus {
        &self.inner.mods[idx]
    }
    /// The instruction level of the element-wise kernels (`ring::simd`).
    pub(crate) fn level(&self) -> Level {
        Level::of(self.inner.kernel_path)
    }
    pub(crate) fn ntt(&self, idx: usize) -> &Ntt {
        &self.inner.ntts[idx]
    }
    pub(crate) fn prime(&self, idx: usize) -> u64 {
        self.inner.all_primes[idx]
    }
    /// Global prime indices of Q_level.
    pub(crate) fn q_indices(&self, level: usize) -> Vec<usize> {
        (0..=level).collect()
    }
    /// Global prime indices of Q_level ∪ P.
    pub(crate) fn qp_indices(&self, level: usize) -> Vec<usize> {
        (0..=level)
            .chain(self.inner.num_q..self.inner.all_primes.len())
            .collect()
    }
    /// Global prime indices of P.
    pub(crate) fn p_indices(&self) -> Vec<usize> {
        (self.inner.num_q..self.inner.all_primes.len()).collect()
    }
    /// Number of key-switching digits in use at `level`.
    pub(crate) fn digits_at(&self, level: usize) -> usize {
        (level + 1).div_ceil(self.inner.alpha)
    }
    /// Prime index range of digit j at `level`.
    pub(crate) fn digit_range(&self, j: usize, level: usize) -> std::ops::Range<usize> {
        let a = self.inner.alpha;
        (j * a).min(level + 1)..((j + 1) * a).min(level + 1)
    }

    /// The buffer pool shared by this parameter set's evaluator polynomials.
    pub(crate) fn pool(&self) -> &Arc<BufferPool> {
        &self.inner.pool
    }

    /// A buffer of `len` words with unspecified contents, from the pool if possible.
    pub(crate) fn take_buffer(&self, len: usize) -> Vec<u64> {
        self.inner.pool.take(len)
    }

    /// Returns a buffer holding public data to the pool.
    pub(crate) fn recycle(&self, buf: Vec<u64>) {
        self.inner.pool.give(buf);
    }

    /// Permutation of NTT slots realising X -> X^g: NTT(φ_g(a))[i] = NTT(a)[perm[i]].
    pub(crate) fn ntt_galois_permutation(&self, g: usize) -> Vec<u32> {
        let two_n = 2 * self.inner.n;
        self.inner
            .ntt_exponent
            .iter()
            .map(|&e| self.inner.ntt_index_of_exponent[(e as usize * g) % two_n])
            .collect()
    }
}

/// Finds, for the NTT output order (tfhe-ntt's, on every kernel path), the exponent e_i
/// with output i = a(ψ^{e_i}) for a fixed primitive 2N-th root ψ (taken as the evaluation
/// point of output 0).
fn ntt_exponents(n: usize, ntt: &Ntt, m: &Modulus) -> Result<(Vec<u32>, Vec<u32>)> {
    let mut x = vec![0u64; n];
    x[1] = 1;
    ntt.forward(&mut x);
    let psi = x[0];
    let two_n = 2 * n;
    let mut table = HashMap::with_capacity(n);
    let mut pw = psi;
    let psi2 = m.mul(psi, psi);
    for k in (1..two_n).step_by(2) {
        table.insert(pw, k as u32);
        pw = m.mul(pw, psi2);
    }
    let mut exps = Vec::with_capacity(n);
    let mut index_of = vec![0u32; two_n];
    for (i, r) in x.iter().enumerate() {
        let e = *table
            .get(r)
            .ok_or_else(|| invalid("moduli", "NTT evaluation points are not odd powers"))?;
        exps.push(e);
        index_of[e as usize] = i as u32;
    }
    Ok((exps, index_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_refusal() {
        let spec = ParameterSpec {
            log_n: 12,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 5,
            dnum: 2,
            security: Security::Bits128,
        };
        let err = CkksParameters::try_new(spec);
        assert!(
            matches!(
                err,
                Err(CkksError::InsecureParameters {
                    bound: 109,
                    log_n: 12,
                    ..
                })
            ),
            "{err:?}"
        );
        let ok = CkksParameters::try_new(ParameterSpec {
            security: Security::InsecureForTests,
            ..spec
        });
        assert!(ok.is_ok());
    }

    #[test]
    fn presets_fit_the_bound() {
        for p in [
            CkksParameters::n14_l7_s40(),
            CkksParameters::n15_l16_s40(),
            CkksParameters::n16_l30_s40(),
        ] {
            let p = p.expect("preset builds");
            let bound = max_log_qp_128(p.log_n()).unwrap_or(0);
            eprintln!(
                "N=2^{} L={} dnum={} alpha={} log_qp={:.1} bound={}",
                p.log_n(),
                p.max_level(),
                p.dnum(),
                p.alpha(),
                p.log_qp(),
                bound
            );
            assert!(p.log_qp() <= f64::from(bound));
        }
    }

    #[test]
    fn scales_are_stable_and_primes_distinct() {
        let p = CkksParameters::insecure_test_n12_l15().expect("params");
        let mut all: Vec<u64> = p.moduli().to_vec();
        all.extend_from_slice(p.special_moduli());
        let mut s = all.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), all.len());
        for &q in &all {
            assert_eq!(q % (2 * p.n() as u64), 1);
            assert!(q < 1 << MAX_PRIME_BITS);
        }
        let maxq = p.moduli().iter().max().copied().unwrap_or(0);
        assert!(p.special_moduli().iter().all(|&sp| sp > maxq));
        for l in 0..=p.max_level() {
            let d = p.canonical_scale(l).unwrap_or(0.0);
            assert!(
                (d.log2() - 40.0).abs() < 0.01,
                "level {l}: log2 Δ = {}",
                d.log2()
            );
        }
        for l in 1..=p.max_level() {
            let dl = p.canonical_scale(l).unwrap_or(0.0);
            assert_eq!(
                dl * dl / p.moduli()[l] as f64,
                p.canonical_scale(l - 1).unwrap_or(1.0)
            );
        }
    }

    #[test]
    fn ntt_order_is_the_same_for_every_prime() {
        let p = CkksParameters::insecure_test_n10_l4().expect("params");
        for idx in 0..p.moduli().len() + p.special_moduli().len() {
            let (e, _) = ntt_exponents(p.n(), p.ntt(idx), p.modulus(idx)).expect("exps");
            assert_eq!(e, p.inner.ntt_exponent, "prime index {idx}");
        }
    }
}
