//! Key material and key generation: secret, public, relinearization and Galois keys.
//!
//! Switching keys use hybrid key switching with the "indicator" gadget: for digit j (a
//! group of alpha consecutive primes of Q), b_j = -a_j·s + e_j + P·s'·[prime in digit j]
//! over Q·P. The same key then serves every level (the digit's primes are simply truncated).

use std::collections::HashMap;
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{CkksError, Result};
use crate::params::CkksParameters;
use crate::ring::poly::RnsPoly;
use crate::sampling::{expand_key_part, expand_seed, gaussian, os_rng, ternary};

/// The secret key: ternary s, kept in NTT form over Q·P. Wiped on drop; not `Clone`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretKey {
    #[zeroize(skip)]
    params: CkksParameters,
    /// Ternary coefficients (kept for future secret-key export; wiped on drop).
    #[allow(dead_code)]
    coeffs: Vec<i64>,
    ntt: RnsPoly,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// Generates a secret key from the OS CSPRNG.
    pub fn generate(params: &CkksParameters) -> Self {
        Self::generate_with_rng(params, &mut os_rng())
    }

    pub(crate) fn generate_with_rng(params: &CkksParameters, rng: &mut ChaCha20Rng) -> Self {
        let n = params.n();
        let coeffs = ternary(rng, n);
        let idx = params.qp_indices(params.max_level());
        let mut ntt = RnsPoly::from_signed(n, &coeffs, params, &idx);
        ntt.ntt(params, &idx);
        Self {
            params: params.clone(),
            coeffs,
            ntt,
        }
    }

    /// The parameters this key belongs to.
    pub fn params(&self) -> &CkksParameters {
        &self.params
    }

    /// s in NTT form over Q·P (all primes).
    pub(crate) fn ntt(&self) -> &RnsPoly {
        &self.ntt
    }

    /// s restricted to Q_level (NTT form), wiped when dropped.
    pub(crate) fn ntt_q(&self, level: usize) -> Zeroizing<RnsPoly> {
        let mut s = Zeroizing::new(self.ntt.clone());
        s.truncate(level + 1);
        s
    }
}

/// Public encryption key (b, a) = (-a·s + e, a) over Q (NTT form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub(crate) b: RnsPoly,
    pub(crate) a: RnsPoly,
    /// Seed `a` expands from (`sampling::expand_seed` at the top level), if known.
    pub(crate) seed: Option<[u8; 32]>,
}

/// A key-switching key: one (b_j, a_j) pair per digit, over Q·P (NTT form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SwitchingKey {
    pub(crate) parts: Vec<(RnsPoly, RnsPoly)>,
    /// Seed every a_j expands from (see `sampling::expand_key_part`), so serialization can
    /// store the seed instead of the a_j (half the bytes).
    pub(crate) seed: Option<[u8; 32]>,
}

impl SwitchingKey {
    /// Bytes held in memory by the key polynomials.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.parts
            .iter()
            .map(|(b, a)| 8 * (b.data().len() + a.data().len()))
            .sum()
    }
}

/// Relinearization key: switches s² to s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelinearizationKey {
    pub(crate) key: SwitchingKey,
}

impl RelinearizationKey {
    /// Bytes held in memory (u64 per residue).
    pub fn memory_bytes(&self) -> usize {
        self.key.memory_bytes()
    }
}

/// Galois keys for a set of rotations (and optionally conjugation).
///
/// Rotation convention (as SEAL): a step k > 0 rotates LEFT, slot i receives slot i + k;
/// negative steps rotate right. Steps are taken modulo the slot count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaloisKeys {
    /// Galois element g -> (key for φ_g(s) → s, NTT permutation of φ_g).
    pub(crate) keys: HashMap<usize, (SwitchingKey, Arc<Vec<u32>>)>,
}

impl GaloisKeys {
    /// Galois elements held, sorted.
    pub fn galois_elements(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.keys.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// Whether a key for rotation `step` is present.
    pub fn has_step(&self, params: &CkksParameters, step: i32) -> bool {
        self.keys
            .contains_key(&galois_element_for_step(params, step))
    }

    /// Bytes held in memory by one Galois key (all keys have the same size), 0 if empty.
    pub fn memory_bytes_per_key(&self) -> usize {
        self.keys
            .values()
            .next()
            .map_or(0, |(k, _)| k.memory_bytes())
    }

    pub(crate) fn get(&self, g: usize) -> Option<&(SwitchingKey, Arc<Vec<u32>>)> {
        self.keys.get(&g)
    }
}

/// Galois element 5^(step mod slots) mod 2N for a left rotation by `step`.
pub fn galois_element_for_step(params: &CkksParameters, step: i32) -> usize {
    let slots = params.slots() as i64;
    let two_n = 2 * params.n() as u64;
    let k = i64::from(step).rem_euclid(slots) as u64;
    let mut g = 1u64;
    let mut base = 5u64;
    let mut e = k;
    while e > 0 {
        if e & 1 == 1 {
            g = g * base % two_n;
        }
        base = base * base % two_n;
        e >>= 1;
    }
    g as usize
}

/// g^{-1} mod m for odd g and m a power of two.
fn inverse_mod(g: usize, m: usize) -> usize {
    // g^{φ(m)-1} = g^{m/2-1} mod m.
    let mut r = 1usize;
    let mut b = g % m;
    let mut e = m / 2 - 1;
    while e > 0 {
        if e & 1 == 1 {
            r = r * b % m;
        }
        b = b * b % m;
        e >>= 1;
    }
    r
}

/// Galois element of complex conjugation, 2N - 1.
pub fn galois_element_conjugation(params: &CkksParameters) -> usize {
    2 * params.n() - 1
}

/// Generates keys. Holds its own ChaCha20 CSPRNG (OS-seeded by default).
#[derive(Debug)]
pub struct KeyGenerator {
    params: CkksParameters,
    rng: ChaCha20Rng,
}

impl KeyGenerator {
    /// A key generator seeded from the OS CSPRNG.
    pub fn new(params: &CkksParameters) -> Self {
        Self {
            params: params.clone(),
            rng: os_rng(),
        }
    }

    /// A deterministic key generator, for tests and reproducible experiments.
    pub fn from_seed(params: &CkksParameters, seed: [u8; 32]) -> Self {
        Self {
            params: params.clone(),
            rng: ChaCha20Rng::from_seed(seed),
        }
    }

    /// A fresh secret key.
    pub fn secret_key(&mut self) -> SecretKey {
        SecretKey::generate_with_rng(&self.params, &mut self.rng)
    }

    fn check(&self, sk: &SecretKey) -> Result<()> {
        if sk.params != self.params {
            return Err(CkksError::ParameterMismatch { what: "secret key" });
        }
        Ok(())
    }

    /// The public key of `sk`.
    pub fn public_key(&mut self, sk: &SecretKey) -> Result<PublicKey> {
        self.check(sk)?;
        let p = &self.params;
        let idx = p.q_indices(p.max_level());
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let a = expand_seed(seed, p, p.max_level());
        let e = Zeroizing::new(gaussian(&mut self.rng, p.n()));
        let mut b = RnsPoly::from_signed(p.n(), &e, p, &idx);
        b.ntt(p, &idx);
        let s = sk.ntt_q(p.max_level());
        let as_ = Zeroizing::new(a.mul(&s, p, &idx));
        b.sub_assign(&as_, p, &idx);
        Ok(PublicKey {
            b,
            a,
            seed: Some(seed),
        })
    }

    /// Key switching from `s_from` to `s_to` (both NTT over Q·P):
    /// b_j + a_j·s_to ≈ P·s_from on the primes of digit j.
    fn switching_key(&mut self, s_from: &RnsPoly, s_to: &RnsPoly) -> SwitchingKey {
        let p = &self.params;
        let level = p.max_level();
        let idx = p.qp_indices(level);
        let n = p.n();
        // P mod q_i for every q prime.
        let p_mod_q: Vec<u64> = (0..p.num_q())
            .map(|i| {
                let m = p.modulus(i);
                p.special_moduli()
                    .iter()
                    .fold(1u64, |acc, &sp| m.mul(acc, m.reduce(sp)))
            })
            .collect();
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let mut parts = Vec::new();
        for j in 0..p.digits_at(level) {
            let a = expand_key_part(seed, p, j);
            let e = Zeroizing::new(gaussian(&mut self.rng, n));
            let mut b = RnsPoly::from_signed(n, &e, p, &idx);
            b.ntt(p, &idx);
            let as_ = Zeroizing::new(a.mul(s_to, p, &idx));
            b.sub_assign(&as_, p, &idx);
            for i in p.digit_range(j, level) {
                let m = *p.modulus(i);
                let c = m.shoup(p_mod_q[i]);
                let src = Zeroizing::new(s_from.limb(i).to_vec());
                for (x, &v) in b.limb_mut(i).iter_mut().zip(src.iter()) {
                    *x = m.add(*x, m.mul_shoup(v, c));
                }
            }
            parts.push((b, a));
        }
        SwitchingKey {
            parts,
            seed: Some(seed),
        }
    }

    /// The relinearization key of `sk` (switches s² → s).
    pub fn relinearization_key(&mut self, sk: &SecretKey) -> Result<RelinearizationKey> {
        self.check(sk)?;
        let p = self.params.clone();
        let idx = p.qp_indices(p.max_level());
        let s2 = Zeroizing::new(sk.ntt().mul(sk.ntt(), &p, &idx));
        Ok(RelinearizationKey {
            key: self.switching_key(&s2, sk.ntt()),
        })
    }

    /// Galois keys for the given rotation steps (positive = left) and, if asked, conjugation.
    /// Steps equal modulo the slot count share one key; step 0 needs none.
    pub fn galois_keys(
        &mut self,
        sk: &SecretKey,
        steps: &[i32],
        conjugation: bool,
    ) -> Result<GaloisKeys> {
        self.check(sk)?;
        let p = self.params.clone();
        let mut elements: Vec<usize> = steps
            .iter()
            .map(|&s| galois_element_for_step(&p, s))
            .filter(|&g| g != 1)
            .collect();
        if conjugation {
            elements.push(galois_element_conjugation(&p));
        }
        elements.sort_unstable();
        elements.dedup();
        let mut keys = HashMap::new();
        let two_n = 2 * p.n();
        for g in elements {
            // The key is generated directly in the form φ_g^{-1}(key for φ_g(s) → s), i.e.
            // as a key for s → φ_g^{-1}(s): the evaluator then switches c1 unpermuted and
            // applies φ_g once to the two result polynomials (see evaluator/rotate.rs).
            let perm_inv = p.ntt_galois_permutation(inverse_mod(g, two_n));
            let s_to = Zeroizing::new(sk.ntt().permute(&perm_inv));
            let key = self.switching_key(sk.ntt(), &s_to);
            keys.insert(g, (key, Arc::new(p.ntt_galois_permutation(g))));
        }
        Ok(GaloisKeys { keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn galois_elements_compose_like_rotations(a in -5000i32..5000, b in -5000i32..5000) {
            let p = CkksParameters::insecure_test_n10_l4().expect("params");
            let two_n = 2 * p.n();
            let slots = p.slots() as i32;
            let ga = galois_element_for_step(&p, a);
            let gb = galois_element_for_step(&p, b);
            prop_assert_eq!(ga * gb % two_n, galois_element_for_step(&p, a + b));
            prop_assert_eq!(ga, galois_element_for_step(&p, a + slots));
            prop_assert_eq!(ga * inverse_mod(ga, two_n) % two_n, 1);
            prop_assert_eq!(galois_element_for_step(&p, a.rem_euclid(slots)), ga);
        }
    }
}
