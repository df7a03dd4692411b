//! Encoding units and object layouts: where each cleartext value lives in which slot.
//!
//! An [`EncodingUnit`] is an `h × w` tile (`h`, `w` powers of two, `h * w = slots`),
//! flattened row-major into one plaintext: entry `(r, c)` is slot `r * w + c`.
//!
//! A [`Layout`] places an object on a grid of units:
//!
//! - matrix `rows × cols`: a grid of `ceil(rows/h) × ceil(cols/w)` units, ciphertext
//!   `i * grid_cols + j` holds the block of rows `i*h..` and columns `j*w..`, zero padded;
//! - row vector of length `n` (a matrix *height*): `ceil(n/h)` ciphertexts, element
//!   `i*h + r` repeated across row `r` of ciphertext `i`;
//! - column vector of length `n` (a matrix *width*): `ceil(n/w)` ciphertexts, elements
//!   `j*w..j*w+w` along every row of ciphertext `j`.
//!
//! Padding slots are zero; the toolkit's operations keep them zero.

use serde::{Deserialize, Serialize};

use crate::error::{Result, ToolkitError};

/// An `height × width` tile of slots, flattened row-major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EncodingUnit {
    height: usize,
    width: usize,
}

impl EncodingUnit {
    /// A unit of `height × width = slots`, both powers of two.
    pub fn try_new(height: usize, width: usize, slots: usize) -> Result<Self> {
        let err = |reason| ToolkitError::InvalidUnit {
            height,
            width,
            slots,
            reason,
        };
        if !height.is_power_of_two() || !width.is_power_of_two() {
            return Err(err("height and width must be powers of two"));
        }
        if height.checked_mul(width) != Some(slots) {
            return Err(err("height * width must equal the slot count"));
        }
        Ok(Self { height, width })
    }

    /// A unit of width `width` covering `slots` slots.
    pub fn with_width(width: usize, slots: usize) -> Result<Self> {
        let height = slots.checked_div(width).unwrap_or(0);
        Self::try_new(height, width, slots)
    }

    /// Unit height `h`.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Unit width `w`.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Slots covered (`h * w`).
    pub fn slots(&self) -> usize {
        self.height * self.width
    }

    /// Slot of entry `(r, c)` (`r < h`, `c < w`).
    pub fn slot(&self, r: usize, c: usize) -> usize {
        r * self.width + c
    }

    /// The transposed unit `w × h`.
    pub fn transposed(&self) -> Self {
        Self {
            height: self.width,
            width: self.height,
        }
    }
}

/// What kind of object a layout describes, with its logical size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Shape {
    /// A `rows × cols` matrix.
    Matrix {
        /// Logical rows.
        rows: usize,
        /// Logical columns.
        cols: usize,
    },
    /// A vector indexed like a matrix's rows.
    RowVector {
        /// Length.
        len: usize,
    },
    /// A vector indexed like a matrix's columns.
    ColVector {
        /// Length.
        len: usize,
    },
}

/// An object's shape under an encoding unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Layout {
    unit: EncodingUnit,
    shape: Shape,
}

impl Layout {
    /// Layout of a `rows × cols` matrix (both >= 1).
    pub fn matrix(unit: EncodingUnit, rows: usize, cols: usize) -> Result<Self> {
        if rows == 0 || cols == 0 || rows.checked_mul(cols).is_none() {
            return Err(ToolkitError::ShapeMismatch {
                op: "matrix layout",
                detail: format!("matrix {rows}x{cols} is empty or too large"),
            });
        }
        Ok(Self {
            unit,
            shape: Shape::Matrix { rows, cols },
        })
    }

    /// Layout of a row vector (indexed by matrix rows) of length `len >= 1`.
    pub fn row_vector(unit: EncodingUnit, len: usize) -> Result<Self> {
        Self::vector(unit, Shape::RowVector { len }, len)
    }

    /// Layout of a column vector (indexed by matrix columns) of length `len >= 1`.
    pub fn col_vector(unit: EncodingUnit, len: usize) -> Result<Self> {
        Self::vector(unit, Shape::ColVector { len }, len)
    }

    fn vector(unit: EncodingUnit, shape: Shape, len: usize) -> Result<Self> {
        if len == 0 {
            return Err(ToolkitError::ShapeMismatch {
                op: "vector layout",
                detail: "empty vector".into(),
            });
        }
        Ok(Self { unit, shape })
    }

    /// The encoding unit.
    pub fn unit(&self) -> EncodingUnit {
        self.unit
    }

    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// `(vertical units, horizontal units)` of the grid.
    pub fn grid(&self) -> (usize, usize) {
        let (h, w) = (self.unit.height, self.unit.width);
        match self.shape {
            Shape::Matrix { rows, cols } => (rows.div_ceil(h), cols.div_ceil(w)),
            Shape::RowVector { len } => (len.div_ceil(h), 1),
            Shape::ColVector { len } => (1, len.div_ceil(w)),
        }
    }

    /// Number of ciphertexts.
    pub fn num_ciphertexts(&self) -> usize {
        let (a, b) = self.grid();
        a * b
    }

    /// Number of cleartext values (`rows * cols` or `len`).
    pub fn cleartext_len(&self) -> usize {
        match self.shape {
            Shape::Matrix { rows, cols } => rows * cols,
            Shape::RowVector { len } | Shape::ColVector { len } => len,
        }
    }

    /// Where cleartext value `index` is stored: `(ciphertext, slot)` of its canonical
    /// copy (for vectors, column 0 or row 0 of the unit; the value is replicated along its
    /// row or column).
    pub fn position(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.cleartext_len() {
            return None;
        }
        let (h, w) = (self.unit.height, self.unit.width);
        Some(match self.shape {
            Shape::Matrix { cols, .. } => {
                let (r, c) = (index / cols, index % cols);
                let (_, gh) = self.grid();
                ((r / h) * gh + c / w, self.unit.slot(r % h, c % w))
            }
            Shape::RowVector { .. } => (index / h, self.unit.slot(index % h, 0)),
            Shape::ColVector { .. } => (index / w, self.unit.slot(0, index % w)),
        })
    }

    /// Slot vectors (one per ciphertext) holding `cleartext` (row-major for matrices).
    pub fn pack(&self, cleartext: &[f64]) -> Result<Vec<Vec<f64>>> {
        if cleartext.len() != self.cleartext_len() {
            return Err(ToolkitError::ShapeMismatch {
                op: "pack",
                detail: format!(
                    "{} cleartext values for a {:?} (expected {})",
                    cleartext.len(),
                    self.shape,
                    self.cleartext_len()
                ),
            });
        }
        let (h, w) = (self.unit.height, self.unit.width);
        let slots = self.unit.slots();
        let (gv, gh) = self.grid();
        let mut out = vec![vec![0.0; slots]; gv * gh];
        match self.shape {
            Shape::Matrix { rows, cols } => {
                for r in 0..rows {
                    for c in 0..cols {
                        out[(r / h) * gh + c / w][self.unit.slot(r % h, c % w)] =
                            cleartext[r * cols + c];
                    }
                }
            }
            Shape::RowVector { len } => {
                for (i, &v) in cleartext.iter().enumerate().take(len) {
                    let row = (i % h) * w;
                    out[i / h][row..row + w].fill(v);
                }
            }
            Shape::ColVector { len } => {
                for (i, &v) in cleartext.iter().enumerate().take(len) {
                    let ct = &mut out[i / w];
                    for r in 0..h {
                        ct[r * w + i % w] = v;
                    }
                }
            }
        }
        Ok(out)
    }

    /// The cleartext held by `slot_vectors` (inverse of [`Layout::pack`]; vectors are read
    /// from column 0 or row 0 of each unit).
    pub fn unpack(&self, slot_vectors: &[Vec<f64>]) -> Result<Vec<f64>> {
        if slot_vectors.len() != self.num_ciphertexts() {
            return Err(ToolkitError::ShapeMismatch {
                op: "unpack",
                detail: format!(
                    "{} ciphertexts for a layout of {}",
                    slot_vectors.len(),
                    self.num_ciphertexts()
                ),
            });
        }
        let slots = self.unit.slots();
        if let Some(v) = slot_vectors.iter().find(|v| v.len() < slots) {
            return Err(ToolkitError::ShapeMismatch {
                op: "unpack",
                detail: format!("{} slots decrypted, expected {slots}", v.len()),
            });
        }
        (0..self.cleartext_len())
            .map(|i| {
                self.position(i)
                    .map(|(ct, slot)| slot_vectors[ct][slot])
                    .ok_or_else(|| ToolkitError::ShapeMismatch {
                        op: "unpack",
                        detail: format!("index {i} out of range"),
                    })
            })
            .collect()
    }

    /// Checks that two layouts are identical (for elementwise operations).
    pub fn check_same(&self, other: &Layout, op: &'static str) -> Result<()> {
        if self != other {
            return Err(ToolkitError::ShapeMismatch {
                op,
                detail: format!("{self:?} vs {other:?}"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unit_strategy() -> impl Strategy<Value = EncodingUnit> {
        (0u32..=4, 0u32..=4).prop_filter_map("unit", |(a, b)| {
            EncodingUnit::try_new(1 << a, 1 << b, 1 << (a + b)).ok()
        })
    }

    #[test]
    fn invalid_units_are_refused() {
        assert!(EncodingUnit::try_new(3, 4, 12).is_err());
        assert!(EncodingUnit::try_new(4, 4, 32).is_err());
        assert!(EncodingUnit::with_width(0, 16).is_err());
        assert!(EncodingUnit::try_new(4, 8, 32).is_ok());
    }

    proptest! {
        #[test]
        fn matrix_pack_roundtrip(unit in unit_strategy(), rows in 1usize..40, cols in 1usize..40) {
            let layout = Layout::matrix(unit, rows, cols).unwrap();
            let data: Vec<f64> = (0..rows * cols).map(|i| i as f64 + 1.0).collect();
            let packed = layout.pack(&data).unwrap();
            prop_assert_eq!(packed.len(), layout.num_ciphertexts());
            // Every value appears exactly once, the rest is zero padding.
            let nonzero: usize = packed.iter().flatten().filter(|v| **v != 0.0).count();
            prop_assert_eq!(nonzero, rows * cols);
            prop_assert_eq!(layout.unpack(&packed).unwrap(), data);
        }

        #[test]
        fn vector_pack_roundtrip(unit in unit_strategy(), len in 1usize..70) {
            let data: Vec<f64> = (0..len).map(|i| i as f64 + 1.0).collect();
            for layout in [Layout::row_vector(unit, len).unwrap(), Layout::col_vector(unit, len).unwrap()] {
                let packed = layout.pack(&data).unwrap();
                prop_assert_eq!(layout.unpack(&packed).unwrap(), data.clone());
                let (h, w) = (unit.height(), unit.width());
                for (k, ct) in packed.iter().enumerate() {
                    for r in 0..h {
                        for c in 0..w {
                            let v = ct[r * w + c];
                            let idx = match layout.shape() {
                                Shape::RowVector { .. } => k * h + r,
                                _ => k * w + c,
                            };
                            let expect = if idx < len { data[idx] } else { 0.0 };
                            prop_assert_eq!(v, expect);
                        }
                    }
                }
            }
        }

        #[test]
        fn positions_are_distinct_for_matrices(unit in unit_strategy(), rows in 1usize..20, cols in 1usize..20) {
            let layout = Layout::matrix(unit, rows, cols).unwrap();
            let mut seen = std::collections::BTreeSet::new();
            for i in 0..rows * cols {
                let p = layout.position(i).unwrap();
                prop_assert!(p.0 < layout.num_ciphertexts() && p.1 < unit.slots());
                prop_assert!(seen.insert(p));
            }
            prop_assert!(layout.position(rows * cols).is_none());
        }
    }
}
