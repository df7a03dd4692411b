//! Helpers for the circuit crates' integration tests: small insecure simulation backends,
//! data, the f64 reference.
#![allow(clippy::unwrap_used)]

use lowdepth_data::batches::Batch;
use lowdepth_plaintext::nesterov::{nesterov_etas, nesterov_step};
use lowdepth_plaintext::{ModelState, Sigmoid};
use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams, Tracer, TracerParams};
use lowdepth_toolkit::scale::simulation_moduli;
use lowdepth_toolkit::{Evaluator, RingDegree, RotationKeys};

/// Scale bits of the simulation backends.
pub const LOG_SCALE: u32 = 40;

/// The plaintext simulation: `levels` simulated moduli, all rotation keys.
pub fn plain_eval(slots: usize, levels: usize) -> Evaluator<PlaintextBackend> {
    let ring_degree = RingDegree::for_slots(slots);
    let backend = PlaintextBackend::try_new(PlaintextParams {
        slots,
        ring_degree,
        moduli: simulation_moduli(levels, LOG_SCALE, 60, ring_degree),
        rotation_keys: RotationKeys::All,
    })
    .unwrap();
    Evaluator::new(backend, LOG_SCALE).unwrap()
}

/// The depth finder: `levels` exact power-of-two moduli, all rotation keys.
pub fn depth_finder(slots: usize, levels: usize) -> Evaluator<Tracer> {
    let backend = Tracer::try_new(TracerParams::depth_finder(slots, levels, LOG_SCALE)).unwrap();
    Evaluator::new(backend, LOG_SCALE).unwrap()
}

/// Deterministic pseudo-random values in [-1, 1).
pub fn data(n: usize, seed: u64) -> Vec<f64> {
    lowdepth_toolkit::workload::pseudo_random(n, seed)
}

/// `k` minibatches `b × f` shaped like the real data: `y' (1, x)` with `|x| <= 1`.
pub fn minibatches(k: usize, b: usize, f: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..k)
        .map(|t| {
            let raw = data(b * f, seed + 1000 * t as u64);
            let mut z = vec![0.0; b * f];
            for i in 0..b {
                let y = if raw[i * f] >= 0.0 { 1.0 } else { -1.0 };
                z[i * f] = y;
                for j in 1..f {
                    z[i * f + j] = y * raw[i * f + j];
                }
            }
            z
        })
        .collect()
}

/// HELR's Nesterov coefficients for `k` minibatches.
pub fn etas(k: usize) -> Vec<f64> {
    nesterov_etas(k, 0.01)
}

/// The f64 reference (lowdepth-plaintext's Nesterov step with the cubic).
pub fn reference(
    zs: &[Vec<f64>],
    b: usize,
    f: usize,
    etas: &[f64],
    w0: &[f64],
    v0: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let gamma = 1.0 / b as f64;
    let mut state = ModelState {
        w: w0.to_vec(),
        v: v0.to_vec(),
    };
    for (z, &eta) in zs.iter().zip(etas) {
        let batch = Batch {
            rows: b,
            cols: f,
            data: z.clone(),
        };
        state = nesterov_step(&batch, &state, eta, gamma, Sigmoid::Cubic).unwrap();
    }
    (state.w, state.v)
}

/// Largest `|got - want| / max(|want|_inf, 1e-3)`.
pub fn rel_err(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    let norm = want.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-3);
    got.iter()
        .zip(want)
        .fold(0.0f64, |m, (g, w)| m.max((g - w).abs()))
        / norm
}
