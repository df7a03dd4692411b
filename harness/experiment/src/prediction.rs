//! Predicted training time on 1..64 cores in both execution settings: the round's task
//! graph (exactly what the dataflow executor ran) priced by task costs calibrated in this
//! process, simulated with the executor's own priority (see
//! `lowdepth_toolkit::taskgraph::simulate`).

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use anyhow::{anyhow, Result};
use lowdepth_toolkit::costs::{calibrate_tasks, TaskCosts, CALIBRATION_REPS};
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
    let time = |shape: &_, c: f64| costs.time_s(shape, c);
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
