//! Ring arithmetic: modular scalars, RNS polynomials, basis conversion, automorphisms.

pub(crate) mod basis;
pub(crate) mod crt;
pub(crate) mod dispatch;
pub(crate) mod elementwise;
pub(crate) mod float_mod;
pub(crate) mod modular;
pub(crate) mod ntt;
pub(crate) mod poly;
pub(crate) mod pool;
pub(crate) mod simd;
