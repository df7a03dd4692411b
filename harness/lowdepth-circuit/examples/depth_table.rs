//! Prints the depth / operations / bandwidth / parameters table of both circuits at full
//! size (b = 1024, f = 256) for k = 1..12, as pasted in `docs/low-depth-circuit.md`.
//!
//! `cargo run --release -p lowdepth-circuit --example depth_table [k ..] [low|base]`
//!
//! For each circuit and k: a plaintext-simulation run on minibatches drawn from the MNIST
//! fixture measures the largest decrypted value (for `q_0`); the
//! depth finder measures depth and rotation steps; the planner picks the parameters
//! (smallest secure N, slots = N/2, dnum); a trace at exactly those levels and that ring
//! degree counts operations and bytes.
//!
//! No time columns: predicted run times depend on the machine, so they come from the
//! harness, which calibrates the one cost model (`lowdepth_toolkit::costs`) on the machine
//! it runs on (`results/<experiment>/projection.csv` and `REPORT.md`).

use lowdepth_circuit as low;
use lowdepth_helr_circuit as helr;
use lowdepth_toolkit::backends::tracer::TraceReport;
use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams, Tracer, TracerParams};
use lowdepth_toolkit::planner::{plan, CircuitProfile, ParameterRequirement, PlannerConfig};
use lowdepth_toolkit::scale::{power_of_two_moduli, simulation_moduli};
use lowdepth_toolkit::{Evaluator, RingDegree, RotationKeys};

const B: usize = 1024;
const F: usize = 256;
const LOG_SCALE: u32 = 40;

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// `k` minibatches of `B` rows from the committed MNIST fixture (see
/// [`lowdepth_data::fixture::scrambled_minibatches`]), so values have the real data's range.
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

fn etas(k: usize) -> Vec<f64> {
    lowdepth_plaintext::nesterov::nesterov_etas(k, 0.01)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    Helr,
    Low,
}

/// Runs one circuit on `eval`; returns upload bytes (minibatches and model), ciphertext
/// counts and the largest |value| of the decrypted model.
fn run<B: lowdepth_toolkit::Backend>(
    eval: &Evaluator<B>,
    which: Which,
    k: usize,
    slots: usize,
) -> AnyResult<(u64, usize, f64)> {
    let zs = minibatches(k)?;
    let zero = vec![0.0; F];
    Ok(match which {
        Which::Helr => {
            let mut config = helr::CircuitConfig::new(B, F, k, slots);
            // Experiments: LOWDEPTH_BASE_UNIT_WIDTH overrides the unit width.
            if let Some(w) = std::env::var("LOWDEPTH_BASE_UNIT_WIDTH")
                .ok()
                .and_then(|w| w.parse::<usize>().ok())
            {
                config.unit = Some(lowdepth_toolkit::EncodingUnit::with_width(w, slots)?);
            }
            let p = helr::describe(&config)?;
            let up = helr::upload(eval, &p, &zs)?;
            let m = helr::encrypt_model(eval, &p, &zero, &zero)?;
            let (w, v) = helr::train(eval, &up, &m, &etas(k))?.decrypt(eval)?;
            (
                up.ciphertext_bytes(eval) + m.ciphertext_bytes(eval),
                up.num_ciphertexts() + p.model_ciphertexts,
                max_abs(&w, &v),
            )
        }
        Which::Low => {
            let mut config = low::CircuitConfig::new(B, F, k, slots);
            // Experiments: LOWDEPTH_UNIT_WIDTH overrides the unit width.
            if let Some(w) = std::env::var("LOWDEPTH_UNIT_WIDTH")
                .ok()
                .and_then(|w| w.parse::<usize>().ok())
            {
                config.unit = Some(lowdepth_toolkit::EncodingUnit::with_width(w, slots)?);
            }
            let p = low::describe(&config)?;
            let up = low::upload(eval, &p, &zs)?;
            let m = low::encrypt_model(eval, &p, &zero, &zero)?;
            let (w, v) = low::train(eval, &up, &m, &etas(k))?.decrypt(eval)?;
            let model_cts = m.w.ciphertexts().len() + m.v.ciphertexts().len();
            (
                up.ciphertext_bytes(eval) + m.ciphertext_bytes(eval),
                up.num_ciphertexts() + model_cts,
                max_abs(&w, &v),
            )
        }
    })
}

fn max_abs(w: &[f64], v: &[f64]) -> f64 {
    w.iter().chain(v).fold(0.0f64, |m, x| m.max(x.abs()))
}

fn depth_of(which: Which, k: usize) -> usize {
    match which {
        Which::Helr => helr::circuit_depth(k),
        Which::Low => low::circuit_depth(k),
    }
}

fn max_value_bits(which: Which, k: usize, slots: usize) -> AnyResult<u32> {
    let ring = RingDegree::for_slots(slots);
    let backend = PlaintextBackend::try_new(PlaintextParams {
        slots,
        ring_degree: ring,
        moduli: simulation_moduli(depth_of(which, k), LOG_SCALE, 60, ring),
        rotation_keys: RotationKeys::All,
    })?;
    let eval = Evaluator::new(backend, LOG_SCALE)?;
    // q_0 must hold what is decrypted at level 0: the model. (Intermediate values, up to
    // 9 bits here, live at higher levels under moduli 40 bits larger per level.)
    let (_, _, m) = run(&eval, which, k, slots)?;
    Ok(if m < 1.0 {
        0
    } else {
        m.log2().floor() as u32 + 1
    })
}

fn trace(
    which: Which,
    k: usize,
    slots: usize,
    moduli: Vec<u64>,
    ring: RingDegree,
) -> AnyResult<(TraceReport, u64, usize)> {
    let backend = Tracer::try_new(TracerParams {
        slots,
        ring_degree: ring,
        moduli,
        rotation_keys: RotationKeys::All,
    })?;
    let eval = Evaluator::new(backend, LOG_SCALE)?;
    let (bytes, cts, _) = run(&eval, which, k, slots)?;
    Ok((eval.backend().report()?, bytes, cts))
}

struct Row {
    which: Which,
    k: usize,
    req: ParameterRequirement,
    slots: usize,
    report: TraceReport,
    bytes: u64,
    cts: usize,
}

fn row(which: Which, k: usize) -> AnyResult<Row> {
    let cfg = PlannerConfig::default();
    let mut slots = 1usize << 14;
    let mut bits = max_value_bits(which, k, slots)?;
    // Depth and rotation steps from the depth finder.
    let (found, ..) = trace(
        which,
        k,
        slots,
        power_of_two_moduli(100, LOG_SCALE, 60),
        RingDegree::for_slots(slots),
    )?;
    let mut req = plan(&CircuitProfile::from_trace(&found, slots, bits), &cfg)?;
    // As planned: use all N/2 slots of the chosen ring.
    let planned_slots = 1usize << (req.min_log_n - 1);
    if planned_slots != slots {
        slots = planned_slots;
        bits = max_value_bits(which, k, slots)?;
        let (found, ..) = trace(
            which,
            k,
            slots,
            power_of_two_moduli(100, LOG_SCALE, 60),
            RingDegree::for_slots(slots),
        )?;
        req = plan(&CircuitProfile::from_trace(&found, slots, bits), &cfg)?;
    }
    // Exactly the planned levels and ring: op counts and bytes.
    let moduli = power_of_two_moduli(req.levels, req.log_scale, req.first_prime_bits);
    let (report, bytes, cts) = trace(which, k, slots, moduli, RingDegree(1 << req.min_log_n))?;
    Ok(Row {
        which,
        k,
        req,
        slots,
        report,
        bytes,
        cts,
    })
}

fn main() -> AnyResult<()> {
    println!("b = {B}, f = {F}, log_scale = {LOG_SCALE}; bytes are unseeded ciphertexts (seeded symmetric encryption halves them). Predicted times: the harness's calibrated cost model (results/<experiment>/projection.csv, REPORT.md).");
    println!();
    println!("| circuit | k | depth | log N | slots | q0 bits | dnum | log QP | ct x ct | ct x pt | ct x const | rescale | rotations | key switches | add/sub | upload cts | upload MiB | eval keys MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    // Optional arguments: the k values (default 1..=12), `low` or `base` to restrict.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ks: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let ks = if ks.is_empty() {
        (1..=12).collect()
    } else {
        ks
    };
    let whiches: Vec<Which> = match args.iter().find(|a| a.parse::<usize>().is_err()) {
        Some(a) if a == "low" => vec![Which::Low],
        Some(a) if a == "base" => vec![Which::Helr],
        _ => vec![Which::Helr, Which::Low],
    };
    for which in whiches {
        for &k in &ks {
            let r = row(which, k)?;
            let c = &r.report.counts;
            let name = match r.which {
                Which::Helr => "baseline",
                Which::Low => "low-depth",
            };
            // Not table columns: relinearizations (one per mul / mul_sum) and free relabels.
            eprintln!(
                "{name} k = {}: {} relinearizations, {} relabels",
                r.k, c.relinearize, c.relabel
            );
            println!(
                "| {name} | {} | {} | {} | 2^{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} |",
                r.k,
                r.report.max_depth,
                r.req.min_log_n,
                r.slots.trailing_zeros(),
                r.req.first_prime_bits,
                r.req.dnum,
                r.req.log_qp,
                c.ct_ct_mul,
                c.ct_pt_mul,
                c.const_mul,
                c.rescale,
                c.rotation,
                c.key_switch,
                c.add_sub,
                r.cts,
                r.bytes as f64 / (1u64 << 20) as f64,
                r.req.evaluation_key_bytes as f64 / (1u64 << 20) as f64,
            );
        }
    }
    Ok(())
}
