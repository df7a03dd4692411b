//! Prints a SHA-256 digest of every evaluator operation's output on fixed seeds, so that
//! engine changes can be checked bit-for-bit against an earlier build.
//! `cargo run -p lowdepth-ckks --release --example op_digest -- n12 2`

use std::sync::Arc;

use lowdepth_ckks::*;
use sha2::{Digest, Sha256};

fn digest(params: &CkksParameters, cts: &[Ciphertext]) -> Result<String> {
    let mut h = Sha256::new();
    for ct in cts {
        h.update(ct.to_bytes(params)?);
    }
    Ok(h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("n12", String::as_str);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let params = match preset {
        "n15" => CkksParameters::n15_l16_s40()?,
        "n10" => CkksParameters::insecure_test_n10_l4()?,
        _ => CkksParameters::insecure_test_n12_l15()?,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CkksError::InvalidParameter {
            name: "threads",
            reason: e.to_string(),
        })?;
    let mut kg = KeyGenerator::from_seed(&params, [7u8; 32]);
    let sk = kg.secret_key();
    let pk = kg.public_key(&sk)?;
    let rlk = kg.relinearization_key(&sk)?;
    let steps = [1, 2, 3, -1];
    let gk = kg.galois_keys(&sk, &steps, true)?;
    let enc = Encryptor::from_seed(&params, pk, [8u8; 32])?;
    let ecd = Encoder::new(&params);
    let ev = Evaluator::new(&params, Some(Arc::new(rlk)), Some(Arc::new(gk)))?;
    let top = params.max_level();
    let scale = params.canonical_scale(top).unwrap_or(1.0);
    let vals = |k: f64| -> Vec<f64> { (0..params.slots()).map(|i| (i as f64 * k).sin()).collect() };
    let pt = ecd.encode(&vals(0.37), top, scale)?;
    let a = enc.encrypt(&pt)?;
    let b = enc.encrypt(&ecd.encode(&vals(0.11), top, scale)?)?;
    let c = enc.encrypt(&ecd.encode(&vals(0.53), top, scale)?)?;
    pool.install(|| -> Result<()> {
        let p = &params;
        let rows: Vec<(&str, Vec<Ciphertext>)> = vec![
            ("add", vec![ev.add(&a, &b)?]),
            ("sub", vec![ev.sub(&a, &b)?]),
            ("negate", vec![ev.negate(&a)?]),
            ("add_plain", vec![ev.add_plain(&a, &pt)?]),
            ("sub_plain", vec![ev.sub_plain(&a, &pt)?]),
            ("mul_plain", vec![ev.mul_plain(&a, &pt)?]),
            ("mul_const", vec![ev.mul_const(&a, -0.75, scale)?]),
            ("mul_int", vec![ev.mul_int(&a, -3)?]),
            ("drop_to_level", vec![ev.drop_to_level(&a, top - 2)?]),
            ("mul", vec![ev.mul(&a, &b)?]),
            ("square", vec![ev.square(&a)?]),
            (
                "mul_sum",
                vec![ev.mul_sum(&[(&a, &b), (&b, &c), (&c, &a)])?],
            ),
            ("rescale", vec![ev.rescale(&ev.mul(&a, &b)?)?]),
            ("rotate", vec![ev.rotate(&a, 1)?, ev.rotate(&b, -1)?]),
            ("rotate_many", ev.rotate_many(&a, &[0, 1, 2, 3, -1])?),
            ("conjugate", vec![ev.conjugate(&a)?]),
            ("clone", vec![a.clone()]),
        ];
        for (name, cts) in rows {
            println!("{name:14} {}", digest(p, &cts)?);
        }
        Ok(())
    })
}
