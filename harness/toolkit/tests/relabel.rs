//! Scale relabelling: a public constant multiplied in for free by bookkeeping, checked the
//! same way under the plaintext simulation and the tracer.
#![allow(clippy::unwrap_used)]

mod common;

use common::{data, plain_eval, tracer_eval};
use lowdepth_toolkit::{Backend, Evaluator, RotationKeys, ToolkitError};

const SLOTS: usize = 16;

/// Relabels by `c` and returns (level before, level after, scale ratio before/after).
fn relabel_shape<B: Backend>(eval: &Evaluator<B>, c: f64) -> (usize, usize, f64) {
    let top = eval.max_level();
    let ct = eval.encrypt_canonical(&data(SLOTS, 1), top).unwrap();
    let r = eval.relabel(&ct, c).unwrap();
    (
        eval.level(&ct),
        eval.level(&r),
        eval.scale(&ct) / eval.scale(&r),
    )
}

#[test]
fn relabel_keeps_the_level_and_divides_the_scale_under_every_backend() {
    let plain = plain_eval(SLOTS, 3, RotationKeys::All);
    let traced = tracer_eval(SLOTS, 3, RotationKeys::All);
    for c in [0.25, 3.0, -1e-6] {
        for (before, after, ratio) in [relabel_shape(&plain, c), relabel_shape(&traced, c)] {
            assert_eq!(before, after, "c = {c}: no level");
            assert!(
                (ratio - c.abs()).abs() <= 1e-15 * c.abs(),
                "c = {c}: {ratio}"
            );
        }
    }
}

#[test]
fn relabelled_values_are_the_constant_multiple() {
    let eval = plain_eval(SLOTS, 3, RotationKeys::All);
    let x = data(SLOTS, 2);
    let ct = eval.encrypt_canonical(&x, eval.max_level()).unwrap();
    for c in [1e-7, 0.5, -2.0] {
        let got = eval.decrypt(&eval.relabel(&ct, c).unwrap()).unwrap();
        for (g, v) in got.iter().zip(&x) {
            assert!(
                (g - c * v).abs() <= 1e-15 * (c * v).abs().max(1e-300),
                "c = {c}"
            );
        }
    }
}

#[test]
fn relabelled_operands_add_only_to_operands_relabelled_alike() {
    let eval = plain_eval(SLOTS, 3, RotationKeys::All);
    let top = eval.max_level();
    let a = eval.encrypt_canonical(&data(SLOTS, 3), top).unwrap();
    let b = eval.encrypt_canonical(&data(SLOTS, 4), top).unwrap();
    let (ra, rb) = (
        eval.relabel(&a, 0.3).unwrap(),
        eval.relabel(&b, 0.3).unwrap(),
    );
    let sum = eval.decrypt(&eval.add(&ra, &rb).unwrap()).unwrap();
    let (xa, xb) = (data(SLOTS, 3), data(SLOTS, 4));
    for i in 0..SLOTS {
        assert!((sum[i] - 0.3 * (xa[i] + xb[i])).abs() <= 1e-12);
    }
    assert!(matches!(
        eval.add(&ra, &b),
        Err(ToolkitError::ScaleMismatch { op: "add", .. })
    ));
    // A product rescales from the relabelled scale: the constant rides along.
    let p = eval.mul_rescale(&ra, &rb).unwrap();
    let want = eval.canonical_scale(top - 1).unwrap() / (0.3 * 0.3);
    assert!((eval.scale(&p) / want - 1.0).abs() <= 1e-12);
}

#[test]
fn relabel_refuses_zero_non_finite_and_out_of_range_scales() {
    let eval = plain_eval(SLOTS, 2, RotationKeys::All);
    let ct = eval.encrypt_canonical(&data(SLOTS, 5), 0).unwrap();
    for c in [0.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(
                eval.relabel(&ct, c),
                Err(ToolkitError::ConstantOutOfRange { op: "relabel", .. })
            ),
            "c = {c}"
        );
    }
    // Scale 2^40 at level 0 (q_0 of 60 bits): / 2^-30 overflows, / 2^45 drops below 1.
    assert!(matches!(
        eval.relabel(&ct, 2f64.powi(-30)),
        Err(ToolkitError::ScaleOverflow { op: "relabel", .. })
    ));
    assert!(matches!(
        eval.relabel(&ct, 2f64.powi(45)),
        Err(ToolkitError::InvalidScale { op: "relabel", .. })
    ));
}

#[test]
fn the_tracer_counts_relabel_as_a_free_op() {
    let eval = tracer_eval(SLOTS, 3, RotationKeys::All);
    let top = eval.max_level();
    let ct = eval.encrypt_canonical(&data(SLOTS, 6), top).unwrap();
    let r = eval.relabel(&ct, -0.5).unwrap();
    eval.decrypt(&r).unwrap();
    let report = eval.backend().report().unwrap();
    assert_eq!(report.counts.relabel, 1);
    assert_eq!(report.counts.negate, 1, "a negative constant negates once");
    assert_eq!(report.counts.const_mul + report.counts.rescale, 0);
    assert_eq!(report.max_depth, 0);
}
