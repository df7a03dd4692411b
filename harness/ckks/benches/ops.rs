//! Per-operation micro-benchmarks at production sizes (128-bit presets), with 1 and 2
//! threads. Run: `cargo bench -p lowdepth-ckks --bench ops [-- <filter>]`,
//! e.g. `-- n15_l16/t1`.

use std::sync::Arc;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use lowdepth_ckks::*;

type Preset = fn() -> Result<CkksParameters>;

fn bench_ops(c: &mut Criterion) {
    let presets: [(&str, Preset); 3] = [
        ("n14_l7", CkksParameters::n14_l7_s40),
        ("n15_l16", CkksParameters::n15_l16_s40),
        ("n16_l30", CkksParameters::n16_l30_s40),
    ];
    let steps: Vec<i32> = (1..=8).collect();
    for (name, preset) in presets {
        // Skip the (expensive) key generation when a filter excludes this preset.
        let filter: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        if !filter.is_empty()
            && !filter
                .iter()
                .any(|f| name.contains(f.as_str()) || f.contains(name))
        {
            continue;
        }
        let Ok(params) = preset() else {
            eprintln!("{name}: preset failed");
            continue;
        };
        let mut kg = KeyGenerator::from_seed(&params, [1u8; 32]);
        let sk = kg.secret_key();
        let Ok(pk) = kg.public_key(&sk) else { continue };
        let Ok(rlk) = kg.relinearization_key(&sk) else {
            continue;
        };
        let Ok(gk) = kg.galois_keys(&sk, &steps, false) else {
            continue;
        };
        eprintln!(
            "{name}: N=2^{} L={} dnum={} alpha={} log2(QP)={:.1}; relin key {:.1} MB, one Galois key {:.1} MB (in memory, u64 residues)",
            params.log_n(),
            params.max_level(),
            params.dnum(),
            params.alpha(),
            params.log_qp(),
            rlk.memory_bytes() as f64 / 1e6,
            gk.memory_bytes_per_key() as f64 / 1e6
        );
        eprintln!(
            "{name}: serialized: relin key {:.1} MB, {} Galois keys {:.1} MB",
            rlk.serialized_size(&params) as f64 / 1e6,
            gk.galois_elements().len(),
            gk.serialized_size(&params) as f64 / 1e6
        );
        let Ok(enc) = Encryptor::from_seed(&params, pk, [2u8; 32]) else {
            continue;
        };
        let ecd = Encoder::new(&params);
        let Ok(ev) = Evaluator::new(&params, Some(Arc::new(rlk)), Some(Arc::new(gk))) else {
            continue;
        };
        let top = params.max_level();
        let scale = params.canonical_scale(top).unwrap_or(1.0);
        let vals: Vec<f64> = (0..params.slots())
            .map(|i| (i as f64 * 0.37).sin())
            .collect();
        let Ok(pt) = ecd.encode(&vals, top, scale) else {
            continue;
        };
        let Ok(ct) = enc.encrypt(&pt) else { continue };
        let Ok(prod) = ev.mul(&ct, &ct) else { continue };
        for threads in [1usize, 2] {
            let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
                continue;
            };
            let mut g = c.benchmark_group(format!("{name}/t{threads}"));
            g.sample_size(10)
                .warm_up_time(Duration::from_millis(200))
                .measurement_time(Duration::from_secs(1));
            g.bench_function("encode", |b| {
                b.iter(|| pool.install(|| black_box(ecd.encode(&vals, top, scale))))
            });
            g.bench_function("encrypt", |b| {
                b.iter(|| pool.install(|| black_box(enc.encrypt(&pt))))
            });
            g.bench_function("add", |b| {
                b.iter(|| pool.install(|| black_box(ev.add(&ct, &ct))))
            });
            g.bench_function("rescale", |b| {
                b.iter(|| pool.install(|| black_box(ev.rescale(&prod))))
            });
            g.bench_function("mul_relin_rescale", |b| {
                b.iter(|| pool.install(|| black_box(ev.mul(&ct, &ct).and_then(|m| ev.rescale(&m)))))
            });
            g.bench_function("rotate", |b| {
                b.iter(|| pool.install(|| black_box(ev.rotate(&ct, 1))))
            });
            g.bench_function("rotate_hoisted_8", |b| {
                b.iter(|| pool.install(|| black_box(ev.rotate_many(&ct, &steps))))
            });
            g.finish();
        }
    }
}

criterion_group!(benches, bench_ops);
criterion_main!(benches);
