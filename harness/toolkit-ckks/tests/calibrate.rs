//! Calibration on the real engine (INSECURE small parameters): every server kind gets a
//! finite positive single-thread cost, key switching dominates, and the projection of a
//! traced product priced with those costs is consistent. No timing assertions beyond
//! orders of magnitude that no load can invert.
#![allow(clippy::unwrap_used)]

mod common;

use common::{ckks_for_trace, tracer, LOG_SCALE};
use lowdepth_toolkit::backends::tracer::OpKind;
use lowdepth_toolkit::backends::{Tracer, TracerParams};
use lowdepth_toolkit::calibrate::{measure_single_thread, project, server_kinds};
use lowdepth_toolkit::workload::ProductWorkload;
use lowdepth_toolkit::{Backend, EncodingUnit, Evaluator, RotationKeys};

const LOG_N: u32 = 11;
const SLOTS: usize = 1 << (LOG_N - 1);
const ROWS: usize = 64;
const COLS: usize = 32;

fn unit() -> EncodingUnit {
    EncodingUnit::try_new(32, 32, SLOTS).unwrap()
}

#[test]
fn ckks_calibration_and_projection() {
    // Trace Z v, plan, set up INSECURE CKKS with exactly its rotation keys.
    let depth = tracer(SLOTS);
    let w = ProductWorkload::encrypt(&depth, unit(), ROWS, COLS, depth.max_level()).unwrap();
    w.matrix_col_vector(&depth).unwrap();
    let (ckks, setup) = ckks_for_trace(&depth, LOG_N, 4, 7);
    assert!(!setup.secure_128);
    let top = ckks.max_level();
    assert_eq!(top, 2);

    let cal = measure_single_thread(&ckks, &[top, 1, 0], 5).unwrap();
    assert_eq!(cal.threads, 1);
    let model = cal.model();
    for kind in server_kinds() {
        for level in 0..=top {
            let c = model.cost(kind, level);
            assert!(c.is_finite() && c > 0.0, "{kind:?} at {level}: {c} s");
        }
    }
    assert_eq!(model.cost(OpKind::Encrypt, top), 0.0);
    // A key switch costs far more than an addition (about 100x at this size).
    for kind in [OpKind::Mul, OpKind::Rotate] {
        assert!(
            model.cost(kind, top) > 5.0 * model.cost(OpKind::Add, top),
            "{kind:?}: {} s vs add {} s",
            model.cost(kind, top),
            model.cost(OpKind::Add, top)
        );
    }

    // The same circuit traced at the CKKS moduli, so node levels are the calibrated ones.
    let traced = Evaluator::new(
        Tracer::try_new(TracerParams {
            slots: SLOTS,
            ring_degree: ckks.backend().ring_degree(),
            moduli: ckks.backend().moduli().to_vec(),
            rotation_keys: RotationKeys::All,
        })
        .unwrap(),
        LOG_SCALE,
    )
    .unwrap();
    let w = ProductWorkload::encrypt(&traced, unit(), ROWS, COLS, top).unwrap();
    w.matrix_col_vector(&traced).unwrap();
    let nodes = traced.backend().nodes().unwrap();
    let p = project(&nodes, &model, &[1, 2, 4, nodes.len()]);
    assert!((p[0].list_schedule_s - p[0].work_s).abs() <= 1e-12 * p[0].work_s);
    for w in p.windows(2) {
        assert!(w[1].list_schedule_s <= w[0].list_schedule_s);
    }
    for q in &p {
        assert!(q.span_s <= q.list_schedule_s && q.list_schedule_s <= q.brent_upper_s);
    }
    let last = &p[3];
    assert!((last.list_schedule_s - last.span_s).abs() <= 1e-12 * last.span_s);
    // Two independent row blocks (64 rows / 32): two cores at least help.
    assert!(p[1].list_schedule_s < p[0].list_schedule_s);
}
