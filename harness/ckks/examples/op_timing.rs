//! Prints median wall times of the main operations for one preset and thread count, on
//! the run's kernel path (force one with `LOWDEPTH_CKKS_ISA=ifma|avx512|avx2|scalar`).
//! `cargo run -p lowdepth-ckks --release --example op_timing -- n15 1`

use std::sync::Arc;
use std::time::Instant;

use lowdepth_ckks::*;

/// CPU time of the calling thread in ns (Linux), if available.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Median wall time and mean on-thread CPU time (meaningful with 1 thread: on a loaded
/// machine it excludes time the thread waited for a core).
fn median_ms(mut f: impl FnMut(), reps: usize) -> String {
    let mut wall = Vec::with_capacity(reps);
    let mut cpu = Vec::with_capacity(reps);
    for _ in 0..reps {
        let c0 = thread_cpu_ns();
        let s = Instant::now();
        f();
        wall.push(s.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (c0, thread_cpu_ns()) {
            cpu.push((b - a) as f64 / 1e6);
        }
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let c = cpu.get(cpu.len() / 2).copied().unwrap_or(f64::NAN);
    format!(
        "wall {:8.2} ms   cpu(this thread) {:8.2} ms",
        wall[reps / 2],
        c
    )
}

fn main() -> std::result::Result<(), CkksError> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("n15", String::as_str);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(11);
    let params = match preset {
        "n14" => CkksParameters::n14_l7_s40()?,
        "n16" => CkksParameters::n16_l30_s40()?,
        _ => CkksParameters::n15_l16_s40()?,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CkksError::InvalidParameter {
            name: "threads",
            reason: e.to_string(),
        })?;
    let mut kg = KeyGenerator::from_seed(&params, [1u8; 32]);
    let sk = kg.secret_key();
    let pk = kg.public_key(&sk)?;
    let rlk = kg.relinearization_key(&sk)?;
    let steps: Vec<i32> = (1..=8).collect();
    let t = Instant::now();
    let gk = kg.galois_keys(&sk, &steps, false)?;
    let keygen_ms = t.elapsed().as_secs_f64() * 1e3 / steps.len() as f64;
    let enc = Encryptor::from_seed(&params, pk, [2u8; 32])?;
    let ecd = Encoder::new(&params);
    let (rlk, gk) = (Arc::new(rlk), Arc::new(gk));
    let ev = Evaluator::new(&params, Some(rlk.clone()), Some(gk.clone()))?;
    let top = params.max_level();
    let scale = params.canonical_scale(top).unwrap_or(1.0);
    let vals: Vec<f64> = (0..params.slots())
        .map(|i| (i as f64 * 0.37).sin())
        .collect();
    let pt = ecd.encode(&vals, top, scale)?;
    let ct = enc.encrypt(&pt)?;
    let ct_bytes = ct.serialized_size(&params);
    let seeded_bytes = SymmetricEncryptor::new(&sk)
        .encrypt(&pt)?
        .serialized_size(&params);
    let prod = ev.mul(&ct, &ct)?;
    println!(
        "preset {preset}, {threads} thread(s), N=2^{} L={} dnum={}, kernel path {}",
        params.log_n(),
        top,
        params.dnum(),
        params.kernel_path().name()
    );
    println!("keygen: {keygen_ms:.1} ms per Galois key (on the calling thread's pool)");
    println!(
        "sizes: relin key {:.1} MB in memory, {:.1} MB serialized; one Galois key {:.1} MB serialized; ciphertext {:.2} MB, seeded {:.2} MB",
        rlk.memory_bytes() as f64 / 1e6,
        rlk.serialized_size(&params) as f64 / 1e6,
        gk.serialized_size(&params) as f64 / 1e6 / steps.len() as f64,
        ct_bytes as f64 / 1e6,
        seeded_bytes as f64 / 1e6
    );
    if let Some(only) = args.get(4) {
        // Profiling aid: loop one operation.
        pool.install(|| {
            for _ in 0..reps {
                match only.as_str() {
                    "rescale" => drop(ev.rescale(&prod)),
                    "mul" => drop(ev.mul(&ct, &ct)),
                    "rotate" => drop(ev.rotate(&ct, 1)),
                    "hoisted" => drop(ev.rotate_many(&ct, &steps)),
                    _ => drop(enc.encrypt(&pt)),
                }
            }
        });
        return Ok(());
    }
    pool.install(|| {
        println!(
            "encode            {}",
            median_ms(|| drop(ecd.encode(&vals, top, scale)), reps)
        );
        println!(
            "decode (level L)  {}",
            median_ms(|| drop(ecd.decode(&pt)), reps)
        );
        println!(
            "encrypt           {}",
            median_ms(|| drop(enc.encrypt(&pt)), reps)
        );
        println!(
            "add               {}",
            median_ms(|| drop(ev.add(&ct, &ct)), reps)
        );
        println!(
            "sub               {}",
            median_ms(|| drop(ev.sub(&ct, &ct)), reps)
        );
        println!(
            "negate            {}",
            median_ms(|| drop(ev.negate(&ct)), reps)
        );
        println!(
            "add_plain         {}",
            median_ms(|| drop(ev.add_plain(&ct, &pt)), reps)
        );
        println!(
            "mul_plain         {}",
            median_ms(|| drop(ev.mul_plain(&ct, &pt)), reps)
        );
        println!(
            "mul_int           {}",
            median_ms(|| drop(ev.mul_int(&ct, 3)), reps)
        );
        println!(
            "mul (tensor+relin){}",
            median_ms(|| drop(ev.mul(&ct, &ct)), reps)
        );
        println!(
            "mul_sum(4 pairs)  {}",
            median_ms(|| drop(ev.mul_sum(&[(&ct, &ct); 4])), reps)
        );
        println!(
            "rescale           {}",
            median_ms(|| drop(ev.rescale(&prod)), reps)
        );
        println!(
            "mul+relin+rescale {}",
            median_ms(|| drop(ev.mul(&ct, &ct).and_then(|m| ev.rescale(&m))), reps)
        );
        println!(
            "rotate            {}",
            median_ms(|| drop(ev.rotate(&ct, 1)), reps)
        );
        println!(
            "rotate_many(8)    {}",
            median_ms(|| drop(ev.rotate_many(&ct, &steps)), reps.min(5))
        );
    });
    Ok(())
}
