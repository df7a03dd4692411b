//! Reductions: sum of rows (depth 0) and sum of columns (depth 1).

use std::borrow::Borrow;

use rayon::prelude::*;

use crate::backend::Backend;
use crate::encoding::{EncodingUnit, Layout, Shape};
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;
use crate::matrix::EncryptedMatrix;
use crate::object::EncryptedObject;
use crate::vector::{EncryptedColVector, EncryptedRowVector};

/// Sum of a list of ciphertexts (same level and scale), as a balanced tree.
pub fn sum_all<B: Backend, C: Borrow<B::Ciphertext>>(
    eval: &Evaluator<B>,
    cts: &[C],
) -> Result<B::Ciphertext> {
    match cts {
        [] => Err(ToolkitError::ShapeMismatch {
            op: "sum",
            detail: "no ciphertexts to add".into(),
        }),
        [one] => Ok(one.borrow().clone()),
        _ => {
            let (l, r) = cts.split_at(cts.len() / 2);
            eval.add(&sum_all::<B, C>(eval, l)?, &sum_all::<B, C>(eval, r)?)
        }
    }
}

/// `x + rot(x, s)` for each step `s` in turn (left rotations).
pub fn rotate_and_add<B: Backend>(
    eval: &Evaluator<B>,
    ct: B::Ciphertext,
    steps: impl IntoIterator<Item = i64>,
) -> Result<B::Ciphertext> {
    let mut acc = ct;
    for s in steps {
        acc = eval.add(&acc, &eval.rotate(&acc, s)?)?;
    }
    Ok(acc)
}

/// Powers of two `1, 2, 4, .. < n`.
pub(crate) fn doublings(n: usize) -> impl Iterator<Item = i64> {
    (0..n.trailing_zeros()).map(|k| 1i64 << k)
}

/// Rotation steps used by [`sum_rows`] under `unit`: `w, 2w, .., (h/2)w`.
pub fn sum_rows_steps(unit: EncodingUnit) -> Vec<i64> {
    let w = unit.width() as i64;
    doublings(unit.height()).map(|k| k * w).collect()
}

/// Rotation steps used by [`sum_cols`] under `unit`: `1, 2, .., w/2` then
/// `-1, -2, .., -w/2`.
pub fn sum_cols_steps(unit: EncodingUnit) -> Vec<i64> {
    doublings(unit.width())
        .chain(doublings(unit.width()).map(|k| -k))
        .collect()
}

/// Mask selecting column `col` of every row of a unit, times `c`.
pub(crate) fn column_mask(unit: EncodingUnit, col: usize, c: f64) -> Vec<f64> {
    let mut mask = vec![0.0; unit.slots()];
    for r in 0..unit.height() {
        mask[unit.slot(r, col)] = c;
    }
    mask
}

/// Mask selecting row `row` of a unit, times `c`.
pub(crate) fn row_mask(unit: EncodingUnit, row: usize, c: f64) -> Vec<f64> {
    let mut mask = vec![0.0; unit.slots()];
    let start = unit.slot(row, 0);
    mask[start..start + unit.width()].fill(c);
    mask
}

/// Column sums of a matrix as a column vector (`result[c] = Σ_r M[r, c]`): add the
/// vertical units, then `log2 h` rotate-and-adds by multiples of `w`. Depth 0.
pub fn sum_rows<B: Backend>(
    eval: &Evaluator<B>,
    m: &EncryptedMatrix<B>,
) -> Result<EncryptedColVector<B>> {
    let unit = m.layout().unit();
    let (gv, gh) = m.layout().grid();
    let cts = m.ciphertexts();
    let steps = sum_rows_steps(unit);
    let out = (0..gh)
        .into_par_iter()
        .map(|j| {
            let column: Vec<&B::Ciphertext> = (0..gv).map(|i| &cts[i * gh + j]).collect();
            rotate_and_add(eval, sum_all(eval, &column)?, steps.iter().copied())
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedColVector::from_parts(Layout::col_vector(unit, m.cols())?, out)
}

/// Row sums of a matrix times `c` as a row vector (`result[r] = c · Σ_c M[r, c]`): add the
/// horizontal units, `log2 w` rotate-and-adds, mask column 0 (times `c`), replicate
/// across the row with `log2 w` rotations. Depth 1 (the mask).
pub fn sum_cols<B: Backend>(
    eval: &Evaluator<B>,
    m: &EncryptedMatrix<B>,
    c: f64,
) -> Result<EncryptedRowVector<B>> {
    let (gv, gh) = m.layout().grid();
    let cts = m.ciphertexts();
    let Shape::Matrix { rows, .. } = m.layout().shape() else {
        return Err(ToolkitError::ShapeMismatch {
            op: "sum_cols",
            detail: "not a matrix".into(),
        });
    };
    let row_sums = (0..gv)
        .into_par_iter()
        .map(|i| sum_all(eval, &cts[i * gh..(i + 1) * gh]))
        .collect::<Result<Vec<_>>>()?;
    sum_cols_of_unit_rows(eval, m.layout().unit(), rows, row_sums, c)
}

/// The tail of [`sum_cols`] on one ciphertext per row of units (its horizontal units
/// already added): fold, mask column 0 times `c`, replicate. Depth 1.
pub(crate) fn sum_cols_of_unit_rows<B: Backend>(
    eval: &Evaluator<B>,
    unit: EncodingUnit,
    rows: usize,
    row_sums: Vec<B::Ciphertext>,
    c: f64,
) -> Result<EncryptedRowVector<B>> {
    let Some(first) = row_sums.first() else {
        return Err(ToolkitError::ShapeMismatch {
            op: "sum_cols",
            detail: "no rows of units".into(),
        });
    };
    let mask = eval.encode_for_mul(
        &column_mask(unit, 0, c),
        eval.level(first),
        eval.scale(first),
    )?;
    let out = row_sums
        .into_par_iter()
        .map(|summed| {
            let folded = rotate_and_add(eval, summed, doublings(unit.width()))?;
            let masked = eval.mul_plain_rescale(&folded, &mask)?;
            rotate_and_add(eval, masked, doublings(unit.width()).map(|k| -k))
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedRowVector::from_parts(Layout::row_vector(unit, rows)?, out)
}

/// `Σ_k c_k · sum_cols(M_k)` in one pass: each matrix is folded (`log2 w` rotate-and-adds)
/// and masked with its own `c_k` without rescaling; the masked terms are added, rescaled
/// once and replicated once (`log2 w` rotations shared by all terms). All matrices must
/// have the same layout; they are brought to the lowest level first. Depth 1.
pub fn sum_cols_many<B: Backend>(
    eval: &Evaluator<B>,
    terms: &[(&EncryptedMatrix<B>, f64)],
) -> Result<EncryptedRowVector<B>> {
    let Some((first, _)) = terms.first() else {
        return Err(ToolkitError::ShapeMismatch {
            op: "sum_cols_many",
            detail: "no terms".into(),
        });
    };
    let layout = *first.layout();
    for (m, _) in terms {
        layout.check_same(m.layout(), "sum_cols_many")?;
    }
    let unit = layout.unit();
    let (gv, gh) = layout.grid();
    let Shape::Matrix { rows, .. } = layout.shape() else {
        return Err(ToolkitError::ShapeMismatch {
            op: "sum_cols_many",
            detail: "not a matrix".into(),
        });
    };
    let level = terms.iter().map(|(m, _)| m.level(eval)).min().unwrap_or(0);
    let lowered = terms
        .iter()
        .map(|(m, _)| crate::ops::lower_to(eval, m.ciphertexts(), level))
        .collect::<Result<Vec<_>>>()?;
    let out = (0..gv)
        .into_par_iter()
        .map(|i| {
            let mut acc: Option<B::Ciphertext> = None;
            for (cts, (_, c)) in lowered.iter().zip(terms) {
                let summed = sum_all(eval, &cts[i * gh..(i + 1) * gh])?;
                let folded = rotate_and_add(eval, summed, doublings(unit.width()))?;
                let mask = eval.encode_for_mul(
                    &column_mask(unit, 0, *c),
                    eval.level(&folded),
                    eval.scale(&folded),
                )?;
                let term = eval.mul_plain(&folded, &mask)?;
                acc = Some(match acc {
                    None => term,
                    Some(a) => eval.add(&a, &term)?,
                });
            }
            let acc = acc.ok_or_else(|| ToolkitError::ShapeMismatch {
                op: "sum_cols_many",
                detail: "no terms".into(),
            })?;
            let masked = eval.rescale(&acc)?;
            rotate_and_add(eval, masked, doublings(unit.width()).map(|k| -k))
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedRowVector::from_parts(Layout::row_vector(unit, rows)?, out)
}
