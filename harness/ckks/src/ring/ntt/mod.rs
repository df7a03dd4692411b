//! The negacyclic NTT of one prime, on the active [`KernelPath`]: `tfhe-ntt` on IFMA (its
//! fastest path there), our double-precision NTT on AVX-512 and AVX2, our scalar Harvey
//! NTT elsewhere. All paths agree bit for bit with `tfhe-ntt`'s `Plan::fwd` and
//! `Plan::inv` + `Plan::normalize`: same input order, same bit-reversed evaluation
//! order, canonical residues in [0, p).

mod float;
mod scalar;
mod tables;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) use tests::testable_paths;

use tfhe_ntt::prime64::Plan;

use self::tables::Tables;
use crate::error::{CkksError, Result};
use crate::kernel_path::KernelPath;
use crate::params::MAX_PRIME_BITS;
use crate::ring::dispatch::{self, Level};
use crate::ring::modular::Modulus;

/// Forward and inverse negacyclic NTT of size N modulo one prime p < 2^50, and the
/// pointwise multiply-accumulate of NTT-form values, on one kernel path.
#[derive(Clone)]
pub struct Ntt {
    path: KernelPath,
    n: usize,
    p: u64,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Tfhe(Box<Plan>),
    Own {
        tables: Box<Tables>,
        modulus: Modulus,
    },
}

impl std::fmt::Debug for Ntt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ntt")
            .field("path", &self.path)
            .field("n", &self.n)
            .field("p", &self.p)
            .finish()
    }
}

impl Ntt {
    /// An NTT of size `n` (a power of two, at least 16) modulo the prime `p` ≡ 1 mod 2n,
    /// p < 2^50, on `path` (which this CPU must support).
    pub fn try_new(n: usize, p: u64, path: KernelPath) -> Result<Self> {
        path.check_supported()?;
        if p >= 1u64 << MAX_PRIME_BITS {
            return Err(CkksError::InvalidParameter {
                name: "moduli",
                reason: format!("{p} is not below 2^{MAX_PRIME_BITS}"),
            });
        }
        let plan = Plan::try_new(n, p).ok_or_else(|| CkksError::InvalidParameter {
            name: "moduli",
            reason: format!("no negacyclic NTT of size {n} mod {p}"),
        })?;
        let kind = match path {
            KernelPath::Ifma => Kind::Tfhe(Box::new(plan)),
            _ => Kind::Own {
                tables: Box::new(Tables::new(&plan)),
                modulus: Modulus::new(p),
            },
        };
        Ok(Self { path, n, p, kind })
    }

    /// The kernel path this NTT runs on.
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// The transform size N.
    pub fn size(&self) -> usize {
        self.n
    }

    /// The prime.
    pub fn modulus(&self) -> u64 {
        self.p
    }

    /// Forward transform in place: coefficients (standard order, in [0, p)) to
    /// evaluations in bit-reversed order, in [0, p).
    pub fn forward(&self, a: &mut [u64]) {
        assert_eq!(a.len(), self.n, "NTT buffer length");
        match &self.kind {
            Kind::Tfhe(plan) => plan.fwd(a),
            Kind::Own { tables, .. } => match self.path {
                KernelPath::Scalar => scalar::forward(tables, a),
                path => dispatch::run(
                    Level::of(path),
                    #[inline(always)]
                    || float::forward(tables, a),
                ),
            },
        }
    }

    /// Inverse transform in place, normalized (times 1/N): evaluations in bit-reversed
    /// order to coefficients in standard order, in [0, p).
    pub fn inverse(&self, a: &mut [u64]) {
        assert_eq!(a.len(), self.n, "NTT buffer length");
        match &self.kind {
            Kind::Tfhe(plan) => {
                plan.inv(a);
                plan.normalize(a);
            }
            Kind::Own { tables, .. } => match self.path {
                KernelPath::Scalar => scalar::inverse(tables, a),
                path => dispatch::run(
                    Level::of(path),
                    #[inline(always)]
                    || float::inverse(tables, a),
                ),
            },
        }
    }

    /// acc[i] = acc[i] + x[i]·y[i] mod p (all operands in [0, p)).
    pub fn mul_accumulate(&self, acc: &mut [u64], x: &[u64], y: &[u64]) {
        match &self.kind {
            Kind::Tfhe(plan) => plan.mul_accumulate(acc, x, y),
            Kind::Own { modulus, .. } => match self.path {
                KernelPath::Scalar => {
                    for ((o, &a), &b) in acc.iter_mut().zip(x).zip(y) {
                        *o = modulus.add(*o, modulus.mul(a, b));
                    }
                }
                path => dispatch::run(
                    Level::of(path),
                    #[inline(always)]
                    || float::mul_accumulate(self.p, acc, x, y),
                ),
            },
        }
    }
}
