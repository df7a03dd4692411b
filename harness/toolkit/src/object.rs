//! What the three encrypted object kinds share: a layout and one ciphertext per unit.

use rayon::prelude::*;

use crate::backend::Backend;
use crate::encoding::Layout;
use crate::error::{Result, ToolkitError};
use crate::evaluator::Evaluator;

/// An encrypted object: a [`Layout`] and its ciphertexts (one per unit of the grid, all at
/// the same level and scale).
pub trait EncryptedObject<B: Backend>: Sized + Send + Sync {
    /// The layout (unit and shape).
    fn layout(&self) -> &Layout;

    /// The ciphertexts, in grid order (row of units by row of units).
    fn ciphertexts(&self) -> &[B::Ciphertext];

    /// Builds an object of this kind from its parts (checks the count and the kind).
    fn from_parts(layout: Layout, cts: Vec<B::Ciphertext>) -> Result<Self>;

    /// Level of the object (of its first ciphertext).
    fn level(&self, eval: &Evaluator<B>) -> usize {
        self.ciphertexts().first().map_or(0, |ct| eval.level(ct))
    }

    /// Scale of the object (of its first ciphertext).
    fn scale(&self, eval: &Evaluator<B>) -> f64 {
        self.ciphertexts().first().map_or(0.0, |ct| eval.scale(ct))
    }

    /// Total serialized size of the ciphertexts.
    fn ciphertext_bytes(&self, eval: &Evaluator<B>) -> u64 {
        self.ciphertexts()
            .iter()
            .map(|ct| eval.ciphertext_bytes(ct))
            .sum()
    }

    /// Decrypts to cleartext (row-major for matrices).
    fn decrypt(&self, eval: &Evaluator<B>) -> Result<Vec<f64>> {
        let slots = self
            .ciphertexts()
            .par_iter()
            .map(|ct| eval.decrypt(ct))
            .collect::<Result<Vec<_>>>()?;
        self.layout().unpack(&slots)
    }
}

/// Checks a layout's kind and ciphertext count; used by the `from_parts` impls.
pub(crate) fn check_parts<C>(
    layout: &Layout,
    cts: &[C],
    kind_ok: bool,
    kind: &'static str,
) -> Result<()> {
    if !kind_ok {
        return Err(ToolkitError::ShapeMismatch {
            op: "from_parts",
            detail: format!("layout {:?} is not a {kind}", layout.shape()),
        });
    }
    if cts.len() != layout.num_ciphertexts() {
        return Err(ToolkitError::ShapeMismatch {
            op: "from_parts",
            detail: format!(
                "{} ciphertexts for a layout of {}",
                cts.len(),
                layout.num_ciphertexts()
            ),
        });
    }
    Ok(())
}

/// Encrypts cleartext under `layout` at `level` with the canonical scale.
pub(crate) fn encrypt_layout<B: Backend>(
    eval: &Evaluator<B>,
    layout: &Layout,
    cleartext: &[f64],
    level: usize,
) -> Result<Vec<B::Ciphertext>> {
    check_unit(eval, layout)?;
    layout
        .pack(cleartext)?
        .par_iter()
        .map(|slots| eval.encrypt_canonical(slots, level))
        .collect()
}

/// Checks that the layout's unit covers the evaluator's slots.
pub(crate) fn check_unit<B: Backend>(eval: &Evaluator<B>, layout: &Layout) -> Result<()> {
    let unit = layout.unit();
    if unit.slots() != eval.slots() {
        return Err(ToolkitError::InvalidUnit {
            height: unit.height(),
            width: unit.width(),
            slots: eval.slots(),
            reason: "unit does not cover the backend's slot count",
        });
    }
    Ok(())
}

macro_rules! encrypted_object {
    ($(#[$meta:meta])* $name:ident, $kind:pat, $kind_name:literal) => {
        $(#[$meta])*
        pub struct $name<B: $crate::backend::Backend> {
            layout: $crate::encoding::Layout,
            cts: Vec<B::Ciphertext>,
        }

        impl<B: $crate::backend::Backend> Clone for $name<B> {
            fn clone(&self) -> Self {
                Self {
                    layout: self.layout,
                    cts: self.cts.clone(),
                }
            }
        }

        impl<B: $crate::backend::Backend> std::fmt::Debug for $name<B> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("layout", &self.layout)
                    .field("ciphertexts", &self.cts.len())
                    .finish()
            }
        }

        impl<B: $crate::backend::Backend> $crate::object::EncryptedObject<B> for $name<B> {
            fn layout(&self) -> &$crate::encoding::Layout {
                &self.layout
            }

            fn ciphertexts(&self) -> &[B::Ciphertext] {
                &self.cts
            }

            fn from_parts(
                layout: $crate::encoding::Layout,
                cts: Vec<B::Ciphertext>,
            ) -> $crate::error::Result<Self> {
                $crate::object::check_parts(
                    &layout,
                    &cts,
                    matches!(layout.shape(), $kind),
                    $kind_name,
                )?;
                Ok(Self { layout, cts })
            }
        }

        impl<B: $crate::backend::Backend> $name<B> {
            /// Consumes the object, returning its ciphertexts.
            pub fn into_ciphertexts(self) -> Vec<B::Ciphertext> {
                self.cts
            }
        }
    };
}

pub(crate) use encrypted_object;
