//! `peer-compare`: times the same CKKS operations in lowdepth-ckks and in Microsoft SEAL
//! (through TenSEAL's SEAL bindings, `seal_peer.py`) on the same machine in the same run,
//! interleaved ours → SEAL → ours (→ SEAL → ours ...), and prints ours / SEAL.
//!
//! ```sh
//! export CARGO_TARGET_DIR=/tmp/target-peer
//! cargo run -p lowdepth-seal-peer --release --bin peer-compare -- --reps 21
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::Parser;
use lowdepth_ckks::{
    CkksParameters, Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator, Plaintext,
};
use serde::Deserialize;

/// TenSEAL version the comparison is pinned to (also in seal_peer.py and
/// scripts/install_seal_peer.sh).
const PINNED_TENSEAL: &str = "0.3.18";

/// Issue #3 target: ours / SEAL at most this, N = 2^15, 16 levels, one thread.
const TARGET_RATIO: f64 = 0.5;
const TARGET_OPS: [&str; 2] = ["mul_relin_rescale", "rotate1"];

#[derive(Parser, Debug)]
#[command(about = "lowdepth-ckks vs SEAL (TenSEAL) on the same CKKS ops, one thread")]
struct Args {
    /// Presets to compare (n14 = N 2^14 / 7 levels, n15 = N 2^15 / 16 levels).
    #[arg(long, value_delimiter = ',', default_values_t = vec!["n14".to_string(), "n15".to_string()])]
    presets: Vec<String>,
    /// Repetitions of the heavy operations per round (light ops: max(3x, 31)).
    #[arg(long, default_value_t = 21)]
    reps: usize,
    /// SEAL rounds per preset; ours runs rounds + 1 times, interleaved around them.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Python interpreter with tenseal installed.
    #[arg(long, default_value = "python3")]
    python: String,
    /// Path of seal_peer.py (default: next to this crate's Cargo.toml).
    #[arg(long)]
    script: Option<PathBuf>,
    /// Output CSV (default: <workspace>/results/seal-peer/compare.csv).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Extra arguments passed to seal_peer.py (e.g. "--edge-bits=50").
    #[arg(long, allow_hyphen_values = true)]
    seal_arg: Vec<String>,
}

/// One round of one op from our engine: name, wall samples, thread-CPU samples (ms).
type OursRound = (&'static str, Vec<f64>, Vec<f64>);
/// One op from seal_peer.py: name, wall samples (ms), thread-CPU median (ms).
type SealRound = (String, Vec<f64>, f64);

/// One timed operation: wall and on-thread CPU samples in ms.
#[derive(Debug, Default, Clone)]
struct Samples {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    /// Median wall time of each round (to expose drift between rounds).
    round_medians: Vec<f64>,
}

impl Samples {
    fn push_round(&mut self, wall: &[f64], cpu: &[f64]) {
        self.wall.extend_from_slice(wall);
        self.cpu.extend_from_slice(cpu);
        self.round_medians.push(median(wall));
    }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NAN, f64::min)
}

/// CPU time of the calling thread in ms (CLOCK_THREAD_CPUTIME_ID, as Python's
/// `time.thread_time_ns`). On a loaded machine it excludes time spent waiting for a core.
fn thread_cpu_ms() -> Option<f64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Some(t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6)
}

fn time_op(mut f: impl FnMut() -> Result<()>, reps: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    for _ in 0..2 {
        f()?;
    }
    let mut wall = Vec::with_capacity(reps);
    let mut cpu = Vec::with_capacity(reps);
    for _ in 0..reps {
        let c0 = thread_cpu_ms();
        let t0 = Instant::now();
        f()?;
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (c0, thread_cpu_ms()) {
            cpu.push(b - a);
        }
    }
    Ok((wall, cpu))
}

fn preset_params(name: &str) -> Result<CkksParameters> {
    Ok(match name {
        "n14" => CkksParameters::n14_l7_s40()?,
        "n15" => CkksParameters::n15_l16_s40()?,
        other => bail!("unknown preset {other:?} (n14 or n15)"),
    })
}

/// The engine under test, set up once per preset (keys reused across rounds).
struct Ours {
    params: CkksParameters,
    encoder: Encoder,
    encryptor: Encryptor,
    evaluator: Evaluator,
    vals: Vec<f64>,
    pt: Plaintext,
    scale: f64,
    pool: rayon::ThreadPool,
}

impl Ours {
    fn new(name: &str) -> Result<Self> {
        let params = preset_params(name)?;
        let mut kg = KeyGenerator::new(&params);
        let sk = kg.secret_key();
        let pk = kg.public_key(&sk)?;
        let rlk = kg.relinearization_key(&sk)?;
        let gk = kg.galois_keys(&sk, &[1], false)?;
        let encoder = Encoder::new(&params);
        let encryptor = Encryptor::new(&params, pk)?;
        let evaluator = Evaluator::new(&params, Some(Arc::new(rlk)), Some(Arc::new(gk)))?;
        let top = params.max_level();
        let scale = params
            .canonical_scale(top)
            .context("no canonical scale at the top level")?;
        let slots = params.slots();
        let vals: Vec<f64> = (0..slots).map(|i| (i as f64 * 0.37).sin()).collect();
        let vals2: Vec<f64> = (0..slots).map(|i| (i as f64 * 0.11).cos()).collect();
        let pt = encoder.encode(&vals, top, scale)?;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;

        // Correctness check (same as the SEAL side) before any timing.
        let ct = encryptor.encrypt(&pt)?;
        let ct2 = encryptor.encrypt(&encoder.encode(&vals2, top, scale)?)?;
        let dec = Decryptor::new(&sk);
        let prod = evaluator.rescale(&evaluator.mul(&ct, &ct2)?)?;
        let got = encoder.decode(&dec.decrypt(&prod)?)?;
        let mul_err = (0..slots)
            .step_by(97)
            .map(|i| (got[i] - vals[i] * vals2[i]).abs())
            .fold(0.0, f64::max);
        let got = encoder.decode(&dec.decrypt(&evaluator.rotate(&ct, 1)?)?)?;
        let rot_err = (0..slots)
            .step_by(97)
            .map(|i| (got[i] - vals[(i + 1) % slots]).abs())
            .fold(0.0, f64::max);
        println!(
            "ours {name}: N=2^{} L={} dnum={} special primes={} log2(QP)={:.1}; \
             check max err mul+relin+rescale {mul_err:.2e}, rotate {rot_err:.2e}",
            params.log_n(),
            top,
            params.dnum(),
            params.special_moduli().len(),
            params.log_qp(),
        );
        if !(mul_err < 1e-3 && rot_err < 1e-3) {
            bail!("our engine failed the correctness check on {name}");
        }
        Ok(Self {
            params,
            encoder,
            encryptor,
            evaluator,
            vals,
            pt,
            scale,
            pool,
        })
    }

    /// One round of all ops on one thread; returns op -> (wall, cpu) samples.
    fn round(&self, reps: usize) -> Result<Vec<OursRound>> {
        self.pool.install(|| {
            let (enc, ev, ecd) = (&self.encryptor, &self.evaluator, &self.encoder);
            let top = self.params.max_level();
            let (vals, scale, pt) = (&self.vals, self.scale, &self.pt);
            let ct = enc.encrypt(pt)?;
            let ct2 = enc.encrypt(pt)?;
            let relined = ev.mul(&ct, &ct2)?;
            let light = (3 * reps).max(31);
            let mut out = Vec::new();
            let mut run = |name: &'static str, r: usize, f: &mut dyn FnMut() -> Result<()>| {
                let (w, c) = time_op(f, r)?;
                out.push((name, w, c));
                anyhow::Ok(())
            };
            run("encode", light, &mut || {
                ecd.encode(vals, top, scale)?;
                Ok(())
            })?;
            run("encrypt", reps, &mut || {
                enc.encrypt(pt)?;
                Ok(())
            })?;
            run("encode_encrypt", reps, &mut || {
                enc.encrypt(&ecd.encode(vals, top, scale)?)?;
                Ok(())
            })?;
            run("add", light, &mut || {
                ev.add(&ct, &ct2)?;
                Ok(())
            })?;
            run("mul_relin", reps, &mut || {
                ev.mul(&ct, &ct2)?;
                Ok(())
            })?;
            run("rescale", light, &mut || {
                ev.rescale(&relined)?;
                Ok(())
            })?;
            run("mul_relin_rescale", reps, &mut || {
                ev.rescale(&ev.mul(&ct, &ct2)?)?;
                Ok(())
            })?;
            run("rotate1", reps, &mut || {
                ev.rotate(&ct, 1)?;
                Ok(())
            })?;
            Ok(out)
        })
    }
}

#[derive(Deserialize, Debug)]
struct SealLine {
    kind: String,
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    samples_ms: Vec<f64>,
    #[serde(default)]
    cpu_median_ms: Option<f64>,
}

/// Runs seal_peer.py for one preset; returns op -> (wall samples, cpu median) and meta.
fn run_seal(
    args: &Args,
    script: &Path,
    preset: &str,
) -> Result<(Vec<SealRound>, serde_json::Value)> {
    let mut cmd = Command::new(&args.python);
    cmd.arg(script)
        .args(["--preset", preset, "--reps", &args.reps.to_string()])
        .args(&args.seal_arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let out = cmd
        .output()
        .with_context(|| format!("running {} {}", args.python, script.display()))?;
    if !out.status.success() {
        bail!("seal_peer.py failed for {preset}: {}", out.status);
    }
    let mut ops = Vec::new();
    let mut meta = serde_json::Value::Null;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("bad JSON line: {line}"))?;
        let l: SealLine = serde_json::from_value(v.clone())?;
        match (l.kind.as_str(), l.op) {
            ("op", Some(op)) => ops.push((op, l.samples_ms, l.cpu_median_ms.unwrap_or(f64::NAN))),
            ("meta", _) => meta = v,
            _ => {}
        }
    }
    Ok((ops, meta))
}

/// Checks that `python` imports tenseal; on failure prints the pinned pip command.
fn check_tenseal(args: &Args, script: &Path) -> Result<String, String> {
    let pip = format!("{} -m pip install tenseal=={PINNED_TENSEAL}", args.python);
    let out = Command::new(&args.python)
        .arg(script)
        .arg("--check")
        .stderr(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot run {}: {e}. Install Python 3 and then: {pip}",
                args.python
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "TenSEAL is not installed for {py} (needed to time SEAL).\n  Install it with:  {pip}\n  \
             or run:           scripts/install_seal_peer.sh {py}",
            py = args.python
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// UTC date-time from the system clock (civil-from-days, no extra dependency).
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Writes `contents` to `path` atomically (temp file in the same directory + rename).
fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path
        .file_name()
        .context("output path has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("renaming onto {}", path.display()))?;
    Ok(())
}

/// Aggregated results for one preset.
#[derive(Default)]
struct PresetResult {
    log_n: u32,
    levels: usize,
    ours: BTreeMap<String, Samples>,
    seal: BTreeMap<String, Samples>,
    seal_cpu_medians: BTreeMap<String, Vec<f64>>,
}

const OP_ORDER: [&str; 11] = [
    "encode",
    "encrypt",
    "encode_encrypt",
    "add",
    "multiply",
    "relinearize",
    "mul_relin",
    "rescale",
    "mul_relin_rescale",
    "rotate1",
    "mul_relin_rescale_tsvec",
];

fn fmt_ms(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x < 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.2}")
    }
}

fn report(results: &[(String, PresetResult)], csv_path: &Path) -> Result<bool> {
    let mut csv = String::from(
        "op,log_n,levels,ours_median_ms,ours_min_ms,ours_round_medians_ms,seal_median_ms,seal_min_ms,\
         seal_round_medians_ms,ratio_ours_over_seal,ours_cpu_median_ms,seal_cpu_median_ms,\
         ratio_cpu,ours_samples,seal_samples,target_ratio,meets_target\n",
    );
    let mut all_met = true;
    println!();
    println!(
        "{:<24} {:>4} {:>3} {:>10} {:>19} {:>10} {:>7} {:>9} {:>9} {:>7}  target",
        "op",
        "N",
        "L",
        "ours ms",
        "ours per round",
        "SEAL ms",
        "ratio",
        "ours cpu",
        "SEAL cpu",
        "cpu r."
    );
    for (_, r) in results {
        for op in OP_ORDER {
            let (o, s) = (r.ours.get(op), r.seal.get(op));
            if o.is_none() && s.is_none() {
                continue;
            }
            let empty = Samples::default();
            let o = o.unwrap_or(&empty);
            let s = s.unwrap_or(&empty);
            let (om, sm) = (median(&o.wall), median(&s.wall));
            let (oc, sc) = (
                median(&o.cpu),
                r.seal_cpu_medians.get(op).map_or(f64::NAN, |v| median(v)),
            );
            let ratio = om / sm;
            let cratio = oc / sc;
            let is_target = r.log_n == 15 && TARGET_OPS.contains(&op);
            let met = ratio <= TARGET_RATIO;
            if is_target && !met {
                all_met = false;
            }
            let target = if is_target {
                format!("<= {TARGET_RATIO}: {}", if met { "MET" } else { "NOT MET" })
            } else {
                String::new()
            };
            let rounds = o
                .round_medians
                .iter()
                .map(|x| fmt_ms(*x))
                .collect::<Vec<_>>()
                .join("/");
            println!(
                "{:<24} 2^{:<2} {:>3} {:>10} {:>19} {:>10} {:>7} {:>9} {:>9} {:>7}  {}",
                op,
                r.log_n,
                r.levels,
                fmt_ms(om),
                if rounds.is_empty() {
                    "-".into()
                } else {
                    rounds
                },
                fmt_ms(sm),
                if ratio.is_nan() {
                    "-".into()
                } else {
                    format!("{ratio:.3}")
                },
                fmt_ms(oc),
                fmt_ms(sc),
                if cratio.is_nan() {
                    "-".into()
                } else {
                    format!("{cratio:.3}")
                },
                target
            );
            let join = |v: &[f64]| {
                v.iter()
                    .map(|x| format!("{x:.4}"))
                    .collect::<Vec<_>>()
                    .join(";")
            };
            let num = |x: f64| {
                if x.is_nan() {
                    String::new()
                } else {
                    format!("{x:.4}")
                }
            };
            let _ = writeln!(
                csv,
                "{op},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                r.log_n,
                r.levels,
                num(om),
                num(min(&o.wall)),
                join(&o.round_medians),
                num(sm),
                num(min(&s.wall)),
                join(&s.round_medians),
                num(ratio),
                num(oc),
                num(sc),
                num(cratio),
                o.wall.len(),
                s.wall.len(),
                if is_target {
                    TARGET_RATIO.to_string()
                } else {
                    String::new()
                },
                if is_target {
                    met.to_string()
                } else {
                    String::new()
                },
            );
        }
    }
    write_atomic(csv_path, &csv)?;
    println!("\nwrote {}", csv_path.display());
    Ok(all_met)
}

fn run(args: &Args) -> Result<ExitCode> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = args
        .script
        .clone()
        .unwrap_or_else(|| crate_dir.join("seal_peer.py"));
    let workspace = crate_dir.ancestors().nth(2).unwrap_or(crate_dir);
    let csv_path = args
        .out
        .clone()
        .unwrap_or_else(|| workspace.join("results/seal-peer/compare.csv"));
    let ts_version = match check_tenseal(args, &script) {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("peer-compare: {msg}");
            return Ok(ExitCode::from(2));
        }
    };
    if ts_version != PINNED_TENSEAL {
        eprintln!("peer-compare: warning: tenseal {ts_version} installed, pinned {PINNED_TENSEAL}");
    }
    println!(
        "peer-compare {} | {} | {} logical CPUs | tenseal {ts_version} | reps {} | rounds {} | load {}",
        utc_now(),
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.reps,
        args.rounds,
        loadavg()
    );

    let mut results = Vec::new();
    for preset in &args.presets {
        let ours = Ours::new(preset)?;
        let mut pr = PresetResult {
            log_n: ours.params.log_n(),
            levels: ours.params.max_level(),
            ..Default::default()
        };
        let ours_round = |pr: &mut PresetResult, i: usize| -> Result<()> {
            let t = Instant::now();
            for (op, w, c) in ours.round(args.reps)? {
                pr.ours
                    .entry(op.to_string())
                    .or_default()
                    .push_round(&w, &c);
            }
            println!(
                "  {preset} ours round {i}: {:.1} s, load {}",
                t.elapsed().as_secs_f64(),
                loadavg()
            );
            Ok(())
        };
        ours_round(&mut pr, 0)?;
        for i in 0..args.rounds {
            let t = Instant::now();
            let (ops, meta) = run_seal(args, &script, preset)?;
            if i == 0 {
                println!("  {preset} SEAL meta: {meta}");
            }
            for (op, w, cpu) in ops {
                pr.seal.entry(op.clone()).or_default().push_round(&w, &[]);
                pr.seal_cpu_medians.entry(op).or_default().push(cpu);
            }
            println!(
                "  {preset} SEAL round {i}: {:.1} s (incl. keygen), load {}",
                t.elapsed().as_secs_f64(),
                loadavg()
            );
            ours_round(&mut pr, i + 1)?;
        }
        results.push((preset.clone(), pr));
    }
    let met = report(&results, &csv_path)?;
    if args.presets.iter().any(|p| p == "n15") {
        println!(
            "issue #3 target (N=2^15, 16 levels, 1 thread: mul+relin+rescale and rotate <= {TARGET_RATIO}x SEAL): {}",
            if met { "MET" } else { "NOT MET" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("peer-compare: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
