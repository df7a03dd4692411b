//! The recorded graph of a [`Dataflow`](super::Dataflow) backend: one task per backend
//! call, its operation and operands, its result once computed, and the counts that decide
//! when a result can be freed.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::backend::Backend;
use crate::error::{Result, ToolkitError};
use crate::taskgraph::{Task, TaskGraph, TaskShape};

/// An operand: output `out` of task `task` (`out > 0` only for `rotate_many`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ref {
    pub task: usize,
    pub out: usize,
}

/// The backend call a task makes, with its operands.
#[derive(Debug, Clone)]
pub(crate) enum TaskOp {
    /// Encrypted by the customer; the value is stored when recorded.
    Input,
    Encode {
        values: Vec<f64>,
        level: usize,
        scale: f64,
    },
    Add(Ref, Ref),
    Sub(Ref, Ref),
    Negate(Ref),
    AddPlain(Ref, Ref),
    MulPlain(Ref, Ref),
    MulConst(Ref, f64, f64),
    MulInt(Ref, i64),
    Mul(Ref, Ref),
    MulSum(Vec<(Ref, Ref)>),
    Rescale(Ref),
    DropToLevel(Ref, usize),
    Relabel(Ref, f64),
    Rotate(Ref, i32),
    RotateMany(Ref, Vec<i32>),
    /// Already executed (the operation was moved out to run it).
    Taken,
}

impl TaskOp {
    /// The operands, in order (with repeats).
    pub fn operands(&self) -> Vec<Ref> {
        match self {
            TaskOp::Input | TaskOp::Encode { .. } | TaskOp::Taken => Vec::new(),
            TaskOp::Add(a, b)
            | TaskOp::Sub(a, b)
            | TaskOp::AddPlain(a, b)
            | TaskOp::MulPlain(a, b)
            | TaskOp::Mul(a, b) => vec![*a, *b],
            TaskOp::Negate(a)
            | TaskOp::MulConst(a, _, _)
            | TaskOp::MulInt(a, _)
            | TaskOp::Rescale(a)
            | TaskOp::DropToLevel(a, _)
            | TaskOp::Relabel(a, _)
            | TaskOp::Rotate(a, _)
            | TaskOp::RotateMany(a, _) => vec![*a],
            TaskOp::MulSum(pairs) => pairs.iter().flat_map(|&(a, b)| [a, b]).collect(),
        }
    }
}

/// A computed result.
pub(crate) enum Value<B: Backend> {
    Ct(B::Ciphertext),
    Pt(B::Plaintext),
    Many(Vec<B::Ciphertext>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Running,
    Done,
}

/// One recorded task.
pub(crate) struct TaskState<B: Backend> {
    pub op: TaskOp,
    pub shape: TaskShape,
    /// Operand tasks, with repeats (the graph's edges).
    pub inputs: Vec<usize>,
    /// Tasks that read this one, with repeats.
    pub consumers: Vec<usize>,
    /// (level, scale) of each output, as the evaluator was told at record time.
    pub expected: Vec<(usize, f64)>,
    pub status: Status,
    pub value: Option<Arc<Value<B>>>,
    /// Bytes the value occupies (an estimate from its level and the ring degree).
    pub bytes: u64,
    /// Reads by consumers that have not run yet.
    pub pending_reads: usize,
    /// Handles the circuit still holds on this task's outputs.
    pub live_handles: usize,
}

/// The graph and the executor's bookkeeping, behind one lock.
pub(crate) struct GraphState<B: Backend> {
    pub tasks: Vec<TaskState<B>>,
    /// Bytes of all stored values.
    pub live_bytes: u64,
    /// Start of the window [`GraphState::take_graph`] returns next.
    pub window_start: usize,
}

impl<B: Backend> GraphState<B> {
    /// Frees a done task's value once no consumer and no handle needs it.
    pub fn release_if_unused(&mut self, task: usize) {
        let t = &mut self.tasks[task];
        let unused = t.status == Status::Done && t.pending_reads == 0 && t.live_handles == 0;
        if unused && t.value.take().is_some() {
            self.live_bytes = self.live_bytes.saturating_sub(t.bytes);
        }
    }

    /// The tasks recorded since the last call, as a [`TaskGraph`] (inputs from earlier
    /// windows are dropped: they were available when the window ran).
    pub fn take_graph(&mut self) -> TaskGraph {
        let start = self.window_start;
        let tasks = self.tasks[start..]
            .iter()
            .map(|t| Task {
                shape: t.shape,
                inputs: t
                    .inputs
                    .iter()
                    .filter(|&&i| i >= start)
                    .map(|&i| i - start)
                    .collect(),
            })
            .collect();
        self.window_start = self.tasks.len();
        TaskGraph { tasks }
    }

    /// The whole recorded graph.
    pub fn graph(&self) -> TaskGraph {
        TaskGraph {
            tasks: self
                .tasks
                .iter()
                .map(|t| Task {
                    shape: t.shape,
                    inputs: t.inputs.clone(),
                })
                .collect(),
        }
    }
}

/// The state shared by the backend, its handles and the executor's drivers.
pub(crate) struct Shared<B: Backend> {
    pub state: Mutex<GraphState<B>>,
    /// Signalled when a task finishes (drivers wait on it for ready work).
    pub changed: Condvar,
}

impl<B: Backend> Shared<B> {
    pub fn new() -> Self {
        Self {
            state: Mutex::new(GraphState {
                tasks: Vec::new(),
                live_bytes: 0,
                window_start: 0,
            }),
            changed: Condvar::new(),
        }
    }

    pub fn lock(&self) -> Result<MutexGuard<'_, GraphState<B>>> {
        self.state
            .lock()
            .map_err(|_| ToolkitError::Backend("dataflow: graph lock poisoned".into()))
    }
}

/// A handle on one output of a task: what the circuit holds as a ciphertext or plaintext.
/// Dropping the last handle of a task lets the executor free its value.
pub(crate) struct Handle<B: Backend> {
    pub shared: Arc<Shared<B>>,
    pub at: Ref,
    pub level: usize,
    pub scale: f64,
}

impl<B: Backend> Drop for Handle<B> {
    fn drop(&mut self) {
        if let Ok(mut g) = self.shared.state.lock() {
            if let Some(t) = g.tasks.get_mut(self.at.task) {
                t.live_handles = t.live_handles.saturating_sub(1);
            }
            g.release_if_unused(self.at.task);
        }
    }
}
