//! The task graph: a circuit as the DAG of backend calls that the dataflow executor runs
//! and the cost model prices.
//!
//! One task is one [`Backend`](crate::Backend) call: a `mul_sum` of `k` pairs is one task
//! (one relinearization), a hoisted `rotate_many` of `k` steps is one task (one
//! decomposition). The [`Tracer`](crate::backends::Tracer) records finer nodes (one per
//! product and per hoisted step); [`TaskGraph::from_trace`] groups them back into tasks,
//! so the graph traced for planning and the graph the
//! [`Dataflow`](crate::dataflow::Dataflow) executor records are the same graph (a test
//! checks this for every toolkit op and both circuits).
//!
//! A task's [`TaskShape`] (kind, level, fan) is what its cost depends on; the cost model
//! ([`crate::costs`]) calibrates each shape a graph contains.

mod simulate;

pub use simulate::{simulate, ExecutionSetting, Simulation};

use serde::{Deserialize, Serialize};

use crate::backends::tracer::{Node, OpKind};

/// What a task computes (one backend call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A ciphertext the customer encrypted (no server work).
    Input,
    /// Encoding a plaintext operand.
    Encode,
    /// ct + ct.
    Add,
    /// ct - ct.
    Sub,
    /// -ct.
    Negate,
    /// ct + pt.
    AddPlain,
    /// ct × pt.
    MulPlain,
    /// ct × real constant.
    MulConst,
    /// ct × integer.
    MulInt,
    /// `Σ aᵢ bᵢ` of `fan` ct × ct pairs with one relinearization (`fan = 1`: `mul`).
    MulSum,
    /// Rescale.
    Rescale,
    /// Dropping primes.
    DropLevel,
    /// Relabelling the scale (a public constant multiplied in for free).
    Relabel,
    /// One rotation.
    Rotate,
    /// `fan` hoisted rotations of one ciphertext.
    RotateMany,
}

impl TaskKind {
    /// Whether the server spends time on it (inputs come from the customer).
    pub fn is_server_work(self) -> bool {
        self != TaskKind::Input
    }
}

/// What a task's cost depends on.
///
/// `level` is the level of the operand (for `Rescale` the level it rescales from, for
/// `DropLevel` the level it drops to, for `Encode` the level it encodes at); `fan` is the
/// number of pairs of a `MulSum` or steps of a `RotateMany`, and 1 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskShape {
    /// Kind.
    pub kind: TaskKind,
    /// Level (see above).
    pub level: usize,
    /// Pairs or steps (see above).
    pub fan: usize,
}

impl TaskShape {
    /// A shape with fan 1.
    pub fn new(kind: TaskKind, level: usize) -> Self {
        Self {
            kind,
            level,
            fan: 1,
        }
    }
}

/// One task: its shape and the tasks whose results it reads (ids smaller than its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Shape.
    pub shape: TaskShape,
    /// Input tasks (a task may appear twice, e.g. `x * x`).
    pub inputs: Vec<usize>,
}

/// A DAG of tasks in topological order (every input id is smaller than its task's id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskGraph {
    /// The tasks.
    pub tasks: Vec<Task>,
}

impl TaskGraph {
    /// Groups a tracer's nodes into tasks: a `Mul` absorbs the `MulAccumulate` nodes it
    /// reads (one `MulSum` task), a `HoistDecompose` absorbs the `RotateHoisted` nodes that
    /// read it (one `RotateMany` task, whose outputs are those nodes), `Encrypt` becomes an
    /// `Input`, and `Decrypt` nodes (client side) are dropped.
    pub fn from_trace(nodes: &[Node]) -> Self {
        // task_of[node] = the task whose result the node's value is.
        let mut task_of: Vec<Option<usize>> = vec![None; nodes.len()];
        let mut tasks: Vec<Task> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let single = |kind| TaskShape::new(kind, node.level);
            let shape = match node.kind {
                OpKind::Decrypt | OpKind::MulAccumulate => None,
                OpKind::RotateHoisted => {
                    // Part of the decomposition's task.
                    task_of[i] = node.inputs.first().and_then(|&d| task_of[d]);
                    if let Some(t) = task_of[i] {
                        tasks[t].shape.fan += 1;
                    }
                    continue;
                }
                OpKind::Encrypt => Some(single(TaskKind::Input)),
                OpKind::Encode => Some(single(TaskKind::Encode)),
                OpKind::Add => Some(single(TaskKind::Add)),
                OpKind::Sub => Some(single(TaskKind::Sub)),
                OpKind::Negate => Some(single(TaskKind::Negate)),
                OpKind::AddPlain => Some(single(TaskKind::AddPlain)),
                OpKind::MulPlain => Some(single(TaskKind::MulPlain)),
                OpKind::MulConst => Some(single(TaskKind::MulConst)),
                OpKind::MulInt => Some(single(TaskKind::MulInt)),
                OpKind::Mul => Some(single(TaskKind::MulSum)),
                // The tracer records the level after the rescale.
                OpKind::Rescale => Some(TaskShape::new(TaskKind::Rescale, node.level + 1)),
                OpKind::DropLevel => Some(single(TaskKind::DropLevel)),
                OpKind::Relabel => Some(single(TaskKind::Relabel)),
                OpKind::Rotate => Some(single(TaskKind::Rotate)),
                OpKind::HoistDecompose => Some(TaskShape {
                    kind: TaskKind::RotateMany,
                    level: node.level,
                    fan: 0, // counted as its hoisted rotations arrive
                }),
            };
            let Some(shape) = shape else { continue };
            // Inputs: a Mul reads the operands of its accumulated products too.
            let mut inputs = Vec::new();
            for &p in &node.inputs {
                if nodes.get(p).map(|n| n.kind) == Some(OpKind::MulAccumulate) {
                    inputs.extend(nodes[p].inputs.iter().filter_map(|&q| task_of[q]));
                } else if let Some(t) = task_of[p] {
                    inputs.push(t);
                }
            }
            if node.kind == OpKind::Mul {
                let fan = node
                    .inputs
                    .iter()
                    .filter(|&&p| nodes.get(p).map(|n| n.kind) == Some(OpKind::MulAccumulate))
                    .count();
                let mut shape = shape;
                shape.fan = fan + 1;
                tasks.push(Task { shape, inputs });
            } else {
                tasks.push(Task { shape, inputs });
            }
            task_of[i] = Some(tasks.len() - 1);
        }
        Self { tasks }
    }

    /// The distinct shapes of server work, sorted.
    pub fn shapes(&self) -> Vec<TaskShape> {
        let mut s: Vec<TaskShape> = self
            .tasks
            .iter()
            .map(|t| t.shape)
            .filter(|s| s.kind.is_server_work())
            .collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// Successors of every task (each edge once per use).
    pub fn successors(&self) -> Vec<Vec<usize>> {
        let mut succ = vec![Vec::new(); self.tasks.len()];
        for (i, t) in self.tasks.iter().enumerate() {
            for &p in &t.inputs {
                if p < i {
                    succ[p].push(i);
                }
            }
        }
        succ
    }

    /// Bottom level of every task: its cost plus the largest bottom level of its
    /// successors (the critical-path priority the executor and the simulation share).
    pub fn bottom_levels(&self, cost: impl Fn(&TaskShape) -> f64) -> Vec<f64> {
        let succ = self.successors();
        let mut bottom = vec![0.0f64; self.tasks.len()];
        for i in (0..self.tasks.len()).rev() {
            let below = succ[i].iter().map(|&s| bottom[s]).fold(0.0, f64::max);
            bottom[i] = cost(&self.tasks[i].shape).max(0.0) + below;
        }
        bottom
    }
}

/// A rough single-thread cost for priorities when no calibration is at hand: proportional
/// to the number of primes, key switches far above element-wise work.
pub fn proxy_cost(shape: &TaskShape) -> f64 {
    let primes = shape.level as f64 + 1.0;
    let per_prime = match shape.kind {
        TaskKind::Input => 0.0,
        TaskKind::Add | TaskKind::Sub | TaskKind::Negate | TaskKind::AddPlain => 0.02,
        TaskKind::Relabel => 0.0,
        TaskKind::MulPlain | TaskKind::MulConst | TaskKind::MulInt | TaskKind::DropLevel => 0.03,
        TaskKind::Encode => 0.5,
        TaskKind::Rescale => 0.6,
        TaskKind::Rotate => 3.2,
        TaskKind::MulSum => 3.5 + 0.1 * (shape.fan.saturating_sub(1)) as f64,
        TaskKind::RotateMany => 2.0 + 1.3 * shape.fan as f64,
    };
    per_prime * primes
}
