//! lowdepth-toolkit: homomorphic linear algebra over a backend trait.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backend;
pub mod backends;
pub mod encoding;
pub mod error;
pub mod evaluator;
pub mod matrix;
pub mod object;
pub mod ops;
pub mod planner;
pub mod scale;
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
