//! Running the recorded tasks: `P` drivers, critical-path priority, a memory budget.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::graph::{GraphState, Ref, Shared, Status, TaskOp, Value};
use super::DataflowOptions;
use crate::backend::Backend;
use crate::error::{Result, ToolkitError};
use crate::pool::thread_pool;
use crate::taskgraph::{proxy_cost, ExecutionSetting, TaskKind, TaskShape};

/// What one [`Dataflow::execute`](super::Dataflow::execute) did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecutionReport {
    /// Tasks run.
    pub tasks: usize,
    /// Driver threads.
    pub threads: usize,
    /// Wall time (s).
    pub wall_s: f64,
    /// Sum of the tasks' own wall times (s).
    pub busy_s: f64,
    /// Largest number of tasks running at once.
    pub peak_running: usize,
    /// Largest bytes of stored values (inputs and intermediates) during the execution.
    pub peak_live_bytes: u64,
    /// Times a ready task waited because it would have exceeded the memory budget.
    pub memory_waits: usize,
    /// Tasks and their summed wall times per kind (to set beside the calibrated costs).
    pub by_kind: Vec<KindTime>,
}

/// Tasks of one kind in an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindTime {
    /// Kind.
    pub kind: TaskKind,
    /// Tasks run.
    pub tasks: usize,
    /// Sum of their wall times (s).
    pub busy_s: f64,
}

impl KindTime {
    /// Adds one task of `kind` taking `seconds` to a per-kind tally.
    pub fn add_to(tally: &mut Vec<KindTime>, kind: TaskKind, seconds: f64) {
        match tally.iter_mut().find(|k| k.kind == kind) {
            Some(k) => {
                k.tasks += 1;
                k.busy_s += seconds;
            }
            None => tally.push(KindTime {
                kind,
                tasks: 1,
                busy_s: seconds,
            }),
        }
    }
}

/// Per-execution bookkeeping (under the graph lock).
struct Run {
    /// Unfinished operand reads of each pending task (with repeats).
    waiting_on: Vec<usize>,
    ready: BinaryHeap<((u64, Reverse<usize>), usize)>,
    priority: Vec<f64>,
    total: usize,
    finished: usize,
    running: usize,
    error: Option<ToolkitError>,
    report: ExecutionReport,
}

impl Run {
    fn push_ready(&mut self, task: usize) {
        let key = (self.priority[task].max(0.0).to_bits(), Reverse(task));
        self.ready.push((key, task));
    }
}

pub(crate) fn execute<B: Backend>(
    server: &B,
    shared: &Arc<Shared<B>>,
    options: &DataflowOptions,
) -> Result<ExecutionReport> {
    let start = Instant::now();
    let threads = options
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .max(1);
    let run = {
        let g = shared.lock()?;
        plan_run(&g, options)
    };
    if run.total == 0 {
        return Ok(ExecutionReport {
            threads,
            ..ExecutionReport::default()
        });
    }
    let pools = build_pools(options.setting, threads)?;
    let run = std::sync::Mutex::new(run);
    std::thread::scope(|scope| {
        for d in 0..threads {
            let pool = &pools[d % pools.len()];
            let run = &run;
            scope.spawn(move || drive(server, shared, run, pool, options.memory_budget_bytes));
        }
    });
    let mut run = run
        .into_inner()
        .map_err(|_| ToolkitError::Backend("dataflow: run state poisoned".into()))?;
    if let Some(e) = run.error.take() {
        return Err(e);
    }
    run.report.tasks = run.finished;
    run.report.by_kind.sort_by_key(|k| k.kind);
    run.report.threads = threads;
    run.report.wall_s = start.elapsed().as_secs_f64();
    Ok(run.report)
}

/// One shared pool of `threads` (full) or one single-thread pool per driver (paper).
fn build_pools(setting: ExecutionSetting, threads: usize) -> Result<Vec<rayon::ThreadPool>> {
    let build = |n: usize| thread_pool(n, "lowdepth-dataflow");
    match setting {
        ExecutionSetting::Full => Ok(vec![build(threads)?]),
        ExecutionSetting::Paper => (0..threads).map(|_| build(1)).collect(),
    }
}

/// The pending tasks, their unfinished operands and priorities.
fn plan_run<B: Backend>(g: &GraphState<B>, options: &DataflowOptions) -> Run {
    let n = g.tasks.len();
    let cost = |s: &TaskShape| {
        options
            .costs
            .as_ref()
            .and_then(|c| c.single_thread_s(s))
            .unwrap_or_else(|| proxy_cost(s))
    };
    let mut priority = vec![0.0f64; n];
    for i in (0..n).rev() {
        let t = &g.tasks[i];
        if t.status == Status::Done {
            continue;
        }
        let below = t.consumers.iter().map(|&c| priority[c]).fold(0.0, f64::max);
        priority[i] = cost(&t.shape) + below;
    }
    let mut run = Run {
        waiting_on: vec![0; n],
        ready: BinaryHeap::new(),
        priority,
        total: 0,
        finished: 0,
        running: 0,
        error: None,
        report: ExecutionReport::default(),
    };
    for (i, t) in g.tasks.iter().enumerate() {
        if t.status != Status::Pending {
            continue;
        }
        run.total += 1;
        run.waiting_on[i] = t
            .inputs
            .iter()
            .filter(|&&p| g.tasks[p].status != Status::Done)
            .count();
        if run.waiting_on[i] == 0 {
            run.push_ready(i);
        }
    }
    run.report.peak_live_bytes = g.live_bytes;
    run
}

/// A driver: takes the best ready task that fits, runs it on `pool`, records its result.
fn drive<B: Backend>(
    server: &B,
    shared: &Shared<B>,
    run: &std::sync::Mutex<Run>,
    pool: &rayon::ThreadPool,
    budget: u64,
) {
    loop {
        let Some((task, op, operands)) = next_task(shared, run, budget) else {
            return;
        };
        let started = Instant::now();
        let result = pool.install(|| run_op(server, &op, &operands));
        let elapsed = started.elapsed().as_secs_f64();
        finish_task(server, shared, run, task, result, elapsed);
    }
}

type Claimed<B> = (usize, TaskOp, Vec<Arc<Value<B>>>);

/// Blocks until a task can start (returned with its operation and operand values) or the
/// run is over (`None`).
fn next_task<B: Backend>(
    shared: &Shared<B>,
    run: &std::sync::Mutex<Run>,
    budget: u64,
) -> Option<Claimed<B>> {
    let mut graph: MutexGuard<'_, GraphState<B>> = shared.state.lock().ok()?;
    loop {
        {
            let mut r = run.lock().ok()?;
            if r.error.is_some() || r.finished == r.total {
                shared.changed.notify_all();
                return None;
            }
            if let Some((key, task)) = r.ready.pop() {
                let g = &mut *graph;
                let need = g.tasks[task].bytes;
                if r.running > 0 && g.live_bytes + need > budget {
                    // Wait for a running task to free memory.
                    r.ready.push((key, task));
                    r.report.memory_waits += 1;
                } else {
                    r.running += 1;
                    r.report.peak_running = r.report.peak_running.max(r.running);
                    g.live_bytes += need; // reserved; settled in finish_task
                    r.report.peak_live_bytes = r.report.peak_live_bytes.max(g.live_bytes);
                    let t = &mut g.tasks[task];
                    t.status = Status::Running;
                    let op = std::mem::replace(&mut t.op, TaskOp::Taken);
                    let operands: Option<Vec<Arc<Value<B>>>> = op
                        .operands()
                        .iter()
                        .map(|r| g.tasks[r.task].value.clone())
                        .collect();
                    let Some(operands) = operands else {
                        r.error = Some(ToolkitError::Backend(format!(
                            "dataflow: an operand of task {task} was freed before it ran"
                        )));
                        shared.changed.notify_all();
                        return None;
                    };
                    return Some((task, op, operands));
                }
            }
        }
        graph = shared.changed.wait(graph).ok()?;
    }
}

/// Stores a finished task's value (if anything still needs it), releases its operands and
/// wakes the drivers.
fn finish_task<B: Backend>(
    server: &B,
    shared: &Shared<B>,
    run: &std::sync::Mutex<Run>,
    task: usize,
    result: Result<Value<B>>,
    elapsed: f64,
) {
    let Ok(mut g) = shared.state.lock() else {
        return;
    };
    let Ok(mut r) = run.lock() else {
        return;
    };
    r.running -= 1;
    r.report.busy_s += elapsed;
    KindTime::add_to(&mut r.report.by_kind, g.tasks[task].shape.kind, elapsed);
    let value = match result.and_then(|v| check_metadata(server, &g, task, v)) {
        Ok(v) => v,
        Err(e) => {
            r.error.get_or_insert(e);
            shared.changed.notify_all();
            return;
        }
    };
    let bytes = g.tasks[task].bytes;
    {
        let t = &mut g.tasks[task];
        t.status = Status::Done;
        if t.pending_reads > 0 || t.live_handles > 0 {
            t.value = Some(Arc::new(value));
        }
    }
    if g.tasks[task].value.is_none() {
        g.live_bytes = g.live_bytes.saturating_sub(bytes);
    }
    r.finished += 1;
    let inputs = g.tasks[task].inputs.clone();
    for i in inputs {
        let t = &mut g.tasks[i];
        t.pending_reads = t.pending_reads.saturating_sub(1);
        g.release_if_unused(i);
    }
    let consumers = g.tasks[task].consumers.clone();
    for c in consumers {
        if g.tasks[c].status == Status::Pending {
            r.waiting_on[c] = r.waiting_on[c].saturating_sub(1);
            if r.waiting_on[c] == 0 {
                r.push_ready(c);
            }
        }
    }
    shared.changed.notify_all();
}

/// Checks that the real result has the level and scale the evaluator was told (plaintexts
/// are checked by the operation that consumes them).
fn check_metadata<B: Backend>(
    server: &B,
    g: &GraphState<B>,
    task: usize,
    value: Value<B>,
) -> Result<Value<B>> {
    let t = &g.tasks[task];
    let actual: Vec<(usize, f64)> = match &value {
        Value::Pt(_) => return Ok(value),
        Value::Ct(c) => vec![(server.level(c), server.scale(c))],
        Value::Many(cs) => cs
            .iter()
            .map(|c| (server.level(c), server.scale(c)))
            .collect(),
    };
    let same = actual.len() == t.expected.len()
        && actual
            .iter()
            .zip(&t.expected)
            .all(|(a, e)| a.0 == e.0 && a.1.to_bits() == e.1.to_bits());
    if !same {
        return Err(ToolkitError::Backend(format!(
            "dataflow: task {task} ({:?}) produced (level, scale) {actual:?}, recorded {:?}",
            t.shape, t.expected
        )));
    }
    Ok(value)
}

fn ct<B: Backend>(values: &[Arc<Value<B>>], i: usize, at: Ref) -> Result<&B::Ciphertext> {
    match values.get(i).map(|v| &**v) {
        Some(Value::Ct(c)) => Ok(c),
        Some(Value::Many(cs)) => cs.get(at.out).ok_or_else(|| bad_operand(at)),
        _ => Err(bad_operand(at)),
    }
}

fn pt<B: Backend>(values: &[Arc<Value<B>>], i: usize, at: Ref) -> Result<&B::Plaintext> {
    match values.get(i).map(|v| &**v) {
        Some(Value::Pt(p)) => Ok(p),
        _ => Err(bad_operand(at)),
    }
}

fn bad_operand(at: Ref) -> ToolkitError {
    ToolkitError::Backend(format!(
        "dataflow: operand {}#{} has the wrong kind",
        at.task, at.out
    ))
}

/// The backend call of one task.
fn run_op<B: Backend>(server: &B, op: &TaskOp, v: &[Arc<Value<B>>]) -> Result<Value<B>> {
    Ok(match op {
        TaskOp::Input | TaskOp::Taken => {
            return Err(ToolkitError::Backend(
                "dataflow: task has nothing to run".into(),
            ))
        }
        TaskOp::Encode {
            values,
            level,
            scale,
        } => Value::Pt(server.encode(values, *level, *scale)?),
        TaskOp::Add(a, b) => Value::Ct(server.add(ct(v, 0, *a)?, ct(v, 1, *b)?)?),
        TaskOp::Sub(a, b) => Value::Ct(server.sub(ct(v, 0, *a)?, ct(v, 1, *b)?)?),
        TaskOp::Negate(a) => Value::Ct(server.negate(ct(v, 0, *a)?)?),
        TaskOp::AddPlain(a, p) => Value::Ct(server.add_plain(ct(v, 0, *a)?, pt(v, 1, *p)?)?),
        TaskOp::MulPlain(a, p) => Value::Ct(server.mul_plain(ct(v, 0, *a)?, pt(v, 1, *p)?)?),
        TaskOp::MulConst(a, c, s) => Value::Ct(server.mul_const(ct(v, 0, *a)?, *c, *s)?),
        TaskOp::MulInt(a, i) => Value::Ct(server.mul_int(ct(v, 0, *a)?, *i)?),
        TaskOp::Mul(a, b) => Value::Ct(server.mul(ct(v, 0, *a)?, ct(v, 1, *b)?)?),
        TaskOp::MulSum(pairs) => {
            let operands = pairs
                .iter()
                .enumerate()
                .map(|(k, &(a, b))| Ok((ct(v, 2 * k, a)?, ct(v, 2 * k + 1, b)?)))
                .collect::<Result<Vec<_>>>()?;
            Value::Ct(server.mul_sum(&operands)?)
        }
        TaskOp::Rescale(a) => Value::Ct(server.rescale(ct(v, 0, *a)?)?),
        TaskOp::DropToLevel(a, l) => Value::Ct(server.drop_to_level(ct(v, 0, *a)?, *l)?),
        TaskOp::Relabel(a, f) => Value::Ct(server.relabel(ct(v, 0, *a)?, *f)?),
        TaskOp::Rotate(a, s) => Value::Ct(server.rotate(ct(v, 0, *a)?, *s)?),
        TaskOp::RotateMany(a, steps) => Value::Many(server.rotate_many(ct(v, 0, *a)?, steps)?),
    })
}
