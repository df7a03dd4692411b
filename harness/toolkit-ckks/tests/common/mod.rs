//! Shared helpers: INSECURE CKKS setups from traced circuits, data, error measures.
#![allow(dead_code, clippy::unwrap_used)]

use lowdepth_toolkit::backends::{depth_finder, PlaintextBackend, PlaintextParams, Tracer};
use lowdepth_toolkit::planner::{plan, CircuitProfile, PlannerConfig};
use lowdepth_toolkit::{Backend, Evaluator, RingDegree, RotationKeys};
use lowdepth_toolkit_ckks::{CkksBackend, CkksSetup, SetupReport};

pub const LOG_SCALE: u32 = 40;

/// The depth finder at `slots` (all keys, many levels).
pub fn tracer(slots: usize) -> Evaluator<Tracer> {
    depth_finder(slots, 100, LOG_SCALE).unwrap()
}

/// INSECURE CKKS at ring degree `2^log_n` for a traced circuit: the planner's requirement
/// (levels = traced depth, Galois keys for exactly the traced steps), ring degree forced.
pub fn ckks_for_trace(
    traced: &Evaluator<Tracer>,
    log_n: u32,
    max_value_bits: u32,
    seed: u64,
) -> (Evaluator<CkksBackend>, SetupReport) {
    let report = traced.backend().report().unwrap();
    let slots = traced.slots();
    assert_eq!(slots, 1 << (log_n - 1), "trace at N/2 slots");
    let req = plan(
        &CircuitProfile::from_trace(&report, slots, max_value_bits),
        &PlannerConfig::default(),
    )
    .unwrap();
    let (backend, setup) = CkksSetup::insecure_for_tests(&req, log_n, seed).unwrap();
    (backend.into_evaluator().unwrap(), setup)
}

/// The plaintext simulation with exactly the CKKS backend's moduli and rotation keys.
pub fn plain_twin(ckks: &Evaluator<CkksBackend>) -> Evaluator<PlaintextBackend> {
    let b = ckks.backend();
    let backend = PlaintextBackend::try_new(PlaintextParams {
        slots: b.slots(),
        ring_degree: RingDegree(b.ring_degree().0),
        moduli: b.moduli().to_vec(),
        rotation_keys: RotationKeys::Steps(b.evaluation_keys().rotation_steps().clone()),
    })
    .unwrap();
    Evaluator::new(backend, LOG_SCALE).unwrap()
}

/// Deterministic pseudo-random values in [-1, 1).
pub fn data(n: usize, seed: u64) -> Vec<f64> {
    lowdepth_toolkit::workload::pseudo_random(n, seed)
}

/// Largest |got - want|.
pub fn max_abs_err(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    got.iter()
        .zip(want)
        .fold(0.0f64, |m, (g, w)| m.max((g - w).abs()))
}

/// Largest |x|.
pub fn max_abs(x: &[f64]) -> f64 {
    x.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// log2 of the error relative to max(|want|_inf, 1).
pub fn log2_rel_err(got: &[f64], want: &[f64]) -> f64 {
    (max_abs_err(got, want) / max_abs(want).max(1.0)).log2()
}
