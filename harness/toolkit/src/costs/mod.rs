//! The cost model: how long each task of a [`TaskGraph`](crate::taskgraph::TaskGraph)
//! takes on `c` cores, calibrated on the running backend.
//!
//! [`calibrate_tasks`] times every distinct [`TaskShape`] of a graph (kind, level, fan:
//! exactly the backend calls the executor makes) at one thread and at each thread count
//! you name. [`TaskCosts`] keeps the medians and fits, per task kind, an intra-op scaling
//! law (Amdahl in the number of limbs):
//!
//! ```text
//! T(shape, c) = T1(shape) · (s + (1 - s) / min(c, level + 1))
//! ```
//!
//! where `T1` is the measured single-thread median and `s` the kind's serial fraction,
//! fitted by least squares over the measured thread counts (weighted by `T1`, so cheap
//! ops whose timings are mostly noise do not steer it). The engine parallelises over
//! limbs, so no op gets faster beyond `level + 1` cores. With no multi-thread
//! measurement, `s = 1` (no intra-op speedup is claimed that was not measured).
//!
//! The same [`TaskCosts`] prices both circuits in both execution settings
//! ([`crate::taskgraph::simulate`]), and its single-thread times set the dataflow
//! executor's priorities.

mod calibrate_tasks;

pub use calibrate_tasks::{calibrate_tasks, CALIBRATION_REPS};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::taskgraph::{TaskKind, TaskShape};

/// Smallest time a server task is priced at (timer resolution).
pub const MIN_TASK_S: f64 = 1e-7;

/// Median timings of one shape at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeTiming {
    /// The task shape.
    pub shape: TaskShape,
    /// Threads of the pool it ran in; for a concurrent timing, the number of instances
    /// that ran at once, each on one thread.
    pub threads: usize,
    /// Whether `threads` single-threaded instances ran at once (a contention timing).
    #[serde(default)]
    pub concurrent: bool,
    /// Median of the samples (s).
    pub median_s: f64,
    /// All samples (s), in measurement order.
    pub samples_s: Vec<f64>,
}

/// The fitted scaling law of one task kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScalingLaw {
    /// Kind.
    pub kind: TaskKind,
    /// Serial fraction `s` in `[0, 1]`.
    pub serial_fraction: f64,
    /// Largest relative misfit of the law at a measured (shape, threads) with
    /// `T1 >= 1 ms` (noise-dominated cheap ops excluded), `|fit / measured - 1|`.
    pub worst_relative_error: f64,
}

/// How much a task kind slows down when `running` tasks run at once, each on one thread:
/// `time(running) / time(alone)`, fitted from concurrent timings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contention {
    /// Kind.
    pub kind: TaskKind,
    /// Tasks running at once.
    pub running: usize,
    /// Slowdown factor (at least 1 is typical; measured as it is).
    pub factor: f64,
}

/// Calibrated task times.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskCosts {
    /// Every measured median.
    pub timings: Vec<ShapeTiming>,
    /// One law per kind measured.
    pub laws: Vec<ScalingLaw>,
    /// Slowdown of each kind under concurrency, per measured number of concurrent tasks.
    #[serde(default)]
    pub contention: Vec<Contention>,
    /// Wall time the calibration took (s; 0 when built from given timings).
    #[serde(default)]
    pub calibration_wall_s: f64,
    #[serde(skip)]
    single: BTreeMap<TaskShape, f64>,
}

impl TaskCosts {
    /// Builds the table from timings (single-thread ones required for every shape that is
    /// to be priced) and fits the scaling laws.
    pub fn from_timings(timings: Vec<ShapeTiming>) -> Self {
        let single: BTreeMap<TaskShape, f64> = timings
            .iter()
            .filter(|t| t.threads == 1 && !t.concurrent)
            .map(|t| (t.shape, t.median_s.max(MIN_TASK_S)))
            .collect();
        let mut kinds: Vec<TaskKind> = timings.iter().map(|t| t.shape.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let laws = kinds
            .iter()
            .map(|&kind| fit_law(kind, &timings, &single))
            .collect();
        let contention = fit_contention(&kinds, &timings, &single);
        Self {
            timings,
            laws,
            contention,
            calibration_wall_s: 0.0,
            single,
        }
    }

    /// Rebuilds the lookup table after deserialization.
    pub fn reindexed(self) -> Self {
        Self::from_timings(self.timings)
    }

    /// Measured single-thread time of a shape (0 for customer inputs; `None` if the
    /// shape was not calibrated).
    pub fn single_thread_s(&self, shape: &TaskShape) -> Option<f64> {
        if !shape.kind.is_server_work() {
            return Some(0.0);
        }
        self.single.get(shape).copied()
    }

    /// The serial fraction of a kind (1 when it was never measured on several threads).
    pub fn serial_fraction(&self, kind: TaskKind) -> f64 {
        self.laws
            .iter()
            .find(|l| l.kind == kind)
            .map_or(1.0, |l| l.serial_fraction)
    }

    /// Time of `shape` on `cores` cores (fractional under sharing), by its kind's law;
    /// uncalibrated shapes cost 0 (check [`TaskCosts::missing`] first).
    pub fn time_s(&self, shape: &TaskShape, cores: f64) -> f64 {
        let Some(t1) = self.single_thread_s(shape) else {
            return 0.0;
        };
        t1 * amdahl(self.serial_fraction(shape.kind), cores, shape.level)
    }

    /// [`TaskCosts::time_s`] while `running` tasks run at once: times the kind's measured
    /// slowdown at that concurrency (linear between measured counts; beyond the largest
    /// measured count, that count's factor: no contention is claimed that was not measured).
    pub fn time_running_s(&self, shape: &TaskShape, cores: f64, running: usize) -> f64 {
        self.time_s(shape, cores) * self.contention_factor(shape.kind, running)
    }

    /// Slowdown of `kind` when `running` tasks run at once (1 when alone or unmeasured).
    pub fn contention_factor(&self, kind: TaskKind, running: usize) -> f64 {
        let mut points: Vec<(usize, f64)> = vec![(1, 1.0)];
        points.extend(
            self.contention
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| (c.running, c.factor)),
        );
        points.sort_by_key(|p| p.0);
        let r = running.max(1);
        let upper = points.partition_point(|p| p.0 < r);
        match (points.get(upper.wrapping_sub(1)), points.get(upper)) {
            (_, Some(&(n, f))) if n == r => f,
            (Some(&(n0, f0)), Some(&(n1, f1))) => {
                f0 + (f1 - f0) * (r - n0) as f64 / (n1 - n0) as f64
            }
            (Some(&(_, f)), None) => f,
            _ => 1.0,
        }
    }

    /// The shapes of `shapes` that have no single-thread timing.
    pub fn missing(&self, shapes: &[TaskShape]) -> Vec<TaskShape> {
        shapes
            .iter()
            .filter(|s| self.single_thread_s(s).is_none())
            .copied()
            .collect()
    }

    /// The thread counts measured.
    pub fn thread_counts(&self) -> Vec<usize> {
        let mut t: Vec<usize> = self.timings.iter().map(|t| t.threads).collect();
        t.sort_unstable();
        t.dedup();
        t
    }
}

/// Per kind and concurrency: the `T1`-weighted mean of concurrent time over alone time.
fn fit_contention(
    kinds: &[TaskKind],
    timings: &[ShapeTiming],
    single: &BTreeMap<TaskShape, f64>,
) -> Vec<Contention> {
    let mut out = Vec::new();
    for &kind in kinds {
        let mut counts: Vec<usize> = timings
            .iter()
            .filter(|t| t.concurrent && t.shape.kind == kind)
            .map(|t| t.threads)
            .collect();
        counts.sort_unstable();
        counts.dedup();
        for running in counts {
            let (num, den) = timings
                .iter()
                .filter(|t| t.concurrent && t.shape.kind == kind && t.threads == running)
                .filter_map(|t| single.get(&t.shape).map(|&t1| (t.median_s, t1)))
                .fold((0.0, 0.0), |(n, d), (tc, t1)| (n + tc, d + t1));
            if den > 0.0 {
                out.push(Contention {
                    kind,
                    running,
                    factor: num / den,
                });
            }
        }
    }
    out
}

/// `s + (1 - s) / min(c, level + 1)` (at least one core).
pub fn amdahl(serial_fraction: f64, cores: f64, level: usize) -> f64 {
    let m = cores.max(1.0).min(level as f64 + 1.0);
    serial_fraction + (1.0 - serial_fraction) / m
}

/// Weighted least squares of `y = s + (1 - s)/m`, i.e. `y - 1/m = s (1 - 1/m)`.
fn fit_law(
    kind: TaskKind,
    timings: &[ShapeTiming],
    single: &BTreeMap<TaskShape, f64>,
) -> ScalingLaw {
    let points: Vec<(f64, f64, f64)> = timings
        .iter()
        .filter(|t| t.shape.kind == kind && t.threads > 1 && !t.concurrent)
        .filter_map(|t| {
            let t1 = *single.get(&t.shape)?;
            let m = (t.threads as f64).min(t.shape.level as f64 + 1.0);
            let x = 1.0 - 1.0 / m;
            (x > 0.0).then_some((x, t.median_s / t1 - 1.0 / m, t1))
        })
        .collect();
    let (num, den) = points.iter().fold((0.0, 0.0), |(n, d), &(x, y, w)| {
        (n + w * x * y, d + w * x * x)
    });
    let serial_fraction = if den > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let worst_relative_error = timings
        .iter()
        .filter(|t| t.shape.kind == kind && t.threads > 1 && !t.concurrent)
        .filter_map(|t| {
            let t1 = *single.get(&t.shape)?;
            (t1 >= 1e-3).then(|| {
                let fit = t1 * amdahl(serial_fraction, t.threads as f64, t.shape.level);
                (fit / t.median_s.max(MIN_TASK_S) - 1.0).abs()
            })
        })
        .fold(0.0, f64::max);
    ScalingLaw {
        kind,
        serial_fraction,
        worst_relative_error,
    }
}

/// Median of samples (0 for none).
pub(crate) fn median(samples: &[f64]) -> f64 {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(kind: TaskKind, level: usize, threads: usize, s: f64) -> ShapeTiming {
        ShapeTiming {
            shape: TaskShape::new(kind, level),
            threads,
            concurrent: false,
            median_s: s,
            samples_s: vec![s],
        }
    }

    #[test]
    fn fits_the_serial_fraction_from_two_thread_counts() {
        // T1 = 1 s; s = 0.2: T2 = 0.6, T4 = 0.4.
        let costs = TaskCosts::from_timings(vec![
            timing(TaskKind::Rotate, 7, 1, 1.0),
            timing(TaskKind::Rotate, 7, 2, 0.6),
            timing(TaskKind::Rotate, 7, 4, 0.4),
        ]);
        let s = costs.serial_fraction(TaskKind::Rotate);
        assert!((s - 0.2).abs() < 1e-12, "{s}");
        let shape = TaskShape::new(TaskKind::Rotate, 7);
        assert!((costs.time_s(&shape, 8.0) - 0.3).abs() < 1e-12);
        // Capped at level + 1 = 8 limbs.
        assert_eq!(costs.time_s(&shape, 64.0), costs.time_s(&shape, 8.0));
        assert!(costs.laws[0].worst_relative_error < 1e-12);
    }

    #[test]
    fn unmeasured_scaling_claims_no_speedup() {
        let costs = TaskCosts::from_timings(vec![timing(TaskKind::Add, 3, 1, 0.5)]);
        let shape = TaskShape::new(TaskKind::Add, 3);
        assert_eq!(costs.time_s(&shape, 16.0), 0.5);
        assert_eq!(
            costs.single_thread_s(&TaskShape::new(TaskKind::Add, 2)),
            None
        );
        assert_eq!(
            costs.missing(&[shape, TaskShape::new(TaskKind::Add, 2)]),
            vec![TaskShape::new(TaskKind::Add, 2)]
        );
    }

    #[test]
    fn contention_is_interpolated_and_held_beyond_the_measured_counts() {
        let mut slowed = timing(TaskKind::Rotate, 7, 2, 1.3);
        slowed.concurrent = true;
        let mut more = timing(TaskKind::Rotate, 7, 4, 1.9);
        more.concurrent = true;
        let costs =
            TaskCosts::from_timings(vec![timing(TaskKind::Rotate, 7, 1, 1.0), slowed, more]);
        assert_eq!(costs.contention_factor(TaskKind::Rotate, 1), 1.0);
        assert!((costs.contention_factor(TaskKind::Rotate, 2) - 1.3).abs() < 1e-12);
        assert!((costs.contention_factor(TaskKind::Rotate, 3) - 1.6).abs() < 1e-12);
        assert!((costs.contention_factor(TaskKind::Rotate, 64) - 1.9).abs() < 1e-12);
        assert_eq!(costs.contention_factor(TaskKind::Add, 8), 1.0);
        // Concurrent timings do not enter the intra-op law.
        assert_eq!(costs.serial_fraction(TaskKind::Rotate), 1.0);
        let shape = TaskShape::new(TaskKind::Rotate, 7);
        assert!((costs.time_running_s(&shape, 1.0, 2) - 1.3).abs() < 1e-12);
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
