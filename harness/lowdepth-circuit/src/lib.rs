//! The low-depth encrypted logistic-regression training circuit (Crockett, WAHC 2020):
//! the same model as HELR's minibatch Nesterov training, with multiplicative depth
//! `5 ⌊k/2⌋ + 3 (k mod 2)` for `k` minibatches (15 at `k = 6`, against 30 for the
//! baseline). The derivation is in `docs/low-depth-circuit.md`.
//!
//! The circuit is generic over the toolkit's [`Backend`](lowdepth_toolkit::Backend) and
//! never branches on which backend runs it:
//!
//! 1. [`describe`] plans it (unit, depth, inputs and their levels, rotation steps);
//! 2. [`upload`] and [`encrypt_model`] are the customer's side (what is sent);
//! 3. [`train`] is the server's side; [`EncryptedModel::decrypt`] the customer's again.
//!
//! ```
//! use lowdepth_circuit::{describe, encrypt_model, model, train, upload, CircuitConfig};
//! use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams};
//! use lowdepth_toolkit::{scale::simulation_moduli, Evaluator, RingDegree, RotationKeys};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (b, f, k, slots) = (16, 4, 2, 64); // tiny and insecure: a simulation
//! let plan = describe(&CircuitConfig::new(b, f, k, slots))?;
//! assert_eq!(plan.depth, 5); // one unrolled pair
//! let ring = RingDegree::for_slots(slots);
//! let backend = PlaintextBackend::try_new(PlaintextParams {
//!     slots,
//!     ring_degree: ring,
//!     moduli: simulation_moduli(plan.depth, 40, 60, ring),
//!     rotation_keys: RotationKeys::All,
//! })?;
//! let eval = Evaluator::new(backend, 40)?;
//! let zs: Vec<Vec<f64>> = (0..k)
//!     .map(|t| (0..b * f).map(|i| (((i * 7 + t * 3) % 11) as f64 - 5.0) / 5.0).collect())
//!     .collect();
//! let etas = [0.9899, -6.2e-5];
//! let up = upload(&eval, &plan, &zs)?;
//! let init = encrypt_model(&eval, &plan, &[0.0; 4], &[0.0; 4])?;
//! let (w, v) = train(&eval, &up, &init, &etas)?.decrypt(&eval)?;
//! let (wr, vr) = model::reference_train(&zs, b, f, &etas, &[0.0; 4], &[0.0; 4], model::HELR_CUBIC);
//! for (x, y) in w.iter().chain(&v).zip(wr.iter().chain(&vr)) {
//!     assert!((x - y).abs() < 1e-9);
//! }
//! # Ok(()) }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod circuit;
pub mod error;
pub mod layout;
pub mod model;
pub mod ops;

pub use circuit::{
    circuit_depth, default_unit, describe, encrypt_model, train, upload, CircuitConfig,
    CircuitPlan, EncryptedModel, InputKind, InputSpec, LevelPolicy, Upload,
};
pub use error::{CircuitError, Result};
pub use layout::Form;
pub use model::{Cubic, HELR_CUBIC};
