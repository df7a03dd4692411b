//! Per-op costs measured on the running backend, and many-core projections of a traced
//! circuit from them (DESIGN.md section 4: `T_P <= W/P + S`).
//!
//! [`calibrate`] times every server-side [`OpKind`] the [`Tracer`](crate::backends::Tracer)
//! records, through the checked [`Evaluator`], on freshly encrypted ciphertexts at the
//! levels you name, and returns a [`CostModel`] in **seconds**: the median of `reps` timings
//! per (kind, level) as a per-level table ([`CostModel::per_level`]: interpolated between
//! measured levels, scaled by the number of primes outside them), plus a least-squares fit
//! `fixed + per_prime · (level + 1)` in [`CostModel::costs`] for readers of [`OpCost`].
//! Key-switching ops are not linear in the level (the number of key-switching digits grows
//! with it), which is why the table, not the fit, prices the nodes.
//!
//! What is timed, per level `l` (one untimed warm-up round first; the kinds are interleaved
//! within each round so that load changes on the machine spread over all kinds):
//!
//! | kind | timed call |
//! |---|---|
//! | `Add`, `Sub`, `Negate`, `AddPlain`, `MulInt` | on fresh ciphertexts at `l` |
//! | `Encode` | `encode` of `slots` values at `l` |
//! | `MulPlain`, `MulConst`, `Mul` (incl. relinearization) | at `l >= 1` |
//! | `MulAccumulate` | `mul_sum` with 1 and with [`MUL_SUM_PAIRS`] pairs in the same round; per further pair `(t_k - t_1) / (k - 1)` |
//! | `Rescale` | of a ct × ct product at `l >= 1` |
//! | `DropLevel` | from `l` to `l - 1`, priced at `l - 1` (the tracer records the target level) |
//! | `Rotate` | one rotation at `l` |
//! | `HoistDecompose`, `RotateHoisted` | `rotate_many` with 1 and with [`HOISTED_STEPS`] steps in the same round; from their medians, per step `(t_k - t_1) / (k - 1)`, decomposition `t_1 - per step` |
//!
//! `Encrypt` and `Decrypt` cost 0: they are client-side, not server time (as in
//! [`CostModel::unit`]). Costs below [`MIN_COST_S`] (timer resolution, or a hoisted split
//! lost in noise) are raised to it, so every server kind costs a positive amount.
//!
//! # Threads
//!
//! [`calibrate`] measures inside its own one-thread rayon pool, whatever pool the caller is
//! in: the costs are **single-thread** op costs. The engine also parallelises *inside* an op
//! (over limbs and the two ciphertext polynomials, on the current rayon pool), so on a
//! two-thread pool a single op runs faster than its calibrated cost. [`project`] does not
//! credit that: its list schedule on `P` workers runs each op on one worker, and only
//! independent ops run concurrently (inter-op parallelism). Consequences, both directions:
//! where the DAG has fewer ready ops than cores (narrow chains), a real `P`-thread run can
//! beat the projection (intra-op parallelism fills idle cores); where it has more, the
//! projection ignores memory-bandwidth and cache contention between concurrent ops and
//! scheduling overhead, and the real run can be slower. [`measure`] runs in the caller's
//! pool as it is, to quantify the intra-op speedup of single ops.
//!
//! # Example
//!
//! ```
//! use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams, Tracer, TracerParams};
//! use lowdepth_toolkit::calibrate::{calibrate, project};
//! use lowdepth_toolkit::scale::simulation_moduli;
//! use lowdepth_toolkit::workload::ProductWorkload;
//! use lowdepth_toolkit::{EncodingUnit, Evaluator, RingDegree, RotationKeys};
//!
//! # fn main() -> lowdepth_toolkit::Result<()> {
//! let (slots, ring_degree) = (64, RingDegree(128));
//! let moduli = simulation_moduli(4, 40, 60, ring_degree);
//! let rotation_keys = RotationKeys::All;
//! let plain = PlaintextBackend::try_new(PlaintextParams {
//!     slots,
//!     ring_degree,
//!     moduli: moduli.clone(),
//!     rotation_keys: rotation_keys.clone(),
//! })?;
//! let cost = calibrate(&Evaluator::new(plain, 40)?, &[4, 2, 0], 3)?; // s per op, 1 thread
//!
//! // The same moduli in the tracer, so traced levels are the calibrated ones.
//! let tracer = Tracer::try_new(TracerParams { slots, ring_degree, moduli, rotation_keys })?;
//! let traced = Evaluator::new(tracer, 40)?;
//! let unit = EncodingUnit::try_new(8, 8, slots)?;
//! let w = ProductWorkload::encrypt(&traced, unit, 32, 16, 4)?;
//! w.matrix_col_vector(&traced)?;
//! let p = project(&traced.backend().nodes()?, &cost, &[1, 2, 64]);
//! assert!(p[1].list_schedule_s <= p[0].list_schedule_s);
//! assert!(p[2].list_schedule_s >= p[2].span_s);
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::backends::tracer::{schedule_nodes, CostModel, Node, OpCost, OpKind};
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;
use crate::workload::pseudo_random;

/// Steps of the larger `rotate_many` timed to split hoisted rotations into the shared
/// decomposition and the per-step part.
pub const HOISTED_STEPS: usize = 4;

/// Pairs of the larger `mul_sum` timed to price a further product accumulated before the
/// shared relinearization.
pub const MUL_SUM_PAIRS: usize = 4;

/// Smallest cost a calibrated server op gets (seconds).
pub const MIN_COST_S: f64 = 1e-9;

/// The kinds [`calibrate`] measures: every kind except the client-side ones
/// (`Encrypt`, `Decrypt`; see [`OpKind::is_client_side`]).
pub fn server_kinds() -> impl Iterator<Item = OpKind> {
    OpKind::ALL.into_iter().filter(|k| !k.is_client_side())
}

/// Timings of one kind at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpTiming {
    /// Operation.
    pub kind: OpKind,
    /// Level the tracer would record for it.
    pub level: usize,
    /// Every sample in seconds, in measurement order (for the hoisted kinds: the split of
    /// each round's pair of `rotate_many` timings; raw pairs in
    /// [`Calibration::rotate_many`]).
    pub samples_s: Vec<f64>,
    /// Median of the samples (for the hoisted kinds: the split of the two `rotate_many`
    /// medians, more robust to one disturbed round), at least [`MIN_COST_S`].
    pub median_s: f64,
}

/// Raw `rotate_many` timings at one level, from which the hoisted costs are split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotateManyTiming {
    /// Level of the rotated ciphertext.
    pub level: usize,
    /// Steps of the larger call ([`HOISTED_STEPS`]).
    pub steps: usize,
    /// `rotate_many` with one step, seconds per round.
    pub one_step_s: Vec<f64>,
    /// `rotate_many` with `steps` steps, seconds per round.
    pub many_steps_s: Vec<f64>,
}

impl RotateManyTiming {
    /// `(decomposition, per step)` from the medians (each at least [`MIN_COST_S`]).
    pub fn split_s(&self) -> (f64, f64) {
        let (one, many) = (median(&self.one_step_s), median(&self.many_steps_s));
        let per_step = (many - one) / (self.steps.max(2) - 1) as f64;
        ((one - per_step).max(MIN_COST_S), per_step.max(MIN_COST_S))
    }
}

/// Raw result of a calibration run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Rayon threads of the pool the timings ran in.
    pub threads: usize,
    /// Timed rounds per level (after one warm-up round).
    pub reps: usize,
    /// Levels calibrated, ascending.
    pub levels: Vec<usize>,
    /// Rotation steps used (`rotate` uses the first).
    pub rotation_steps: Vec<usize>,
    /// One entry per (kind, level) measured, by kind then level.
    pub timings: Vec<OpTiming>,
    /// Raw `rotate_many` timings per level, ascending.
    pub rotate_many: Vec<RotateManyTiming>,
}

impl Calibration {
    /// The median cost of `kind` measured at `level`, if measured there.
    pub fn median_s(&self, kind: OpKind, level: usize) -> Option<f64> {
        self.timings
            .iter()
            .find(|t| t.kind == kind && t.level == level)
            .map(|t| t.median_s)
    }

    /// `(level, median)` points of one kind, ascending in level.
    pub fn points(&self, kind: OpKind) -> Vec<(usize, f64)> {
        let mut p: Vec<(usize, f64)> = self
            .timings
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| (t.level, t.median_s))
            .collect();
        p.sort_by_key(|&(l, _)| l);
        p
    }

    /// Only the least-squares fits `fixed + per_prime · (level + 1)` (no per-level table);
    /// client-side kinds cost 0.
    pub fn linear_model(&self) -> CostModel {
        // `unit` already prices the client-side kinds at 0; the server kinds are set below.
        let mut model = CostModel::unit();
        for kind in server_kinds() {
            model.set(kind, fit_linear(&self.points(kind)));
        }
        model
    }

    /// The measured medians as per-level tables, over the linear fits (what
    /// [`calibrate`] returns).
    pub fn model(&self) -> CostModel {
        let mut model = self.linear_model();
        for kind in server_kinds() {
            model.set_per_level(kind, self.points(kind));
        }
        model
    }

    /// Largest relative deviation of the linear fit from a measured median,
    /// `|fit - median| / median`, and where it occurs (medians at the [`MIN_COST_S`] floor
    /// are skipped).
    pub fn worst_linear_fit(&self) -> Option<(OpKind, usize, f64)> {
        let lin = self.linear_model();
        self.timings
            .iter()
            .filter(|t| t.median_s > MIN_COST_S)
            .map(|t| {
                let fit = lin.cost(t.kind, t.level);
                (t.kind, t.level, (fit - t.median_s).abs() / t.median_s)
            })
            .max_by(|a, b| a.2.total_cmp(&b.2))
    }
}

/// Single-thread per-op costs (seconds) of `eval`'s backend at `levels`, median of `reps`
/// timings each: see the module docs. Runs in its own one-thread rayon pool.
pub fn calibrate<B: Backend>(
    eval: &Evaluator<B>,
    levels: &[usize],
    reps: usize,
) -> Result<CostModel> {
    Ok(measure_single_thread(eval, levels, reps)?.model())
}

/// [`measure`] inside a fresh one-thread rayon pool (the raw data behind [`calibrate`]).
pub fn measure_single_thread<B: Backend>(
    eval: &Evaluator<B>,
    levels: &[usize],
    reps: usize,
) -> Result<Calibration> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| ToolkitError::Backend(format!("calibrate: one-thread pool: {e}")))?;
    pool.install(|| measure(eval, levels, reps))
}

/// Times every server kind at `levels` in the **current** rayon pool (so with several
/// threads the engine's intra-op parallelism is included). Needs at least one level
/// `>= 1` (multiplications, rescale) and at least one rotation key.
pub fn measure<B: Backend>(
    eval: &Evaluator<B>,
    levels: &[usize],
    reps: usize,
) -> Result<Calibration> {
    if reps == 0 {
        return Err(ToolkitError::InvalidParameters(
            "calibrate: reps must be at least 1".into(),
        ));
    }
    let levels: Vec<usize> = levels
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if levels.is_empty() {
        return Err(ToolkitError::InvalidParameters(
            "calibrate: no levels given".into(),
        ));
    }
    if let Some(&l) = levels.iter().find(|&&l| l > eval.max_level()) {
        return Err(ToolkitError::InvalidLevel {
            op: "calibrate",
            level: l,
            allowed: format!("0..={}", eval.max_level()),
        });
    }
    if levels.iter().all(|&l| l == 0) {
        return Err(ToolkitError::InvalidParameters(
            "calibrate: multiplications and rescale need a level >= 1".into(),
        ));
    }
    let steps = rotation_steps(eval)?;
    let mut samples = Samples::new();
    let mut rotate_many = Vec::with_capacity(levels.len());
    for &level in &levels {
        let (s, rm) = measure_level(eval, level, reps, &steps)?;
        for (key, t) in s {
            samples.entry(key).or_default().extend(t);
        }
        rotate_many.push(rm);
    }
    let timings = samples
        .into_iter()
        .map(|((kind, level), samples_s)| {
            let split = rotate_many
                .iter()
                .find(|r| r.level == level)
                .map(RotateManyTiming::split_s);
            let median_s = match (kind, split) {
                (OpKind::HoistDecompose, Some((decompose, _))) => decompose,
                (OpKind::RotateHoisted, Some((_, per_step))) => per_step,
                _ => median(&samples_s).max(MIN_COST_S),
            };
            OpTiming {
                kind,
                level,
                median_s,
                samples_s,
            }
        })
        .collect();
    Ok(Calibration {
        threads: rayon::current_num_threads(),
        reps,
        levels,
        rotation_steps: steps,
        timings,
        rotate_many,
    })
}

/// Up to [`HOISTED_STEPS`] rotation steps with keys (cycled if fewer).
fn rotation_steps<B: Backend>(eval: &Evaluator<B>) -> Result<Vec<usize>> {
    let backend = eval.backend();
    let found: Vec<usize> = (1..eval.slots())
        .filter(|&s| i32::try_from(s).is_ok_and(|s| backend.has_rotation_key(s)))
        .take(HOISTED_STEPS)
        .collect();
    if found.is_empty() {
        return Err(ToolkitError::InvalidParameters(
            "calibrate: the backend has no rotation key".into(),
        ));
    }
    Ok(found.iter().copied().cycle().take(HOISTED_STEPS).collect())
}

/// Seconds taken by `f`; its result is dropped after the clock stops.
fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<f64> {
    let start = Instant::now();
    let out = f()?;
    let t = start.elapsed().as_secs_f64();
    drop(out);
    Ok(t)
}

type Samples = BTreeMap<(OpKind, usize), Vec<f64>>;

fn measure_level<B: Backend>(
    eval: &Evaluator<B>,
    level: usize,
    reps: usize,
    steps: &[usize],
) -> Result<(Samples, RotateManyTiming)> {
    let slots = eval.slots();
    let values = pseudo_random(slots, 11 + level as u64);
    let a = eval.encrypt_canonical(&pseudo_random(slots, 12), level)?;
    let b = eval.encrypt_canonical(&pseudo_random(slots, 13), level)?;
    let scale = eval.scale(&a);
    let p_add = eval.encode_for_add(&values, level, scale)?;
    // Operands that need a level to consume.
    let mult = if level >= 1 {
        let p_mul = eval.encode_for_mul(&values, level, scale)?;
        let const_scale = eval.schedule().operand_scale_for_mul(level, scale)?;
        let ab = eval.mul(&a, &b)?;
        Some((p_mul, const_scale, ab))
    } else {
        None
    };
    let steps_i64: Vec<i64> = steps.iter().map(|&s| s as i64).collect();
    let first = steps_i64.first().copied().unwrap_or(1);
    let mut out = Samples::new();
    let mut rm = RotateManyTiming {
        level,
        steps: steps_i64.len(),
        one_step_s: Vec::with_capacity(reps),
        many_steps_s: Vec::with_capacity(reps),
    };
    for round in 0..=reps {
        let mut got: Vec<(OpKind, usize, f64)> = vec![
            (
                OpKind::Encode,
                level,
                timed(|| eval.encode(&values, level, scale))?,
            ),
            (OpKind::Add, level, timed(|| eval.add(&a, &b))?),
            (OpKind::Sub, level, timed(|| eval.sub(&a, &b))?),
            (OpKind::Negate, level, timed(|| eval.negate(&a))?),
            (
                OpKind::AddPlain,
                level,
                timed(|| eval.add_plain(&a, &p_add))?,
            ),
            (OpKind::MulInt, level, timed(|| eval.mul_int(&a, 3))?),
            (OpKind::Rotate, level, timed(|| eval.rotate(&a, first))?),
        ];
        let t1 = timed(|| eval.rotate_many(&a, &steps_i64[..1]))?;
        let tk = timed(|| eval.rotate_many(&a, &steps_i64))?;
        let per_step = (tk - t1) / (steps_i64.len().max(2) - 1) as f64;
        got.push((OpKind::RotateHoisted, level, per_step));
        got.push((OpKind::HoistDecompose, level, t1 - per_step));
        if let Some((p_mul, const_scale, ab)) = &mult {
            got.extend([
                (
                    OpKind::MulPlain,
                    level,
                    timed(|| eval.mul_plain(&a, p_mul))?,
                ),
                (
                    OpKind::MulConst,
                    level,
                    timed(|| eval.mul_const(&a, 0.5, *const_scale))?,
                ),
                (OpKind::Mul, level, timed(|| eval.mul(&a, &b))?),
                (OpKind::MulAccumulate, level, {
                    // Per further product of a mul_sum: (t_k - t_1) / (k - 1).
                    let pairs = vec![(&a, &b); MUL_SUM_PAIRS];
                    let t1 = timed(|| eval.mul_sum(&pairs[..1]))?;
                    let tk = timed(|| eval.mul_sum(&pairs))?;
                    (tk - t1) / (MUL_SUM_PAIRS - 1) as f64
                }),
                (OpKind::Rescale, level, timed(|| eval.rescale(ab))?),
                (
                    OpKind::DropLevel,
                    level - 1,
                    timed(|| eval.drop_to_level(&a, level - 1))?,
                ),
            ]);
        }
        if round > 0 {
            for (kind, l, t) in got {
                out.entry((kind, l)).or_default().push(t);
            }
            rm.one_step_s.push(t1);
            rm.many_steps_s.push(tk);
        }
    }
    Ok((out, rm))
}

/// Median (mean of the middle two for an even count); 0 for no samples.
fn median(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => 0.5 * (s[n / 2 - 1] + s[n / 2]),
    }
}

/// Least squares `fixed + per_prime · (level + 1)`, constrained to non-negative
/// coefficients (a through-origin fit if the intercept would be negative, a constant if the
/// slope would be).
fn fit_linear(points: &[(usize, f64)]) -> OpCost {
    let n = points.len() as f64;
    let xs = points.iter().map(|&(l, _)| l as f64 + 1.0);
    let (sx, sy) = points.iter().fold((0.0, 0.0), |(sx, sy), &(l, c)| {
        (sx + l as f64 + 1.0, sy + c)
    });
    let sxx: f64 = xs.clone().map(|x| x * x).sum();
    let sxy: f64 = points.iter().map(|&(l, c)| (l as f64 + 1.0) * c).sum();
    if points.is_empty() {
        return OpCost {
            fixed: 0.0,
            per_prime: 0.0,
        };
    }
    let det = n * sxx - sx * sx;
    let (fixed, per_prime) = if det.abs() > f64::EPSILON * sxx * n {
        let slope = (n * sxy - sx * sy) / det;
        (sy / n - slope * sx / n, slope)
    } else {
        (0.0, sxy / sxx)
    };
    if per_prime < 0.0 {
        OpCost {
            fixed: sy / n,
            per_prime: 0.0,
        }
    } else if fixed < 0.0 {
        OpCost {
            fixed: 0.0,
            per_prime: sxy / sxx,
        }
    } else {
        OpCost { fixed, per_prime }
    }
}

/// Predicted run time of a traced circuit on `cores` cores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// Cores (list-scheduling workers), at least 1.
    pub cores: usize,
    /// Total cost W of all nodes (the one-core time).
    pub work_s: f64,
    /// Cost S of the critical path (the time on unboundedly many cores).
    pub span_s: f64,
    /// Brent's bound `W / P + S`, an upper bound for any greedy schedule.
    pub brent_upper_s: f64,
    /// Makespan of a greedy list schedule (critical-path priority), made monotone: the
    /// best of the schedules for this and the smaller requested core counts (a schedule on
    /// fewer workers is valid on more; greedy list scheduling alone can have anomalies).
    pub list_schedule_s: f64,
}

/// Work, span, Brent bound and list schedule of `nodes` (a [`Tracer`] DAG) priced by
/// `cost`, for each entry of `cores` (0 is taken as 1), in the order given. Times are in
/// the cost model's unit: seconds for [`calibrate`]'s models. Ops are single-threaded
/// and independent ops run concurrently (see the module docs on threads).
///
/// [`Tracer`]: crate::backends::Tracer
pub fn project(nodes: &[Node], cost: &CostModel, cores: &[usize]) -> Vec<Projection> {
    let wanted: BTreeSet<usize> = cores.iter().map(|&p| p.max(1)).collect();
    let mut best = f64::INFINITY;
    let by_cores: BTreeMap<usize, Projection> = wanted
        .into_iter()
        .map(|p| {
            let r = schedule_nodes(nodes, cost, p);
            best = best.min(r.makespan);
            (
                p,
                Projection {
                    cores: p,
                    work_s: r.work,
                    span_s: r.span,
                    brent_upper_s: r.brent_bound,
                    list_schedule_s: best,
                },
            )
        })
        .collect();
    cores
        .iter()
        .filter_map(|&p| by_cores.get(&p.max(1)).cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{RingDegree, RotationKeys};
    use crate::backends::{PlaintextBackend, PlaintextParams, Tracer, TracerParams};
    use crate::encoding::EncodingUnit;
    use crate::scale::simulation_moduli;
    use crate::workload::ProductWorkload;

    const SLOTS: usize = 256;
    const LEVELS: usize = 6;

    fn moduli() -> Vec<u64> {
        simulation_moduli(LEVELS, 40, 60, RingDegree::for_slots(SLOTS))
    }

    fn plain(keys: RotationKeys) -> Evaluator<PlaintextBackend> {
        let backend = PlaintextBackend::try_new(PlaintextParams {
            slots: SLOTS,
            ring_degree: RingDegree::for_slots(SLOTS),
            moduli: moduli(),
            rotation_keys: keys,
        })
        .unwrap();
        Evaluator::new(backend, 40).unwrap()
    }

    /// The DAG of `Z v` (64 × 32, unit 16 × 16) with inputs at the top level.
    fn traced_product() -> Vec<Node> {
        let tracer = Tracer::try_new(TracerParams {
            slots: SLOTS,
            ring_degree: RingDegree::for_slots(SLOTS),
            moduli: moduli(),
            rotation_keys: RotationKeys::All,
        })
        .unwrap();
        let eval = Evaluator::new(tracer, 40).unwrap();
        let unit = EncodingUnit::try_new(16, 16, SLOTS).unwrap();
        let w = ProductWorkload::encrypt(&eval, unit, 64, 32, LEVELS).unwrap();
        w.matrix_col_vector(&eval).unwrap();
        eval.backend().nodes().unwrap()
    }

    #[test]
    fn calibration_prices_every_server_kind_at_every_level() {
        let eval = plain(RotationKeys::All);
        let cal = measure_single_thread(&eval, &[LEVELS, 3, 0, 3], 5).unwrap();
        assert_eq!(cal.threads, 1);
        assert_eq!(cal.levels, vec![0, 3, LEVELS]);
        assert_eq!(cal.rotation_steps, vec![1, 2, 3, 4]);
        for t in &cal.timings {
            assert_eq!(t.samples_s.len(), 5, "{:?} at {}", t.kind, t.level);
            assert!(t.median_s.is_finite() && t.median_s >= MIN_COST_S);
        }
        assert_eq!(cal.rotate_many.len(), 3);
        for r in &cal.rotate_many {
            assert_eq!(
                (r.steps, r.one_step_s.len(), r.many_steps_s.len()),
                (4, 5, 5)
            );
            let (decompose, per_step) = r.split_s();
            assert_eq!(
                cal.median_s(OpKind::HoistDecompose, r.level),
                Some(decompose)
            );
            assert_eq!(cal.median_s(OpKind::RotateHoisted, r.level), Some(per_step));
        }
        // Multiplications are measured only where a level is left; drops at the target.
        assert!(cal.median_s(OpKind::Mul, 0).is_none());
        assert!(cal.median_s(OpKind::Mul, 3).is_some());
        assert!(cal.median_s(OpKind::DropLevel, LEVELS - 1).is_some());
        let model = cal.model();
        for kind in server_kinds() {
            for level in 0..=LEVELS {
                let c = model.cost(kind, level);
                assert!(c.is_finite() && c > 0.0, "{kind:?} at {level}: {c}");
            }
        }
        for kind in [OpKind::Encrypt, OpKind::Decrypt] {
            assert_eq!(model.cost(kind, LEVELS), 0.0);
        }
        let (kind, level, worst) = cal.worst_linear_fit().unwrap();
        assert!(worst.is_finite(), "{kind:?} at {level}");
        // The table reproduces the medians exactly at measured levels.
        let m = cal.median_s(OpKind::Rotate, 3).unwrap();
        assert_eq!(model.cost(OpKind::Rotate, 3), m);
    }

    #[test]
    fn calibrate_uses_whatever_rotation_keys_exist() {
        let keys = RotationKeys::from_steps([5], SLOTS);
        let cal = measure_single_thread(&plain(keys), &[2], 1).unwrap();
        assert_eq!(cal.rotation_steps, vec![5; HOISTED_STEPS]);
    }

    #[test]
    fn calibrate_rejects_bad_requests() {
        let eval = plain(RotationKeys::All);
        assert!(calibrate(&eval, &[1], 0).is_err());
        assert!(calibrate(&eval, &[], 3).is_err());
        assert!(calibrate(&eval, &[0], 3).is_err());
        assert!(matches!(
            calibrate(&eval, &[LEVELS + 1], 3),
            Err(ToolkitError::InvalidLevel { .. })
        ));
        let no_keys = plain(RotationKeys::Steps(BTreeSet::new()));
        assert!(calibrate(&no_keys, &[1], 1).is_err());
    }

    #[test]
    fn projection_is_monotone_exact_on_one_core_and_tends_to_the_span() {
        let nodes = traced_product();
        let cost = calibrate(&plain(RotationKeys::All), &[LEVELS, 4, 1], 3).unwrap();
        let cores = [1, 2, 3, 4, 8, 16, 64, nodes.len()];
        let p = project(&nodes, &cost, &cores);
        assert_eq!(p.len(), cores.len());
        let one = &p[0];
        assert!(one.work_s > 0.0 && one.span_s > 0.0 && one.span_s < one.work_s);
        assert!((one.list_schedule_s - one.work_s).abs() <= 1e-12 * one.work_s);
        for (q, &c) in p.iter().zip(&cores) {
            assert_eq!(q.cores, c);
            assert_eq!(q.work_s, one.work_s);
            assert_eq!(q.span_s, one.span_s);
            let tol = 1e-12 * q.work_s;
            assert!(q.list_schedule_s >= q.span_s - tol);
            assert!(q.list_schedule_s >= q.work_s / c as f64 - tol);
            assert!(q.list_schedule_s <= q.brent_upper_s + tol);
        }
        for w in p.windows(2) {
            assert!(w[1].list_schedule_s <= w[0].list_schedule_s);
        }
        // As many workers as nodes: every node starts when its inputs are done.
        let last = p.last().unwrap();
        assert!((last.list_schedule_s - last.span_s).abs() <= 1e-12 * last.span_s);
    }

    #[test]
    fn projection_keeps_the_requested_order_and_treats_zero_as_one() {
        let nodes = traced_product();
        let cost = CostModel::unit();
        let p = project(&nodes, &cost, &[4, 0, 2]);
        assert_eq!(p.iter().map(|q| q.cores).collect::<Vec<_>>(), vec![4, 1, 2]);
        assert!(p[0].list_schedule_s <= p[2].list_schedule_s);
        assert_eq!(p[1].list_schedule_s, p[1].work_s);
    }

    #[test]
    fn per_level_tables_interpolate_and_scale_by_primes_outside() {
        let mut m = CostModel::unit();
        m.set_per_level(OpKind::Mul, vec![(7, 9.0), (3, 4.0), (3, 2.0)]);
        assert_eq!(m.per_level[&OpKind::Mul], vec![(3, 2.0), (7, 9.0)]);
        assert_eq!(m.cost(OpKind::Mul, 3), 2.0);
        assert_eq!(m.cost(OpKind::Mul, 5), 5.5);
        assert_eq!(m.cost(OpKind::Mul, 1), 1.0); // 2.0 * 2 / 4
        assert_eq!(m.cost(OpKind::Mul, 15), 18.0); // 9.0 * 16 / 8
        m.set(
            OpKind::Mul,
            OpCost {
                fixed: 1.0,
                per_prime: 0.0,
            },
        );
        assert_eq!(m.cost(OpKind::Mul, 5), 1.0);
        m.set_per_level(OpKind::Add, vec![]);
        assert_eq!(m.cost(OpKind::Add, 5), 1.0);
    }

    #[test]
    fn linear_fit_is_exact_on_a_line_and_never_negative() {
        let c = fit_linear(&[(0, 3.0), (1, 5.0), (3, 9.0)]);
        assert!((c.fixed - 1.0).abs() < 1e-12 && (c.per_prime - 2.0).abs() < 1e-12);
        let convex = fit_linear(&[(0, 0.1), (4, 1.0), (9, 10.0)]);
        assert!(convex.fixed >= 0.0 && convex.per_prime > 0.0);
        let one = fit_linear(&[(4, 10.0)]);
        assert_eq!((one.fixed, one.per_prime), (0.0, 2.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
