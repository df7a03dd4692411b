//! Encrypted vectors: row vectors (indexed by matrix rows) and column vectors (indexed by
//! matrix columns).

use crate::backend::Backend;
use crate::encoding::{EncodingUnit, Layout, Shape};
use crate::error::Result;
use crate::evaluator::Evaluator;
use crate::object::{encrypt_layout, encrypted_object, EncryptedObject};

encrypted_object!(
    /// A vector whose length is a matrix *height*: element `i*h + r` is repeated across row
    /// `r` of ciphertext `i` (one ciphertext per vertical unit).
    EncryptedRowVector,
    Shape::RowVector { .. },
    "row vector"
);

encrypted_object!(
    /// A vector whose length is a matrix *width*: elements `j*w..(j+1)*w` lie along every
    /// row of ciphertext `j` (one ciphertext per horizontal unit).
    EncryptedColVector,
    Shape::ColVector { .. },
    "column vector"
);

fn vector_len(layout: &Layout) -> usize {
    match layout.shape() {
        Shape::RowVector { len } | Shape::ColVector { len } => len,
        Shape::Matrix { .. } => 0,
    }
}

impl<B: Backend> EncryptedRowVector<B> {
    /// Encrypts `cleartext` as a row vector at `level` (canonical scale).
    pub fn encrypt(
        eval: &Evaluator<B>,
        unit: EncodingUnit,
        cleartext: &[f64],
        level: usize,
    ) -> Result<Self> {
        let layout = Layout::row_vector(unit, cleartext.len())?;
        let cts = encrypt_layout(eval, &layout, cleartext, level)?;
        Self::from_parts(layout, cts)
    }

    /// Length.
    pub fn len(&self) -> usize {
        vector_len(self.layout())
    }

    /// Always false (layouts refuse empty vectors).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<B: Backend> EncryptedColVector<B> {
    /// Encrypts `cleartext` as a column vector at `level` (canonical scale).
    pub fn encrypt(
        eval: &Evaluator<B>,
        unit: EncodingUnit,
        cleartext: &[f64],
        level: usize,
    ) -> Result<Self> {
        let layout = Layout::col_vector(unit, cleartext.len())?;
        let cts = encrypt_layout(eval, &layout, cleartext, level)?;
        Self::from_parts(layout, cts)
    }

    /// Length.
    pub fn len(&self) -> usize {
        vector_len(self.layout())
    }

    /// Always false (layouts refuse empty vectors).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
