//! lowdepth-toolkit: homomorphic linear algebra over a backend trait.

pub mod backend;
pub mod backends;
pub mod error;
pub mod evaluator;
pub mod scale;

pub use backend::{Backend, RingDegree, RotationKeys};
pub use error::{Result, ToolkitError};
pub use evaluator::Evaluator;
pub use scale::ScaleSchedule;
