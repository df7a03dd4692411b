//! Mixed-unit transpose and one-pass linear combinations of sum_cols.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lowdepth_toolkit::backend::normalize_step;
use lowdepth_toolkit::{
    ops, EncodingUnit, EncryptedColVector, EncryptedMatrix, EncryptedObject, EncryptedRowVector,
    RotationKeys, ToolkitError,
};

#[test]
fn row_vector_transposes_to_col_vector_under_transposed_unit() {
    for (h, w, len) in [
        (4, 4, 5),
        (2, 8, 7),
        (1, 16, 3),
        (4, 16, 21),
        (8, 8, 64),
        (2, 32, 3),
    ] {
        let slots = h * w;
        let x = data(len, 7);
        let unit = EncodingUnit::try_new(h, w, slots).unwrap();
        let eval = plain_eval(slots, 2, RotationKeys::All);
        let r = EncryptedRowVector::encrypt(&eval, unit, &x, 2).unwrap();
        let c = ops::row_to_col_transposed(&eval, &r).unwrap();
        assert_eq!(c.layout().unit(), unit.transposed());
        assert_close(
            &c.decrypt(&eval).unwrap(),
            &x,
            &format!("{h}x{w} len {len}"),
        );
        // Exactly the encoding a fresh column vector under the transposed unit has.
        let fresh = EncryptedColVector::encrypt(&eval, unit.transposed(), &x, 1).unwrap();
        for (a, b) in c.ciphertexts().iter().zip(fresh.ciphertexts()) {
            assert_close(
                &eval.decrypt(a).unwrap(),
                &eval.decrypt(b).unwrap(),
                "slots",
            );
        }
        // It composes: the transposed col vector multiplies a matrix of width len.
        let m = EncryptedMatrix::encrypt(&eval, unit.transposed(), 3, len, &data(3 * len, 1), 1)
            .unwrap();
        let had = ops::hadamard_matrix_col(&eval, &m, &c).unwrap();
        assert_eq!(had.level(&eval), 0);
        // Depth 1 and log2(w) rotations in the tracer; the key plan is what the op says.
        let tr = tracer_eval(slots, 2, RotationKeys::All);
        let r = EncryptedRowVector::encrypt(&tr, unit, &x, 2).unwrap();
        let c = ops::row_to_col_transposed(&tr, &r).unwrap();
        assert_eq!(c.level(&tr), 1);
        let report = tr.backend().report().unwrap();
        let cts = r.ciphertexts().len() as u64;
        assert_eq!(report.counts.rotation, cts * u64::from(w.trailing_zeros()));
        let mut steps: Vec<usize> = ops::row_to_col_transposed_steps(h, w)
            .into_iter()
            .map(|s| normalize_step(s, slots))
            .collect();
        steps.sort_unstable();
        assert_eq!(report.rotation_steps, steps);
    }
}

#[test]
fn tall_units_are_refused_for_the_transpose() {
    let eval = plain_eval(16, 2, RotationKeys::All);
    let unit = EncodingUnit::try_new(8, 2, 16).unwrap();
    let r = EncryptedRowVector::encrypt(&eval, unit, &data(5, 1), 2).unwrap();
    assert!(matches!(
        ops::row_to_col_transposed(&eval, &r),
        Err(ToolkitError::ShapeMismatch { .. })
    ));
}

#[test]
fn sum_cols_many_equals_the_sum_of_sum_cols() {
    for (h, w, rows, cols) in [(4, 4, 6, 5), (2, 8, 3, 19), (8, 2, 17, 3)] {
        let slots = h * w;
        let unit = EncodingUnit::try_new(h, w, slots).unwrap();
        let eval = plain_eval(slots, 3, RotationKeys::All);
        let a_data = data(rows * cols, 1);
        let b_data = data(rows * cols, 2);
        let a = EncryptedMatrix::encrypt(&eval, unit, rows, cols, &a_data, 3).unwrap();
        let b = EncryptedMatrix::encrypt(&eval, unit, rows, cols, &b_data, 2).unwrap();
        let s = ops::sum_cols_many(&eval, &[(&a, 0.5), (&b, -2.0)]).unwrap();
        assert_eq!(s.level(&eval), 1);
        let ra = row_sums(&a_data, rows, cols);
        let rb = row_sums(&b_data, rows, cols);
        let want: Vec<f64> = ra.iter().zip(&rb).map(|(x, y)| 0.5 * x - 2.0 * y).collect();
        assert_close(&s.decrypt(&eval).unwrap(), &want, "sum_cols_many");
        // Fewer rotations and rescales than two separate sum_cols.
        let tr = tracer_eval(slots, 3, RotationKeys::All);
        let a = EncryptedMatrix::encrypt(&tr, unit, rows, cols, &a_data, 3).unwrap();
        let b = EncryptedMatrix::encrypt(&tr, unit, rows, cols, &b_data, 3).unwrap();
        ops::sum_cols_many(&tr, &[(&a, 0.5), (&b, -2.0)]).unwrap();
        let many = tr.backend().report().unwrap().counts;
        tr.backend().reset().unwrap();
        let sa = ops::sum_cols(&tr, &a, 0.5).unwrap();
        let sb = ops::sum_cols(&tr, &b, -2.0).unwrap();
        ops::add(&tr, &sa, &sb).unwrap();
        let separate = tr.backend().report().unwrap().counts;
        let gv = rows.div_ceil(h) as u64;
        let lw = u64::from(w.trailing_zeros());
        assert_eq!(separate.rotation - many.rotation, gv * lw);
        assert_eq!(separate.rescale - many.rescale, gv);
    }
    let eval = plain_eval(16, 1, RotationKeys::All);
    assert!(ops::sum_cols_many(&eval, &[]).is_err());
}
