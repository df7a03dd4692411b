//! Engine errors as toolkit errors.

use lowdepth_ckks::CkksError;
use lowdepth_toolkit::ToolkitError;

/// Maps an engine error raised by operation `op` to the most specific toolkit variant.
///
/// The checked `Evaluator` validates levels, scales and rotation keys before calling the
/// backend, so the specific variants below are a second line of defence (a caller that
/// bypasses the evaluator, or an engine-specific limit); everything else becomes
/// [`ToolkitError::Backend`] with the engine's message and the operation name.
pub fn map_engine_error(op: &'static str, slots: usize, e: CkksError) -> ToolkitError {
    match e {
        CkksError::LevelMismatch { left, right, .. } => {
            ToolkitError::LevelMismatch { op, left, right }
        }
        CkksError::ScaleMismatch { left, right, .. } => {
            ToolkitError::ScaleMismatch { op, left, right }
        }
        CkksError::LevelExhausted => ToolkitError::LevelExhausted { op, level: 0 },
        CkksError::ScaleOverflow {
            log2_scale,
            log2_modulus,
            ..
        } => ToolkitError::ScaleOverflow {
            op,
            log2_scale,
            log2_modulus,
            // The engine does not report the level; the toolkit's checked evaluator
            // raises this variant with the level before the engine is reached.
            level: usize::MAX,
        },
        CkksError::MissingGaloisKey { step } => ToolkitError::MissingRotationKey {
            step: lowdepth_toolkit::backend::normalize_step(i64::from(step), slots),
        },
        CkksError::LevelTooHigh { from, to, .. } => ToolkitError::InvalidLevel {
            op,
            level: to,
            allowed: format!("0..={from}"),
        },
        CkksError::TooManyValues { got, slots } => ToolkitError::ShapeMismatch {
            op,
            detail: format!("{got} values for {slots} slots"),
        },
        CkksError::InsecureParameters { .. } => ToolkitError::NoSecureParameters(e.to_string()),
        CkksError::InvalidParameter { .. } | CkksError::PrimeSearch { .. } => {
            ToolkitError::InvalidParameters(e.to_string())
        }
        other => ToolkitError::Backend(format!("{op}: {other}")),
    }
}

/// `map_err` adaptor: `.map_err(engine("add", slots))`.
pub(crate) fn engine(op: &'static str, slots: usize) -> impl Fn(CkksError) -> ToolkitError {
    move |e| map_engine_error(op, slots, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specific_variants() {
        assert_eq!(
            map_engine_error("rotate", 512, CkksError::MissingGaloisKey { step: -1 }),
            ToolkitError::MissingRotationKey { step: 511 }
        );
        assert_eq!(
            map_engine_error("rescale", 512, CkksError::LevelExhausted),
            ToolkitError::LevelExhausted {
                op: "rescale",
                level: 0
            }
        );
        assert!(matches!(
            map_engine_error(
                "setup",
                512,
                CkksError::InsecureParameters {
                    log_qp: 200.0,
                    bound: 27,
                    log_n: 10
                }
            ),
            ToolkitError::NoSecureParameters(_)
        ));
        assert!(matches!(
            map_engine_error("mul", 512, CkksError::MissingRelinearizationKey),
            ToolkitError::Backend(m) if m.starts_with("mul: ")
        ));
    }
}
