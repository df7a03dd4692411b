//! Dataflow execution: a backend that records a circuit as a task graph and runs it on a
//! thread pool, ready tasks in critical-path order, instead of one call after another.
//!
//! [`Dataflow`] wraps a real backend (the *server*, which holds evaluation keys only) and
//! optionally a *client* backend of the same type (the customer's, which encrypts and
//! decrypts). Every server operation returns at once with a handle that knows its level
//! and scale (computed exactly as the backend computes them, and checked against the real
//! result when it runs), so the checked [`Evaluator`](crate::Evaluator) and the circuits
//! work unchanged: a circuit runs through it without a line of its source changed.
//! [`Dataflow::execute`] (or the first `decrypt` of a result not yet computed) runs every
//! recorded task:
//!
//! - `P` driver threads (the caller's rayon pool size unless set) each take the ready task
//!   with the largest bottom level (its single-thread cost plus the longest chain below it,
//!   priced by calibrated [`TaskCosts`] or, without them,
//!   [`proxy_cost`](crate::taskgraph::proxy_cost)) and run it:
//!   - [`ExecutionSetting::Full`]: on one shared pool of `P` threads, so a task's own
//!     per-limb parallelism uses the cores no other task occupies;
//!   - [`ExecutionSetting::Paper`]: each driver on its own one-thread pool, so ops are
//!     single-threaded and parallelism comes only from independent tasks (the setting of
//!     the paper, whose library's ops were single-threaded).
//! - A task's result is freed as soon as its last consumer has run and the circuit holds
//!   no handle on it.
//! - A task does not start while the stored values plus its result would exceed the
//!   memory budget, unless nothing else is running (so execution always progresses).
//!
//! Values are identical to eager execution: each task makes the same backend call with the
//! same operands; only the order of independent calls changes. The simulation in
//! [`crate::taskgraph::simulate`] models exactly this executor.
//!
//! # Example
//!
//! ```
//! use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams};
//! use lowdepth_toolkit::dataflow::{Dataflow, DataflowOptions};
//! use lowdepth_toolkit::scale::simulation_moduli;
//! use lowdepth_toolkit::{Evaluator, RingDegree, RotationKeys};
//!
//! # fn main() -> lowdepth_toolkit::Result<()> {
//! let ring_degree = RingDegree(32);
//! let plain = PlaintextBackend::try_new(PlaintextParams {
//!     slots: 16,
//!     ring_degree,
//!     moduli: simulation_moduli(2, 40, 60, ring_degree),
//!     rotation_keys: RotationKeys::All,
//! })?;
//! let eval = Evaluator::new(Dataflow::new(plain, None, DataflowOptions::default()), 40)?;
//! let x = eval.encrypt_canonical(&[1.0, 2.0, 3.0], 2)?;
//! let y = eval.mul_rescale(&x, &eval.rotate(&x, 1)?)?; // recorded, not yet computed
//! let report = eval.backend().execute()?; // runs the two tasks
//! assert_eq!(report.tasks, 3);
//! let v = eval.decrypt(&y)?;
//! assert!((v[0] - 2.0).abs() < 1e-6 && (v[1] - 6.0).abs() < 1e-6);
//! # Ok(())
//! # }
//! ```

mod backend;
mod executor;
mod graph;

pub use backend::{Dataflow, Deferred};
pub use executor::{ExecutionReport, KindTime};

pub use crate::costs::TaskCosts;
pub use crate::taskgraph::ExecutionSetting;

/// Default bound on the bytes of stored values (inputs and intermediates): 12 GiB, so the
/// paper run with its keys fits a 16 GiB machine.
pub const DEFAULT_MEMORY_BUDGET_BYTES: u64 = 12 << 30;

/// How a [`Dataflow`] backend executes.
#[derive(Debug, Clone)]
pub struct DataflowOptions {
    /// Execution setting (default [`ExecutionSetting::Full`]).
    pub setting: ExecutionSetting,
    /// Driver threads and pool size; `None`: the caller's rayon pool size at execution.
    pub threads: Option<usize>,
    /// Bound on stored values (see the module documentation).
    pub memory_budget_bytes: u64,
    /// Calibrated costs for the priorities (default: the proxy costs).
    pub costs: Option<TaskCosts>,
}

impl Default for DataflowOptions {
    fn default() -> Self {
        Self {
            setting: ExecutionSetting::Full,
            threads: None,
            memory_budget_bytes: DEFAULT_MEMORY_BUDGET_BYTES,
            costs: None,
        }
    }
}
