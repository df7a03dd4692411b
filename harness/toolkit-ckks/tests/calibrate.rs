//! The cost model calibrated on the real engine (INSECURE small parameters): every task
//! shape of a traced workload gets a positive single-thread time, key switching costs more
//! than an addition, and simulated schedules priced with those times are consistent. No
//! timing assertions beyond orderings that no load can invert.
#![allow(clippy::unwrap_used)]

mod common;

use common::{ckks_for_trace, tracer, LOG_SCALE};
use lowdepth_toolkit::backends::{Tracer, TracerParams};
use lowdepth_toolkit::costs::{calibrate_tasks, TaskCosts};
use lowdepth_toolkit::taskgraph::{simulate, ExecutionSetting, TaskGraph, TaskKind, TaskShape};
use lowdepth_toolkit::workload::{pseudo_random, ProductWorkload};
use lowdepth_toolkit::{Backend, EncodingUnit, Evaluator, Result, RotationKeys};

const LOG_N: u32 = 11;
const SLOTS: usize = 1 << (LOG_N - 1);
const ROWS: usize = 64;
const COLS: usize = 32;

fn unit() -> EncodingUnit {
    EncodingUnit::try_new(32, 32, SLOTS).unwrap()
}

/// `Z v` plus a single and a hoisted rotation, so the graph has every key-switching kind
/// (`MulSum`, `Rotate`, `RotateMany`).
fn workload<B: Backend>(eval: &Evaluator<B>, level: usize) -> Result<()> {
    let w = ProductWorkload::encrypt(eval, unit(), ROWS, COLS, level)?;
    w.matrix_col_vector(eval)?;
    let x = eval.encrypt_canonical(&pseudo_random(SLOTS, 5), level)?;
    eval.rotate(&x, 1)?;
    eval.rotate_many(&x, &[1, 2, 3])?;
    Ok(())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

#[test]
fn ckks_task_calibration_and_simulation() {
    // Trace, plan, set up INSECURE CKKS with exactly the traced rotation keys.
    let depth = tracer(SLOTS);
    workload(&depth, depth.max_level()).unwrap();
    let (ckks, setup) = ckks_for_trace(&depth, LOG_N, 4, 7);
    assert!(!setup.secure_128);
    let top = ckks.max_level();

    // The same workload traced at the CKKS moduli, so task levels are the engine's.
    let traced = Evaluator::new(
        Tracer::try_new(TracerParams {
            slots: SLOTS,
            ring_degree: ckks.backend().ring_degree(),
            moduli: ckks.backend().moduli().to_vec(),
            rotation_keys: RotationKeys::All,
        })
        .unwrap(),
        LOG_SCALE,
    )
    .unwrap();
    workload(&traced, top).unwrap();
    let graph = TaskGraph::from_trace(&traced.backend().nodes().unwrap());
    let shapes = graph.shapes();
    // Plus an addition at every level, to compare each key switch with an addition at
    // its own level.
    let mut timed = shapes.clone();
    timed.extend((0..=top).map(|l| TaskShape::new(TaskKind::Add, l)));
    let costs: TaskCosts = calibrate_tasks(&ckks, &timed, &[2], 2).unwrap();
    assert!(costs.missing(&timed).is_empty());
    assert_eq!(costs.thread_counts(), vec![1, 2]);

    for shape in &shapes {
        let t1 = costs.single_thread_s(shape).unwrap();
        assert!(t1.is_finite() && t1 > 0.0, "{shape:?}: {t1} s");
    }
    // A key switch costs far more than an addition (about 100x at this size), so this
    // ordering holds under any load.
    let key_switching = [TaskKind::MulSum, TaskKind::Rotate, TaskKind::RotateMany];
    for kind in key_switching {
        assert!(
            shapes.iter().any(|s| s.kind == kind),
            "the workload has no {kind:?}"
        );
    }
    for shape in shapes.iter().filter(|s| key_switching.contains(&s.kind)) {
        let ks = costs.single_thread_s(shape).unwrap();
        let add = costs
            .single_thread_s(&TaskShape::new(TaskKind::Add, shape.level))
            .unwrap();
        assert!(ks > add, "{shape:?}: {ks} s vs add {add} s");
    }

    // One core: the makespan is the sum of single-thread times, in both settings. The
    // schedule's properties below hold for the intra-op law alone; the measured contention
    // of tiny INSECURE-size ops on a loaded test machine can exceed 2 and make two cores
    // slower than one, so it is left out here (it has its own unit test in the toolkit).
    let time = |s: &TaskShape, c: f64, _running: usize| costs.time_s(s, c);
    let work: f64 = graph
        .tasks
        .iter()
        .map(|t| costs.single_thread_s(&t.shape).unwrap())
        .sum();
    for setting in ExecutionSetting::ALL {
        let one = simulate(&graph, setting, 1, &time);
        assert!(close(one.work, work), "{setting}: {} vs {work}", one.work);
        assert!(
            close(one.makespan, work),
            "{setting}: {} vs {work}",
            one.makespan
        );
        // More cores never slow this schedule down, and never beat the critical path.
        let mut last = one.makespan;
        for cores in [2, 4, 8, 64] {
            let s = simulate(&graph, setting, cores, &time);
            assert!(
                s.makespan <= last * (1.0 + 1e-9),
                "{setting} at {cores} cores"
            );
            assert!(
                s.makespan >= s.span * (1.0 - 1e-9),
                "{setting} at {cores} cores"
            );
            last = s.makespan;
        }
    }
}
