//! lowdepth-ckks: a full-RNS CKKS engine for the lowdepth project.
//!
//! - Scale-stable prime chain (every canonical scale Δ_l ≈ 2^log_scale), NTT-friendly
//!   primes below 2^50 so `tfhe-ntt` runs its AVX-512 IFMA path.
//! - Kernels per CPU ([`KernelPath`]: IFMA, AVX-512, AVX2, scalar), chosen at run time
//!   or forced with `LOWDEPTH_CKKS_ISA`; every path gives bit-identical ciphertexts.
//! - Hybrid key switching with `dnum` digits and alpha = ceil((L+1)/dnum) special primes;
//!   hoisted rotations.
//! - Public-key and seeded symmetric encryption (the seed replaces the uniform half).
//! - Polynomials stay in NTT form; heavy loops run on rayon inside the caller's pool.
//!
//! Main types: [`CkksParameters`] (from a [`ParameterSpec`] or a named preset),
//! [`KeyGenerator`] → [`SecretKey`], [`PublicKey`], [`RelinearizationKey`], [`GaloisKeys`];
//! [`Encoder`] (cleartext ↔ [`Plaintext`]); [`Encryptor`] / [`SymmetricEncryptor`]
//! (→ [`Ciphertext`] / [`SeededCiphertext`]); [`Decryptor`]; [`Evaluator`] (all homomorphic
//! operations, `&self`, checked: [`CkksError::LevelMismatch`], [`CkksError::ScaleMismatch`],
//! [`CkksError::LevelExhausted`], [`CkksError::MissingGaloisKey`], ...); [`Serializable`]
//! for the binary format. Everything is `Send + Sync`.
//!
//! Scales: fresh values at level l should use `params.canonical_scale(l)`; then
//! `rescale(mul(a, b))` lands exactly on the canonical scale of level l-1, and a plaintext
//! or constant encoded at Δ_{l-1}·q_l/Δ_l does the same for `mul_plain` / `mul_const`.
//!
//! Rotation convention (said once, as in SEAL): `rotate(ct, k)` with k > 0 rotates LEFT,
//! slot i receives slot i + k; k < 0 rotates right; k is taken modulo the slot count.
//!
//! ```
//! use std::sync::Arc;
//! use lowdepth_ckks::*;
//!
//! # fn main() -> std::result::Result<(), CkksError> {
//! let params = CkksParameters::insecure_test_n10_l4()?; // INSECURE: tests/examples only
//! let mut keygen = KeyGenerator::new(&params);
//! let sk = keygen.secret_key();
//! let pk = keygen.public_key(&sk)?;
//! let rlk = keygen.relinearization_key(&sk)?;
//! let encoder = Encoder::new(&params);
//! let encryptor = Encryptor::new(&params, pk)?;
//! let evaluator = Evaluator::new(&params, Some(Arc::new(rlk)), None)?;
//!
//! let top = params.max_level();
//! let scale = params.canonical_scale(top).unwrap_or(2f64.powi(40));
//! let x = [0.5, -0.25, 1.0];
//! let ct = encryptor.encrypt(&encoder.encode(&x, top, scale)?)?;
//! let sq = evaluator.rescale(&evaluator.mul(&ct, &ct)?)?; // level top-1, scale Δ_{top-1}
//! let out = encoder.decode(&Decryptor::new(&sk).decrypt(&sq)?)?;
//! for (o, v) in out.iter().zip(x) {
//!     assert!((o - v * v).abs() < 1e-6);
//! }
//! # Ok(())
//! # }
//! ```

mod ciphertext;
mod decryption;
mod encoding;
mod encryption;
mod error;
mod evaluator;
mod kernel_path;
mod keys;
mod params;
mod primes;
mod ring;
mod sampling;
mod security;
mod serialization;

pub use ciphertext::{Ciphertext, Plaintext, SeededCiphertext};
pub use decryption::Decryptor;
pub use encoding::Encoder;
pub use encryption::{Encryptor, SymmetricEncryptor};
pub use error::{CkksError, Result};
pub use evaluator::{Evaluator, SCALE_TOLERANCE};
pub use kernel_path::{KernelPath, ISA_ENV_VAR};
pub use keys::{
    galois_element_conjugation, galois_element_for_step, GaloisKeys, KeyGenerator, PublicKey,
    RelinearizationKey, SecretKey,
};
pub use params::{CkksParameters, ParameterSpec, MAX_PRIME_BITS};
pub use ring::ntt::Ntt;
pub use sampling::{ERROR_BOUND, ERROR_SIGMA};
pub use security::{max_log_qp_128, Security};
pub use serialization::{Serializable, DIGEST_LEN, FORMAT_VERSION, MAGIC};
