//! Per-prime twiddle tables for our own NTTs, in the order `tfhe-ntt` uses, so that every
//! kernel path produces the same evaluation order (the engine's Galois permutations and
//! every stored key depend on it).
//!
//! `fwd[j] = ψ^{bitrev(j)}` and `inv[j] = ψ^{-bitrev(j)}` (log2 N-bit reversal), where ψ is
//! the primitive 2N-th root of unity `tfhe-ntt` picks for (N, p): we read it off the
//! forward transform of X, whose first output is X evaluated at ψ.

use tfhe_ntt::prime64::Plan;

use crate::ring::float_mod::FloatConst;
use crate::ring::modular::Modulus;

/// Twiddles for the scalar (Shoup) and double-precision NTTs of one prime.
#[derive(Clone, Debug)]
pub(super) struct Tables {
    pub(super) p: u64,
    /// ψ^{bitrev(j)} and its Shoup constant floor(w·2^64/p).
    pub(super) fwd: Vec<u64>,
    pub(super) fwd_shoup: Vec<u64>,
    /// ψ^{-bitrev(j)} and its Shoup constant.
    pub(super) inv: Vec<u64>,
    pub(super) inv_shoup: Vec<u64>,
    /// N^{-1} mod p and its Shoup constant.
    pub(super) n_inv: u64,
    pub(super) n_inv_shoup: u64,
    /// The same twiddles for the double-precision NTT (see `float`).
    pub(super) fwd_f: FloatTwiddles,
    pub(super) inv_f: FloatTwiddles,
    /// N^{-1} as a [`FloatConst`].
    pub(super) n_inv_f: FloatConst,
}

/// Twiddles in [`FloatConst`] form, stored as two arrays so loops read them contiguously.
#[derive(Clone, Debug)]
pub(super) struct FloatTwiddles {
    pub(super) w: Vec<f64>,
    pub(super) w_over_p: Vec<f64>,
}

impl FloatTwiddles {
    fn new(ws: &[u64], p: u64) -> Self {
        let (w, w_over_p) = ws
            .iter()
            .map(|&x| {
                let c = FloatConst::new(x, p);
                (c.w, c.w_over_p)
            })
            .unzip();
        Self { w, w_over_p }
    }
}

fn shoup(w: u64, p: u64) -> u64 {
    ((u128::from(w) << 64) / u128::from(p)) as u64
}

fn bit_reverse(j: usize, log_n: u32) -> usize {
    j.reverse_bits() >> (usize::BITS - log_n)
}

impl Tables {
    /// Tables for the size of `plan` and its prime.
    pub(super) fn new(plan: &Plan) -> Self {
        let n = plan.ntt_size();
        let p = plan.modulus();
        let m = Modulus::new(p);
        let mut x = vec![0u64; n];
        x[1] = 1;
        plan.fwd(&mut x);
        let psi = m.reduce(x[0]);
        let psi_inv = m.inv(psi);
        let log_n = n.trailing_zeros();
        let mut fwd = vec![0u64; n];
        let mut inv = vec![0u64; n];
        let (mut pw, mut pw_inv) = (1u64, 1u64);
        for k in 0..n {
            let j = bit_reverse(k, log_n);
            fwd[j] = pw;
            inv[j] = pw_inv;
            pw = m.mul(pw, psi);
            pw_inv = m.mul(pw_inv, psi_inv);
        }
        let n_inv = m.inv(n as u64 % p);
        Self {
            p,
            fwd_shoup: fwd.iter().map(|&w| shoup(w, p)).collect(),
            inv_shoup: inv.iter().map(|&w| shoup(w, p)).collect(),
            fwd_f: FloatTwiddles::new(&fwd, p),
            inv_f: FloatTwiddles::new(&inv, p),
            fwd,
            inv,
            n_inv,
            n_inv_shoup: shoup(n_inv, p),
            n_inv_f: FloatConst::new(n_inv, p),
        }
    }
}
