//! lowdepth-toolkit-ckks: the toolkit's [`Backend`](lowdepth_toolkit::Backend) on the
//! `lowdepth-ckks` engine.
//!
//! - [`CkksBackend`]: every `Backend` method maps to the engine (errors through
//!   [`map_engine_error`]); `ciphertext_bytes` is the engine's exact serialized size.
//! - Keys are split: [`EvaluationKeys`] (parameters, relinearization key, Galois keys for
//!   exactly the requested steps, optional public key) is what the server receives;
//!   [`ClientKeys`] (secret key, encryption CSPRNG) never leaves the customer.
//!   [`CkksBackend::server_view`] is the same backend without the client keys. The
//!   evaluation keys are built from a [`KeyUpload`] (the bytes the customer sends), and
//!   every uploaded ciphertext is decoded from its bytes before the server uses it, so the
//!   upload figures are lengths of real bytes.
//! - `encrypt` on a client backend is **seeded symmetric** encryption with the secret key
//!   (the customer's upload form, half the bytes), serialized, decoded and expanded to an
//!   ordinary ciphertext as the server does on receipt; the bytes sent are tallied
//!   ([`CkksBackend::take_encryption_tally`]) and available per level
//!   ([`CkksBackend::seeded_ciphertext_bytes`]). [`EncryptionMode::PublicKey`] switches to
//!   public-key encryption.
//! - [`CkksSetup::for_circuit`]: planner requirement → engine parameters (128-bit by
//!   default; [`CkksSetup::insecure_for_tests`] is the named insecure path) → keys →
//!   backend, with a [`SetupReport`] (key-generation time, key bytes, parameters).
//!
//! Rotation convention (the toolkit's and the engine's): a positive step rotates left.
//!
//! # Example
//!
//! Trace a generic circuit, plan parameters, set up CKKS (here at an INSECURE test size),
//! run the same circuit encrypted.
//!
//! ```
//! use lowdepth_toolkit::backends::depth_finder;
//! use lowdepth_toolkit::planner::{plan, CircuitProfile, PlannerConfig};
//! use lowdepth_toolkit::{ops, Backend, EncodingUnit, EncryptedColVector, EncryptedMatrix};
//! use lowdepth_toolkit::{EncryptedObject, Evaluator, Result};
//! use lowdepth_toolkit_ckks::CkksSetup;
//!
//! fn mat_vec<B: Backend>(eval: &Evaluator<B>, m: &[f64], v: &[f64]) -> Result<Vec<f64>> {
//!     let unit = EncodingUnit::try_new(16, 32, eval.slots())?;
//!     let top = eval.max_level();
//!     let m = EncryptedMatrix::encrypt(eval, unit, 3, 5, m, top)?;
//!     let v = EncryptedColVector::encrypt(eval, unit, v, top)?;
//!     ops::matrix_col_vector(eval, &m, &v, 1.0)?.decrypt(eval)
//! }
//!
//! # fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
//! let slots = 512;
//! let m: Vec<f64> = (0..15).map(|i| f64::from(i) / 16.0).collect();
//! let v = [1.0, 0.0, 0.0, 0.0, 2.0];
//! let tracer = depth_finder(slots, 20, 40)?;
//! mat_vec(&tracer, &m, &v)?;
//! let profile = CircuitProfile::from_trace(&tracer.backend().report()?, slots, 3);
//! let req = plan(&profile, &PlannerConfig::default())?; // secure N for depth 2
//! assert_eq!(req.levels, 2);
//! // Real runs: CkksSetup::for_circuit(&req, Security::Bits128, None).
//! let (backend, report) = CkksSetup::insecure_for_tests(&req, 10, 7)?; // INSECURE
//! assert!(!report.secure_128 && report.galois_keys == req.rotation_steps.len());
//! let eval = backend.into_evaluator()?;
//! let u = mat_vec(&eval, &m, &v)?;
//! assert!((u[0] - 8.0 / 16.0).abs() < 1e-6); // (0 + 2 * 4) / 16
//! assert!((u[2] - 38.0 / 16.0).abs() < 1e-6); // (10 + 2 * 14) / 16
//! # Ok(()) }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backend;
pub mod error;
pub mod setup;
pub mod upload;

pub use backend::{CkksBackend, ClientKeys, EncryptionMode, EncryptionTally, EvaluationKeys};
pub use error::map_engine_error;
pub use lowdepth_ckks::{KernelPath, Security};
pub use setup::{CkksSetup, SetupReport};
pub use upload::KeyUpload;
