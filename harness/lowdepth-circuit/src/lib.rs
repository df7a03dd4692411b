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
