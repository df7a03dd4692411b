//! Moving a ciphertext down to a given level with one multiplication.

use lowdepth_toolkit::{Backend, Evaluator, ToolkitError};

use crate::error::{CircuitError, Result};

/// `c · a` landing exactly on `level` at its canonical scale: drop to `level + 1`,
/// multiply by `c` encoded so that the rescale lands on `Δ_level`, rescale. One
/// multiplication whatever the distance; needs `level < level(a)`.
pub fn scale_to_level<B: Backend>(
    eval: &Evaluator<B>,
    a: &B::Ciphertext,
    c: f64,
    level: usize,
) -> Result<B::Ciphertext> {
    let current = eval.level(a);
    if level >= current {
        return Err(CircuitError::Toolkit(ToolkitError::InvalidLevel {
            op: "scale_to_level",
            level,
            allowed: format!("0..{current}"),
        }));
    }
    let dropped = eval.drop_to_level(a, level + 1)?;
    let s =
        eval.schedule().delta(level)? * eval.schedule().modulus(level + 1)? / eval.scale(&dropped);
    Ok(eval.rescale(&eval.mul_const(&dropped, c, s)?)?)
}
