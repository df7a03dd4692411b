//! Matrix × column vector (depth 2) and row vector × matrix (depth 1) at the MNIST
//! minibatch shape (1024 × 256, unit 64 × 256) under CKKS with the 128-bit preset
//! `n15_l16_s40` (N = 2^15, 16 levels, dnum 6), inputs at the top level, 1 and 2 threads.
//! Galois keys: exactly the steps the two products use (traced).
//!
//! `cargo bench -p lowdepth-toolkit-ckks --bench linalg_ckks`

use criterion::{criterion_group, criterion_main, Criterion};
use lowdepth_ckks::CkksParameters;
use lowdepth_toolkit::backends::depth_finder;
use lowdepth_toolkit::workload::{ProductWorkload, MNIST_MINIBATCH};
use lowdepth_toolkit::{Backend, EncodingUnit, Evaluator};
use lowdepth_toolkit_ckks::CkksSetup;

fn traced_steps(slots: usize, unit: EncodingUnit) -> Option<Vec<usize>> {
    let (rows, cols) = MNIST_MINIBATCH;
    let tr = depth_finder(slots, 20, 40).ok()?;
    let w = ProductWorkload::encrypt(&tr, unit, rows, cols, tr.max_level()).ok()?;
    w.matrix_col_vector(&tr).ok()?;
    w.row_vector_matrix(&tr).ok()?;
    Some(tr.backend().report().ok()?.rotation_steps)
}

fn bench_products<B: Backend>(
    c: &mut Criterion,
    name: &str,
    eval: &Evaluator<B>,
    unit: EncodingUnit,
) {
    let (rows, cols) = MNIST_MINIBATCH;
    let Ok(w) = ProductWorkload::encrypt(eval, unit, rows, cols, eval.max_level()) else {
        eprintln!("cannot encrypt the workload");
        return;
    };
    for threads in [1usize, 2] {
        let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
            return;
        };
        let mut group = c.benchmark_group(format!("{name}/{rows}x{cols}/t{threads}"));
        group.sample_size(10);
        group.bench_function("matrix_col_vector", |b| {
            pool.install(|| {
                b.iter(|| {
                    w.matrix_col_vector(eval)
                        .map(|r| r.into_ciphertexts().len())
                })
            })
        });
        group.bench_function("row_vector_matrix", |b| {
            pool.install(|| {
                b.iter(|| {
                    w.row_vector_matrix(eval)
                        .map(|r| r.into_ciphertexts().len())
                })
            })
        });
        group.finish();
    }
}

fn ckks(c: &mut Criterion) {
    let Ok(params) = CkksParameters::n15_l16_s40() else {
        eprintln!("preset n15_l16_s40 unavailable");
        return;
    };
    let slots = params.slots();
    let Ok(unit) = EncodingUnit::with_width(MNIST_MINIBATCH.1, slots) else {
        return;
    };
    let Some(steps) = traced_steps(slots, unit) else {
        eprintln!("tracing failed");
        return;
    };
    let setup = CkksSetup::from_spec(*params.spec(), &steps, Some(1));
    let Ok((backend, report)) = setup else {
        eprintln!("key generation failed: {:?}", setup.err());
        return;
    };
    eprintln!(
        "n15_l16_s40: {} Galois keys (steps {:?}), keygen {:.1} s, eval keys {:.1} MiB",
        report.galois_keys,
        report.rotation_steps,
        report.keygen_wall_s,
        report.eval_key_bytes as f64 / f64::from(1u32 << 20)
    );
    let Ok(eval) = backend.into_evaluator() else {
        return;
    };
    bench_products(c, "ckks_n15_l16", &eval, unit);
}

criterion_group!(benches, ckks);
criterion_main!(benches);
