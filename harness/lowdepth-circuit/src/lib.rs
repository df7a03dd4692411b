//! The low-depth encrypted logistic-regression training circuit (Crockett, WAHC 2020):
//! the same model as HELR's minibatch Nesterov training, with multiplicative depth
//! `5 ⌊k/2⌋ + 3 (k mod 2)` for `k` minibatches (15 at `k = 6`, against 30 for the
//! baseline). The derivation is in `docs/low-depth-circuit.md`.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod error;
pub mod model;

pub use error::{CircuitError, Result};
