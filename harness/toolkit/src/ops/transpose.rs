//! Mixed-unit operations: a row vector re-encoded as a column vector under the transposed
//! unit.

use rayon::prelude::*;

use crate::backend::Backend;
use crate::encoding::Layout;
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;
use crate::object::EncryptedObject;
use crate::ops::reduce::{doublings, rotate_and_add};
use crate::vector::{EncryptedColVector, EncryptedRowVector};

/// Rotation steps used by [`row_to_col_transposed`] under an `h × w` unit: `w, 2w, ..,
/// (h/2)w`, then `-h, -2h, .., -w/2`.
pub fn row_to_col_transposed_steps(h: usize, w: usize) -> Vec<i64> {
    let (hi, wi) = (h as i64, w as i64);
    doublings(h)
        .map(|k| k * wi)
        .chain(doublings(w / h.max(1)).map(|k| -k * hi))
        .collect()
}

/// Re-encodes a row vector under unit `h × w` as a column vector of the same length under
/// the transposed unit `w × h` (same number of ciphertexts). Needs `h <= w`.
///
/// Per ciphertext: keep the diagonal `(t, t)`, `t < h` (depth 1), sum the rows with
/// `log2 h` rotations by multiples of `w` (row `r` now holds `x[0..h)` in its first `h`
/// columns), then tile it across the row with `log2(w/h)` right rotations by multiples of
/// `h`. Every row is then `x` tiled with period `h`, which under the `w × h` unit is the
/// column-vector encoding. Depth 1, `log2 w` rotations.
pub fn row_to_col_transposed<B: Backend>(
    eval: &Evaluator<B>,
    v: &EncryptedRowVector<B>,
) -> Result<EncryptedColVector<B>> {
    let unit = v.layout().unit();
    let (h, w) = (unit.height(), unit.width());
    if h > w {
        return Err(ToolkitError::ShapeMismatch {
            op: "row_to_col_transposed",
            detail: format!("unit {h}x{w}: only units with height <= width are supported"),
        });
    }
    let mut diagonal = vec![0.0; unit.slots()];
    for t in 0..h {
        diagonal[unit.slot(t, t)] = 1.0;
    }
    let steps = row_to_col_transposed_steps(h, w);
    let (row_steps, tile_steps) = steps.split_at(h.trailing_zeros() as usize);
    let out = v
        .ciphertexts()
        .par_iter()
        .map(|ct| {
            let masked = eval.mul_values_rescale(ct, &diagonal)?;
            let summed = rotate_and_add(eval, masked, row_steps.iter().copied())?;
            rotate_and_add(eval, summed, tile_steps.iter().copied())
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedColVector::from_parts(Layout::col_vector(unit.transposed(), v.len())?, out)
}
