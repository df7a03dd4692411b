//! Encrypted matrices: a grid of encoding units, one ciphertext each, zero padded.

use crate::backend::Backend;
use crate::encoding::{EncodingUnit, Layout, Shape};
use crate::error::Result;
use crate::evaluator::Evaluator;
use crate::object::{encrypt_layout, encrypted_object, EncryptedObject};

encrypted_object!(
    /// A `rows × cols` matrix cut into `ceil(rows/h) × ceil(cols/w)` units (see
    /// [`crate::encoding`]).
    EncryptedMatrix,
    Shape::Matrix { .. },
    "matrix"
);

impl<B: Backend> EncryptedMatrix<B> {
    /// Encrypts a row-major `rows × cols` cleartext at `level` (canonical scale).
    pub fn encrypt(
        eval: &Evaluator<B>,
        unit: EncodingUnit,
        rows: usize,
        cols: usize,
        cleartext: &[f64],
        level: usize,
    ) -> Result<Self> {
        let layout = Layout::matrix(unit, rows, cols)?;
        let cts = encrypt_layout(eval, &layout, cleartext, level)?;
        Self::from_parts(layout, cts)
    }

    /// Logical number of rows.
    pub fn rows(&self) -> usize {
        match self.layout().shape() {
            Shape::Matrix { rows, .. } => rows,
            _ => 0,
        }
    }

    /// Logical number of columns.
    pub fn cols(&self) -> usize {
        match self.layout().shape() {
            Shape::Matrix { cols, .. } => cols,
            _ => 0,
        }
    }

    /// The ciphertext of unit `(i, j)` of the grid.
    pub fn unit_ciphertext(&self, i: usize, j: usize) -> Option<&B::Ciphertext> {
        let (gv, gh) = self.layout().grid();
        if i >= gv || j >= gh {
            return None;
        }
        self.ciphertexts().get(i * gh + j)
    }
}
