//! Public-key encryption and seeded symmetric (secret-key) encryption.

use std::sync::{Arc, Mutex};

use rand::RngCore;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use zeroize::Zeroizing;

use crate::ciphertext::{Ciphertext, Plaintext, SeededCiphertext};
use crate::error::{CkksError, Result};
use crate::keys::{PublicKey, SecretKey};
use crate::params::CkksParameters;
use crate::ring::poly::RnsPoly;
use crate::sampling::{expand_seed, gaussian, os_rng, ternary};

fn check_plaintext(params: &CkksParameters, pt: &Plaintext) -> Result<()> {
    if pt.poly.n() != params.n() || pt.level > params.max_level() || pt.poly.limbs() != pt.level + 1
    {
        return Err(CkksError::ParameterMismatch { what: "plaintext" });
    }
    Ok(())
}

/// Small noise polynomials drawn under the lock, then released. They are wiped on drop:
/// with the ciphertext, the encryption noise (u, e0, e1, or the symmetric e together with
/// the message) would reveal the secret key.
fn draw(
    rng: &Mutex<ChaCha20Rng>,
    f: impl FnOnce(&mut ChaCha20Rng) -> Vec<Vec<i64>>,
) -> Zeroizing<Vec<Vec<i64>>> {
    Zeroizing::new(match rng.lock() {
        Ok(mut g) => f(&mut g),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    })
}

/// Encrypts with the public key: (u·b + e0 + m, u·a + e1), u ternary.
#[derive(Debug)]
pub struct Encryptor {
    params: CkksParameters,
    pk: Arc<PublicKey>,
    rng: Mutex<ChaCha20Rng>,
}

impl Encryptor {
    /// An encryptor with an OS-seeded CSPRNG.
    pub fn new(params: &CkksParameters, pk: impl Into<Arc<PublicKey>>) -> Result<Self> {
        Self::with_rng(params, pk.into(), os_rng())
    }

    /// A deterministic encryptor, for tests.
    pub fn from_seed(
        params: &CkksParameters,
        pk: impl Into<Arc<PublicKey>>,
        seed: [u8; 32],
    ) -> Result<Self> {
        Self::with_rng(params, pk.into(), ChaCha20Rng::from_seed(seed))
    }

    fn with_rng(params: &CkksParameters, pk: Arc<PublicKey>, rng: ChaCha20Rng) -> Result<Self> {
        let limbs = params.max_level() + 1;
        if pk.a.n() != params.n() || pk.a.limbs() != limbs || pk.b.limbs() != limbs {
            return Err(CkksError::ParameterMismatch { what: "public key" });
        }
        Ok(Self {
            params: params.clone(),
            pk,
            rng: Mutex::new(rng),
        })
    }

    /// Encrypts a plaintext at its level and scale.
    pub fn encrypt(&self, pt: &Plaintext) -> Result<Ciphertext> {
        let p = &self.params;
        check_plaintext(p, pt)?;
        let n = p.n();
        let noise = draw(&self.rng, |r| {
            vec![ternary(r, n), gaussian(r, n), gaussian(r, n)]
        });
        let idx = p.q_indices(pt.level);
        let mut u = Zeroizing::new(RnsPoly::from_signed(n, &noise[0], p, &idx));
        u.ntt(p, &idx);
        // c0 = e0 + u·b + m and c1 = e1 + u·a, built in place (the public key's limbs
        // beyond the plaintext level are ignored by the limb-wise zip).
        let mut c0 = RnsPoly::scratch(p, idx.len());
        c0.fill_signed(&noise[1], p, &idx);
        c0.ntt(p, &idx);
        c0.mul_acc(&u, &self.pk.b, p, &idx);
        c0.add_assign(&pt.poly, p, &idx);
        let mut c1 = RnsPoly::scratch(p, idx.len());
        c1.fill_signed(&noise[2], p, &idx);
        c1.ntt(p, &idx);
        c1.mul_acc(&u, &self.pk.a, p, &idx);
        Ok(Ciphertext {
            c0,
            c1,
            level: pt.level,
            scale: pt.scale,
        })
    }
}

/// Encrypts with the secret key, producing seeded ciphertexts (c0, seed of a).
#[derive(Debug)]
pub struct SymmetricEncryptor<'a> {
    sk: &'a SecretKey,
    rng: Mutex<ChaCha20Rng>,
}

impl<'a> SymmetricEncryptor<'a> {
    /// A symmetric encryptor with an OS-seeded CSPRNG.
    pub fn new(sk: &'a SecretKey) -> Self {
        Self {
            sk,
            rng: Mutex::new(os_rng()),
        }
    }

    /// A deterministic symmetric encryptor, for tests.
    pub fn from_seed(sk: &'a SecretKey, seed: [u8; 32]) -> Self {
        Self {
            sk,
            rng: Mutex::new(ChaCha20Rng::from_seed(seed)),
        }
    }

    /// Encrypts to a [`SeededCiphertext`]: c0 = -a·s + e + m with a expanded from a fresh
    /// 32-byte seed.
    pub fn encrypt(&self, pt: &Plaintext) -> Result<SeededCiphertext> {
        let p = self.sk.params();
        check_plaintext(p, pt)?;
        let n = p.n();
        let mut seed = [0u8; 32];
        let noise = draw(&self.rng, |r| {
            r.fill_bytes(&mut seed);
            vec![gaussian(r, n)]
        });
        let idx = p.q_indices(pt.level);
        let a = expand_seed(seed, p, pt.level);
        let mut c0 = RnsPoly::from_signed(n, &noise[0], p, &idx);
        c0.ntt(p, &idx);
        c0.add_assign(&pt.poly, p, &idx);
        let s = self.sk.ntt_q(pt.level);
        let as_ = Zeroizing::new(a.mul(&s, p, &idx));
        c0.sub_assign(&as_, p, &idx);
        Ok(SeededCiphertext {
            seed,
            c0,
            level: pt.level,
            scale: pt.scale,
        })
    }
}
