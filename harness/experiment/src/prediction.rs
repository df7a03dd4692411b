//! Predicted training time on 1..64 cores in both execution settings: the round's task
//! graph (exactly what the dataflow executor ran) priced by task costs calibrated in this
//! process, simulated with the executor's own priority (see
//! `lowdepth_toolkit::taskgraph::simulate`).

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use anyhow::{anyhow, Result};
use lowdepth_toolkit::costs::{calibrate_tasks, TaskCosts, CALIBRATION_REPS};
use lowdepth_toolkit::dataflow::KindTime;
use lowdepth_toolkit::taskgraph::{simulate, ExecutionSetting, TaskGraph};
use lowdepth_toolkit::{Backend, Evaluator};

use crate::encrypted::CircuitKind;
use crate::manifest::{ProjectionBounds, ProjectionPoint};

/// Cores the projection predicts for.
pub const PROJECTED_CORES: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

/// Calibrations done in this process, by circuit, parameters and thread counts: the
/// repetitions and settings of one experiment share them.
fn cache() -> &'static Mutex<BTreeMap<String, TaskCosts>> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, TaskCosts>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Task costs for every shape of `graph`, timed on `eval` at 1 thread and each of
/// `threads` (once per process for the same circuit, moduli and thread counts).
pub fn calibrated_costs<B: Backend>(
    kind: CircuitKind,
    eval: &Evaluator<B>,
    graph: &TaskGraph,
    threads: &[usize],
) -> Result<TaskCosts> {
    let key = format!(
        "{kind:?} N={} q={:?} threads={threads:?}",
        eval.backend().ring_degree().0,
        eval.backend().moduli()
    );
    let shapes = graph.shapes();
    if let Some(c) = cache().lock().ok().and_then(|m| m.get(&key).cloned()) {
        if c.missing(&shapes).is_empty() {
            return Ok(c);
        }
    }
    let costs = calibrate_tasks(eval, &shapes, threads, CALIBRATION_REPS)
        .map_err(|e| anyhow!("calibrating task costs: {e}"))?;
    if let Ok(mut m) = cache().lock() {
        m.insert(key, costs.clone());
    }
    Ok(costs)
}

/// Predicted times (all `rounds`, which run one after another) for both settings at
/// [`PROJECTED_CORES`] and the measured thread counts, and what bounds them (at the
/// widest count).
pub fn predict(
    graph: &TaskGraph,
    costs: &TaskCosts,
    rounds: usize,
    measured_threads: &[usize],
) -> Result<(Vec<ProjectionPoint>, Vec<ProjectionBounds>)> {
    // The projected core counts plus every thread count the run measures.
    let mut core_counts: Vec<usize> = PROJECTED_CORES.to_vec();
    core_counts.extend(measured_threads.iter().copied().filter(|&t| t > 0));
    core_counts.sort_unstable();
    core_counts.dedup();
    let missing = costs.missing(&graph.shapes());
    if !missing.is_empty() {
        return Err(anyhow!(
            "the cost model lacks {} task shape(s) of the run's graph, e.g. {:?}",
            missing.len(),
            missing[0]
        ));
    }
    let r = rounds as f64;
    let time = |shape: &_, c: f64, running: usize| costs.time_running_s(shape, c, running);
    let mut points = Vec::new();
    let mut bounds = Vec::new();
    for setting in ExecutionSetting::ALL {
        let mut widest = None;
        for &cores in &core_counts {
            let sim = simulate(graph, setting, cores, &time);
            points.push(ProjectionPoint {
                setting,
                cores,
                predicted_s: sim.makespan * r,
            });
            widest = Some(sim);
        }
        if let Some(sim) = widest {
            bounds.push(ProjectionBounds {
                setting,
                work_s: sim.work * r,
                span_s: sim.span * r,
                max_parallelism: if sim.span > 0.0 {
                    sim.work / sim.span
                } else {
                    0.0
                },
            });
        }
    }
    Ok((points, bounds))
}

/// One round's server work per task kind as the calibration prices it on one thread (to
/// set beside the executor's measured `by_kind`).
pub fn calibrated_by_kind(graph: &TaskGraph, costs: &TaskCosts) -> Vec<KindTime> {
    let mut out: Vec<KindTime> = Vec::new();
    for task in graph.tasks.iter().filter(|t| t.shape.kind.is_server_work()) {
        KindTime::add_to(&mut out, task.shape.kind, costs.time_s(&task.shape, 1.0));
    }
    out.sort_by_key(|k| k.kind);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lowdepth_toolkit::costs::ShapeTiming;
    use lowdepth_toolkit::taskgraph::{Task, TaskKind, TaskShape};

    fn graph() -> TaskGraph {
        let task = |kind, inputs| Task {
            shape: TaskShape::new(kind, 3),
            inputs,
        };
        TaskGraph {
            tasks: vec![
                task(TaskKind::Input, vec![]),
                task(TaskKind::Rotate, vec![0]),
                task(TaskKind::Rotate, vec![0]),
                task(TaskKind::Add, vec![1, 2]),
            ],
        }
    }

    fn timing(kind: TaskKind, threads: usize, s: f64) -> ShapeTiming {
        ShapeTiming {
            shape: TaskShape::new(kind, 3),
            threads,
            concurrent: false,
            median_s: s,
            samples_s: vec![s],
        }
    }

    #[test]
    fn predicts_both_settings_at_projected_and_measured_core_counts() {
        let costs = TaskCosts::from_timings(vec![
            timing(TaskKind::Rotate, 1, 1.0),
            timing(TaskKind::Rotate, 2, 0.5),
            timing(TaskKind::Add, 1, 0.5),
            timing(TaskKind::Add, 2, 0.5),
        ]);
        let (points, bounds) = predict(&graph(), &costs, 2, &[1, 3]).expect("predict");
        assert_eq!(points.len(), 2 * (PROJECTED_CORES.len() + 1));
        let at = |setting, cores| {
            points
                .iter()
                .find(|p| p.setting == setting && p.cores == cores)
                .map(|p| p.predicted_s)
        };
        // One core: the work of both rounds, in either setting.
        assert_eq!(at(ExecutionSetting::Paper, 1), Some(5.0));
        assert_eq!(at(ExecutionSetting::Full, 1), Some(5.0));
        // Two cores, paper: the rotations side by side, then the addition.
        assert_eq!(at(ExecutionSetting::Paper, 2), Some(3.0));
        // Three cores was measured, so it is predicted too.
        assert!(at(ExecutionSetting::Full, 3).is_some());
        let paper = bounds.iter().find(|b| b.setting == ExecutionSetting::Paper);
        assert_eq!(paper.map(|b| (b.work_s, b.span_s)), Some((5.0, 3.0)));
    }

    #[test]
    fn a_shape_without_a_timing_is_an_error() {
        let costs = TaskCosts::from_timings(vec![timing(TaskKind::Rotate, 1, 1.0)]);
        let e = predict(&graph(), &costs, 1, &[1]).expect_err("add missing");
        assert!(e.to_string().contains("lacks 1 task shape"), "{e}");
    }
}
