//! Matrix × column vector and row vector × matrix at the MNIST minibatch shape
//! (1024 × 256) under the plaintext backend with 2^14 slots (unit 64 × 256).
//!
//! Hook for CKKS: `harness/toolkit-ckks` builds `Evaluator<CkksBackend>` and calls
//! `bench_products` (copy this function, or the same `ProductWorkload` calls) with it.

use criterion::{criterion_group, criterion_main, Criterion};
use lowdepth_toolkit::backends::{PlaintextBackend, PlaintextParams};
use lowdepth_toolkit::scale::simulation_moduli;
use lowdepth_toolkit::workload::{ProductWorkload, MNIST_MINIBATCH};
use lowdepth_toolkit::{Backend, EncodingUnit, Evaluator, RingDegree, RotationKeys};

const LOG_SLOTS: u32 = 14;

fn bench_products<B: Backend>(c: &mut Criterion, backend_name: &str, eval: &Evaluator<B>) {
    let (rows, cols) = MNIST_MINIBATCH;
    let slots = eval.slots();
    let Ok(unit) = EncodingUnit::with_width(cols.min(slots), slots) else {
        return;
    };
    let Ok(w) = ProductWorkload::encrypt(eval, unit, rows, cols, eval.max_level()) else {
        return;
    };
    let mut group = c.benchmark_group(format!("{backend_name}/{rows}x{cols}"));
    group.sample_size(20);
    group.bench_function("matrix_col_vector", |b| {
        b.iter(|| {
            w.matrix_col_vector(eval)
                .map(|r| r.into_ciphertexts().len())
        })
    });
    group.bench_function("row_vector_matrix", |b| {
        b.iter(|| {
            w.row_vector_matrix(eval)
                .map(|r| r.into_ciphertexts().len())
        })
    });
    group.finish();
}

fn plaintext(c: &mut Criterion) {
    let slots = 1usize << LOG_SLOTS;
    let ring_degree = RingDegree::for_slots(slots);
    let backend = PlaintextBackend::try_new(PlaintextParams {
        slots,
        ring_degree,
        moduli: simulation_moduli(3, 40, 60, ring_degree),
        rotation_keys: RotationKeys::All,
    });
    let Ok(eval) = backend.and_then(|b| Evaluator::new(b, 40)) else {
        return;
    };
    bench_products(c, "plaintext", &eval);
}

criterion_group!(benches, plaintext);
criterion_main!(benches);
