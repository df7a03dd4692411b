//! Runs a kernel compiled for the vector instructions of a [`KernelPath`]: the closure is
//! inlined into a `pulp` function with those target features enabled, so plain loops
//! auto-vectorize (and `f64::mul_add` becomes an FMA instruction).

use crate::kernel_path::KernelPath;

/// Which instruction level a kernel body is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// AVX-512 F/DQ/VL (the IFMA and AVX-512 paths).
    Avx512,
    /// AVX2 + FMA.
    Avx2,
    /// Baseline instructions only.
    Scalar,
}

impl Level {
    /// The level of the element-wise kernels of `path`.
    #[inline(always)]
    pub(crate) fn of(path: KernelPath) -> Self {
        match path {
            KernelPath::Ifma | KernelPath::Avx512 => Self::Avx512,
            KernelPath::Avx2 => Self::Avx2,
            KernelPath::Scalar => Self::Scalar,
        }
    }
}

/// Runs `f` (mark the closure `#[inline(always)]`) with the target features of `level`.
/// Levels the CPU lacks run `f` as baseline code: parameters refuse such paths up front,
/// so this happens only if a caller bypasses that check, and is still correct.
#[inline(always)]
pub(crate) fn run<R>(level: Level, f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    match level {
        Level::Avx512 => {
            if let Some(simd) = pulp::x86::V4::try_new() {
                return simd.vectorize(f);
            }
        }
        Level::Avx2 => {
            if let Some(simd) = pulp::x86::V3::try_new() {
                return simd.vectorize(f);
            }
        }
        Level::Scalar => {}
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = level;
    f()
}
