//! Bad input gets an error, never a panic.
#![allow(clippy::unwrap_used)]

use lowdepth_circuit_common::test_support as common;

use common::{etas, minibatches, plain_eval};
use lowdepth_circuit::{describe, encrypt_model, train, upload, CircuitConfig, CircuitError};

#[test]
fn bad_configs_are_refused() {
    assert!(matches!(
        describe(&CircuitConfig::new(0, 8, 2, 64)),
        Err(CircuitError::InvalidConfig(_))
    ));
    assert!(matches!(
        describe(&CircuitConfig::new(8, 8, 2, 48)),
        Err(CircuitError::InvalidConfig(_))
    ));
}

#[test]
fn bad_inputs_are_errors() {
    let plan = describe(&CircuitConfig::new(16, 8, 2, 64)).unwrap();
    let eval = plain_eval(64, plan.depth);
    let mut zs = minibatches(2, 16, 8, 1);
    assert!(matches!(
        upload(&eval, &plan, &zs[..1]),
        Err(CircuitError::MinibatchCount { .. })
    ));
    zs[1][3] = f64::NAN;
    assert!(matches!(
        upload(&eval, &plan, &zs),
        Err(CircuitError::Minibatch { index: 1, .. })
    ));
    zs[1].pop();
    assert!(matches!(
        upload(&eval, &plan, &zs),
        Err(CircuitError::Minibatch { index: 1, .. })
    ));
    let zs = minibatches(2, 16, 8, 1);
    let up = upload(&eval, &plan, &zs).unwrap();
    assert!(matches!(
        encrypt_model(&eval, &plan, &[0.0; 7], &[0.0; 8]),
        Err(CircuitError::Model(_))
    ));
    let model = encrypt_model(&eval, &plan, &[0.0; 8], &[0.0; 8]).unwrap();
    assert!(matches!(
        train(&eval, &up, &model, &etas(1)),
        Err(CircuitError::Etas { .. })
    ));
    assert!(matches!(
        train(&eval, &up, &model, &[0.5, f64::INFINITY]),
        Err(CircuitError::Etas { .. })
    ));
}

#[test]
fn too_few_levels_is_an_error() {
    let plan = describe(&CircuitConfig::new(16, 8, 6, 64)).unwrap();
    let eval = plain_eval(64, 14);
    assert!(matches!(
        upload(&eval, &plan, &minibatches(6, 16, 8, 1)),
        Err(CircuitError::InsufficientLevels {
            needed: 15,
            available: 14
        })
    ));
}
