//! The baseline equals the f64 reference under the plaintext backend and has depth 5k.
#![allow(clippy::unwrap_used)]

use lowdepth_circuit_common::test_support as common;

use common::{depth_finder, etas, minibatches, plain_eval, reference, rel_err};
use lowdepth_helr_circuit::{describe, encrypt_model, train, upload, CircuitConfig, LevelPolicy};

#[test]
fn equals_reference_for_k_1_to_12() {
    let (b, f, slots) = (32, 8, 128);
    for k in 1..=12 {
        for policy in [LevelPolicy::FirstUse, LevelPolicy::Top] {
            let mut config = CircuitConfig::new(b, f, k, slots);
            config.level_policy = policy;
            let plan = describe(&config).unwrap();
            let eval = plain_eval(slots, plan.depth);
            let zs = minibatches(k, b, f, 3 + k as u64);
            let w0: Vec<f64> = common::data(f, 1).iter().map(|x| 0.1 * x).collect();
            let v0: Vec<f64> = common::data(f, 2).iter().map(|x| 0.1 * x).collect();
            let up = upload(&eval, &plan, &zs).unwrap();
            let model = encrypt_model(&eval, &plan, &w0, &v0).unwrap();
            let e = etas(k);
            let (w, v) = train(&eval, &up, &model, &e)
                .unwrap()
                .decrypt(&eval)
                .unwrap();
            let (wr, vr) = reference(&zs, b, f, &e, &w0, &v0);
            let (ew, ev) = (rel_err(&w, &wr), rel_err(&v, &vr));
            assert!(ew < 1e-9 && ev < 1e-9, "k={k}: w err {ew:e}, v err {ev:e}");
        }
    }
}

#[test]
fn depth_is_five_per_minibatch() {
    let (b, f, slots) = (32, 8, 128);
    for k in 1..=12 {
        let plan = describe(&CircuitConfig::new(b, f, k, slots)).unwrap();
        assert_eq!(plan.depth, 5 * k);
        let eval = depth_finder(slots, 80);
        let up = upload(&eval, &plan, &minibatches(k, b, f, 1)).unwrap();
        let model = encrypt_model(&eval, &plan, &vec![0.0; f], &vec![0.0; f]).unwrap();
        let out = train(&eval, &up, &model, &etas(k)).unwrap();
        out.decrypt(&eval).unwrap();
        let report = eval.backend().report().unwrap();
        assert_eq!(report.max_depth, 5 * k, "k={k}");
    }
}

#[test]
fn too_few_levels_is_an_error() {
    let plan = describe(&CircuitConfig::new(16, 8, 6, 64)).unwrap();
    let eval = plain_eval(64, 29);
    assert!(upload(&eval, &plan, &minibatches(6, 16, 8, 1)).is_err());
}
