//! Matrix-vector and matrix-matrix products built from Hadamard products and reductions.

use rayon::prelude::*;

use crate::backend::Backend;
use crate::encoding::{Layout, Shape};
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;
use crate::matrix::EncryptedMatrix;
use crate::object::EncryptedObject;
use crate::ops::elementwise::{check_matrix_col, check_row_matrix, hadamard_matrix_col};
use crate::ops::reduce::{
    column_mask, doublings, rotate_and_add, row_mask, sum_all, sum_cols_of_unit_rows,
    sum_rows_steps,
};
use crate::ops::{align, level_of, lower_to};
use crate::vector::{EncryptedColVector, EncryptedRowVector};

/// `c · M v` as a row vector (length `M.rows()`): each row of units multiplies its units
/// by `v`'s ciphertexts and adds the products with one relinearization and one rescale
/// ([`Evaluator::mul_sum`]), then [`sum_cols`](crate::ops::sum_cols)' fold, mask (times `c`) and replication.
/// Same value and depth (2) as `sum_cols(hadamard_matrix_col(M, v), c)`, with one
/// relinearization and rescale per row of units instead of one per unit.
pub fn matrix_col_vector<B: Backend>(
    eval: &Evaluator<B>,
    m: &EncryptedMatrix<B>,
    v: &EncryptedColVector<B>,
    c: f64,
) -> Result<EncryptedRowVector<B>> {
    check_matrix_col("matrix_col_vector", m, v)?;
    let (mc, vc) = align(eval, m.ciphertexts(), v.ciphertexts())?;
    let (gv, gh) = m.layout().grid();
    let row_sums = (0..gv)
        .into_par_iter()
        .map(|i| {
            let pairs: Vec<_> = (0..gh).map(|j| (&*mc[i * gh + j], &*vc[j])).collect();
            eval.mul_sum_rescale(&pairs)
        })
        .collect::<Result<Vec<_>>>()?;
    sum_cols_of_unit_rows(eval, m.layout().unit(), m.rows(), row_sums, c)
}

/// `vᵀ M` as a column vector (length `M.cols()`): [`row_vector_matrix_plus`] without a
/// data term. Depth 1.
pub fn row_vector_matrix<B: Backend>(
    eval: &Evaluator<B>,
    v: &EncryptedRowVector<B>,
    m: &EncryptedMatrix<B>,
) -> Result<EncryptedColVector<B>> {
    row_vector_matrix_plus(eval, v, m, None)
}

/// `vᵀ M + 1ᵀ E` as a column vector (length `M.cols()`; `E`, if given, has `M`'s layout):
/// each column of units multiplies its units by `v`'s ciphertexts and adds the products
/// with one relinearization and one rescale ([`Evaluator::mul_sum`]), adds `E`'s units of
/// that column (brought to the result's level), then [`sum_rows`](crate::ops::sum_rows)' rotations. Same value
/// and depth (1) as `sum_rows(add(hadamard_row_matrix(v, M), E))`.
pub fn row_vector_matrix_plus<B: Backend>(
    eval: &Evaluator<B>,
    v: &EncryptedRowVector<B>,
    m: &EncryptedMatrix<B>,
    extra: Option<&EncryptedMatrix<B>>,
) -> Result<EncryptedColVector<B>> {
    check_row_matrix("row_vector_matrix", v, m)?;
    if let Some(e) = extra {
        m.layout()
            .check_same(e.layout(), "row_vector_matrix (data term)")?;
    }
    let (vc, mc) = align(eval, v.ciphertexts(), m.ciphertexts())?;
    let unit = m.layout().unit();
    let (gv, gh) = m.layout().grid();
    let steps = sum_rows_steps(unit);
    let out = (0..gh)
        .into_par_iter()
        .map(|j| {
            let pairs: Vec<_> = (0..gv).map(|i| (&*vc[i], &*mc[i * gh + j])).collect();
            let mut acc = eval.mul_sum_rescale(&pairs)?;
            if let Some(e) = extra {
                let column: Vec<B::Ciphertext> = (0..gv)
                    .map(|i| e.ciphertexts()[i * gh + j].clone())
                    .collect();
                let data = eval.adjust_level(&sum_all(eval, &column)?, eval.level(&acc))?;
                acc = eval.add(&acc, &data)?;
            }
            rotate_and_add(eval, acc, steps.iter().copied())
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedColVector::from_parts(Layout::col_vector(unit, m.cols())?, out)
}

/// Column `col` of `a` as a row vector (depth 1: mask, then rotations).
fn extract_column<B: Backend>(
    eval: &Evaluator<B>,
    a: &EncryptedMatrix<B>,
    col: usize,
) -> Result<EncryptedRowVector<B>> {
    let unit = a.layout().unit();
    let w = unit.width();
    let (gv, gh) = a.layout().grid();
    let (j, c0) = (col / w, col % w);
    let cts = a.ciphertexts();
    let out = (0..gv)
        .into_par_iter()
        .map(|i| {
            let ct = &cts[i * gh + j];
            let masked = eval.mul_values_rescale(ct, &column_mask(unit, c0, 1.0))?;
            let at_zero = eval.rotate(&masked, c0 as i64)?;
            rotate_and_add(eval, at_zero, doublings(w).map(|k| -k))
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedRowVector::from_parts(Layout::row_vector(unit, a.rows())?, out)
}

/// `Aᵀ B` for `A` (`k × m`) and `B` (`k × n`) under the same unit, as an `m × n` matrix.
///
/// For each column `i` of `A`: extract it as a row vector (mask + rotations, depth 1),
/// multiply into `B` and sum the rows (row `i` of the result replicated down each unit,
/// depth 2), then mask row `i mod h` (depth 3) and add into the result's units. Cost is
/// about `m` times a row-vector × matrix product. Depth 3.
pub fn transpose_matrix_matrix<B: Backend>(
    eval: &Evaluator<B>,
    a: &EncryptedMatrix<B>,
    b: &EncryptedMatrix<B>,
) -> Result<EncryptedMatrix<B>> {
    let unit = a.layout().unit();
    if b.layout().unit() != unit || a.rows() != b.rows() {
        return Err(ToolkitError::ShapeMismatch {
            op: "transpose_matrix_matrix",
            detail: format!("{:?} vs {:?}", a.layout(), b.layout()),
        });
    }
    let (m, n) = (a.cols(), b.cols());
    let h = unit.height();
    let (Shape::Matrix { .. }, Some(_)) = (a.layout().shape(), a.ciphertexts().first()) else {
        return Err(ToolkitError::ShapeMismatch {
            op: "transpose_matrix_matrix",
            detail: "not a matrix".into(),
        });
    };
    // Bring A to B's level if B is lower, so the extracted columns meet B one level down.
    let la = level_of(eval, a.ciphertexts()).min(level_of(eval, b.ciphertexts()));
    let a = EncryptedMatrix::from_parts(*a.layout(), lower_to(eval, a.ciphertexts(), la)?)?;
    let columns = (0..m)
        .into_par_iter()
        .map(|i| extract_column(eval, &a, i))
        .collect::<Result<Vec<_>>>()?;
    let lvl = columns
        .first()
        .map_or(0, |c| level_of(eval, c.ciphertexts()));
    let b = EncryptedMatrix::from_parts(*b.layout(), lower_to(eval, b.ciphertexts(), lvl)?)?;
    // Row i of the result, masked to row i mod h: one ciphertext per horizontal unit.
    let rows = columns
        .par_iter()
        .enumerate()
        .map(|(i, col)| {
            let r = row_vector_matrix(eval, col, &b)?;
            r.ciphertexts()
                .iter()
                .map(|ct| eval.mul_values_rescale(ct, &row_mask(unit, i % h, 1.0)))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let layout = Layout::matrix(unit, m, n)?;
    let (gv, gh) = layout.grid();
    let cts = (0..gv * gh)
        .into_par_iter()
        .map(|k| {
            let (p, j) = (k / gh, k % gh);
            let parts: Vec<B::Ciphertext> = (p * h..((p + 1) * h).min(m))
                .map(|i| rows[i][j].clone())
                .collect();
            sum_all(eval, &parts)
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedMatrix::from_parts(layout, cts)
}

/// Row `row` of `b` as a column vector (depth 1: mask the row, then `log2 h` rotations by
/// multiples of `w` copy it to every row of the unit).
fn extract_row<B: Backend>(
    eval: &Evaluator<B>,
    b: &EncryptedMatrix<B>,
    row: usize,
) -> Result<EncryptedColVector<B>> {
    let unit = b.layout().unit();
    let (_, gh) = b.layout().grid();
    let (i, r0) = (row / unit.height(), row % unit.height());
    let cts = b.ciphertexts();
    let w = unit.width() as i64;
    let out = (0..gh)
        .into_par_iter()
        .map(|j| {
            let masked = eval.mul_values_rescale(&cts[i * gh + j], &row_mask(unit, r0, 1.0))?;
            rotate_and_add(eval, masked, doublings(unit.height()).map(|k| k * w))
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedColVector::from_parts(Layout::col_vector(unit, b.cols())?, out)
}

/// `A Bᵀ` for `A` (`m × k`) and `B` (`n × k`) under the same unit, as an `m × n` matrix.
///
/// For each row `j` of `B`: extract it as a column vector (mask + rotations, depth 1),
/// multiply into `A` (depth 2), add the horizontal units and fold each row with `log2 w`
/// rotate-and-adds, mask column 0 (depth 3), and rotate right by `j mod w` into column
/// `j` of the result. Cost is about `n` times a matrix × column-vector product. Depth 3.
pub fn matrix_matrix_transpose<B: Backend>(
    eval: &Evaluator<B>,
    a: &EncryptedMatrix<B>,
    b: &EncryptedMatrix<B>,
) -> Result<EncryptedMatrix<B>> {
    let unit = a.layout().unit();
    if b.layout().unit() != unit || a.cols() != b.cols() {
        return Err(ToolkitError::ShapeMismatch {
            op: "matrix_matrix_transpose",
            detail: format!("{:?} vs {:?}", a.layout(), b.layout()),
        });
    }
    let (m, n) = (a.rows(), b.rows());
    let w = unit.width();
    let (gv, gh) = a.layout().grid();
    let lb = level_of(eval, a.ciphertexts()).min(level_of(eval, b.ciphertexts()));
    let b = EncryptedMatrix::from_parts(*b.layout(), lower_to(eval, b.ciphertexts(), lb)?)?;
    let rows_of_b = (0..n)
        .into_par_iter()
        .map(|j| extract_row(eval, &b, j))
        .collect::<Result<Vec<_>>>()?;
    let lvl = rows_of_b
        .first()
        .map_or(0, |c| level_of(eval, c.ciphertexts()));
    let a = EncryptedMatrix::from_parts(*a.layout(), lower_to(eval, a.ciphertexts(), lvl)?)?;
    // Column j of the result, in column j mod w of each vertical unit.
    let columns = rows_of_b
        .par_iter()
        .enumerate()
        .map(|(j, row)| {
            let prod = hadamard_matrix_col(eval, &a, row)?;
            let cts = prod.ciphertexts();
            (0..gv)
                .map(|i| {
                    let summed = sum_all(eval, &cts[i * gh..(i + 1) * gh])?;
                    let folded = rotate_and_add(eval, summed, doublings(w))?;
                    let masked = eval.mul_values_rescale(&folded, &column_mask(unit, 0, 1.0))?;
                    eval.rotate(&masked, -((j % w) as i64))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let layout = Layout::matrix(unit, m, n)?;
    let (cgv, cgh) = layout.grid();
    let cts = (0..cgv * cgh)
        .into_par_iter()
        .map(|k| {
            let (i, q) = (k / cgh, k % cgh);
            let parts: Vec<B::Ciphertext> = (q * w..((q + 1) * w).min(n))
                .map(|j| columns[j][i].clone())
                .collect();
            sum_all(eval, &parts)
        })
        .collect::<Result<Vec<_>>>()?;
    EncryptedMatrix::from_parts(layout, cts)
}
