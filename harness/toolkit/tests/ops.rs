//! Every operation under the plaintext backend (against f64 references) and the tracer
//! (depth table), on odd shapes and several units.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lowdepth_toolkit::dataflow::{Dataflow, DataflowOptions, ExecutionSetting};
use lowdepth_toolkit::ops;
use lowdepth_toolkit::taskgraph::TaskGraph;
use lowdepth_toolkit::{
    Backend, EncodingUnit, EncryptedColVector, EncryptedMatrix, EncryptedObject,
    EncryptedRowVector, Evaluator, Result, RotationKeys,
};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Negate,
    AddPlain,
    AddScalar,
    MulInt,
    MulScalar,
    MulPlain,
    HadamardMatrix,
    HadamardRowVectors,
    HadamardColVectors,
    HadamardRowMatrix,
    HadamardMatrixCol,
    SumRows,
    SumCols,
    MatrixColVector,
    RowVectorMatrix,
    TransposeMatrixMatrix,
    MatrixMatrixTranspose,
}

const ALL_OPS: [Op; 19] = [
    Op::Add,
    Op::Sub,
    Op::Negate,
    Op::AddPlain,
    Op::AddScalar,
    Op::MulInt,
    Op::MulScalar,
    Op::MulPlain,
    Op::HadamardMatrix,
    Op::HadamardRowVectors,
    Op::HadamardColVectors,
    Op::HadamardRowMatrix,
    Op::HadamardMatrixCol,
    Op::SumRows,
    Op::SumCols,
    Op::MatrixColVector,
    Op::RowVectorMatrix,
    Op::TransposeMatrixMatrix,
    Op::MatrixMatrixTranspose,
];

/// The depth table of docs/design.md section 4.
fn expected_depth(op: Op) -> usize {
    match op {
        Op::Add | Op::Sub | Op::Negate | Op::AddPlain | Op::AddScalar | Op::MulInt => 0,
        Op::MulScalar | Op::MulPlain => 1,
        Op::HadamardMatrix
        | Op::HadamardRowVectors
        | Op::HadamardColVectors
        | Op::HadamardRowMatrix
        | Op::HadamardMatrixCol => 1,
        Op::SumRows => 0,
        Op::SumCols => 1,
        Op::MatrixColVector => 2,
        Op::RowVectorMatrix => 1,
        Op::TransposeMatrixMatrix | Op::MatrixMatrixTranspose => 3,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Case {
    h: usize,
    w: usize,
    rows: usize,
    cols: usize,
}

struct Inputs {
    m: Vec<f64>,
    n: Vec<f64>,
    r: Vec<f64>,
    r2: Vec<f64>,
    c: Vec<f64>,
    c2: Vec<f64>,
}

const SCALAR: f64 = 0.75;

fn inputs(case: Case) -> Inputs {
    Inputs {
        m: data(case.rows * case.cols, 1),
        n: data(case.rows * case.cols, 2),
        r: data(case.rows, 3),
        r2: data(case.rows, 4),
        c: data(case.cols, 5),
        c2: data(case.cols, 6),
    }
}

fn reference(op: Op, case: Case, x: &Inputs) -> Vec<f64> {
    let (rows, cols) = (case.rows, case.cols);
    let zip = |a: &[f64], b: &[f64], f: fn(f64, f64) -> f64| -> Vec<f64> {
        a.iter().zip(b).map(|(p, q)| f(*p, *q)).collect()
    };
    match op {
        Op::Add => zip(&x.m, &x.n, |a, b| a + b),
        Op::Sub => zip(&x.m, &x.n, |a, b| a - b),
        Op::Negate => x.m.iter().map(|a| -a).collect(),
        Op::AddPlain => zip(&x.m, &x.n, |a, b| a + b),
        Op::AddScalar => x.m.iter().map(|a| a + SCALAR).collect(),
        Op::MulInt => x.m.iter().map(|a| a * -3.0).collect(),
        Op::MulScalar => x.m.iter().map(|a| a * SCALAR).collect(),
        Op::MulPlain | Op::HadamardMatrix => zip(&x.m, &x.n, |a, b| a * b),
        Op::HadamardRowVectors => zip(&x.r, &x.r2, |a, b| a * b),
        Op::HadamardColVectors => zip(&x.c, &x.c2, |a, b| a * b),
        Op::HadamardRowMatrix => (0..rows * cols).map(|k| x.m[k] * x.r[k / cols]).collect(),
        Op::HadamardMatrixCol => (0..rows * cols).map(|k| x.m[k] * x.c[k % cols]).collect(),
        Op::SumRows => col_sums(&x.m, rows, cols),
        Op::SumCols => row_sums(&x.m, rows, cols)
            .iter()
            .map(|s| s * SCALAR)
            .collect(),
        Op::MatrixColVector => matvec(&x.m, rows, cols, &x.c),
        Op::RowVectorMatrix => vecmat(&x.r, &x.m, rows, cols),
        Op::TransposeMatrixMatrix => at_b(&x.m, &x.n, rows, cols, cols),
        Op::MatrixMatrixTranspose => a_bt(&x.m, &x.n, rows, cols, rows),
    }
}

/// Runs `op` with all inputs at the top level; returns the decrypted output and its level.
fn run<B: Backend>(
    eval: &Evaluator<B>,
    op: Op,
    case: Case,
    x: &Inputs,
) -> Result<(Vec<f64>, usize)> {
    let unit = EncodingUnit::try_new(case.h, case.w, eval.slots())?;
    let top = eval.max_level();
    let m = EncryptedMatrix::encrypt(eval, unit, case.rows, case.cols, &x.m, top)?;
    let n = EncryptedMatrix::encrypt(eval, unit, case.rows, case.cols, &x.n, top)?;
    let r = EncryptedRowVector::encrypt(eval, unit, &x.r, top)?;
    let r2 = EncryptedRowVector::encrypt(eval, unit, &x.r2, top)?;
    let c = EncryptedColVector::encrypt(eval, unit, &x.c, top)?;
    let c2 = EncryptedColVector::encrypt(eval, unit, &x.c2, top)?;
    fn out<B: Backend, T: EncryptedObject<B>>(
        eval: &Evaluator<B>,
        t: T,
    ) -> Result<(Vec<f64>, usize)> {
        Ok((t.decrypt(eval)?, t.level(eval)))
    }
    match op {
        Op::Add => out(eval, ops::add(eval, &m, &n)?),
        Op::Sub => out(eval, ops::sub(eval, &m, &n)?),
        Op::Negate => out(eval, ops::negate(eval, &m)?),
        Op::AddPlain => out(eval, ops::add_plain(eval, &m, &x.n)?),
        Op::AddScalar => out(eval, ops::add_scalar(eval, &m, SCALAR)?),
        Op::MulInt => out(eval, ops::mul_int(eval, &m, -3)?),
        Op::MulScalar => out(eval, ops::mul_scalar(eval, &m, SCALAR)?),
        Op::MulPlain => out(eval, ops::mul_plain(eval, &m, &x.n)?),
        Op::HadamardMatrix => out(eval, ops::hadamard(eval, &m, &n)?),
        Op::HadamardRowVectors => out(eval, ops::hadamard(eval, &r, &r2)?),
        Op::HadamardColVectors => out(eval, ops::hadamard(eval, &c, &c2)?),
        Op::HadamardRowMatrix => out(eval, ops::hadamard_row_matrix(eval, &r, &m)?),
        Op::HadamardMatrixCol => out(eval, ops::hadamard_matrix_col(eval, &m, &c)?),
        Op::SumRows => out(eval, ops::sum_rows(eval, &m)?),
        Op::SumCols => out(eval, ops::sum_cols(eval, &m, SCALAR)?),
        Op::MatrixColVector => out(eval, ops::matrix_col_vector(eval, &m, &c, 1.0)?),
        Op::RowVectorMatrix => out(eval, ops::row_vector_matrix(eval, &r, &m)?),
        Op::TransposeMatrixMatrix => out(eval, ops::transpose_matrix_matrix(eval, &m, &n)?),
        Op::MatrixMatrixTranspose => out(eval, ops::matrix_matrix_transpose(eval, &m, &n)?),
    }
}

const CASES_16: [Case; 6] = [
    Case {
        h: 4,
        w: 4,
        rows: 5,
        cols: 3,
    },
    Case {
        h: 4,
        w: 4,
        rows: 1,
        cols: 7,
    },
    Case {
        h: 2,
        w: 8,
        rows: 13,
        cols: 20,
    },
    Case {
        h: 8,
        w: 2,
        rows: 9,
        cols: 5,
    },
    Case {
        h: 1,
        w: 16,
        rows: 3,
        cols: 17,
    },
    Case {
        h: 16,
        w: 1,
        rows: 17,
        cols: 2,
    },
];

const CASES_64: [Case; 3] = [
    Case {
        h: 8,
        w: 8,
        rows: 16,
        cols: 8,
    },
    Case {
        h: 4,
        w: 16,
        rows: 11,
        cols: 37,
    },
    Case {
        h: 16,
        w: 4,
        rows: 33,
        cols: 9,
    },
];

#[test]
fn plaintext_backend_matches_f64_reference() {
    for (slots, cases) in [(16usize, &CASES_16[..]), (64, &CASES_64[..])] {
        let eval = plain_eval(slots, 5, RotationKeys::All);
        for &case in cases {
            let x = inputs(case);
            for op in ALL_OPS {
                let (got, level) =
                    run(&eval, op, case, &x).unwrap_or_else(|e| panic!("{op:?} {case:?}: {e}"));
                assert_close(&got, &reference(op, case, &x), &format!("{op:?} {case:?}"));
                assert_eq!(level, 5 - expected_depth(op), "{op:?} {case:?}");
            }
        }
    }
}

#[test]
fn tracer_reproduces_the_depth_table() {
    for &case in CASES_16.iter().chain(CASES_64.iter()) {
        let slots = case.h * case.w;
        let x = inputs(case);
        for op in ALL_OPS {
            let eval = tracer_eval(slots, 6, RotationKeys::All);
            let (_, level) = run(&eval, op, case, &x).unwrap();
            assert_eq!(6 - level, expected_depth(op), "{op:?} {case:?}");
            let report = eval.backend().report().unwrap();
            assert_eq!(report.max_depth, expected_depth(op), "{op:?} {case:?}");
        }
    }
}

#[test]
fn results_stay_at_canonical_scale() {
    let eval = plain_eval(16, 5, RotationKeys::All);
    let case = CASES_16[2];
    let x = inputs(case);
    let unit = EncodingUnit::try_new(case.h, case.w, 16).unwrap();
    let m = EncryptedMatrix::encrypt(&eval, unit, case.rows, case.cols, &x.m, 5).unwrap();
    let c = EncryptedColVector::encrypt(&eval, unit, &x.c, 5).unwrap();
    let u = ops::matrix_col_vector(&eval, &m, &c, 1.0).unwrap();
    assert_eq!(u.level(&eval), 3);
    let delta = eval.canonical_scale(3).unwrap();
    assert!((u.scale(&eval) - delta).abs() <= 1e-9 * delta);
    // and feeds straight into the other product (row vector x matrix)
    let m3 = ops::adjust_level(&eval, &m, 3).unwrap();
    let g = ops::row_vector_matrix(&eval, &u, &m3).unwrap();
    let want = vecmat(
        &matvec(&x.m, case.rows, case.cols, &x.c),
        &x.m,
        case.rows,
        case.cols,
    );
    assert_close(&g.decrypt(&eval).unwrap(), &want, "Mᵀ(Mv)");
    assert_eq!(g.level(&eval), 2);
}

#[test]
fn operands_at_different_levels_are_aligned() {
    let eval = plain_eval(16, 5, RotationKeys::All);
    let case = CASES_16[0];
    let x = inputs(case);
    let unit = EncodingUnit::try_new(case.h, case.w, 16).unwrap();
    let m = EncryptedMatrix::encrypt(&eval, unit, case.rows, case.cols, &x.m, 5).unwrap();
    let n = EncryptedMatrix::encrypt(&eval, unit, case.rows, case.cols, &x.n, 2).unwrap();
    let s = ops::add(&eval, &m, &n).unwrap();
    assert_eq!(s.level(&eval), 2);
    assert_close(
        &s.decrypt(&eval).unwrap(),
        &reference(Op::Add, case, &x),
        "add",
    );
    let h = ops::hadamard(&eval, &n, &m).unwrap();
    assert_eq!(h.level(&eval), 1);
    assert_close(
        &h.decrypt(&eval).unwrap(),
        &reference(Op::HadamardMatrix, case, &x),
        "had",
    );
}

#[test]
fn byte_counts_follow_the_ckks_formula() {
    let eval = plain_eval(16, 3, RotationKeys::All);
    let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
    let m = EncryptedMatrix::encrypt(&eval, unit, 5, 9, &data(45, 9), 3).unwrap();
    // 2 x 3 units, N = 32, moduli 60 + 3 x 41 bits (scaling moduli just above 2^40).
    let bits: u64 = eval
        .schedule()
        .moduli()
        .iter()
        .map(|&q| u64::from(64 - q.leading_zeros()))
        .sum();
    assert_eq!(m.ciphertext_bytes(&eval), 6 * (2 * 32 * bits / 8));
}

#[test]
fn shape_mismatches_are_errors() {
    let eval = plain_eval(16, 3, RotationKeys::All);
    let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
    let m = EncryptedMatrix::encrypt(&eval, unit, 5, 3, &data(15, 1), 3).unwrap();
    let n = EncryptedMatrix::encrypt(&eval, unit, 3, 5, &data(15, 1), 3).unwrap();
    let c = EncryptedColVector::encrypt(&eval, unit, &data(4, 1), 3).unwrap();
    assert!(ops::add(&eval, &m, &n).is_err());
    assert!(ops::hadamard_matrix_col(&eval, &m, &c).is_err());
    assert!(ops::add_plain(&eval, &m, &[1.0; 4]).is_err());
    assert!(EncryptedMatrix::encrypt(&eval, unit, 5, 3, &data(14, 1), 3).is_err());
    let other = EncodingUnit::try_new(2, 8, 16).unwrap();
    let r = EncryptedRowVector::encrypt(&eval, other, &data(5, 1), 3).unwrap();
    assert!(ops::hadamard_row_matrix(&eval, &r, &m).is_err());
    let bad = EncodingUnit::try_new(8, 8, 64).unwrap();
    assert!(EncryptedRowVector::encrypt(&eval, bad, &data(5, 1), 3).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random units and shapes: both products and both reductions equal the f64
    /// reference, and land at the table's level.
    #[test]
    fn products_on_random_shapes(
        log_h in 0u32..=4,
        log_w in 0u32..=4,
        rows in 1usize..40,
        cols in 1usize..40,
    ) {
        let (h, w) = (1usize << log_h, 1usize << log_w);
        let case = Case { h, w, rows, cols };
        let eval = plain_eval(h * w, 3, RotationKeys::All);
        let x = inputs(case);
        for op in [Op::MatrixColVector, Op::RowVectorMatrix, Op::SumRows, Op::SumCols, Op::HadamardRowMatrix] {
            let (got, level) = run(&eval, op, case, &x).unwrap();
            assert_close(&got, &reference(op, case, &x), &format!("{op:?} {case:?}"));
            prop_assert_eq!(level, 3 - expected_depth(op));
        }
    }
}

// ------------------------------------------------------------------ dataflow execution

/// A dataflow backend over the plaintext simulation (same moduli as `plain_eval`).
fn dataflow_eval(
    slots: usize,
    levels: usize,
    options: DataflowOptions,
) -> Evaluator<Dataflow<lowdepth_toolkit::backends::PlaintextBackend>> {
    let plain = plain_eval(slots, levels, RotationKeys::All).into_backend();
    Evaluator::new(Dataflow::new(plain, None, options), LOG_SCALE).unwrap()
}

#[test]
fn dataflow_execution_gives_identical_values_on_every_op() {
    for (slots, cases) in [(16usize, &CASES_16[..]), (64, &CASES_64[..])] {
        let eager = plain_eval(slots, 5, RotationKeys::All);
        for &case in cases {
            let x = inputs(case);
            for op in ALL_OPS {
                let want = run(&eager, op, case, &x).unwrap();
                for setting in ExecutionSetting::ALL {
                    for threads in [1, 3] {
                        let options = DataflowOptions {
                            setting,
                            threads: Some(threads),
                            ..DataflowOptions::default()
                        };
                        let eval = dataflow_eval(slots, 5, options);
                        let got = run(&eval, op, case, &x).unwrap();
                        let what = format!("{op:?} {case:?} {setting} {threads} threads");
                        assert_eq!(got.1, want.1, "{what}: level");
                        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(&got.0), bits(&want.0), "{what}: values");
                    }
                }
            }
        }
    }
}

#[test]
fn dataflow_records_the_graph_the_tracer_traces() {
    // Recorded on one thread, both backends see the calls in the same order.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for &case in CASES_16.iter().chain(CASES_64.iter()) {
        let slots = if CASES_16.contains(&case) { 16 } else { 64 };
        let x = inputs(case);
        for op in ALL_OPS {
            let tracer = tracer_eval(slots, 5, RotationKeys::All);
            let flow = dataflow_eval(slots, 5, DataflowOptions::default());
            one.install(|| {
                run(&tracer, op, case, &x).unwrap();
                run(&flow, op, case, &x).unwrap();
            });
            let traced = TaskGraph::from_trace(&tracer.backend().nodes().unwrap());
            assert_eq!(flow.backend().graph().unwrap(), traced, "{op:?} {case:?}");
        }
    }
}

#[test]
fn a_zero_memory_budget_runs_one_task_at_a_time_with_the_same_values() {
    let case = CASES_64[1];
    let x = inputs(case);
    let eager = run(
        &plain_eval(64, 5, RotationKeys::All),
        Op::TransposeMatrixMatrix,
        case,
        &x,
    )
    .unwrap();
    let eval = dataflow_eval(
        64,
        5,
        DataflowOptions {
            threads: Some(3),
            memory_budget_bytes: 0,
            ..DataflowOptions::default()
        },
    );
    let unit = EncodingUnit::try_new(case.h, case.w, 64).unwrap();
    let top = eval.max_level();
    let m = EncryptedMatrix::encrypt(&eval, unit, case.rows, case.cols, &x.m, top).unwrap();
    let n = EncryptedMatrix::encrypt(&eval, unit, case.rows, case.cols, &x.n, top).unwrap();
    let p = ops::transpose_matrix_matrix(&eval, &m, &n).unwrap();
    let report = eval.backend().execute().unwrap();
    assert_eq!(report.peak_running, 1);
    assert!(report.memory_waits > 0);
    assert!(report.tasks > 10);
    assert_eq!(p.decrypt(&eval).unwrap(), eager.0);
}
