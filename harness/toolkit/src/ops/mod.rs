//! Operations on encrypted objects, generic over the backend.
//!
//! Multiplicative depth of each operation (levels consumed, inputs at canonical scale):
//!
//! | operation | result | depth |
//! |---|---|---|
//! | [`add`] / [`sub`] / [`negate`] / [`add_plain`] / [`add_scalar`] / [`mul_int`] | same kind | 0 |
//! | [`mul_scalar`] / [`mul_plain`] | same kind | 1 |
//! | [`hadamard`], [`hadamard_row_matrix`], [`hadamard_matrix_col`] | same kind / matrix | 1 |
//! | [`sum_rows`] (add vertical units, `log2 h` rotations by multiples of `w`) | col vector | 0 |
//! | [`sum_cols`] (`log2 w` rotate-and-add, mask column 0 × c, replicate) | row vector | 1 |
//! | [`matrix_col_vector`] (products summed per row of units with one relinearization, then sum_cols) | row vector | 2 |
//! | [`row_vector_matrix`], [`row_vector_matrix_plus`] (products summed per column of units with one relinearization, plus a data term, then sum_rows) | col vector | 1 |
//! | [`transpose_matrix_matrix`] (`AᵀB`: extract rows, products, masks) | matrix | 3 |
//! | [`matrix_matrix_transpose`] (`ABᵀ`: extract rows, products, fold, mask, place) | matrix | 3 |
//! | [`sum_cols_many`] (`Σ c_k · sum_cols(M_k)`, one shared replication) | row vector | 1 |
//! | [`row_to_col_transposed`] (row vector → column vector under the `w × h` unit, `h <= w`) | col vector | 1 |
//!
//! Binary operations bring the operand at the higher level down to the other's level with
//! [`Evaluator::adjust_level`](crate::Evaluator::adjust_level) (no extra depth beyond the
//! lower operand). Work over the ciphertexts of an object runs in parallel (rayon).

mod elementwise;
mod product;
mod reduce;
mod transpose;

pub use elementwise::{
    add, add_plain, add_scalar, adjust_level, hadamard, hadamard_matrix_col, hadamard_row_matrix,
    mul_int, mul_plain, mul_scalar, negate, sub,
};
pub use product::{
    matrix_col_vector, matrix_matrix_transpose, row_vector_matrix, row_vector_matrix_plus,
    transpose_matrix_matrix,
};
pub use reduce::{
    rotate_and_add, sum_all, sum_cols, sum_cols_many, sum_cols_steps, sum_rows, sum_rows_steps,
};
pub use transpose::{row_to_col_transposed, row_to_col_transposed_steps};

use std::borrow::Cow;

use rayon::prelude::*;

use crate::backend::Backend;
use crate::error::Result;
use crate::evaluator::Evaluator;

/// Applies `f` to every ciphertext in parallel.
pub(crate) fn map_cts<B: Backend, F>(cts: &[B::Ciphertext], f: F) -> Result<Vec<B::Ciphertext>>
where
    F: Fn(&B::Ciphertext) -> Result<B::Ciphertext> + Sync + Send,
{
    cts.par_iter().map(f).collect()
}

/// Level of a ciphertext list (of the first one).
pub(crate) fn level_of<B: Backend>(eval: &Evaluator<B>, cts: &[B::Ciphertext]) -> usize {
    cts.first().map_or(0, |c| eval.level(c))
}

/// Brings a ciphertext list down to `level` (parallel, no-op when already there).
pub(crate) fn lower_to<B: Backend>(
    eval: &Evaluator<B>,
    cts: &[B::Ciphertext],
    level: usize,
) -> Result<Vec<B::Ciphertext>> {
    if level_of(eval, cts) == level {
        return Ok(cts.to_vec());
    }
    map_cts::<B, _>(cts, |c| eval.adjust_level(c, level))
}

/// Two ciphertext lists at one level: borrowed where already there, lowered copies
/// otherwise (no clones of large ciphertexts on the common path).
pub(crate) type CiphertextPair<'a, B> = (
    Vec<Cow<'a, <B as Backend>::Ciphertext>>,
    Vec<Cow<'a, <B as Backend>::Ciphertext>>,
);

/// A ciphertext list at `level`: each ciphertext borrowed if already there (no copy of a
/// large ciphertext), else lowered with [`Evaluator::adjust_level`]. Parallel.
pub fn lowered_view<'a, B: Backend>(
    eval: &Evaluator<B>,
    cts: &'a [B::Ciphertext],
    level: usize,
) -> Result<Vec<Cow<'a, B::Ciphertext>>> {
    cts.par_iter()
        .map(|c| {
            if eval.level(c) == level {
                Ok(Cow::Borrowed(c))
            } else {
                eval.adjust_level(c, level).map(Cow::Owned)
            }
        })
        .collect()
}

/// Brings two ciphertext lists to the lower of their levels.
pub(crate) fn align<'a, B: Backend>(
    eval: &Evaluator<B>,
    a: &'a [B::Ciphertext],
    b: &'a [B::Ciphertext],
) -> Result<CiphertextPair<'a, B>> {
    let level = level_of(eval, a).min(level_of(eval, b));
    Ok((lowered_view(eval, a, level)?, lowered_view(eval, b, level)?))
}
