//! A list schedule of a task graph on P cores, in either execution setting.
//!
//! The simulation mirrors the dataflow executor ([`crate::dataflow`]): at most `P` tasks run
//! at once, and whenever one may start, the ready task with the largest bottom level
//! (single-thread costs) starts first.
//!
//! - [`ExecutionSetting::Paper`]: every task runs on one core for its single-thread time
//!   (ops single-threaded, as SEAL's are; parallel only across ciphertexts and independent
//!   ops).
//! - [`ExecutionSetting::Full`]: the cores are shared among the running tasks (equal
//!   shares, a task never getting more than it can use: water-filling), and a task on `c`
//!   cores runs at the speed its scaling law gives ([`crate::costs::TaskTime`]). When fewer
//!   tasks than cores are ready, each gets several cores, as the engine's per-limb
//!   parallelism does inside the executor's thread pool.
//!
//! Between events (a task finishing) the allocation is constant, so the simulation is
//! exact for this fluid model.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use super::{TaskGraph, TaskShape};

/// How ops use the cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionSetting {
    /// Ops single-threaded; parallel across ciphertexts and independent ops (the paper's
    /// SEAL/HIT setting).
    Paper,
    /// Ops also parallel inside (this engine's per-limb parallelism).
    Full,
}

impl ExecutionSetting {
    /// Both settings.
    pub const ALL: [ExecutionSetting; 2] = [ExecutionSetting::Paper, ExecutionSetting::Full];

    /// The name used in configs and tables.
    pub fn name(self) -> &'static str {
        match self {
            ExecutionSetting::Paper => "paper",
            ExecutionSetting::Full => "full",
        }
    }

    /// One line for reports.
    pub fn description(self) -> &'static str {
        match self {
            ExecutionSetting::Paper => {
                "each op single-threaded, parallel only across ciphertexts and independent ops (as SEAL/HIT in the paper)"
            }
            ExecutionSetting::Full => "ops also parallel inside (this engine's default)",
        }
    }
}

impl std::fmt::Display for ExecutionSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Result of one simulated schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Cores.
    pub cores: usize,
    /// Predicted makespan (seconds when the costs are seconds).
    pub makespan: f64,
    /// Total single-thread work.
    pub work: f64,
    /// Critical path: single-thread times (paper) or each task at its fastest (full).
    pub span: f64,
}

/// Simulates `graph` on `cores` cores. `time(shape, c, running)` is a task's duration on
/// `c` cores (fractional under sharing) while `running` tasks run at once (contention for
/// memory and caches); `time(shape, 1.0, 1)` is its single-thread cost alone, which also
/// sets the priorities.
pub fn simulate(
    graph: &TaskGraph,
    setting: ExecutionSetting,
    cores: usize,
    time: &dyn Fn(&TaskShape, f64, usize) -> f64,
) -> Simulation {
    let cores = cores.max(1);
    let n = graph.tasks.len();
    let t1: Vec<f64> = graph
        .tasks
        .iter()
        .map(|t| time(&t.shape, 1.0, 1).max(0.0))
        .collect();
    let fastest: Vec<f64> = graph
        .tasks
        .iter()
        .zip(&t1)
        .map(|(t, &one)| match setting {
            ExecutionSetting::Paper => one,
            ExecutionSetting::Full => time(&t.shape, cores as f64, 1).clamp(0.0, one),
        })
        .collect();
    let work: f64 = t1.iter().sum();
    let span = critical_path(graph, &fastest);
    let bottom = graph.bottom_levels(|s| time(s, 1.0, 1));
    let succ = graph.successors();
    let mut indeg: Vec<usize> = vec![0; n];
    for (i, t) in graph.tasks.iter().enumerate() {
        indeg[i] = t.inputs.iter().filter(|&&p| p < i).count();
    }
    let key = |i: usize| (bottom[i].max(0.0).to_bits(), Reverse(i));
    let mut ready: BinaryHeap<((u64, Reverse<usize>), usize)> = BinaryHeap::new();
    for (i, &d) in indeg.iter().enumerate() {
        if d == 0 {
            ready.push((key(i), i));
        }
    }
    // Running tasks: (id, remaining fraction of the task, in [0, 1]).
    let mut running: Vec<(usize, f64)> = Vec::with_capacity(cores);
    let mut now = 0.0f64;
    let mut done = 0usize;
    while done < n {
        while running.len() < cores {
            let Some((_, i)) = ready.pop() else { break };
            running.push((i, 1.0));
        }
        if running.is_empty() {
            break; // a cycle or dangling input: cannot happen for a topological graph
        }
        let shares = allocate(&running, graph, setting, cores, time);
        // Durations at the current shares and concurrency; the first to finish sets the
        // next event.
        let n = running.len();
        let rates: Vec<f64> = running
            .iter()
            .zip(&shares)
            .map(|(&(i, _), &c)| {
                let shape = &graph.tasks[i].shape;
                let d = match setting {
                    ExecutionSetting::Paper => time(shape, 1.0, n),
                    ExecutionSetting::Full => time(shape, c, n),
                };
                if d > 0.0 {
                    1.0 / d
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let dt = running
            .iter()
            .zip(&rates)
            .map(|(&(_, rem), &r)| if r.is_infinite() { 0.0 } else { rem / r })
            .fold(f64::INFINITY, f64::min);
        now += dt;
        let mut still = Vec::with_capacity(running.len());
        for (&(i, rem), &r) in running.iter().zip(&rates) {
            let left = if r.is_infinite() { 0.0 } else { rem - dt * r };
            if left <= 1e-12 {
                done += 1;
                for &s in &succ[i] {
                    indeg[s] -= 1;
                    if indeg[s] == 0 {
                        ready.push((key(s), s));
                    }
                }
            } else {
                still.push((i, left));
            }
        }
        running = still;
    }
    Simulation {
        cores,
        makespan: now,
        work,
        span,
    }
}

/// Cores per running task. Paper: one each. Full: water-filling of `cores` over the
/// tasks, each capped at the cores beyond which its time stops falling.
fn allocate(
    running: &[(usize, f64)],
    graph: &TaskGraph,
    setting: ExecutionSetting,
    cores: usize,
    time: &dyn Fn(&TaskShape, f64, usize) -> f64,
) -> Vec<f64> {
    match setting {
        ExecutionSetting::Paper => vec![1.0; running.len()],
        ExecutionSetting::Full => {
            let caps: Vec<f64> = running
                .iter()
                .map(|&(i, _)| useful_cores(&graph.tasks[i].shape, cores, time))
                .collect();
            water_fill(&caps, cores as f64)
        }
    }
}

/// The fewest cores (up to `cores`) at which the task reaches its fastest time.
fn useful_cores(
    shape: &TaskShape,
    cores: usize,
    time: &dyn Fn(&TaskShape, f64, usize) -> f64,
) -> f64 {
    let best = time(shape, cores as f64, 1);
    (1..=cores)
        .find(|&c| time(shape, c as f64, 1) <= best * (1.0 + 1e-9))
        .unwrap_or(cores) as f64
}

/// Splits `total` into equal shares, none above its cap, the excess going to the others.
fn water_fill(caps: &[f64], total: f64) -> Vec<f64> {
    let mut share = vec![0.0; caps.len()];
    let mut open: Vec<usize> = (0..caps.len()).collect();
    let mut left = total;
    while !open.is_empty() && left > 1e-12 {
        let each = left / open.len() as f64;
        let (capped, rest): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&i| caps[i] - share[i] <= each);
        if capped.is_empty() {
            for &i in &rest {
                share[i] += each;
            }
            break;
        }
        for &i in &capped {
            left -= caps[i] - share[i];
            share[i] = caps[i];
        }
        open = rest;
    }
    share
}

/// Longest path with the given per-task times.
fn critical_path(graph: &TaskGraph, times: &[f64]) -> f64 {
    let mut finish = vec![0.0f64; graph.tasks.len()];
    for (i, t) in graph.tasks.iter().enumerate() {
        let start = t
            .inputs
            .iter()
            .filter(|&&p| p < i)
            .map(|&p| finish[p])
            .fold(0.0, f64::max);
        finish[i] = start + times[i];
    }
    finish.iter().copied().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taskgraph::{Task, TaskKind};

    fn task(kind: TaskKind, inputs: Vec<usize>) -> Task {
        Task {
            shape: TaskShape::new(kind, 3),
            inputs,
        }
    }

    /// Input -> four rotations -> a tree of three additions.
    fn fork_join() -> TaskGraph {
        let mut tasks = vec![task(TaskKind::Input, vec![])];
        for _ in 0..4 {
            tasks.push(task(TaskKind::Rotate, vec![0]));
        }
        tasks.push(task(TaskKind::Add, vec![1, 2]));
        tasks.push(task(TaskKind::Add, vec![3, 4]));
        tasks.push(task(TaskKind::Add, vec![5, 6]));
        TaskGraph { tasks }
    }

    fn unit(shape: &TaskShape, _c: f64, _running: usize) -> f64 {
        if shape.kind == TaskKind::Input {
            0.0
        } else {
            1.0
        }
    }

    /// Perfectly parallel inside: time 1/c.
    fn linear(shape: &TaskShape, c: f64, running: usize) -> f64 {
        unit(shape, c, running) / c
    }

    #[test]
    fn contention_slows_concurrent_tasks() {
        let g = fork_join();
        // Two at once take 1.5 each: four rotations in two waves, two additions together,
        // the last alone.
        let slowed =
            |s: &TaskShape, c: f64, n: usize| unit(s, c, n) * if n >= 2 { 1.5 } else { 1.0 };
        let m = simulate(&g, ExecutionSetting::Paper, 2, &slowed).makespan;
        assert!((m - 5.5).abs() < 1e-9, "{m}");
    }

    #[test]
    fn paper_setting_is_a_classical_list_schedule() {
        let g = fork_join();
        let at = |p| simulate(&g, ExecutionSetting::Paper, p, &unit);
        assert_eq!(at(1).makespan, 7.0);
        assert_eq!(at(1).work, 7.0);
        assert_eq!(at(1).span, 3.0);
        assert_eq!(at(2).makespan, 4.0);
        assert_eq!(at(8).makespan, 3.0);
    }

    #[test]
    fn full_setting_shares_idle_cores_with_running_tasks() {
        let g = fork_join();
        // Perfect intra-op scaling: the schedule is work / P on any P.
        let m2 = simulate(&g, ExecutionSetting::Full, 2, &linear).makespan;
        assert!((m2 - 3.5).abs() < 1e-9, "{m2}");
        let m4 = simulate(&g, ExecutionSetting::Full, 4, &linear).makespan;
        assert!((m4 - 1.75).abs() < 1e-9, "{m4}");
        // No intra-op scaling: the same as the paper setting.
        let flat = simulate(&g, ExecutionSetting::Full, 2, &unit).makespan;
        assert_eq!(flat, 4.0);
    }

    #[test]
    fn water_filling_respects_caps() {
        let s = water_fill(&[1.0, 8.0, 8.0], 8.0);
        assert_eq!(s, vec![1.0, 3.5, 3.5]);
        let s = water_fill(&[1.0, 1.0], 8.0);
        assert_eq!(s, vec![1.0, 1.0]);
    }
}
