//! # lowdepth-data
//!
//! The training data of the benchmark, as HELR prepares it (docs/design.md section 2):
//!
//! - [`idx`]: read/write IDX files (raw or gzip), strict, errors that name the file;
//! - [`fetch`]: find the four MNIST files, run `scripts/fetch_mnist.py` if they are missing,
//!   check the pinned sha256;
//! - [`preprocess`]: digits 3 vs 8, 2x2 mean pooling (196 features), column max-abs scaling
//!   fitted on the training set, `z = y'(1, x)` padded to 256;
//! - [`batches`]: seeded shuffle and fixed-size minibatches (the last one wraps around);
//! - [`fixture`]: a small committed MNIST subset for tests that must not use the network.
//!
//! ```
//! use lowdepth_data::{batches::Minibatches, fixture, preprocess};
//! # fn main() -> Result<(), lowdepth_data::DataError> {
//! let split = fixture::files().load()?;
//! let task = preprocess::binary_task(&split.train, &split.test, &Default::default())?;
//! assert_eq!(task.train.width, 256);
//! let batches = Minibatches::new(&task.train, 64, 1)?;
//! assert_eq!(batches.for_iteration(0).data.len(), 64 * 256);
//! # Ok(()) }
//! ```

pub mod batches;
pub mod error;
pub mod fetch;
pub mod fixture;
pub mod idx;
mod idx_bounded;
pub mod preprocess;

pub use error::{DataError, Result};
