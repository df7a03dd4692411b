//! The HELR baseline training circuit (Han, Hong, Cheon, Park 2019) on the toolkit:
//! multiplicative depth 5 per minibatch (30 at `k = 6`), generic over the backend.
//!
//! Same API shape as `lowdepth-circuit`: [`describe`] plans, [`upload`] and
//! [`encrypt_model`] are the customer's side, [`train`] the server's.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod circuit;
pub mod error;

pub use circuit::{
    circuit_depth, default_unit, describe, encrypt_model, train, upload, CircuitConfig,
    CircuitPlan, Cubic, EncryptedModel, InputSpec, LevelPolicy, Upload, HELR_CUBIC,
};
pub use error::{HelrError, Result};
