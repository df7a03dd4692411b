//! Tracer reports on real circuits: op counts, depth finder, per-input levels,
//! work/span/scheduling of the task graph, hoisted rotations.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lowdepth_toolkit::backends::{depth_finder, OpCounts, OpKind};
use lowdepth_toolkit::planner::{plan, CircuitProfile, PlannerConfig};
use lowdepth_toolkit::taskgraph::{
    proxy_cost, simulate, ExecutionSetting, TaskGraph, TaskKind, TaskShape,
};
use lowdepth_toolkit::{
    ops, EncodingUnit, EncryptedColVector, EncryptedMatrix, EncryptedObject, EncryptedRowVector,
    RotationKeys,
};

#[test]
fn matrix_col_vector_op_counts_are_pinned() {
    let eval = tracer_eval(16, 3, RotationKeys::All);
    let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
    // 6 x 5 under 4x4: a 2 x 2 grid.
    let m = EncryptedMatrix::encrypt(&eval, unit, 6, 5, &data(30, 1), 3).unwrap();
    let v = EncryptedColVector::encrypt(&eval, unit, &data(5, 2), 3).unwrap();
    let u = ops::matrix_col_vector(&eval, &m, &v, 1.0).unwrap();
    u.decrypt(&eval).unwrap();
    let r = eval.backend().report().unwrap();
    let want = OpCounts {
        encode: 1,      // the mask, shared by both vertical units
        encrypt: 6,     // 4 matrix units + 2 vector units
        decrypt: 2,     // the two row-vector ciphertexts
        ct_ct_mul: 4,   // one per unit
        relinearize: 2, // one per row of units (mul_sum adds the products first)
        ct_pt_mul: 2,   // mask per vertical unit
        rescale: 4,     // 2 x (product sum + mask)
        rotation: 8,    // 2 x (log2 w + log2 w)
        key_switch: 10, // 2 relinearizations + 8 rotations
        add_sub: 8,     // 2 x (2 + 2 rotate-and-adds); the product sums add inside mul_sum
        ..OpCounts::default()
    };
    assert_eq!(r.counts, want);
    assert_eq!(r.rotation_steps, vec![1, 2, 14, 15]);
    assert_eq!(r.max_depth, 2);
    assert_eq!(r.outputs.len(), 2);
}

#[test]
fn mul_sum_is_one_relinearization_after_independent_products() {
    let eval = tracer_eval(16, 3, RotationKeys::All);
    let x: Vec<_> = (0..3)
        .map(|i| eval.encrypt_canonical(&data(16, i), 3).unwrap())
        .collect();
    let pairs: Vec<_> = x.iter().map(|c| (c, c)).collect();
    let s = eval.mul_sum_rescale(&pairs).unwrap();
    eval.decrypt(&s).unwrap();
    let r = eval.backend().report().unwrap();
    assert_eq!(
        (
            r.counts.ct_ct_mul,
            r.counts.relinearize,
            r.counts.key_switch,
            r.counts.add_sub
        ),
        (3, 1, 1, 0)
    );
    assert_eq!(r.max_depth, 1);
    // Two accumulated products feed the relinearizing node: the critical path is
    // accumulate -> relinearize -> rescale -> decrypt, not a chain of three products.
    let nodes = eval.backend().nodes().unwrap();
    let relin = nodes.iter().position(|n| n.kind == OpKind::Mul).unwrap();
    assert_eq!(nodes[relin].inputs.len(), 2 + 2);
}

#[test]
fn depth_finder_measures_chained_products() {
    // Alternating products, as in logistic-regression training: u = Z v (depth 2), then
    // g = u^T Z (depth 1): 3 per round, with Z adjusted down to the vector's level.
    let eval = depth_finder(64, 200, 40).unwrap();
    let top = eval.max_level();
    let unit = EncodingUnit::try_new(8, 8, 64).unwrap();
    let z = EncryptedMatrix::encrypt(&eval, unit, 20, 10, &data(200, 1), top).unwrap();
    let mut v = EncryptedColVector::encrypt(&eval, unit, &data(10, 2), top).unwrap();
    for round in 1..=4 {
        let u = ops::matrix_col_vector(&eval, &z, &v, 1.0).unwrap();
        v = ops::row_vector_matrix(&eval, &u, &z).unwrap();
        assert_eq!(top - v.level(&eval), 3 * round);
    }
    v.decrypt(&eval).unwrap();
    assert_eq!(eval.backend().report().unwrap().max_depth, 12);
}

#[test]
fn inputs_at_chosen_levels() {
    // A minibatch encrypted where it is first used costs no extra depth.
    let eval = tracer_eval(16, 6, RotationKeys::All);
    let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
    let z1 = EncryptedMatrix::encrypt(&eval, unit, 4, 4, &data(16, 1), 6).unwrap();
    let v = EncryptedColVector::encrypt(&eval, unit, &data(4, 2), 6).unwrap();
    let u = ops::matrix_col_vector(&eval, &z1, &v, 1.0).unwrap(); // level 4
    let z2 = EncryptedMatrix::encrypt(&eval, unit, 4, 4, &data(16, 3), 4).unwrap();
    let g = ops::row_vector_matrix(&eval, &u, &z2).unwrap();
    assert_eq!(g.level(&eval), 3);
    assert_eq!(eval.backend().depth_of(&g.ciphertexts()[0]), 3);
    // z2's bytes are those of level-4 ciphertexts: fewer than at the top.
    assert!(z2.ciphertext_bytes(&eval) < z1.ciphertext_bytes(&eval));
}

#[test]
fn work_span_and_schedule_of_a_circuit() {
    let eval = tracer_eval(64, 4, RotationKeys::All);
    let unit = EncodingUnit::try_new(8, 8, 64).unwrap();
    let m = EncryptedMatrix::encrypt(&eval, unit, 32, 32, &data(1024, 1), 4).unwrap();
    let r = EncryptedRowVector::encrypt(&eval, unit, &data(32, 2), 4).unwrap();
    ops::row_vector_matrix(&eval, &r, &m).unwrap();
    let graph = TaskGraph::from_trace(&eval.backend().nodes().unwrap());
    // Unit costs (inputs are the customer's, free) make work and span task counts.
    let unit_cost =
        |s: &TaskShape, _cores: f64, _running: usize| f64::from(u8::from(s.kind.is_server_work()));
    let at = |p| simulate(&graph, ExecutionSetting::Paper, p, &unit_cost);
    let (one, four, many) = (at(1), at(4), at(1000));
    let server_tasks = graph
        .tasks
        .iter()
        .filter(|t| t.shape.kind.is_server_work())
        .count();
    assert_eq!(one.work, server_tasks as f64);
    assert_eq!(one.makespan, one.work);
    assert!(four.makespan < one.makespan);
    // Greedy list schedules stay within Brent's bound work / P + span.
    assert!(four.makespan <= four.work / 4.0 + four.span + 1e-9);
    assert!(four.makespan >= four.work / 4.0 && four.makespan >= four.span);
    assert_eq!(many.makespan, many.span);
    let mut last = f64::INFINITY;
    for p in 1..=8 {
        let m = at(p).makespan;
        assert!(m <= last + 1e-9, "makespan grew at {p} cores");
        last = m;
    }
    // Without intra-op speedup, the full setting is the paper setting.
    let full = simulate(&graph, ExecutionSetting::Full, 4, &unit_cost);
    assert_eq!(full.makespan, four.makespan);
    // 16 units: 4 column sums of 4 products (one mul_sum and rescale each) + 3 rot-adds.
    let counts = eval.backend().report().unwrap().counts;
    assert_eq!(counts.ct_ct_mul, 16);
    assert_eq!((counts.relinearize, counts.rescale), (4, 4));
    assert_eq!(counts.rotation, 12);
    assert_eq!(counts.add_sub, 4 * 3);
    // One task per relinearization: four mul_sums of four pairs.
    let mul_sums: Vec<_> = graph
        .tasks
        .iter()
        .filter(|t| t.shape.kind == TaskKind::MulSum)
        .map(|t| t.shape.fan)
        .collect();
    assert_eq!(mul_sums, vec![4; 4]);
    // The uncalibrated proxy scales with the primes; the critical path is part of the work.
    let proxy = |s: &TaskShape, _cores: f64, _running: usize| proxy_cost(s);
    let p2 = simulate(&graph, ExecutionSetting::Paper, 2, &proxy);
    assert!(p2.work > 0.0 && p2.span > 0.0 && p2.span <= p2.work);
    assert!(p2.makespan >= p2.span && p2.makespan <= p2.work + 1e-9);
}

#[test]
fn hoisted_rotations_count_one_key_switch() {
    let eval = tracer_eval(16, 1, RotationKeys::All);
    let a = eval.encrypt_canonical(&data(16, 1), 1).unwrap();
    let rs = eval.rotate_many(&a, &[1, 2, 3, 0]).unwrap();
    assert_eq!(rs.len(), 4);
    let c = eval.backend().report().unwrap().counts;
    assert_eq!((c.rotation, c.hoisted_rotation, c.key_switch), (3, 3, 1));
}

#[test]
fn planner_from_a_traced_circuit() {
    let eval = depth_finder(64, 200, 40).unwrap();
    let top = eval.max_level();
    let unit = EncodingUnit::try_new(8, 8, 64).unwrap();
    let z = EncryptedMatrix::encrypt(&eval, unit, 16, 8, &data(128, 1), top).unwrap();
    let v = EncryptedColVector::encrypt(&eval, unit, &data(8, 2), top).unwrap();
    ops::matrix_col_vector(&eval, &z, &v, 1.0)
        .unwrap()
        .decrypt(&eval)
        .unwrap();
    let report = eval.backend().report().unwrap();
    let profile = CircuitProfile::from_trace(&report, 64, 4);
    let req = plan(&profile, &PlannerConfig::default()).unwrap();
    assert_eq!(req.levels, 2);
    assert_eq!(req.first_prime_bits, 47);
    assert_eq!(req.rotation_steps, vec![1, 2, 4, 60, 62, 63]);
    // log Q = 47 + 2 * 40 = 127 > 109 (2^12). At 2^13 (218): dnum 1 needs 3 special
    // primes (277 bits), dnum 2 needs 2 (227), dnum 3 needs 1 (177 bits): dnum 3.
    assert_eq!(req.min_log_n, 13);
    assert_eq!((req.dnum, req.special_primes, req.log_qp), (3, 1, 177));
    // The plaintext backend supplies the value bound.
    let p = plain_eval(64, 2, RotationKeys::All);
    let z = EncryptedMatrix::encrypt(&p, unit, 16, 8, &vec![3.0; 128], 2).unwrap();
    let v = EncryptedColVector::encrypt(&p, unit, &[2.0; 8], 2).unwrap();
    ops::matrix_col_vector(&p, &z, &v, 1.0).unwrap();
    assert_eq!(p.backend().max_abs(), 48.0);
    assert_eq!(p.backend().max_value_bits(), 6);
}

#[test]
fn mnist_minibatch_shape_counts_and_values() {
    // 1024 x 256 under a 64 x 256 unit at 2^14 slots: 16 vertical units, 1 horizontal.
    use lowdepth_toolkit::workload::{ProductWorkload, MNIST_MINIBATCH};
    let (rows, cols) = MNIST_MINIBATCH;
    let slots = 1 << 14;
    let unit = EncodingUnit::with_width(256, slots).unwrap();
    let tr = tracer_eval(slots, 3, RotationKeys::All);
    let w = ProductWorkload::encrypt(&tr, unit, rows, cols, 3).unwrap();
    tr.backend().reset().unwrap();
    w.matrix_col_vector(&tr).unwrap();
    let c = tr.backend().report().unwrap().counts;
    assert_eq!((c.ct_ct_mul, c.ct_pt_mul, c.rescale), (16, 16, 32));
    assert_eq!(c.rotation, 16 * (8 + 8));
    assert_eq!(c.encode, 1);
    tr.backend().reset().unwrap();
    w.row_vector_matrix(&tr).unwrap();
    let c = tr.backend().report().unwrap().counts;
    // One mul_sum of the 16 vertical units (their adds inside it), 6 rotate-and-adds.
    assert_eq!(
        (c.ct_ct_mul, c.relinearize, c.rotation, c.add_sub),
        (16, 1, 6, 6)
    );
    // Bytes of the encrypted minibatch at the top level: 16 ciphertexts.
    let bytes = w.z.ciphertext_bytes(&tr);
    assert_eq!(bytes, 16 * tr.ciphertext_bytes(&w.z.ciphertexts()[0]));

    let p = plain_eval(slots, 3, RotationKeys::All);
    let w = ProductWorkload::encrypt(&p, unit, rows, cols, 3).unwrap();
    let z = lowdepth_toolkit::workload::pseudo_random(rows * cols, 1);
    let v = lowdepth_toolkit::workload::pseudo_random(cols, 2);
    let r = lowdepth_toolkit::workload::pseudo_random(rows, 3);
    assert_close(
        &w.matrix_col_vector(&p).unwrap().decrypt(&p).unwrap(),
        &matvec(&z, rows, cols, &v),
        "Z v",
    );
    assert_close(
        &w.row_vector_matrix(&p).unwrap().decrypt(&p).unwrap(),
        &vecmat(&r, &z, rows, cols),
        "r^T Z",
    );
}
