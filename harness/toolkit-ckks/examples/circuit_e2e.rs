//! End to end under real CKKS: both training circuits at full MNIST minibatch size
//! (b = 1024, f = 256), k = 6, 128-bit parameters from the planner, on one thread.
//!
//! `cargo run --release -p lowdepth-toolkit-ckks --example circuit_e2e -- [low|helr|both] [k] [threads]`
//!
//! Per circuit: plan (plaintext simulation for the value range, depth finder for depth and
//! rotation steps, planner; re-planned at slots = N/2), key generation, customer-side
//! encryption (seeded symmetric: upload bytes are the seeded sizes), training, decryption,
//! and max |w_ckks − w_f64| against `lowdepth_plaintext`'s Nesterov with the cubic.
//! Minibatches come from the committed MNIST fixture (3 vs 8, preprocessed), rows drawn
//! cyclically in a fixed scrambled order (as `lowdepth-circuit`'s `depth_table`).

use std::time::Instant;

use lowdepth_circuit as low;
use lowdepth_data::batches::Batch;
use lowdepth_helr_circuit as helr;
use lowdepth_plaintext::nesterov::{nesterov_etas, nesterov_step};
use lowdepth_plaintext::{ModelState, Sigmoid};
use lowdepth_toolkit::backends::{depth_finder, PlaintextBackend, PlaintextParams};
use lowdepth_toolkit::planner::{plan, CircuitProfile, ParameterRequirement, PlannerConfig};
use lowdepth_toolkit::scale::simulation_moduli;
use lowdepth_toolkit::{Backend, Evaluator, RingDegree, RotationKeys};
use lowdepth_toolkit_ckks::{CkksSetup, Security};

const B: usize = 1024;
const F: usize = 256;
const LOG_SCALE: u32 = 40;

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Helr,
    Low,
}

fn minibatches(k: usize) -> AnyResult<Vec<Vec<f64>>> {
    let batches = lowdepth_data::fixture::scrambled_minibatches(k, B)?;
    if let Some(z) = batches.iter().find(|z| z.len() != B * F) {
        return Err(format!(
            "fixture minibatch of {} values, expected {B} x {F}",
            z.len()
        )
        .into());
    }
    Ok(batches)
}

#[derive(Debug, Default)]
struct Timings {
    upload_s: f64,
    model_s: f64,
    train_s: f64,
    decrypt_s: f64,
}

/// Runs one circuit on `eval`; returns the decrypted `(w, v)` and timings.
fn run<Bk: Backend>(
    eval: &Evaluator<Bk>,
    which: Which,
    zs: &[Vec<f64>],
    slots: usize,
    on_stage: &mut (dyn FnMut(&'static str) + Send),
) -> AnyResult<(Vec<f64>, Vec<f64>, Timings)> {
    let k = zs.len();
    let etas = nesterov_etas(k, 0.01);
    let zero = vec![0.0; F];
    let mut t = Timings::default();
    let (w, v) = match which {
        Which::Helr => {
            let p = helr::describe(&helr::CircuitConfig::new(B, F, k, slots))?;
            let s = Instant::now();
            let up = helr::upload(eval, &p, zs)?;
            t.upload_s = s.elapsed().as_secs_f64();
            on_stage("data");
            let s = Instant::now();
            let m = helr::encrypt_model(eval, &p, &zero, &zero)?;
            t.model_s = s.elapsed().as_secs_f64();
            on_stage("model");
            let s = Instant::now();
            let out = helr::train(eval, &up, &m, &etas)?;
            t.train_s = s.elapsed().as_secs_f64();
            drop(up);
            let s = Instant::now();
            let r = out.decrypt(eval)?;
            t.decrypt_s = s.elapsed().as_secs_f64();
            r
        }
        Which::Low => {
            let p = low::describe(&low::CircuitConfig::new(B, F, k, slots))?;
            let s = Instant::now();
            let up = low::upload(eval, &p, zs)?;
            t.upload_s = s.elapsed().as_secs_f64();
            on_stage("data");
            let s = Instant::now();
            let m = low::encrypt_model(eval, &p, &zero, &zero)?;
            t.model_s = s.elapsed().as_secs_f64();
            on_stage("model");
            let s = Instant::now();
            let out = low::train(eval, &up, &m, &etas)?;
            t.train_s = s.elapsed().as_secs_f64();
            drop(up);
            let s = Instant::now();
            let r = out.decrypt(eval)?;
            t.decrypt_s = s.elapsed().as_secs_f64();
            r
        }
    };
    Ok((w, v, t))
}

fn max_abs(x: &[f64]) -> f64 {
    x.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

fn reference(zs: &[Vec<f64>]) -> AnyResult<(Vec<f64>, Vec<f64>)> {
    let mut state = ModelState::zeros(F);
    for (z, &eta) in zs.iter().zip(&nesterov_etas(zs.len(), 0.01)) {
        let batch = Batch {
            rows: B,
            cols: F,
            data: z.clone(),
        };
        state = nesterov_step(&batch, &state, eta, 1.0 / B as f64, Sigmoid::Cubic)?;
    }
    Ok((state.w, state.v))
}

/// Value range (plaintext simulation), depth and steps (depth finder), planner.
fn requirement(which: Which, zs: &[Vec<f64>], slots: usize) -> AnyResult<ParameterRequirement> {
    let tracer = depth_finder(slots, 100, LOG_SCALE)?;
    run(&tracer, which, zs, slots, &mut |_| {})?;
    let report = tracer.backend().report()?;
    let ring = RingDegree::for_slots(slots);
    let sim = Evaluator::new(
        PlaintextBackend::try_new(PlaintextParams {
            slots,
            ring_degree: ring,
            moduli: simulation_moduli(report.max_depth, LOG_SCALE, 60, ring),
            rotation_keys: RotationKeys::All,
        })?,
        LOG_SCALE,
    )?;
    let (w, v, _) = run(&sim, which, zs, slots, &mut |_| {})?;
    let (wr, _) = reference(zs)?;
    let sim_err = w
        .iter()
        .zip(&wr)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    println!("plaintext simulation at {slots} slots: max|w_sim - w_f64| = {sim_err:.3e}");
    // q_0 must hold what is decrypted at level 0: the model.
    let m = max_abs(&w).max(max_abs(&v));
    let bits = if m < 1.0 {
        0
    } else {
        m.log2().floor() as u32 + 1
    };
    Ok(plan(
        &CircuitProfile::from_trace(&report, slots, bits),
        // guard_bits 3, not the default 2: the engine refuses a product whose scale is
        // within 2 bits of Q_level, the toolkit's checked evaluator only within 1 bit, so
        // with q_0 = log_scale + 2 the baseline fails at level 1 under CKKS only.
        &PlannerConfig {
            guard_bits: 3,
            ..PlannerConfig::default()
        },
    )?)
}

fn e2e(which: Which, zs: &[Vec<f64>], pool: &rayon::ThreadPool) -> AnyResult<()> {
    let k = zs.len();
    let s = Instant::now();
    let mut slots = 1usize << 14;
    let mut req = requirement(which, zs, slots)?;
    let planned = 1usize << (req.min_log_n - 1);
    if planned != slots {
        slots = planned;
        req = requirement(which, zs, slots)?;
    }
    let plan_s = s.elapsed().as_secs_f64();
    println!(
        "== {which:?} k={k} b={B} f={F}: depth {}, N = 2^{}, slots {slots}, q0 {} bits, dnum {}, planner log2QP {} (bound {}), {} rotation steps; planning {plan_s:.1} s",
        req.levels, req.min_log_n, req.first_prime_bits, req.dnum, req.log_qp, req.log_qp_bound, req.rotation_steps.len()
    );
    let (backend, setup) =
        pool.install(|| CkksSetup::for_circuit(&req, Security::Bits128, None))?;
    let mib = |b: u64| b as f64 / f64::from(1u32 << 20);
    println!(
        "keygen_wall_s {:.2}  engine log2QP {:.1}  relin key {:.1} MiB  Galois keys {} = {:.1} MiB  eval keys {:.1} MiB ({} bytes)",
        setup.keygen_wall_s,
        setup.log_qp,
        mib(setup.relin_key_bytes),
        setup.galois_keys,
        mib(setup.galois_key_bytes),
        mib(setup.eval_key_bytes),
        setup.eval_key_bytes
    );
    let eval = backend.into_evaluator()?;
    let mut tallies = Vec::new();
    let (w, v, t) = pool.install(|| {
        run(&eval, which, zs, slots, &mut |stage| {
            tallies.push((stage, eval.backend().take_encryption_tally()))
        })
    })?;
    println!(
        "encrypt_wall_s {:.2} (data {:.2}, model {:.2})  train_wall_s {:.2}  decrypt_wall_s {:.3}",
        t.upload_s + t.model_s,
        t.upload_s,
        t.model_s,
        t.train_s,
        t.decrypt_s
    );
    for (stage, tally) in &tallies {
        println!(
            "upload {stage}: {} ciphertexts, seeded {:.1} MiB ({} bytes), expanded {:.1} MiB",
            tally.ciphertexts,
            mib(tally.upload_bytes),
            tally.upload_bytes,
            mib(tally.expanded_bytes)
        );
    }
    let (wr, vr) = reference(zs)?;
    let ew = w
        .iter()
        .zip(&wr)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    let ev = v
        .iter()
        .zip(&vr)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    println!(
        "max|w_ckks - w_f64| = {ew:.3e} (log2 {:.2}), max|v_ckks - v_f64| = {ev:.3e}, max|w_f64| = {:.3}",
        ew.log2(),
        max_abs(&wr)
    );
    Ok(())
}

fn main() -> AnyResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("both", String::as_str);
    let k: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(6);
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let zs = minibatches(k)?;
    println!("threads {threads}; minibatches from the MNIST fixture; 128-bit parameters");
    if which == "low" || which == "both" {
        e2e(Which::Low, &zs, &pool)?;
    }
    if which == "helr" || which == "both" {
        e2e(Which::Helr, &zs, &pool)?;
    }
    Ok(())
}
