//! Many-core projection check at the real 128-bit parameters (preset `n15_l16_s40`:
//! N = 2^15, 16 levels, dnum 6): calibrate single-thread per-op costs on this machine,
//! trace `Z v` (1024 × 256, unit 128 × 128 by default, inputs at the top level), predict
//! its time on 1 and 2 cores from the traced DAG, then measure it on 1- and 2-thread rayon
//! pools (1-thread and 2-thread runs alternate, so both see the same load) and print
//! predicted vs measured.
//!
//! ```text
//! cargo run --release -p lowdepth-toolkit-ckks --example projection_check -- \
//!     [--reps 5] [--runs 3] [--unit 128x128]
//! ```
//!
//! `--reps`: timed rounds per op and level in the calibration (median); `--runs`: timed
//! workload runs per thread count (median, after one warm-up run each). Also printed: the
//! load average, and the process CPU time over each workload run (`cpu/wall`: about 1 per
//! thread when the machine leaves this process alone, less under load), and the intra-op
//! speedup of single ops on a 2-thread pool, which the projection does not credit.
//!
//! A 2-thread row only tests the 2-core prediction when `cpu/wall` is near 2: on Linux with
//! `sched_autogroup_enabled = 1` CPU is shared equally between sessions, so while another
//! session keeps a core busy this process gets about one core whatever its thread count.

use std::error::Error;
use std::time::Instant;

use lowdepth_ckks::CkksParameters;
use lowdepth_toolkit::backends::tracer::OpKind;
use lowdepth_toolkit::backends::{Tracer, TracerParams};
use lowdepth_toolkit::calibrate::{measure, measure_single_thread, project, Calibration};
use lowdepth_toolkit::workload::{ProductWorkload, MNIST_MINIBATCH};
use lowdepth_toolkit::{EncodingUnit, Evaluator, RotationKeys};
use lowdepth_toolkit_ckks::CkksSetup;

struct Args {
    reps: usize,
    runs: usize,
    unit: (usize, usize),
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        reps: 5,
        runs: 3,
        unit: (128, 128),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--reps" => args.reps = value.parse()?,
            "--runs" => args.runs = value.parse()?,
            "--unit" => {
                let (h, w) = value
                    .split_once('x')
                    .ok_or_else(|| format!("--unit {value}: expected HxW"))?;
                args.unit = (h.parse()?, w.parse()?);
            }
            _ => return Err(format!("unknown argument {flag}").into()),
        }
    }
    if args.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(args)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// Process CPU time (user + system) in seconds, from /proc/self/stat (USER_HZ = 100).
fn cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn median(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

fn print_calibration(cal: &Calibration) {
    let kinds = [
        OpKind::Mul,
        OpKind::Rotate,
        OpKind::HoistDecompose,
        OpKind::RotateHoisted,
        OpKind::Rescale,
        OpKind::MulPlain,
        OpKind::Encode,
        OpKind::Add,
    ];
    print!("{:>15}", "ms \\ level");
    for l in cal.levels.iter().rev() {
        print!("{l:>9}");
    }
    println!();
    for kind in kinds {
        print!("{:>15}", format!("{kind:?}"));
        for &l in cal.levels.iter().rev() {
            match cal.median_s(kind, l) {
                Some(t) => print!("{:>9.3}", t * 1e3),
                None => print!("{:>9}", "-"),
            }
        }
        println!();
    }
    if let Some((kind, level, rel)) = cal.worst_linear_fit() {
        println!(
            "worst linear fit (fixed + per_prime*(level+1)) vs median: {kind:?} at level {level}, {:.0}% off (the projection uses the per-level table)",
            rel * 100.0
        );
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let (rows, cols) = MNIST_MINIBATCH;
    println!("load average at start: {}", loadavg());

    let params = CkksParameters::n15_l16_s40()?;
    let spec = *params.spec();
    let slots = params.slots();
    let unit = EncodingUnit::try_new(args.unit.0, args.unit.1, slots)?;

    // Trace Z v at exactly the engine's moduli (node levels = calibrated levels).
    let traced = Evaluator::new(
        Tracer::try_new(TracerParams {
            slots,
            ring_degree: lowdepth_toolkit::RingDegree(params.n()),
            moduli: params.moduli().to_vec(),
            rotation_keys: RotationKeys::All,
        })?,
        spec.log_scale,
    )?;
    let top = traced.max_level();
    let w = ProductWorkload::encrypt(&traced, unit, rows, cols, top)?;
    w.matrix_col_vector(&traced)?;
    let report = traced.backend().report()?;
    let nodes = traced.backend().nodes()?;
    let c = &report.counts;
    println!(
        "workload: Z v, {rows}x{cols}, unit {}x{}, N = 2^{}, L = {top}, depth {}; {} nodes: {} ct-ct mul, {} rotations, {} rescale, {} mul_plain, {} encode, {} add",
        unit.height(),
        unit.width(),
        spec.log_n,
        report.max_depth,
        nodes.len(),
        c.ct_ct_mul,
        c.rotation,
        c.rescale,
        c.ct_pt_mul,
        c.encode,
        c.add_sub
    );

    // 128-bit keys for exactly the traced rotation steps.
    let (backend, setup) = CkksSetup::from_spec(spec, &report.rotation_steps, Some(2024))?;
    println!(
        "setup: secure_128 = {}, log2 QP = {:.1} (bound {:?}), dnum {}, {} Galois keys, keygen {:.1} s",
        setup.secure_128,
        setup.log_qp,
        setup.log_qp_bound_128,
        setup.dnum,
        setup.galois_keys,
        setup.keygen_wall_s
    );
    let eval = backend.into_evaluator()?;

    // Calibrate at the workload's levels (top .. top-2) plus a middle and a low level.
    let levels = [top, top - 1, top - 2, top / 2, 1];
    let start = Instant::now();
    let cal = measure_single_thread(&eval, &levels, args.reps)?;
    println!(
        "\ncalibration: 1 thread, median of {} per op and level, {:.1} s (load {})",
        args.reps,
        start.elapsed().as_secs_f64(),
        loadavg()
    );
    print_calibration(&cal);
    let model = cal.model();
    let linear = cal.linear_model();

    // Intra-op parallelism, for the record: single ops at the top level on 2 threads.
    let pool2 = rayon::ThreadPoolBuilder::new().num_threads(2).build()?;
    let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let cal2 = pool2.install(|| measure(&eval, &[top], args.reps))?;
    print!("intra-op speedup of single ops on a 2-thread pool at level {top} (not credited by the projection):");
    for kind in [OpKind::Mul, OpKind::Rotate, OpKind::Rescale, OpKind::Add] {
        if let (Some(t1), Some(t2)) = (cal.median_s(kind, top), cal2.median_s(kind, top)) {
            print!(" {kind:?} {:.2}x", t1 / t2);
        }
    }
    println!();

    // Predictions.
    let cores = [1, 2, 4, 8, 16, 32, 64];
    let proj = project(&nodes, &model, &cores);
    let proj_lin = project(&nodes, &linear, &[1, 2]);
    println!(
        "\nprojection (per-level table): W = {:.3} s, S = {:.3} s, W/S = {:.1}",
        proj[0].work_s,
        proj[0].span_s,
        proj[0].work_s / proj[0].span_s
    );
    println!("{:>6} {:>12} {:>12}", "cores", "list (s)", "W/P+S (s)");
    for p in &proj {
        println!(
            "{:>6} {:>12.3} {:>12.3}",
            p.cores, p.list_schedule_s, p.brent_upper_s
        );
    }

    // Measurements: encrypt under CKKS, then alternate 1- and 2-thread runs.
    let data = ProductWorkload::encrypt(&eval, unit, rows, cols, top)?;
    let mut wall = [Vec::new(), Vec::new()];
    let mut cpu = [Vec::new(), Vec::new()];
    for round in 0..=args.runs {
        for (i, pool) in [&pool1, &pool2].into_iter().enumerate() {
            let (c0, t0) = (cpu_s(), Instant::now());
            let out = pool.install(|| data.matrix_col_vector(&eval))?;
            let t = t0.elapsed().as_secs_f64();
            let c1 = cpu_s();
            drop(out.into_ciphertexts());
            if round > 0 {
                wall[i].push(t);
                if let (Some(a), Some(b)) = (c0, c1) {
                    cpu[i].push(b - a);
                }
            }
        }
    }
    println!(
        "\nmeasured: median of {} runs per thread count (after one warm-up each); load {}",
        args.runs,
        loadavg()
    );
    println!(
        "{:>8} {:>14} {:>14} {:>12} {:>9} {:>16} {:>10}",
        "threads",
        "predicted (s)",
        "measured (s)",
        "rel. error",
        "cpu/wall",
        "linear-fit pred",
        "samples"
    );
    for (i, threads) in [1usize, 2].into_iter().enumerate() {
        let pred = proj[i].list_schedule_s;
        let meas = median(&wall[i]);
        let ratio = if cpu[i].len() == wall[i].len() {
            format!(
                "{:.2}",
                cpu[i].iter().sum::<f64>() / wall[i].iter().sum::<f64>()
            )
        } else {
            "n/a".into()
        };
        let samples: Vec<String> = wall[i].iter().map(|t| format!("{t:.2}")).collect();
        println!(
            "{threads:>8} {pred:>14.3} {meas:>14.3} {:>+11.1}% {ratio:>9} {:>16.3} {:>10}",
            (pred - meas) / meas * 100.0,
            proj_lin[i].list_schedule_s,
            samples.join(",")
        );
    }
    println!(
        "measured speedup 1 -> 2 threads: {:.2}x (predicted {:.2}x)",
        median(&wall[0]) / median(&wall[1]),
        proj[0].list_schedule_s / proj[1].list_schedule_s
    );
    for (i, threads) in [1usize, 2].into_iter().enumerate() {
        if cpu[i].len() == wall[i].len() {
            let cores = cpu[i].iter().sum::<f64>() / wall[i].iter().sum::<f64>();
            if cores < 0.8 * threads as f64 {
                println!(
                    "WARNING: the {threads}-thread runs got {cores:.2} cores on average \
                     (process CPU / wall): other load took the rest, so that row does not \
                     test a {threads}-core prediction"
                );
                if let Ok(group) = std::fs::read_to_string("/proc/self/autogroup") {
                    println!(
                        "  (this process is in {}: with sched_autogroup the kernel shares \
                         CPU equally between sessions, so while another session is busy \
                         this one gets about one core however many threads it runs)",
                        group.trim()
                    );
                }
            }
        }
    }
    println!("load average at end: {}", loadavg());
    Ok(())
}
