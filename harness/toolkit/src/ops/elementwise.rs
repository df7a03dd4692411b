//! Elementwise operations (depth 0 or 1) and broadcasting Hadamard products.

use rayon::prelude::*;

use crate::backend::Backend;
use crate::encoding::Shape;
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;
use crate::matrix::EncryptedMatrix;
use crate::object::EncryptedObject;
use crate::ops::{align, lower_to, map_cts};
use crate::vector::{EncryptedColVector, EncryptedRowVector};

fn zip_with<B: Backend, T: EncryptedObject<B>, F>(
    eval: &Evaluator<B>,
    a: &T,
    b: &T,
    op: &'static str,
    f: F,
) -> Result<T>
where
    F: Fn(&B::Ciphertext, &B::Ciphertext) -> Result<B::Ciphertext> + Sync + Send,
{
    a.layout().check_same(b.layout(), op)?;
    let (x, y) = align(eval, a.ciphertexts(), b.ciphertexts())?;
    let cts = x
        .par_iter()
        .zip(y.par_iter())
        .map(|(p, q)| f(p, q))
        .collect::<Result<Vec<_>>>()?;
    T::from_parts(*a.layout(), cts)
}

/// `a + b` (same layout). Depth 0.
pub fn add<B: Backend, T: EncryptedObject<B>>(eval: &Evaluator<B>, a: &T, b: &T) -> Result<T> {
    zip_with(eval, a, b, "add", |p, q| eval.add(p, q))
}

/// `a - b` (same layout). Depth 0.
pub fn sub<B: Backend, T: EncryptedObject<B>>(eval: &Evaluator<B>, a: &T, b: &T) -> Result<T> {
    zip_with(eval, a, b, "sub", |p, q| eval.sub(p, q))
}

/// Elementwise product of two objects of the same layout. Depth 1.
pub fn hadamard<B: Backend, T: EncryptedObject<B>>(eval: &Evaluator<B>, a: &T, b: &T) -> Result<T> {
    zip_with(eval, a, b, "hadamard", |p, q| eval.mul_rescale(p, q))
}

/// `-a`. Depth 0.
pub fn negate<B: Backend, T: EncryptedObject<B>>(eval: &Evaluator<B>, a: &T) -> Result<T> {
    let cts = map_cts::<B, _>(a.ciphertexts(), |c| eval.negate(c))?;
    T::from_parts(*a.layout(), cts)
}

/// `a * i` for an integer. Depth 0.
pub fn mul_int<B: Backend, T: EncryptedObject<B>>(eval: &Evaluator<B>, a: &T, i: i64) -> Result<T> {
    let cts = map_cts::<B, _>(a.ciphertexts(), |c| eval.mul_int(c, i))?;
    T::from_parts(*a.layout(), cts)
}

/// `a * c` for a real scalar (rescaled to the next canonical scale). Depth 1.
pub fn mul_scalar<B: Backend, T: EncryptedObject<B>>(
    eval: &Evaluator<B>,
    a: &T,
    c: f64,
) -> Result<T> {
    let cts = map_cts::<B, _>(a.ciphertexts(), |ct| eval.mul_const_rescale(ct, c))?;
    T::from_parts(*a.layout(), cts)
}

/// `a + cleartext` where `cleartext` has `a`'s shape (row-major for matrices; padding
/// stays zero). Depth 0.
pub fn add_plain<B: Backend, T: EncryptedObject<B>>(
    eval: &Evaluator<B>,
    a: &T,
    cleartext: &[f64],
) -> Result<T> {
    let packed = a.layout().pack(cleartext)?;
    let cts = a
        .ciphertexts()
        .par_iter()
        .zip(packed.par_iter())
        .map(|(ct, values)| {
            let p = eval.encode_for_add(values, eval.level(ct), eval.scale(ct))?;
            eval.add_plain(ct, &p)
        })
        .collect::<Result<Vec<_>>>()?;
    T::from_parts(*a.layout(), cts)
}

/// `a + c` on every logical entry (padding stays zero). Depth 0.
pub fn add_scalar<B: Backend, T: EncryptedObject<B>>(
    eval: &Evaluator<B>,
    a: &T,
    c: f64,
) -> Result<T> {
    let cleartext = vec![c; a.layout().cleartext_len()];
    add_plain(eval, a, &cleartext)
}

/// `a ⊙ cleartext` (elementwise, `cleartext` of `a`'s shape). Depth 1.
pub fn mul_plain<B: Backend, T: EncryptedObject<B>>(
    eval: &Evaluator<B>,
    a: &T,
    cleartext: &[f64],
) -> Result<T> {
    let packed = a.layout().pack(cleartext)?;
    let cts = a
        .ciphertexts()
        .par_iter()
        .zip(packed.par_iter())
        .map(|(ct, values)| eval.mul_values_rescale(ct, values))
        .collect::<Result<Vec<_>>>()?;
    T::from_parts(*a.layout(), cts)
}

/// Brings `a` down to `level` at the canonical scale (one rescale, no depth beyond
/// `level`).
pub fn adjust_level<B: Backend, T: EncryptedObject<B>>(
    eval: &Evaluator<B>,
    a: &T,
    level: usize,
) -> Result<T> {
    let cts = lower_to(eval, a.ciphertexts(), level)?;
    T::from_parts(*a.layout(), cts)
}

fn matrix_dims<B: Backend>(op: &'static str, m: &EncryptedMatrix<B>) -> Result<(usize, usize)> {
    match m.layout().shape() {
        Shape::Matrix { rows, cols } => Ok((rows, cols)),
        other => Err(ToolkitError::ShapeMismatch {
            op,
            detail: format!("a matrix operand has the layout of a {other:?}"),
        }),
    }
}

/// `v` has one entry per row of `M`, under the same unit.
pub(crate) fn check_row_matrix<B: Backend>(
    op: &'static str,
    v: &EncryptedRowVector<B>,
    m: &EncryptedMatrix<B>,
) -> Result<()> {
    let (rows, _) = matrix_dims(op, m)?;
    if v.layout().unit() != m.layout().unit() || v.len() != rows {
        return Err(ToolkitError::ShapeMismatch {
            op,
            detail: format!("{:?} vs {:?}", v.layout(), m.layout()),
        });
    }
    Ok(())
}

/// `v` has one entry per column of `M`, under the same unit.
pub(crate) fn check_matrix_col<B: Backend>(
    op: &'static str,
    m: &EncryptedMatrix<B>,
    v: &EncryptedColVector<B>,
) -> Result<()> {
    let (_, cols) = matrix_dims(op, m)?;
    if v.layout().unit() != m.layout().unit() || v.len() != cols {
        return Err(ToolkitError::ShapeMismatch {
            op,
            detail: format!("{:?} vs {:?}", m.layout(), v.layout()),
        });
    }
    Ok(())
}

/// `diag(v) · M`: row `r` of `M` times `v[r]`. `v.len() == M.rows()`, same unit. Depth 1.
pub fn hadamard_row_matrix<B: Backend>(
    eval: &Evaluator<B>,
    v: &EncryptedRowVector<B>,
    m: &EncryptedMatrix<B>,
) -> Result<EncryptedMatrix<B>> {
    check_row_matrix("hadamard_row_matrix", v, m)?;
    let (vc, mc) = align(eval, v.ciphertexts(), m.ciphertexts())?;
    let (_, gh) = m.layout().grid();
    let cts = mc
        .par_iter()
        .enumerate()
        .map(|(k, ct)| eval.mul_rescale(&vc[k / gh], ct))
        .collect::<Result<Vec<_>>>()?;
    EncryptedMatrix::from_parts(*m.layout(), cts)
}

/// `M · diag(v)`: column `c` of `M` times `v[c]`. `v.len() == M.cols()`, same unit.
/// Depth 1.
pub fn hadamard_matrix_col<B: Backend>(
    eval: &Evaluator<B>,
    m: &EncryptedMatrix<B>,
    v: &EncryptedColVector<B>,
) -> Result<EncryptedMatrix<B>> {
    check_matrix_col("hadamard_matrix_col", m, v)?;
    let (mc, vc) = align(eval, m.ciphertexts(), v.ciphertexts())?;
    let (_, gh) = m.layout().grid();
    let cts = mc
        .par_iter()
        .enumerate()
        .map(|(k, ct)| eval.mul_rescale(ct, &vc[k % gh]))
        .collect::<Result<Vec<_>>>()?;
    EncryptedMatrix::from_parts(*m.layout(), cts)
}
