//! lowdepth-toolkit: homomorphic linear algebra (HIT-style encoding units) over a backend
//! trait.
//!
//! - [`Backend`]: what an evaluator provides (CKKS through the `harness/toolkit-ckks`
//!   adapter, [`backends::PlaintextBackend`], [`backends::Tracer`]); each has its own
//!   ciphertext type.
//! - [`Evaluator`]: the checked wrapper circuits use. It enforces levels, scales, level
//!   exhaustion and rotation keys once for every backend, and owns the scale policy
//!   ([`ScaleSchedule`]), so circuits never compute scales.
//! - [`EncryptedMatrix`], [`EncryptedRowVector`], [`EncryptedColVector`]: objects laid out
//!   on [`EncodingUnit`]s ([`encoding`]); [`ops`] has the operations and their depths.
//! - [`backends::Tracer`]: depth, op counts and rotation keys; [`planner`] turns a trace
//!   into CKKS parameter requirements.
//! - [`taskgraph`] and [`costs`]: the one cost model. A trace becomes a task graph (one
//!   task per backend call); [`costs::calibrate_tasks`] times its task shapes on the
//!   running backend, and [`taskgraph::simulate`] predicts the makespan on P cores.
//!
//! Rotation convention: a positive step rotates left (slot `i` receives slot `i + step`).
//!
//! # Example
//!
//! Encrypt a 3 × 5 matrix under the plaintext backend, multiply it by a column vector
//! (depth 2), decrypt; then trace the same circuit to read its depth.
//!
//! ```
//! use lowdepth_toolkit::backends::{depth_finder, PlaintextBackend, PlaintextParams};
//! use lowdepth_toolkit::scale::simulation_moduli;
//! use lowdepth_toolkit::{ops, Backend, EncodingUnit, EncryptedColVector, EncryptedMatrix};
//! use lowdepth_toolkit::{EncryptedObject, Evaluator, Result, RingDegree, RotationKeys};
//!
//! fn mat_vec<B: Backend>(eval: &Evaluator<B>, m: &[f64], v: &[f64]) -> Result<Vec<f64>> {
//!     let unit = EncodingUnit::try_new(4, 4, eval.slots())?; // 4 x 4 tiles of 16 slots
//!     let top = eval.max_level();
//!     let m = EncryptedMatrix::encrypt(eval, unit, 3, 5, m, top)?;
//!     let v = EncryptedColVector::encrypt(eval, unit, v, top)?;
//!     ops::matrix_col_vector(eval, &m, &v, 1.0)?.decrypt(eval)
//! }
//!
//! # fn main() -> Result<()> {
//! let slots = 16;
//! let ring_degree = RingDegree::for_slots(slots);
//! let backend = PlaintextBackend::try_new(PlaintextParams {
//!     slots,
//!     ring_degree,
//!     moduli: simulation_moduli(2, 40, 60, ring_degree), // two levels
//!     rotation_keys: RotationKeys::All,
//! })?;
//! let eval = Evaluator::new(backend, 40)?;
//! let m: Vec<f64> = (0..15).map(f64::from).collect(); // row-major 3 x 5
//! let v = [1.0, 0.0, 0.0, 0.0, 2.0];
//! let u = mat_vec(&eval, &m, &v)?;
//! assert!((u[0] - 8.0).abs() < 1e-9); // 0 + 2 * 4
//! assert!((u[2] - 38.0).abs() < 1e-9); // 10 + 2 * 14
//!
//! // The same circuit under the depth finder.
//! let tracer = depth_finder(slots, 200, 40)?;
//! mat_vec(&tracer, &m, &v)?;
//! let report = tracer.backend().report()?;
//! assert_eq!(report.max_depth, 2);
//! assert_eq!(report.rotation_steps, vec![1, 2, 14, 15]);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backend;
pub mod backends;
pub mod costs;
pub mod dataflow;
pub mod encoding;
pub mod error;
pub mod evaluator;
pub mod matrix;
pub mod object;
pub mod ops;
pub mod planner;
mod pool;
pub mod scale;
pub mod taskgraph;
pub mod vector;
pub mod workload;

pub use backend::{Backend, RingDegree, RotationKeys};
pub use encoding::{EncodingUnit, Layout, Shape};
pub use error::{Result, ToolkitError};
pub use evaluator::Evaluator;
pub use matrix::EncryptedMatrix;
pub use object::EncryptedObject;
pub use scale::ScaleSchedule;
pub use vector::{EncryptedColVector, EncryptedRowVector};
