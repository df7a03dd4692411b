//! Depths measured by the tracer (depth finder), pinned exactly for k = 1..12, against the
//! baseline's 5k; rotation keys within the plan.
#![allow(clippy::unwrap_used)]

use lowdepth_circuit_common::test_support as common;

use common::{depth_finder, etas, minibatches};
use lowdepth_circuit::{
    circuit_depth, describe, encrypt_model, train, upload, CircuitConfig, LevelPolicy,
};
use lowdepth_toolkit::backend::normalize_step;
use lowdepth_toolkit::backends::tracer::TraceReport;

const LEVELS: usize = 80;

fn trace_lowdepth(
    b: usize,
    f: usize,
    k: usize,
    slots: usize,
    policy: LevelPolicy,
) -> (TraceReport, Vec<i64>) {
    let mut config = CircuitConfig::new(b, f, k, slots);
    config.level_policy = policy;
    let plan = describe(&config).unwrap();
    let eval = depth_finder(slots, LEVELS);
    let up = upload(&eval, &plan, &minibatches(k, b, f, 1)).unwrap();
    let model = encrypt_model(&eval, &plan, &vec![0.0; f], &vec![0.0; f]).unwrap();
    train(&eval, &up, &model, &etas(k))
        .unwrap()
        .decrypt(&eval)
        .unwrap();
    (eval.backend().report().unwrap(), plan.rotation_steps)
}

fn trace_baseline(b: usize, f: usize, k: usize, slots: usize) -> TraceReport {
    use lowdepth_helr_circuit as helr;
    let plan = helr::describe(&helr::CircuitConfig::new(b, f, k, slots)).unwrap();
    let eval = depth_finder(slots, LEVELS);
    let up = helr::upload(&eval, &plan, &minibatches(k, b, f, 1)).unwrap();
    let model = helr::encrypt_model(&eval, &plan, &vec![0.0; f], &vec![0.0; f]).unwrap();
    helr::train(&eval, &up, &model, &etas(k))
        .unwrap()
        .decrypt(&eval)
        .unwrap();
    eval.backend().report().unwrap()
}

#[test]
fn depth_per_k_is_pinned() {
    let expected = [3, 5, 8, 10, 13, 15, 18, 20, 23, 25, 28, 30];
    for (k, &want) in (1..=12).zip(&expected) {
        assert_eq!(circuit_depth(k), want);
        for policy in [LevelPolicy::FirstUse, LevelPolicy::Top] {
            let (report, _) = trace_lowdepth(32, 8, k, 128, policy);
            assert_eq!(report.max_depth, want, "low-depth, k={k}, {policy:?}");
            // Every output (w and v) is at exactly that depth.
            assert!(report.outputs.iter().all(|o| o.depth == want));
        }
        assert_eq!(
            trace_baseline(32, 8, k, 128).max_depth,
            5 * k,
            "baseline, k={k}"
        );
    }
}

#[test]
fn six_minibatches_take_15_levels_against_30() {
    let (low, _) = trace_lowdepth(64, 16, 6, 256, LevelPolicy::FirstUse);
    let base = trace_baseline(64, 16, 6, 256);
    assert_eq!((low.max_depth, base.max_depth), (15, 30));
    // Average depth per minibatch <= 2.5.
    assert!(low.max_depth as f64 / 6.0 <= 2.5);
}

#[test]
fn rotations_stay_within_the_planned_keys() {
    for k in [1, 2, 5] {
        let (report, steps) = trace_lowdepth(40, 12, k, 256, LevelPolicy::FirstUse);
        let planned: Vec<usize> = steps.iter().map(|&s| normalize_step(s, 256)).collect();
        for s in &report.rotation_steps {
            assert!(planned.contains(s), "step {s} not in the plan {planned:?}");
        }
    }
}

#[test]
fn op_counts_are_pinned() {
    // b = 32, f = 8, slots = 128 (unit 8 x 16), k = 6.
    let (low, _) = trace_lowdepth(32, 8, 6, 128, LevelPolicy::FirstUse);
    let base = trace_baseline(32, 8, 6, 128);
    let c = &low.counts;
    let got = (
        c.ct_ct_mul,
        c.ct_pt_mul,
        c.const_mul,
        c.rescale,
        c.rotation,
        c.key_switch,
        c.add_sub,
    );
    let b = &base.counts;
    let got_b = (
        b.ct_ct_mul,
        b.ct_pt_mul,
        b.const_mul,
        b.rescale,
        b.rotation,
        b.key_switch,
        b.add_sub,
    );
    assert_eq!(got, LOW_COUNTS);
    assert_eq!(c.relabel, LOW_RELABELS);
    assert_eq!(got_b, BASE_COUNTS);
}

/// (ct x ct, ct x pt, ct x const, rescale, rotations, key switches, add/sub). The fused
/// products relinearize once per summed output (`mul_sum`): 63 of the 216 ct x ct products
/// are accumulated without a key switch of their own, and their additions happen inside.
/// The second iteration of each pair computes only the (1-η)-scaled gradient; `w` is
/// recovered from it by a relabel (before: 216, 18, 138, 300, 189, 342, 327).
/// Each pair's outputs `v`, `w` share one reduction with the gradient they add (before:
/// 178 rotations, 316 key switches, 304 add/sub), and so do `α` and `β` (before: 123
/// ct x const, 270 rescales, 167 rotations, 305 key switches, 293 add/sub).
const LOW_COUNTS: (u64, u64, u64, u64, u64, u64, u64) = (192, 18, 111, 258, 127, 265, 253);
/// One relabel per ciphertext of `w` at the end of each pair (`w = (v1s + g1s) / (1-η)`).
const LOW_RELABELS: u64 = 3;
/// The baseline's `u = Z v` sums its two horizontal products with one relinearization and
/// rescale (6 fewer of each over k = 6).
const BASE_COUNTS: (u64, u64, u64, u64, u64, u64, u64) = (48, 12, 48, 102, 96, 138, 132);
