//! A cost model fitted to this machine's engine timings, for work/span predictions of
//! traced circuits (DESIGN.md section 4: Brent's `T_P <= W/P + S`).
//!
//! The toolkit's [`CostModel`] charges `fixed + per_prime · (level + 1)` per op, which
//! captures the level dependence but not the ring degree. [`measured_cost_model`] returns
//! one table per ring degree, fitted (least-effort linear fit per limb) to single-thread
//! medians of `lowdepth-ckks` measured on this machine (AVX-512 IFMA, primes < 2^50,
//! `log_scale` 40, `dnum` 4: the planner's choice at `k = 6` for both circuits):
//!
//! | op (ms, 1 thread) | N=2^15 l=15 | l=7 | l=1 | N=2^16 l=30 | l=15 | l=7 | l=1 |
//! |---|---|---|---|---|---|---|---|
//! | mul (tensor + relin) | 23.9 | 10.2 | 1.4 | 119.6 | 62.9 | 28.4 | 14.7 |
//! | rotate | 23.7 | 10.3 | 1.6 | 114.9 | 49.2 | 18.6 | 10.8 |
//! | rotate_many (4 steps) | 72.2 | 28.3 | 9.2 | 335.6 | 151.8 | 94.7 | 31.2 |
//! | rescale | 3.1 | 1.2 | 0.23 | 18.0 | 11.1 | 6.4 | 0.5 |
//! | mul_plain | 0.89 | 0.32 | 0.05 | 8.2 | 1.95 | 0.66 | 0.14 |
//! | add | 0.73 | 0.34 | 0.08 | 7.2 | 1.7 | 0.77 | 0.16 |
//!
//! (`l` = level, `l + 1` limbs.) The per-limb slopes: key switches about 1.5 ms per limb
//! at 2^15 and 3.8 ms per limb at 2^16 (2.6x: twice the coefficients, twice the special
//! primes). Two threads: the engine parallelises inside an op over limbs; we predict the
//! 2-core time with the tracer's list schedule on 2 workers and single-thread op costs
//! (inter-op parallelism only), an upper bound when both levels of parallelism combine.
//!
//! Client-side operations (encrypt, decrypt) cost 0: server time only.

use lowdepth_toolkit::backends::tracer::{CostModel, OpCost, OpKind};

/// Per-limb costs (ms, one thread) measured for ring degree `2^log_n` (15 or 16; other
/// degrees are extrapolated by a factor 2.6 per doubling of N from the nearest).
pub fn measured_cost_model(log_n: u32) -> CostModel {
    // Per-limb costs at N = 2^15 (ms).
    let base: [(OpKind, f64, f64); 17] = [
        (OpKind::Encode, 0.5, 0.17),
        (OpKind::Encrypt, 0.0, 0.0),
        (OpKind::Decrypt, 0.0, 0.0),
        (OpKind::Add, 0.0, 0.045),
        (OpKind::Sub, 0.0, 0.045),
        (OpKind::Negate, 0.0, 0.03),
        (OpKind::AddPlain, 0.0, 0.045),
        (OpKind::MulPlain, 0.0, 0.05),
        (OpKind::MulConst, 0.0, 0.02),
        (OpKind::MulInt, 0.0, 0.02),
        (OpKind::Mul, 0.0, 1.5),
        // A further tensor product of a mul_sum: four pointwise products and adds.
        (OpKind::MulAccumulate, 0.0, 0.12),
        (OpKind::Rescale, 0.0, 0.19),
        (OpKind::DropLevel, 0.0, 0.0),
        (OpKind::Rotate, 0.0, 1.45),
        (OpKind::HoistDecompose, 0.0, 0.4),
        (OpKind::RotateHoisted, 0.0, 1.0),
    ];
    // N = 2^16 per limb, measured where it matters (key switches, rescale, plaintext ops).
    let n16 = |k: OpKind| -> Option<(f64, f64)> {
        Some(match k {
            OpKind::Encode => (1.0, 0.6),
            OpKind::Add | OpKind::Sub | OpKind::AddPlain => (0.0, 0.1),
            OpKind::MulPlain => (0.0, 0.13),
            OpKind::MulConst | OpKind::MulInt => (0.0, 0.06),
            OpKind::Mul => (0.0, 3.9),
            OpKind::MulAccumulate => (0.0, 0.3),
            OpKind::Rescale => (0.0, 0.6),
            OpKind::Rotate => (0.0, 3.6),
            OpKind::HoistDecompose => (0.0, 1.0),
            OpKind::RotateHoisted => (0.0, 2.4),
            _ => return None,
        })
    };
    let mut model = CostModel::unit();
    let reference = if log_n >= 16 { 16 } else { 15 };
    let factor = 2.6f64.powi(i32::try_from(log_n).unwrap_or(15) - reference);
    for (kind, fixed, per) in base {
        let (f, p) = if reference == 16 {
            n16(kind).unwrap_or((fixed * 2.6, per * 2.6))
        } else {
            (fixed, per)
        };
        let (f, p) = (f * factor, p * factor);
        model.set(
            kind,
            OpCost {
                fixed: f,
                per_prime: p,
            },
        );
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn larger_rings_cost_more_and_levels_matter() {
        let a = measured_cost_model(15);
        let b = measured_cost_model(16);
        assert!(b.cost(OpKind::Mul, 15) > 2.0 * a.cost(OpKind::Mul, 15));
        assert!(a.cost(OpKind::Mul, 15) > 5.0 * a.cost(OpKind::Mul, 1));
        assert_eq!(a.cost(OpKind::Encrypt, 10), 0.0);
        let c = measured_cost_model(14);
        assert!(c.cost(OpKind::Rotate, 5) < a.cost(OpKind::Rotate, 5));
    }
}
