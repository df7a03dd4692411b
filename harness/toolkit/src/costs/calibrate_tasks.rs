//! Timing every task shape of a graph on the running backend.
//!
//! For each thread count, inside a rayon pool of that size: one untimed warm-up round,
//! then [`CALIBRATION_REPS`] (or the given number of) rounds; within a round every shape
//! runs once, in order, so load changes on the machine spread over all shapes. Operands
//! are fresh encryptions at the shape's level with canonical scales, prepared outside the
//! timings; what is timed is exactly the backend call the dataflow executor makes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::{median, ShapeTiming, TaskCosts};
use crate::backend::Backend;
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;
use crate::pool::thread_pool;
use crate::taskgraph::{TaskKind, TaskShape};
use crate::workload::pseudo_random;

/// Default timed rounds per shape and thread count.
pub const CALIBRATION_REPS: usize = 3;

/// Bytes written between two timed calls so that each starts with cold caches (twice the
/// 32 MiB last-level cache of this project's machines). In a training run an op's operands
/// and keys were last touched many ops ago and come from memory; timing one operand pair
/// over and over in a warm cache underpriced the low-depth circuit's ops by 15-20%.
pub const EVICT_BYTES: usize = 64 << 20;

/// Distinct rotation keys the timed rotations cycle through (for the same reason).
const ROTATION_KEYS_CYCLED: usize = 32;

/// Times `shapes` at 1 thread and at each of `threads` (through the checked evaluator,
/// which must be able to encrypt) and fits the scaling laws.
pub fn calibrate_tasks<B: Backend>(
    eval: &Evaluator<B>,
    shapes: &[TaskShape],
    threads: &[usize],
    reps: usize,
) -> Result<TaskCosts> {
    if reps == 0 {
        return Err(ToolkitError::InvalidParameters(
            "calibrate_tasks: reps must be at least 1".into(),
        ));
    }
    let shapes: Vec<TaskShape> = shapes
        .iter()
        .filter(|s| s.kind.is_server_work())
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut counts: BTreeSet<usize> = threads.iter().copied().filter(|&t| t > 0).collect();
    counts.insert(1);
    let start = Instant::now();
    let operands = Operands::prepare(eval, &shapes)?;
    let mut timings = Vec::new();
    let mut keep = |samples: BTreeMap<TaskShape, Vec<f64>>, threads: usize, concurrent: bool| {
        timings.extend(samples.into_iter().map(|(shape, samples_s)| ShapeTiming {
            shape,
            threads,
            concurrent,
            median_s: median(&samples_s),
            samples_s,
        }));
    };
    for &t in &counts {
        let pool = thread_pool(t, "lowdepth-calibrate")?;
        let alone = pool.install(|| {
            time_rounds(&shapes, reps, 1, |shape, call| {
                run_once(eval, &operands, shape, call)
            })
        })?;
        keep(alone, t, false);
        if t > 1 {
            keep(time_concurrent(eval, &operands, &shapes, reps, t)?, t, true);
        }
    }
    let mut costs = TaskCosts::from_timings(timings);
    costs.calibration_wall_s = start.elapsed().as_secs_f64();
    Ok(costs)
}

/// One untimed warm-up round and `reps` timed ones; within a round every shape runs once,
/// after 64 MiB are written so that it starts with cold caches. `time(shape, call)` runs
/// the `call`-th timed call (`calls_per_shape` calls numbered per shape) and returns its
/// time.
fn time_rounds(
    shapes: &[TaskShape],
    reps: usize,
    calls_per_shape: usize,
    mut time: impl FnMut(&TaskShape, usize) -> Result<f64>,
) -> Result<BTreeMap<TaskShape, Vec<f64>>> {
    let mut out: BTreeMap<TaskShape, Vec<f64>> = BTreeMap::new();
    let mut evict = vec![0u64; EVICT_BYTES / 8];
    let mut call = 0usize;
    for round in 0..=reps {
        for shape in shapes {
            for (i, x) in evict.iter_mut().enumerate() {
                *x = x.wrapping_add(i as u64);
            }
            std::hint::black_box(&evict);
            call += calls_per_shape;
            let t = time(shape, call)?;
            if round > 0 {
                out.entry(*shape).or_default().push(t);
            }
        }
    }
    Ok(out)
}

/// `copies` instances of each shape at once, each single-threaded on its own one-thread
/// pool (as the paper setting's drivers run them), with different rotation keys: the time
/// of one instance when `copies` ops compete for memory bandwidth and the shared cache.
/// Samples are the mean instance time of each round.
fn time_concurrent<B: Backend>(
    eval: &Evaluator<B>,
    ops: &Operands<B>,
    shapes: &[TaskShape],
    reps: usize,
    copies: usize,
) -> Result<BTreeMap<TaskShape, Vec<f64>>> {
    let pools = (0..copies)
        .map(|_| thread_pool(1, "lowdepth-calibrate"))
        .collect::<Result<Vec<_>>>()?;
    time_rounds(shapes, reps, copies, |shape, call| {
        let times: Vec<Result<f64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = pools
                .iter()
                .enumerate()
                .map(|(i, pool)| {
                    scope.spawn(move || pool.install(|| run_once(eval, ops, shape, call + i)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(ToolkitError::Backend(
                            "calibrate: a timing thread panicked".into(),
                        ))
                    })
                })
                .collect()
        });
        let times = times.into_iter().collect::<Result<Vec<f64>>>()?;
        Ok(times.iter().sum::<f64>() / times.len().max(1) as f64)
    })
}

/// Fresh operands per level: two ciphertexts, a plaintext to add and one to multiply, and
/// the rotation steps that have keys.
struct Operands<B: Backend> {
    at: BTreeMap<usize, LevelOperands<B>>,
    steps: Vec<i32>,
}

struct LevelOperands<B: Backend> {
    a: B::Ciphertext,
    b: B::Ciphertext,
    values: Vec<f64>,
    p_add: B::Plaintext,
    /// For levels >= 1: the plaintext, the constant's scale, and `a * b` to rescale.
    mult: Option<(B::Plaintext, f64, B::Ciphertext)>,
}

impl<B: Backend> Operands<B> {
    fn prepare(eval: &Evaluator<B>, shapes: &[TaskShape]) -> Result<Self> {
        let mut levels = BTreeSet::new();
        for s in shapes {
            levels.insert(s.level);
            if s.kind == TaskKind::DropLevel {
                levels.insert(s.level + 1);
            }
        }
        let mut at = BTreeMap::new();
        for level in levels.into_iter().filter(|&l| l <= eval.max_level()) {
            let slots = eval.slots();
            let a = eval.encrypt_canonical(&pseudo_random(slots, 12), level)?;
            let b = eval.encrypt_canonical(&pseudo_random(slots, 13), level)?;
            let values = pseudo_random(slots, 11 + level as u64);
            let scale = eval.scale(&a);
            let p_add = eval.encode_for_add(&values, level, scale)?;
            let mult = if level >= 1 {
                let p = eval.encode_for_mul(&values, level, scale)?;
                let s = eval.schedule().operand_scale_for_mul(level, scale)?;
                Some((p, s, eval.mul(&a, &b)?))
            } else {
                None
            };
            at.insert(
                level,
                LevelOperands {
                    a,
                    b,
                    values,
                    p_add,
                    mult,
                },
            );
        }
        let max_fan = shapes
            .iter()
            .filter(|s| matches!(s.kind, TaskKind::RotateMany | TaskKind::Rotate))
            .map(|s| s.fan)
            .max()
            .unwrap_or(0);
        let steps = if max_fan > 0 {
            rotation_steps(eval, max_fan.max(ROTATION_KEYS_CYCLED))?
        } else {
            Vec::new()
        };
        Ok(Self { at, steps })
    }

    fn level(&self, level: usize) -> Result<&LevelOperands<B>> {
        self.at
            .get(&level)
            .ok_or_else(|| ToolkitError::InvalidLevel {
                op: "calibrate_tasks",
                level,
                allowed: "levels of the backend".into(),
            })
    }
}

/// `n` rotation steps with keys (repeating the ones found if there are fewer).
/// Timed calls take them in turn, starting at a different one each call.
fn rotation_steps<B: Backend>(eval: &Evaluator<B>, n: usize) -> Result<Vec<i32>> {
    let backend = eval.backend();
    let found: Vec<i32> = (1..eval.slots())
        .filter_map(|s| i32::try_from(s).ok())
        .filter(|&s| backend.has_rotation_key(s))
        .take(n)
        .collect();
    if found.is_empty() {
        return Err(ToolkitError::InvalidParameters(
            "calibrate_tasks: the backend has no rotation key".into(),
        ));
    }
    Ok(found.iter().copied().cycle().take(n).collect())
}

fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<f64> {
    let start = Instant::now();
    let out = f()?;
    let t = start.elapsed().as_secs_f64();
    drop(out);
    Ok(t)
}

fn no_level(shape: &TaskShape) -> ToolkitError {
    ToolkitError::LevelExhausted {
        op: "calibrate_tasks",
        level: shape.level,
    }
}

/// Runs the backend call of `shape` once (the `call`-th timed call) and returns its time.
fn run_once<B: Backend>(
    eval: &Evaluator<B>,
    ops: &Operands<B>,
    shape: &TaskShape,
    call: usize,
) -> Result<f64> {
    let be = eval.backend();
    let level = shape.level;
    let o = ops.level(level)?;
    let fan = shape.fan.max(1);
    match shape.kind {
        TaskKind::Input => Ok(0.0),
        TaskKind::Encode => timed(|| be.encode(&o.values, level, eval.scale(&o.a))),
        TaskKind::Add => timed(|| be.add(&o.a, &o.b)),
        TaskKind::Sub => timed(|| be.sub(&o.a, &o.b)),
        TaskKind::Negate => timed(|| be.negate(&o.a)),
        TaskKind::AddPlain => timed(|| be.add_plain(&o.a, &o.p_add)),
        TaskKind::MulInt => timed(|| be.mul_int(&o.a, 3)),
        // A factor above 1 lowers the scale, so the operand fits at every level (0.5 would
        // double a level-0 scale past q_0).
        TaskKind::Relabel => timed(|| be.relabel(&o.a, 2.0)),
        TaskKind::MulPlain => {
            let (p, _, _) = o.mult.as_ref().ok_or_else(|| no_level(shape))?;
            timed(|| be.mul_plain(&o.a, p))
        }
        TaskKind::MulConst => {
            let (_, s, _) = o.mult.as_ref().ok_or_else(|| no_level(shape))?;
            timed(|| be.mul_const(&o.a, 0.5, *s))
        }
        TaskKind::MulSum => {
            let pairs = vec![(&o.a, &o.b); fan];
            if fan == 1 {
                timed(|| be.mul(&o.a, &o.b))
            } else {
                timed(|| be.mul_sum(&pairs))
            }
        }
        TaskKind::Rescale => {
            let (_, _, ab) = o.mult.as_ref().ok_or_else(|| no_level(shape))?;
            timed(|| be.rescale(ab))
        }
        TaskKind::DropLevel => {
            let from = ops.level(level + 1)?;
            timed(|| be.drop_to_level(&from.a, level))
        }
        TaskKind::Rotate => {
            let n = ops.steps.len().max(1);
            let step = ops.steps.get(call % n).copied().unwrap_or(1);
            timed(|| be.rotate(&o.a, step))
        }
        TaskKind::RotateMany => {
            let n = ops.steps.len();
            let steps: Vec<i32> = (0..fan)
                .filter_map(|j| ops.steps.get((call + j) % n.max(1)).copied())
                .collect();
            if steps.len() != fan {
                return Err(ToolkitError::InvalidParameters(format!(
                    "calibrate_tasks: {fan} steps"
                )));
            }
            timed(|| be.rotate_many(&o.a, &steps))
        }
    }
}
