//! Backend-generic benchmark workloads (the hook for the CKKS adapter's benchmarks).
//!
//! `benches/linalg.rs` runs these under the plaintext backend; `harness/toolkit-ckks` can
//! run exactly the same workload on the engine by building an `Evaluator` over its
//! backend and calling [`ProductWorkload::encrypt`].

use crate::backend::Backend;
use crate::encoding::EncodingUnit;
use crate::error::Result;
use crate::evaluator::Evaluator;
use crate::matrix::EncryptedMatrix;
use crate::ops;
use crate::vector::{EncryptedColVector, EncryptedRowVector};

/// The MNIST minibatch shape of the LR circuits: `b = 1024` rows, `f = 256` features.
pub const MNIST_MINIBATCH: (usize, usize) = (1024, 256);

/// A `rows × cols` matrix with a column vector (length `cols`) and a row vector (length
/// `rows`), encrypted at one level.
#[derive(Debug)]
pub struct ProductWorkload<B: Backend> {
    /// The data matrix.
    pub z: EncryptedMatrix<B>,
    /// A column vector (the model).
    pub v: EncryptedColVector<B>,
    /// A row vector (per-sample weights).
    pub r: EncryptedRowVector<B>,
}

impl<B: Backend> ProductWorkload<B> {
    /// Encrypts deterministic pseudo-random data in [-1, 1) at `level`.
    pub fn encrypt(
        eval: &Evaluator<B>,
        unit: EncodingUnit,
        rows: usize,
        cols: usize,
        level: usize,
    ) -> Result<Self> {
        Ok(Self {
            z: EncryptedMatrix::encrypt(
                eval,
                unit,
                rows,
                cols,
                &pseudo_random(rows * cols, 1),
                level,
            )?,
            v: EncryptedColVector::encrypt(eval, unit, &pseudo_random(cols, 2), level)?,
            r: EncryptedRowVector::encrypt(eval, unit, &pseudo_random(rows, 3), level)?,
        })
    }

    /// `Z v` (depth 2).
    pub fn matrix_col_vector(&self, eval: &Evaluator<B>) -> Result<EncryptedRowVector<B>> {
        ops::matrix_col_vector(eval, &self.z, &self.v, 1.0)
    }

    /// `rᵀ Z` (depth 1).
    pub fn row_vector_matrix(&self, eval: &Evaluator<B>) -> Result<EncryptedColVector<B>> {
        ops::row_vector_matrix(eval, &self.r, &self.z)
    }
}

/// Deterministic pseudo-random values in [-1, 1) (an LCG; for workloads, not security).
pub fn pseudo_random(n: usize, seed: u64) -> Vec<f64> {
    const A: u64 = 6_364_136_223_846_793_005;
    const C: u64 = 1_442_695_040_888_963_407;
    let mut x = seed.wrapping_mul(A).wrapping_add(C);
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(A).wrapping_add(C);
            ((x >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}
