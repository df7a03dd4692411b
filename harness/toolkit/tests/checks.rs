//! The checked evaluator fails the same way under every backend.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use lowdepth_toolkit::backend::normalize_step;
use lowdepth_toolkit::ops;
use lowdepth_toolkit::{
    Backend, EncodingUnit, EncryptedColVector, EncryptedMatrix, Evaluator, Result, RotationKeys,
    ToolkitError,
};
use proptest::prelude::*;

/// matrix x col-vector (depth 2) on a 6x5 matrix under a 4x4 unit.
fn matvec_circuit<B: Backend>(eval: &Evaluator<B>, level: usize) -> Result<usize> {
    let unit = EncodingUnit::try_new(4, 4, 16)?;
    let m = EncryptedMatrix::encrypt(eval, unit, 6, 5, &data(30, 1), level)?;
    let v = EncryptedColVector::encrypt(eval, unit, &data(5, 2), level)?;
    let u = ops::matrix_col_vector(eval, &m, &v, 1.0)?;
    Ok(lowdepth_toolkit::EncryptedObject::level(&u, eval))
}

fn both(levels: usize, keys: RotationKeys, level: usize) -> (Result<usize>, Result<usize>) {
    let p = matvec_circuit(&plain_eval(16, levels, keys.clone()), level);
    let t = matvec_circuit(&tracer_eval(16, levels, keys), level);
    (p, t)
}

#[test]
fn level_exhaustion_fails_the_same_way() {
    let (p, t) = both(1, RotationKeys::All, 1);
    assert!(
        matches!(p, Err(ToolkitError::LevelExhausted { level: 0, .. })),
        "{p:?}"
    );
    assert_eq!(p, t);
    // Enough levels: both succeed at level 0.
    let (p, t) = both(2, RotationKeys::All, 2);
    assert_eq!(p, Ok(0));
    assert_eq!(t, Ok(0));
}

#[test]
fn missing_rotation_key_fails_the_same_way() {
    let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
    // Keys for sum_rows only: sum_cols needs step 1 first.
    let keys = RotationKeys::from_steps(ops::sum_rows_steps(unit), 16);
    let (p, t) = both(3, keys, 3);
    assert_eq!(p, Err(ToolkitError::MissingRotationKey { step: 1 }));
    assert_eq!(p, t);
}

#[test]
fn traced_rotation_steps_are_a_sufficient_key_plan() {
    let tracer = tracer_eval(16, 3, RotationKeys::All);
    matvec_circuit(&tracer, 3).unwrap();
    let steps = tracer.backend().rotation_steps().unwrap();
    let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
    let expect: std::collections::BTreeSet<usize> = ops::sum_cols_steps(unit)
        .into_iter()
        .map(|s| normalize_step(s, 16))
        .collect();
    assert_eq!(steps, expect);
    let keys = tracer.backend().rotation_key_plan().unwrap();
    assert_eq!(keys, RotationKeys::Steps(steps.clone()));
    assert_eq!(matvec_circuit(&plain_eval(16, 3, keys), 3), Ok(1));
    // Dropping any one key breaks the circuit, with that step named.
    for &missing in &steps {
        let mut fewer = steps.clone();
        fewer.remove(&missing);
        let err = matvec_circuit(&plain_eval(16, 3, RotationKeys::Steps(fewer)), 3);
        assert_eq!(err, Err(ToolkitError::MissingRotationKey { step: missing }));
    }
}

#[test]
fn primitive_checks() {
    primitive_checks_on(&plain_eval(16, 2, keys_1()));
    primitive_checks_on(&tracer_eval(16, 2, keys_1()));
}

fn keys_1() -> RotationKeys {
    RotationKeys::from_steps([1, -1], 16)
}

fn primitive_checks_on<B: Backend>(eval: &Evaluator<B>) {
    let v = data(16, 3);
    let a = eval.encrypt_canonical(&v, 2).unwrap();
    let b = eval.encrypt_canonical(&v, 1).unwrap();
    // level mismatch
    assert_eq!(
        eval.add(&a, &b).err(),
        Some(ToolkitError::LevelMismatch {
            op: "add",
            left: 2,
            right: 1
        })
    );
    // scale mismatch at equal levels
    let b2 = eval.drop_to_level(&a, 1).unwrap();
    assert!(matches!(
        eval.sub(&b, &b2),
        Err(ToolkitError::ScaleMismatch { op: "sub", .. })
    ));
    // product without rescale, then add to a canonical ciphertext: scale mismatch
    let sq = eval.mul(&a, &a).unwrap();
    let a2 = eval.encrypt_canonical(&v, 2).unwrap();
    assert!(matches!(
        eval.add(&sq, &a2),
        Err(ToolkitError::ScaleMismatch { .. })
    ));
    // squaring twice without rescale overflows the modulus at level 2
    assert!(matches!(
        eval.mul(&sq, &sq),
        Err(ToolkitError::ScaleOverflow { .. })
    ));
    // mul_sum: the same checks over every pair, and at least one pair
    assert!(matches!(
        eval.mul_sum(&[]),
        Err(ToolkitError::ShapeMismatch { op: "mul_sum", .. })
    ));
    assert!(matches!(
        eval.mul_sum(&[(&a, &a), (&b, &b)]),
        Err(ToolkitError::LevelMismatch { op: "mul_sum", .. })
    ));
    assert!(matches!(
        eval.mul_sum(&[(&a, &a), (&a, &sq)]),
        Err(ToolkitError::ScaleMismatch { op: "mul_sum", .. })
    ));
    let summed = eval.mul_sum(&[(&a, &a), (&a, &a2)]).unwrap();
    assert_eq!(eval.scale(&summed), eval.scale(&sq));
    // rescale / multiply at level 0
    let z = eval.encrypt_canonical(&v, 0).unwrap();
    assert_eq!(
        eval.rescale(&z).err(),
        Some(ToolkitError::LevelExhausted {
            op: "rescale",
            level: 0
        })
    );
    assert!(matches!(
        eval.mul(&z, &z),
        Err(ToolkitError::LevelExhausted { level: 0, .. })
    ));
    assert!(matches!(
        eval.mul_sum(&[(&z, &z)]),
        Err(ToolkitError::LevelExhausted { level: 0, .. })
    ));
    assert!(matches!(
        eval.mul_const_rescale(&z, 0.5),
        Err(ToolkitError::LevelExhausted { .. })
    ));
    // integer multiplication is free, even at level 0
    assert!(eval.mul_int(&z, 3).is_ok());
    // rotation keys: 1 and -1 (= 15) present, 2 missing, 0 and 16 free
    assert!(eval.rotate(&a, 1).is_ok());
    assert!(eval.rotate(&a, -1).is_ok());
    assert!(eval.rotate(&a, 15).is_ok());
    assert!(eval.rotate(&a, 16).is_ok());
    assert_eq!(
        eval.rotate(&a, 2).err(),
        Some(ToolkitError::MissingRotationKey { step: 2 })
    );
    assert_eq!(
        eval.rotate_many(&a, &[1, 0, -2]).err(),
        Some(ToolkitError::MissingRotationKey { step: 14 })
    );
    assert_eq!(eval.rotate_many(&a, &[1, 0, -1]).map(|r| r.len()), Ok(3));
    // cleartext checks
    assert!(matches!(
        eval.encrypt_canonical(&[f64::NAN], 1),
        Err(ToolkitError::NonFiniteValue { index: 0, .. })
    ));
    assert!(matches!(
        eval.encrypt_canonical(&[0.0; 17], 1),
        Err(ToolkitError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        eval.encrypt_canonical(&v, 3),
        Err(ToolkitError::InvalidLevel { .. })
    ));
    assert!(matches!(
        eval.drop_to_level(&b, 2),
        Err(ToolkitError::InvalidLevel { .. })
    ));
    assert!(matches!(
        eval.adjust_level(&b, 2),
        Err(ToolkitError::InvalidLevel { .. })
    ));
    // level adjustment lands on the canonical scale
    let adj = eval.adjust_level(&a, 0).unwrap();
    assert_eq!(eval.level(&adj), 0);
    assert_eq!(eval.scale(&adj), eval.canonical_scale(0).unwrap());
    assert!(eval.add(&adj, &z).is_ok());
}

#[test]
fn plaintext_rotation_convention_is_left() {
    let eval = plain_eval(16, 1, RotationKeys::All);
    let v: Vec<f64> = (0..16).map(f64::from).collect();
    let a = eval.encrypt_canonical(&v, 1).unwrap();
    let r = eval.decrypt(&eval.rotate(&a, 3).unwrap()).unwrap();
    assert_eq!(r[0], 3.0);
    assert_eq!(r[15], 2.0);
    let many = eval.rotate_many(&a, &[3, -1]).unwrap();
    assert_eq!(eval.decrypt(&many[0]).unwrap(), r);
    assert_eq!(eval.decrypt(&many[1]).unwrap()[0], 15.0);
}

proptest! {
    #[test]
    fn rotation_composes_and_normalises(log_slots in 1u32..8, s in -300i64..300, t in -300i64..300) {
        let slots = 1usize << log_slots;
        let n = normalize_step(s, slots);
        prop_assert!(n < slots);
        prop_assert_eq!((n as i64 - s).rem_euclid(slots as i64), 0);
        let eval = plain_eval(slots, 1, RotationKeys::All);
        let v: Vec<f64> = (0..slots).map(|i| i as f64).collect();
        let a = eval.encrypt_canonical(&v, 1).unwrap();
        let st = eval.rotate(&eval.rotate(&a, s).unwrap(), t).unwrap();
        let direct = eval.rotate(&a, s + t).unwrap();
        prop_assert_eq!(eval.decrypt(&st).unwrap(), eval.decrypt(&direct).unwrap());
        let r = eval.decrypt(&direct).unwrap();
        for (i, x) in r.iter().enumerate() {
            prop_assert_eq!(*x, ((i as i64 + s + t).rem_euclid(slots as i64)) as f64);
        }
    }
}

#[test]
fn backends_and_evaluators_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    use lowdepth_toolkit::backends::{PlaintextBackend, Tracer};
    assert_send_sync::<PlaintextBackend>();
    assert_send_sync::<Tracer>();
    assert_send_sync::<Evaluator<PlaintextBackend>>();
    assert_send_sync::<Evaluator<Tracer>>();
    assert_send_sync::<EncryptedMatrix<Tracer>>();
    assert_send_sync::<EncryptedColVector<PlaintextBackend>>();
}
