//! # lowdepth-plaintext
//!
//! The f64 reference models every encrypted circuit is compared with (docs/design.md section 2):
//! HELR's minibatch Nesterov accelerated gradient with
//! (a) the cubic `p(x) = 0.5 - 0.0843 x + 0.0002 x^3` — what the circuits compute, so the
//! decrypted model must match it to CKKS precision — and
//! (b) the exact sigmoid `1 / (1 + e^x)` on the same minibatches.
//!
//! - [`nesterov`]: [`nesterov::train`], [`nesterov::nesterov_step`], [`nesterov::nesterov_etas`];
//! - [`sigmoid`]: [`Sigmoid`] and the cubic's coefficients;
//! - [`metrics`]: accuracy, AUC (Mann–Whitney), log-loss, per-iteration evaluation.
//!
//! ```
//! use lowdepth_data::{batches::Minibatches, fixture, preprocess};
//! use lowdepth_plaintext::{metrics, nesterov, NesterovConfig, Sigmoid};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let split = fixture::files().load()?;
//! let task = preprocess::binary_task(&split.train, &split.test, &Default::default())?;
//! let batches = Minibatches::new(&task.train, 128, 1)?;
//! let traj = nesterov::train(&batches, Sigmoid::Cubic, &NesterovConfig::default());
//! let eval = metrics::evaluate(traj.final_w(), &task.test);
//! assert!(eval.accuracy > 0.9);
//! # Ok(()) }
//! ```

pub mod error;
pub mod metrics;
pub mod nesterov;
pub mod sigmoid;

pub use error::{PlaintextError, Result};
pub use metrics::Evaluation;
pub use nesterov::{ModelState, NesterovConfig, Trajectory};
pub use sigmoid::Sigmoid;
