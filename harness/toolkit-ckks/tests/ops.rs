//! Every toolkit operation under CKKS (INSECURE N = 2^10, 512 slots, 3 levels = the
//! traced depth, Δ = 2^40, Galois keys for exactly the traced steps)
//! against the plaintext backend (same moduli, same rotation keys) and f64.
//!
//! Bound: |ckks − plaintext| ≤ 2^-20 · max(1, max |plaintext|) per output. At Δ = 2^40 and
//! N = 2^10 fresh-encryption and key-switching noise is about 2^-30 of a unit value; the
//! bound leaves 10 bits for accumulation over sums of up to a few hundred terms and three
//! levels of products. The plaintext backend equals f64 to 1e-9 (relative).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lowdepth_toolkit::backends::Tracer;
use lowdepth_toolkit::ops;
use lowdepth_toolkit::{
    Backend, EncodingUnit, EncryptedColVector, EncryptedMatrix, EncryptedObject,
    EncryptedRowVector, Evaluator, Result,
};

const LOG_N: u32 = 10;
const SLOTS: usize = 512;
const BOUND_LOG2: f64 = -20.0;
const SCALAR: f64 = 0.75;

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
    SumColsMany,
    MatrixColVector,
    RowVectorMatrix,
    TransposeMatrixMatrix,
    MatrixMatrixTranspose,
    RowToColTransposed,
    AdjustLevel,
    MixedLevelAdd,
}

const ALL_OPS: [Op; 23] = [
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
    Op::SumColsMany,
    Op::MatrixColVector,
    Op::RowVectorMatrix,
    Op::TransposeMatrixMatrix,
    Op::MatrixMatrixTranspose,
    Op::RowToColTransposed,
    Op::AdjustLevel,
    Op::MixedLevelAdd,
];

#[derive(Debug, Clone, Copy)]
struct Case {
    h: usize,
    w: usize,
    rows: usize,
    cols: usize,
}

/// Several units, odd shapes, several tiles per object.
const CASES: [Case; 3] = [
    Case {
        h: 16,
        w: 32,
        rows: 37,
        cols: 50,
    },
    Case {
        h: 32,
        w: 16,
        rows: 20,
        cols: 9,
    },
    Case {
        h: 4,
        w: 128,
        rows: 5,
        cols: 130,
    },
];

struct Inputs {
    m: Vec<f64>,
    n: Vec<f64>,
    r: Vec<f64>,
    r2: Vec<f64>,
    c: Vec<f64>,
    c2: Vec<f64>,
}

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

fn matvec(m: &[f64], rows: usize, cols: usize, v: &[f64]) -> Vec<f64> {
    (0..rows)
        .map(|r| (0..cols).map(|c| m[r * cols + c] * v[c]).sum())
        .collect()
}

fn vecmat(v: &[f64], m: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..cols)
        .map(|c| (0..rows).map(|r| v[r] * m[r * cols + c]).sum())
        .collect()
}

fn at_b(a: &[f64], b: &[f64], k: usize, m: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|r| a[r * m + i] * b[r * n + j]).sum();
        }
    }
    out
}

fn a_bt(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|r| a[i * k + r] * b[j * k + r]).sum();
        }
    }
    out
}

fn reference(op: Op, case: Case, x: &Inputs) -> Vec<f64> {
    let (rows, cols) = (case.rows, case.cols);
    let zip = |a: &[f64], b: &[f64], f: fn(f64, f64) -> f64| -> Vec<f64> {
        a.iter().zip(b).map(|(p, q)| f(*p, *q)).collect()
    };
    let ones_r = vec![1.0; cols];
    let row_sums = |m: &[f64]| matvec(m, rows, cols, &ones_r);
    match op {
        Op::Add | Op::AddPlain | Op::MixedLevelAdd => zip(&x.m, &x.n, |a, b| a + b),
        Op::Sub => zip(&x.m, &x.n, |a, b| a - b),
        Op::Negate => x.m.iter().map(|a| -a).collect(),
        Op::AddScalar => x.m.iter().map(|a| a + SCALAR).collect(),
        Op::MulInt => x.m.iter().map(|a| a * -3.0).collect(),
        Op::MulScalar => x.m.iter().map(|a| a * SCALAR).collect(),
        Op::MulPlain | Op::HadamardMatrix => zip(&x.m, &x.n, |a, b| a * b),
        Op::HadamardRowVectors => zip(&x.r, &x.r2, |a, b| a * b),
        Op::HadamardColVectors => zip(&x.c, &x.c2, |a, b| a * b),
        Op::HadamardRowMatrix => (0..rows * cols).map(|k| x.m[k] * x.r[k / cols]).collect(),
        Op::HadamardMatrixCol => (0..rows * cols).map(|k| x.m[k] * x.c[k % cols]).collect(),
        Op::SumRows => vecmat(&vec![1.0; rows], &x.m, rows, cols),
        Op::SumCols => row_sums(&x.m).iter().map(|s| s * SCALAR).collect(),
        Op::SumColsMany => zip(&row_sums(&x.m), &row_sums(&x.n), |a, b| 0.5 * a - 2.0 * b),
        Op::MatrixColVector => matvec(&x.m, rows, cols, &x.c),
        Op::RowVectorMatrix => vecmat(&x.r, &x.m, rows, cols),
        Op::TransposeMatrixMatrix => at_b(&x.m, &x.n, rows, cols, cols),
        Op::MatrixMatrixTranspose => a_bt(&x.m, &x.n, rows, cols, rows),
        Op::RowToColTransposed => x.r.clone(),
        Op::AdjustLevel => x.m.clone(),
    }
}

fn applies(op: Op, case: Case) -> bool {
    // The mixed-unit transpose needs h <= w.
    !(op == Op::RowToColTransposed && case.h > case.w)
}

/// Runs `op` with inputs at the top level (one at top − 1 for the mixed-level add);
/// returns the decrypted output and its level.
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
        Op::SumColsMany => out(eval, ops::sum_cols_many(eval, &[(&m, 0.5), (&n, -2.0)])?),
        Op::MatrixColVector => out(eval, ops::matrix_col_vector(eval, &m, &c, 1.0)?),
        Op::RowVectorMatrix => out(eval, ops::row_vector_matrix(eval, &r, &m)?),
        Op::TransposeMatrixMatrix => out(eval, ops::transpose_matrix_matrix(eval, &m, &n)?),
        Op::MatrixMatrixTranspose => out(eval, ops::matrix_matrix_transpose(eval, &m, &n)?),
        Op::RowToColTransposed => out(eval, ops::row_to_col_transposed(eval, &r)?),
        Op::AdjustLevel => out(eval, ops::adjust_level(eval, &m, top - 2)?),
        Op::MixedLevelAdd => {
            let low = EncryptedMatrix::encrypt(eval, unit, case.rows, case.cols, &x.n, top - 1)?;
            out(eval, ops::add(eval, &m, &low)?)
        }
    }
}

/// Traces every (op, case) so the CKKS keys are exactly the steps the ops use.
fn traced() -> Evaluator<Tracer> {
    let tr = tracer(SLOTS);
    for case in CASES {
        let x = inputs(case);
        for op in ALL_OPS.into_iter().filter(|&op| applies(op, case)) {
            run(&tr, op, case, &x).unwrap();
        }
    }
    tr
}

#[test]
fn every_op_agrees_with_plaintext_and_f64() {
    let tr = traced();
    let depth = tr.backend().report().unwrap().max_depth;
    assert_eq!(depth, 3, "the deepest ops (A^T B, A B^T) have depth 3");
    let (ckks, setup) = ckks_for_trace(&tr, LOG_N, 4, 11);
    assert!(ckks.max_level() >= 3);
    let plain = plain_twin(&ckks);
    println!(
        "CKKS INSECURE N=2^{} L={} dnum={} log2QP={:.1}, {} Galois keys",
        setup.log_n, setup.levels, setup.dnum, setup.log_qp, setup.galois_keys
    );
    let mut worst = f64::NEG_INFINITY;
    for case in CASES {
        let x = inputs(case);
        for op in ALL_OPS.into_iter().filter(|&op| applies(op, case)) {
            let what = format!("{op:?} {case:?}");
            let (got, level) = run(&ckks, op, case, &x).unwrap_or_else(|e| panic!("{what}: {e}"));
            let (sim, sim_level) = run(&plain, op, case, &x).unwrap();
            let want = reference(op, case, &x);
            assert_eq!(level, sim_level, "{what}: level");
            let sim_err = max_abs_err(&sim, &want) / max_abs(&want).max(1.0);
            assert!(sim_err <= 1e-9, "{what}: plaintext vs f64 {sim_err:e}");
            let e = log2_rel_err(&got, &sim);
            let ef = log2_rel_err(&got, &want);
            println!("{what:70} level {level}  log2 err vs plaintext {e:7.2}  vs f64 {ef:7.2}");
            assert!(e <= BOUND_LOG2, "{what}: log2 error {e:.2} > {BOUND_LOG2}");
            worst = worst.max(e);
        }
    }
    println!("worst log2 relative error over all ops: {worst:.2} (bound {BOUND_LOG2})");
}
