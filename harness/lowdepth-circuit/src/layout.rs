//! Half-padded layouts: where the low-depth circuit keeps its values in the slots.
//!
//! Under an encoding unit `h × w` (row-major tile, slot `r * w + c`):
//!
//! - [`Form::Inner`] vector ("C-form"): element `j * (w/2) + c` of the vector at column `c`
//!   (`c < w/2`) of **every** row of ciphertext `j`; the right half of each row is zero.
//! - [`Form::Outer`] vector ("R-form"): element `j * h + r` repeated across the **left half**
//!   of row `r` of ciphertext `j`; the right half holds junk after a reduction (it is never
//!   read and is always multiplied by a zero before it could matter).
//! - half tiles of a matrix `T` (`outer × inner`): entry `T[o][i]` at row `o mod h`, column
//!   `i mod (w/2)` of ciphertext `(o / h, i / (w/2))` of a row-major grid; right halves zero.
//!
//! Using only the left half of each row lets a rotate-and-add over the columns end with a
//! clean sum replicated over the left half (see `ops::inner_reduce`), which removes HIT's
//! `sum_cols` mask (one level) from the critical path.

use lowdepth_toolkit::EncodingUnit;

/// Which index of the unit a vector lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// Along the columns (left half), replicated over the rows ("C-form").
    Inner,
    /// Along the rows, replicated over the left half of each row ("R-form").
    Outer,
}

impl Form {
    /// The other form.
    pub fn flipped(self) -> Self {
        match self {
            Self::Inner => Self::Outer,
            Self::Outer => Self::Inner,
        }
    }
}

/// Elements of a vector per ciphertext: `w/2` for [`Form::Inner`], `h` for [`Form::Outer`].
pub fn chunk(unit: EncodingUnit, form: Form) -> usize {
    match form {
        Form::Inner => (unit.width() / 2).max(1),
        Form::Outer => unit.height(),
    }
}

/// Ciphertexts of a vector of `len` elements in `form`.
pub fn vector_ciphertexts(unit: EncodingUnit, form: Form, len: usize) -> usize {
    len.div_ceil(chunk(unit, form))
}

/// `(tile rows, tile columns)` of the half-tile grid of an `outer × inner` matrix.
pub fn tile_grid(unit: EncodingUnit, outer: usize, inner: usize) -> (usize, usize) {
    (
        outer.div_ceil(chunk(unit, Form::Outer)),
        inner.div_ceil(chunk(unit, Form::Inner)),
    )
}

/// Slot vectors of a vector in `form` (padding and right halves zero).
pub fn pack_vector(unit: EncodingUnit, form: Form, x: &[f64]) -> Vec<Vec<f64>> {
    let (h, w) = (unit.height(), unit.width());
    let half = chunk(unit, Form::Inner);
    let n = vector_ciphertexts(unit, form, x.len());
    let mut out = vec![vec![0.0; unit.slots()]; n];
    for (j, ct) in out.iter_mut().enumerate() {
        match form {
            Form::Inner => {
                for c in 0..half {
                    if let Some(&v) = x.get(j * half + c) {
                        for r in 0..h {
                            ct[r * w + c] = v;
                        }
                    }
                }
            }
            Form::Outer => {
                for r in 0..h {
                    if let Some(&v) = x.get(j * h + r) {
                        ct[r * w..r * w + half].fill(v);
                    }
                }
            }
        }
    }
    out
}

/// The `len` elements of a vector in `form` read from its slot vectors (column 0 of row 0
/// of the element's copies); `None` if there are too few slot vectors or slots.
pub fn unpack_vector(
    unit: EncodingUnit,
    form: Form,
    len: usize,
    slots: &[Vec<f64>],
) -> Option<Vec<f64>> {
    let k = chunk(unit, form);
    (0..len)
        .map(|e| {
            let ct = slots.get(e / k)?;
            let slot = match form {
                Form::Inner => e % k,
                Form::Outer => (e % k) * unit.width(),
            };
            ct.get(slot).copied()
        })
        .collect()
}

/// Slot vectors of the half tiles of a row-major `outer × inner` matrix `m`, in grid order
/// (tile `(a, b)` at index `a * tile_cols + b`).
pub fn pack_tiles(unit: EncodingUnit, m: &[f64], outer: usize, inner: usize) -> Vec<Vec<f64>> {
    let (h, w) = (unit.height(), unit.width());
    let half = chunk(unit, Form::Inner);
    let (gr, gc) = tile_grid(unit, outer, inner);
    let mut out = vec![vec![0.0; unit.slots()]; gr * gc];
    for o in 0..outer {
        for i in 0..inner {
            if let Some(&v) = m.get(o * inner + i) {
                out[(o / h) * gc + i / half][(o % h) * w + i % half] = v;
            }
        }
    }
    out
}

/// Mask moving element `e` between the two forms: slot `(r, c)` of the pair (outer-form
/// ciphertext `a`, inner-form ciphertext `b`) with `a h + r = b (w/2) + c = e < len`, times
/// `coef`. `None` if the two ciphertexts share no element.
pub fn transpose_mask(
    unit: EncodingUnit,
    outer_ct: usize,
    inner_ct: usize,
    len: usize,
    coef: f64,
) -> Option<Vec<f64>> {
    let (h, w) = (unit.height(), unit.width());
    let half = chunk(unit, Form::Inner);
    let lo = (outer_ct * h).max(inner_ct * half);
    let hi = ((outer_ct + 1) * h).min((inner_ct + 1) * half).min(len);
    if lo >= hi {
        return None;
    }
    let mut mask = vec![0.0; unit.slots()];
    for e in lo..hi {
        mask[(e - outer_ct * h) * w + (e - inner_ct * half)] = coef;
    }
    Some(mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_roundtrip_in_both_forms() {
        let unit = EncodingUnit::try_new(4, 8, 32).unwrap();
        let x: Vec<f64> = (1..=11).map(f64::from).collect();
        for form in [Form::Inner, Form::Outer] {
            let packed = pack_vector(unit, form, &x);
            assert_eq!(packed.len(), vector_ciphertexts(unit, form, x.len()));
            assert_eq!(unpack_vector(unit, form, x.len(), &packed).unwrap(), x);
            // Right halves are zero.
            for ct in &packed {
                for r in 0..4 {
                    assert!(ct[r * 8 + 4..r * 8 + 8].iter().all(|v| *v == 0.0));
                }
            }
        }
    }

    #[test]
    fn tiles_place_entries_in_left_halves() {
        let unit = EncodingUnit::try_new(2, 4, 8).unwrap();
        // 3 x 5 matrix: grid 2 x 3.
        let m: Vec<f64> = (1..=15).map(f64::from).collect();
        let t = pack_tiles(unit, &m, 3, 5);
        assert_eq!(t.len(), 6);
        assert_eq!(t[0], vec![1.0, 2.0, 0.0, 0.0, 6.0, 7.0, 0.0, 0.0]);
        assert_eq!(t[5], vec![15.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn transpose_masks_cover_each_element_once() {
        let unit = EncodingUnit::try_new(4, 4, 16).unwrap();
        let len = 7;
        let mut count = vec![0; len];
        for a in 0..vector_ciphertexts(unit, Form::Outer, len) {
            for b in 0..vector_ciphertexts(unit, Form::Inner, len) {
                if let Some(mask) = transpose_mask(unit, a, b, len, 1.0) {
                    for (s, v) in mask.iter().enumerate() {
                        if *v != 0.0 {
                            let (r, c) = (s / 4, s % 4);
                            assert!(c < 2);
                            assert_eq!(a * 4 + r, b * 2 + c);
                            count[a * 4 + r] += 1;
                        }
                    }
                }
            }
        }
        assert!(count.iter().all(|&c| c == 1));
    }
}
