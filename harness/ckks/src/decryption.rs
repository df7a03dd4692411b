//! Decryption: m = c0 + c1·s over Q_level.

use crate::ciphertext::{Ciphertext, Plaintext};
use crate::error::Result;
use crate::keys::SecretKey;

/// Decrypts ciphertexts with a borrowed secret key.
#[derive(Debug)]
pub struct Decryptor<'a> {
    sk: &'a SecretKey,
}

impl<'a> Decryptor<'a> {
    /// A decryptor for `sk`.
    pub fn new(sk: &'a SecretKey) -> Self {
        Self { sk }
    }

    /// Returns the plaintext c0 + c1·s (NTT form) at the ciphertext's level and scale.
    pub fn decrypt(&self, ct: &Ciphertext) -> Result<Plaintext> {
        let p = self.sk.params();
        ct.check(p, "ciphertext")?;
        let idx = p.q_indices(ct.level);
        let s = self.sk.ntt_q(ct.level);
        let mut m = ct.c1.mul(&s, p, &idx);
        m.add_assign(&ct.c0, p, &idx);
        Ok(Plaintext {
            poly: m,
            level: ct.level,
            scale: ct.scale,
        })
    }
}
