//! Our engine (lowdepth-ckks) on one preset, through its public API only.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use lowdepth_ckks::{CkksParameters, Decryptor, Encoder, Encryptor, Evaluator, KeyGenerator};

/// Warm-up calls before each timed op (as peer_protocol.py's WARMUP).
const WARMUP: usize = 2;

pub fn preset_params(name: &str) -> Result<CkksParameters> {
    Ok(match name {
        "n14" => CkksParameters::n14_l7_s40()?,
        "n15" => CkksParameters::n15_l16_s40()?,
        "n16" => CkksParameters::n16_l30_s40()?,
        other => bail!("unknown preset {other:?} (n14, n15 or n16)"),
    })
}

/// Cheap ops (rescale) get more samples, as in peer_protocol.py's light_reps.
pub fn light_reps(reps: usize) -> usize {
    (3 * reps).max(31)
}

/// Keys and operands of one preset, set up once and reused by every round.
pub struct Ours {
    pub params: CkksParameters,
    evaluator: Evaluator,
    ct: lowdepth_ckks::Ciphertext,
    ct2: lowdepth_ckks::Ciphertext,
    relined: lowdepth_ckks::Ciphertext,
    pub meta: serde_json::Value,
}

impl Ours {
    /// Generates keys and operands and checks mul+relin+rescale and rotate by decrypting.
    pub fn new(name: &str) -> Result<Self> {
        let params = preset_params(name)?;
        let t0 = Instant::now();
        let mut kg = KeyGenerator::new(&params);
        let sk = kg.secret_key();
        let pk = kg.public_key(&sk)?;
        let rlk = kg.relinearization_key(&sk)?;
        let gk = kg.galois_keys(&sk, &[1], false)?;
        let keygen_s = t0.elapsed().as_secs_f64();
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
        let ct = encryptor.encrypt(&encoder.encode(&vals, top, scale)?)?;
        let ct2 = encryptor.encrypt(&encoder.encode(&vals2, top, scale)?)?;

        // Same check as the peers, before any timing.
        let dec = Decryptor::new(&sk);
        let max_err = |got: &[f64], want: &dyn Fn(usize) -> f64| {
            (0..slots)
                .step_by(97)
                .map(|i| (got[i] - want(i)).abs())
                .fold(0.0, f64::max)
        };
        let prod = evaluator.rescale(&evaluator.mul(&ct, &ct2)?)?;
        let mul_err = max_err(&encoder.decode(&dec.decrypt(&prod)?)?, &|i| {
            vals[i] * vals2[i]
        });
        let rot = evaluator.rotate(&ct, 1)?;
        let rot_err = max_err(&encoder.decode(&dec.decrypt(&rot)?)?, &|i| {
            vals[(i + 1) % slots]
        });
        if !(mul_err < 1e-3 && rot_err < 1e-3) {
            bail!(
                "our engine failed the correctness check on {name}: {mul_err:.2e}, {rot_err:.2e}"
            );
        }
        let relined = evaluator.mul(&ct, &ct2)?;
        let meta = serde_json::json!({
            "kind": "meta",
            "impl": "lowdepth",
            "preset": name,
            "log_n": params.log_n(),
            "levels": top,
            "q_moduli": params.moduli(),
            "p_moduli": params.special_moduli(),
            "log2_qp": (params.log_qp() * 100.0).round() / 100.0,
            "special_primes": params.special_moduli().len(),
            "dnum": params.dnum(),
            "scale_log2": scale.log2(),
            "keygen_s": (keygen_s * 1000.0).round() / 1000.0,
            "check_mul_relin_rescale_max_err": mul_err,
            "check_rotate_max_err": rot_err,
        });
        Ok(Self {
            params,
            evaluator,
            ct,
            ct2,
            relined,
            meta,
        })
    }

    /// One round of the peer ops inside `pool`, in order.
    pub fn round(&self, pool: &rayon::ThreadPool, reps: usize) -> Result<Vec<Timed>> {
        let (ev, ct, ct2, relined) = (&self.evaluator, &self.ct, &self.ct2, &self.relined);
        pool.install(|| {
            Ok(vec![
                time_op("mul_relin_rescale", reps, || {
                    ev.rescale(&ev.mul(ct, ct2)?)?;
                    Ok(())
                })?,
                time_op("rotate", reps, || {
                    ev.rotate(ct, 1)?;
                    Ok(())
                })?,
                time_op("rescale", light_reps(reps), || {
                    ev.rescale(relined)?;
                    Ok(())
                })?,
            ])
        })
    }
}

/// One op's samples (ms): wall clock and this process's CPU time (all threads).
#[derive(Debug)]
pub struct Timed {
    pub op: String,
    pub wall: Vec<f64>,
    pub cpu: Vec<f64>,
}

/// CPU time of this process in ms (CLOCK_PROCESS_CPUTIME_ID, as Python's
/// `time.process_time_ns` on the peers' side): the rayon workers' time included, the time
/// spent waiting for a core on a shared machine excluded.
fn process_cpu_ms() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

fn time_op(
    name: &str,
    reps: usize,
    mut f: impl FnMut() -> lowdepth_ckks::Result<()>,
) -> Result<Timed> {
    for _ in 0..WARMUP {
        f()?;
    }
    let mut wall = Vec::with_capacity(reps);
    let mut cpu = Vec::with_capacity(reps);
    for _ in 0..reps {
        let c0 = process_cpu_ms();
        let t0 = Instant::now();
        f()?;
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
        cpu.push(process_cpu_ms() - c0);
    }
    Ok(Timed {
        op: name.to_string(),
        wall,
        cpu,
    })
}
