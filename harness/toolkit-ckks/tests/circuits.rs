//! Both training circuits under CKKS (INSECURE N = 2^11, 1024 slots; b = 32, f = 16,
//! k = 2..4) decrypt to within 1e-3 (absolute) of the f64 reference
//! (`lowdepth_plaintext::nesterov::nesterov_step` with the cubic, `nesterov_etas`), and to
//! within 2^-15 (relative to max(1, |w, v|)) of the plaintext simulation with the same
//! moduli. Measured: about 2^-18 to 2^-20 (a few 1e-6 absolute): errors of 2^-30 per fresh
//! value grow through sums over b = 32 samples and f = 16 features and the cubic, and
//! q_0 leaves only log_scale + 5 bits at level 0.
//!
//! The CKKS parameters come from the runner's path: trace the circuit with the depth
//! finder, plan (`lowdepth_toolkit::planner::plan`), `CkksSetup::insecure_for_tests` (the
//! planner's levels, q_0, dnum and rotation steps at a forced, insecure ring degree).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lowdepth_circuit as low;
use lowdepth_data::batches::Batch;
use lowdepth_helr_circuit as helr;
use lowdepth_plaintext::nesterov::{nesterov_etas, nesterov_step};
use lowdepth_plaintext::{ModelState, Sigmoid};
use lowdepth_toolkit::{Backend, EncryptedObject, Evaluator};

const LOG_N: u32 = 11;
const SLOTS: usize = 1024;
const B: usize = 32;
const F: usize = 16;

/// `k` minibatches `b × f` shaped like the real data: `y (1, x)`, `|x| < 1`, `y = ±1`.
fn minibatches(k: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..k)
        .map(|t| {
            let raw = data(B * F, seed + 1000 * t as u64);
            let mut z = vec![0.0; B * F];
            for i in 0..B {
                let y = if raw[i * F] >= 0.0 { 1.0 } else { -1.0 };
                z[i * F] = y;
                for j in 1..F {
                    z[i * F + j] = y * raw[i * F + j];
                }
            }
            z
        })
        .collect()
}

fn reference(zs: &[Vec<f64>], etas: &[f64], w0: &[f64], v0: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut state = ModelState {
        w: w0.to_vec(),
        v: v0.to_vec(),
    };
    for (z, &eta) in zs.iter().zip(etas) {
        let batch = Batch {
            rows: B,
            cols: F,
            data: z.clone(),
        };
        state = nesterov_step(&batch, &state, eta, 1.0 / B as f64, Sigmoid::Cubic).unwrap();
    }
    (state.w, state.v)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Helr,
    Low,
}

/// Runs one circuit on `eval` from `(w0, v0)`; returns the decrypted `(w, v)` and the
/// final level.
fn run<Bk: Backend>(
    eval: &Evaluator<Bk>,
    which: Which,
    zs: &[Vec<f64>],
    w0: &[f64],
    v0: &[f64],
) -> (Vec<f64>, Vec<f64>, usize) {
    let k = zs.len();
    let etas = nesterov_etas(k, 0.01);
    match which {
        Which::Helr => {
            let plan = helr::describe(&helr::CircuitConfig::new(B, F, k, SLOTS)).unwrap();
            let up = helr::upload(eval, &plan, zs).unwrap();
            let m = helr::encrypt_model(eval, &plan, w0, v0).unwrap();
            let out = helr::train(eval, &up, &m, &etas).unwrap();
            let (w, v) = out.decrypt(eval).unwrap();
            (w, v, out.w.level(eval))
        }
        Which::Low => {
            let plan = low::describe(&low::CircuitConfig::new(B, F, k, SLOTS)).unwrap();
            let up = low::upload(eval, &plan, zs).unwrap();
            let m = low::encrypt_model(eval, &plan, w0, v0).unwrap();
            let out = low::train(eval, &up, &m, &etas).unwrap();
            let (w, v) = out.decrypt(eval).unwrap();
            (w, v, out.w.level(eval))
        }
    }
}

fn check(which: Which, k: usize, nonzero_init: bool) {
    let zs = minibatches(k, 40 + k as u64);
    let (w0, v0) = if nonzero_init {
        (
            data(F, 5).iter().map(|x| 0.1 * x).collect(),
            data(F, 6).iter().map(|x| 0.1 * x).collect(),
        )
    } else {
        (vec![0.0; F], vec![0.0; F])
    };
    let tr = tracer(SLOTS);
    run(&tr, which, &zs, &w0, &v0);
    let depth = tr.backend().report().unwrap().max_depth;
    let (ckks, setup) = ckks_for_trace(&tr, LOG_N, 3, 100 + k as u64);
    assert_eq!(ckks.max_level(), depth);
    let plain = plain_twin(&ckks);
    let (w, v, level) = run(&ckks, which, &zs, &w0, &v0);
    let (ws, vs, sim_level) = run(&plain, which, &zs, &w0, &v0);
    let (wr, vr) = reference(&zs, &nesterov_etas(k, 0.01), &w0, &v0);
    assert_eq!(level, sim_level);
    let got: Vec<f64> = w.iter().chain(&v).copied().collect();
    let sim: Vec<f64> = ws.iter().chain(&vs).copied().collect();
    let want: Vec<f64> = wr.iter().chain(&vr).copied().collect();
    let abs = max_abs_err(&got, &want);
    let e_sim = log2_rel_err(&got, &sim);
    println!(
        "{which:?} k={k} depth {depth} (N=2^{} L={} dnum={} keys {}): max|w,v ckks - f64| = {abs:.3e} (log2 {:.2}), log2 rel err vs plaintext {e_sim:.2}, final level {level}",
        setup.log_n, setup.levels, setup.dnum, setup.galois_keys, abs.log2()
    );
    assert!(abs < 1e-3, "{which:?} k={k}: {abs:e}");
    assert!(
        e_sim <= -15.0,
        "{which:?} k={k}: log2 err vs plaintext {e_sim}"
    );
    assert!(max_abs_err(&sim, &want) < 1e-9);
}

#[test]
fn baseline_agrees_with_f64_reference() {
    for k in 2..=4 {
        check(Which::Helr, k, k == 3);
    }
}

#[test]
fn low_depth_agrees_with_f64_reference() {
    for k in 2..=4 {
        check(Which::Low, k, k == 3);
    }
}

/// Both circuits through the dataflow executor, in both settings on 3 threads, decrypt to
/// exactly the eager result: on the plaintext simulation and on CKKS (same keys and the
/// same encryptions: inputs are encrypted on one thread, in the same order).
#[test]
fn dataflow_training_is_identical_to_eager() {
    use lowdepth_toolkit::dataflow::{Dataflow, DataflowOptions, ExecutionSetting};
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let k = 3;
    let zs = minibatches(k, 77);
    let (w0, v0) = (vec![0.0; F], vec![0.0; F]);
    let bits =
        |w: &[f64], v: &[f64]| -> Vec<u64> { w.iter().chain(v).map(|x| x.to_bits()).collect() };
    for which in [Which::Helr, Which::Low] {
        let tr = tracer(SLOTS);
        run(&tr, which, &zs, &w0, &v0);
        let (eager, _) = ckks_for_trace(&tr, LOG_N, 3, 9);
        let plain = plain_twin(&eager);
        let (we, ve, le) = one.install(|| run(&eager, which, &zs, &w0, &v0));
        let (wp, vp, lp) = run(&plain, which, &zs, &w0, &v0);
        for setting in ExecutionSetting::ALL {
            let options = DataflowOptions {
                setting,
                threads: Some(3),
                ..DataflowOptions::default()
            };
            let (ckks, _) = ckks_for_trace(&tr, LOG_N, 3, 9);
            let flow = Evaluator::new(
                Dataflow::new(ckks.into_backend(), None, options.clone()),
                LOG_SCALE,
            )
            .unwrap();
            let (w, v, l) = one.install(|| run(&flow, which, &zs, &w0, &v0));
            assert_eq!(l, le, "{which:?} {setting}: level");
            assert_eq!(
                bits(&w, &v),
                bits(&we, &ve),
                "{which:?} {setting}: CKKS values"
            );

            let sim = Evaluator::new(
                Dataflow::new(plain_twin(&eager).into_backend(), None, options),
                LOG_SCALE,
            )
            .unwrap();
            let (w, v, l) = run(&sim, which, &zs, &w0, &v0);
            assert_eq!(l, lp, "{which:?} {setting}: simulated level");
            assert_eq!(
                bits(&w, &v),
                bits(&wp, &vp),
                "{which:?} {setting}: simulated values"
            );
        }
    }
}
