//! Shared helpers for the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams, Tracer, TracerParams};
use lowdepth_toolkit::scale::simulation_moduli;
use lowdepth_toolkit::{Evaluator, RingDegree, RotationKeys};

pub const LOG_SCALE: u32 = 40;

pub fn plain_eval(slots: usize, levels: usize, keys: RotationKeys) -> Evaluator<PlaintextBackend> {
    let ring_degree = RingDegree::for_slots(slots);
    let backend = PlaintextBackend::try_new(PlaintextParams {
        slots,
        ring_degree,
        moduli: simulation_moduli(levels, LOG_SCALE, 60, ring_degree),
        rotation_keys: keys,
    })
    .unwrap();
    Evaluator::new(backend, LOG_SCALE).unwrap()
}

pub fn tracer_eval(slots: usize, levels: usize, keys: RotationKeys) -> Evaluator<Tracer> {
    let ring_degree = RingDegree::for_slots(slots);
    let backend = Tracer::try_new(TracerParams {
        slots,
        ring_degree,
        moduli: simulation_moduli(levels, LOG_SCALE, 60, ring_degree),
        rotation_keys: keys,
    })
    .unwrap();
    Evaluator::new(backend, LOG_SCALE).unwrap()
}

/// Deterministic pseudo-random values in [-1, 1).
pub fn data(n: usize, seed: u64) -> Vec<f64> {
    lowdepth_toolkit::workload::pseudo_random(n, seed)
}

pub fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tol = 1e-9 * w.abs().max(1.0);
        assert!((g - w).abs() <= tol, "{what}: index {i}: got {g}, want {w}");
    }
}

// ------------------------------------------------------------------ f64 references

pub fn matvec(m: &[f64], rows: usize, cols: usize, v: &[f64]) -> Vec<f64> {
    (0..rows)
        .map(|r| (0..cols).map(|c| m[r * cols + c] * v[c]).sum())
        .collect()
}

pub fn vecmat(v: &[f64], m: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..cols)
        .map(|c| (0..rows).map(|r| v[r] * m[r * cols + c]).sum())
        .collect()
}

pub fn row_sums(m: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..rows)
        .map(|r| m[r * cols..(r + 1) * cols].iter().sum())
        .collect()
}

pub fn col_sums(m: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..cols)
        .map(|c| (0..rows).map(|r| m[r * cols + c]).sum())
        .collect()
}

/// Aᵀ B for A (k × m), B (k × n), row-major.
pub fn at_b(a: &[f64], b: &[f64], k: usize, m: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|r| a[r * m + i] * b[r * n + j]).sum();
        }
    }
    out
}

/// A Bᵀ for A (m × k), B (n × k), row-major.
pub fn a_bt(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|r| a[i * k + r] * b[j * k + r]).sum();
        }
    }
    out
}
