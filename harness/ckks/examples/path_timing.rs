//! Side-by-side timing of the kernel paths in one process: keys and a ciphertext are made
//! once (every path computes bit-identical values, so they serve all paths), then rounds
//! interleave the paths so that all of them see the same machine load. Prints the median
//! and minimum wall time per operation and path.
//! With `LOWDEPTH_CKKS_ISA` set, times only that path.
//! `cargo run -p lowdepth-ckks --release --example path_timing -- n15 21`

use std::sync::Arc;
use std::time::Instant;

use lowdepth_ckks::*;

fn ms(f: impl FnOnce()) -> f64 {
    let s = Instant::now();
    f();
    s.elapsed().as_secs_f64() * 1e3
}

fn main() -> std::result::Result<(), CkksError> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("n15", String::as_str);
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(21);
    let base = match preset {
        "n14" => CkksParameters::n14_l7_s40()?,
        "n16" => CkksParameters::n16_l30_s40()?,
        _ => CkksParameters::n15_l16_s40()?,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| CkksError::InvalidParameter {
            name: "threads",
            reason: e.to_string(),
        })?;
    let mut kg = KeyGenerator::from_seed(&base, [1u8; 32]);
    let sk = kg.secret_key();
    let pk = kg.public_key(&sk)?;
    let rlk = Arc::new(kg.relinearization_key(&sk)?);
    let gk = Arc::new(kg.galois_keys(&sk, &[1], false)?);
    let enc = Encryptor::from_seed(&base, pk, [2u8; 32])?;
    let top = base.max_level();
    let scale = base.canonical_scale(top).unwrap_or(1.0);
    let vals: Vec<f64> = (0..base.slots()).map(|i| (i as f64 * 0.37).sin()).collect();
    let ct = enc.encrypt(&Encoder::new(&base).encode(&vals, top, scale)?)?;
    // Only the forced path if LOWDEPTH_CKKS_ISA is set, else every path this CPU runs.
    let paths = match std::env::var(ISA_ENV_VAR) {
        Ok(v) if !v.trim().is_empty() => vec![KernelPath::from_env()?],
        _ => KernelPath::supported(),
    };
    let mut evaluators = Vec::new();
    for &path in &paths {
        let params = CkksParameters::with_kernel_path(*base.spec(), path)?;
        evaluators.push(Evaluator::new(
            &params,
            Some(rlk.clone()),
            Some(gk.clone()),
        )?);
    }
    // samples[path][op]
    let mut samples = vec![[Vec::new(), Vec::new()]; paths.len()];
    pool.install(|| {
        for _ in 0..rounds {
            for (ev, s) in evaluators.iter().zip(samples.iter_mut()) {
                s[0].push(ms(|| drop(ev.mul(&ct, &ct).and_then(|m| ev.rescale(&m)))));
                s[1].push(ms(|| drop(ev.rotate(&ct, 1))));
            }
        }
    });
    println!("preset {preset}, 1 thread, {rounds} interleaved rounds; wall ms, median (min)");
    println!("{:8} {:>22} {:>22}", "path", "mul+relin+rescale", "rotate");
    for (path, s) in paths.iter().zip(samples.iter_mut()) {
        let mut cells = Vec::new();
        for v in s.iter_mut() {
            v.sort_by(f64::total_cmp);
            cells.push(format!("{:8.2} ({:7.2})", v[v.len() / 2], v[0]));
        }
        println!("{:8} {:>22} {:>22}", path.name(), cells[0], cells[1]);
    }
    Ok(())
}
