//! Ring arithmetic: modular scalars, RNS polynomials, basis conversion, automorphisms.

pub(crate) mod basis;
pub(crate) mod crt;
pub(crate) mod elementwise;
pub(crate) mod modular;
pub(crate) mod poly;
pub(crate) mod pool;
pub(crate) mod simd;
