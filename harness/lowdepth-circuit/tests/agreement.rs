//! Under the plaintext backend the low-depth circuit equals the f64 reference
//! (lowdepth-plaintext) to 1e-9 relative, for k = 1..12.
#![allow(clippy::unwrap_used)]

use lowdepth_circuit_common::test_support as common;

use common::{etas, minibatches, plain_eval, reference, rel_err};
use lowdepth_circuit::{describe, encrypt_model, train, upload, CircuitConfig, LevelPolicy};
use lowdepth_toolkit::EncodingUnit;

fn run(
    b: usize,
    f: usize,
    k: usize,
    slots: usize,
    unit: Option<EncodingUnit>,
    policy: LevelPolicy,
    init: bool,
) {
    let mut config = CircuitConfig::new(b, f, k, slots);
    config.unit = unit;
    config.level_policy = policy;
    let plan = describe(&config).unwrap();
    let eval = plain_eval(slots, plan.depth);
    let zs = minibatches(k, b, f, 17 + k as u64);
    let (w0, v0) = if init {
        (
            common::data(f, 5).iter().map(|x| 0.1 * x).collect(),
            common::data(f, 6).iter().map(|x| 0.1 * x).collect(),
        )
    } else {
        (vec![0.0; f], vec![0.0; f])
    };
    let up = upload(&eval, &plan, &zs).unwrap();
    let model = encrypt_model(&eval, &plan, &w0, &v0).unwrap();
    let e = etas(k);
    let out = train(&eval, &up, &model, &e).unwrap();
    let (w, v) = out.decrypt(&eval).unwrap();
    let (wr, vr) = reference(&zs, b, f, &e, &w0, &v0);
    let (ew, ev) = (rel_err(&w, &wr), rel_err(&v, &vr));
    assert!(
        ew < 1e-9 && ev < 1e-9,
        "b={b} f={f} k={k} slots={slots}: w err {ew:e}, v err {ev:e}"
    );
    assert_eq!((out.w.level(&eval), out.v.level(&eval)), (0, 0));
}

#[test]
fn equals_reference_for_k_1_to_12() {
    for k in 1..=12 {
        run(32, 8, k, 128, None, LevelPolicy::FirstUse, false);
    }
}

#[test]
fn equals_reference_from_a_nonzero_model() {
    for k in [1, 2, 3, 6] {
        run(16, 8, k, 64, None, LevelPolicy::FirstUse, true);
    }
}

#[test]
fn equals_reference_with_odd_sizes_and_units() {
    // b, f not multiples of the chunks; several units (incl. many tiles per object).
    for (b, f, slots, hw) in [
        (24, 5, 64, Some((8, 8))),
        (40, 12, 256, Some((4, 64))),
        (64, 16, 256, None),
        (20, 9, 64, Some((2, 32))),
    ] {
        let unit = hw.map(|(h, w)| EncodingUnit::try_new(h, w, slots).unwrap());
        for k in [1, 2, 4, 5] {
            run(b, f, k, slots, unit, LevelPolicy::FirstUse, true);
            run(b, f, k, slots, unit, LevelPolicy::Top, false);
        }
    }
}
