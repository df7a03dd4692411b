//! Vector kernels for the element-wise modular loops outside the NTT, one body per
//! [`Level`] (chosen by the parameters' kernel path):
//!
//! - AVX-512 (IFMA and AVX-512 paths): a floating-point quotient. For p < 2^50 and
//!   a, w < 2^51 with w < p, the quotient a·w/p < 2^51 is estimated as round(a · (w/p)) in
//!   f64 (error ≤ 1), and the remainder a·w - q̂·p is computed exactly with wrapping 64-bit
//!   multiplies (native on AVX-512 DQ), then corrected into [0, p).
//! - AVX2: AVX2 has no 64-bit multiply, so the products are exact FMA two-products in
//!   double precision instead (`float_mod`).
//! - Scalar: Shoup multiplication.
//!
//! Conversions use the 2^52 "magic number" bit trick so that LLVM vectorizes everything.

use super::dispatch::{self, Level};
use super::float_mod::{self, FloatConst};
use super::modular::Modulus;

const MAGIC: f64 = 4_503_599_627_370_496.0; // 2^52

#[inline(always)]
fn to_f64(a: u64) -> f64 {
    // Exact for a < 2^52.
    f64::from_bits(a | MAGIC.to_bits()) - MAGIC
}

/// a·w mod p given wf = w/p (a < 2^51, w < p < 2^50), with 64-bit integer products.
#[inline(always)]
fn mul_f64(a: u64, w: u64, wf: f64, p: i64) -> u64 {
    let q = ((to_f64(a) * wf + MAGIC).to_bits() - MAGIC.to_bits()) as i64;
    let mut r = (a.wrapping_mul(w) as i64).wrapping_sub(q.wrapping_mul(p));
    r = if r < 0 { r + p } else { r };
    r = if r >= p { r - p } else { r };
    r as u64
}

/// a·w mod p in [0, p) with only f64 arithmetic (a < 2^51, w < p < 2^50).
#[inline(always)]
fn mul_fma(a: u64, c: FloatConst, p: f64) -> u64 {
    float_mod::to_residue(float_mod::mul_mod(to_f64(a), c.w, c.w_over_p, p), p)
}

/// out[i] = x[i]·w mod p (x[i] < 2^51).
pub(crate) fn mul_const_into(level: Level, m: &Modulus, out: &mut [u64], x: &[u64], w: u64) {
    let p = m.value();
    match level {
        Level::Avx512 => {
            let wf = w as f64 / p as f64;
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (o, &a) in out.iter_mut().zip(x) {
                        *o = mul_f64(a, w, wf, p as i64);
                    }
                },
            );
        }
        Level::Avx2 => {
            let (c, pf) = (FloatConst::new(w, p), p as f64);
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (o, &a) in out.iter_mut().zip(x) {
                        *o = mul_fma(a, c, pf);
                    }
                },
            );
        }
        Level::Scalar => {
            let s = m.shoup(w);
            for (o, &a) in out.iter_mut().zip(x) {
                *o = m.mul_shoup(a, s);
            }
        }
    }
}

/// acc[i] = acc[i] + x[i]·w mod p (acc[i] < p, x[i] < 2^51).
pub(crate) fn mul_const_add_assign(level: Level, m: &Modulus, acc: &mut [u64], x: &[u64], w: u64) {
    let p = m.value();
    match level {
        Level::Avx512 => {
            let wf = w as f64 / p as f64;
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (o, &a) in acc.iter_mut().zip(x) {
                        let s = *o + mul_f64(a, w, wf, p as i64);
                        *o = if s >= p { s - p } else { s };
                    }
                },
            );
        }
        Level::Avx2 => {
            let (c, pf) = (FloatConst::new(w, p), p as f64);
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (o, &a) in acc.iter_mut().zip(x) {
                        let s = *o + mul_fma(a, c, pf);
                        *o = if s >= p { s - p } else { s };
                    }
                },
            );
        }
        Level::Scalar => {
            let s = m.shoup(w);
            for (o, &a) in acc.iter_mut().zip(x) {
                *o = m.add(*o, m.mul_shoup(a, s));
            }
        }
    }
}

/// o[i] = (x[i] - o[i])·w mod p (both < p).
pub(crate) fn sub_mul_const_assign(level: Level, m: &Modulus, o: &mut [u64], x: &[u64], w: u64) {
    let p = m.value();
    match level {
        Level::Avx512 => {
            let wf = w as f64 / p as f64;
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (a, &b) in o.iter_mut().zip(x) {
                        let d = if b >= *a { b - *a } else { b + p - *a };
                        *a = mul_f64(d, w, wf, p as i64);
                    }
                },
            );
        }
        Level::Avx2 => {
            let (c, pf) = (FloatConst::new(w, p), p as f64);
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (a, &b) in o.iter_mut().zip(x) {
                        // b - a + p in (0, 2p): no branch, still in mul_fma's range.
                        *a = mul_fma(b + p - *a, c, pf);
                    }
                },
            );
        }
        Level::Scalar => {
            let s = m.shoup(w);
            for (a, &b) in o.iter_mut().zip(x) {
                *a = m.mul_shoup(m.sub(b, *a), s);
            }
        }
    }
}

/// a[i] = a[i] + b[i] mod p (both < p).
pub(crate) fn add_assign(level: Level, m: &Modulus, a: &mut [u64], b: &[u64]) {
    #[inline(always)]
    fn kernel(a: &mut [u64], b: &[u64], p: u64) {
        for (x, &y) in a.iter_mut().zip(b) {
            let s = *x + y;
            *x = if s >= p { s - p } else { s };
        }
    }
    let p = m.value();
    dispatch::run(
        level,
        #[inline(always)]
        || kernel(a, b, p),
    );
}

/// out[i] = centred(v[i] mod q) reduced mod p, where v[i] < q < 2^50 and values above
/// q/2 stand for v - q.
pub(crate) fn centered_reduce_into(level: Level, m: &Modulus, out: &mut [u64], v: &[u64], q: u64) {
    let p = m.value();
    let half = q / 2;
    match level {
        Level::Avx512 => {
            let pinv = 1.0 / p as f64;
            let pi = p as i64;
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (o, &x) in out.iter_mut().zip(v) {
                        // Signed representative in (-q/2, q/2], reduced as 1·x mod p.
                        let s = if x > half {
                            x as i64 - q as i64
                        } else {
                            x as i64
                        };
                        let mag = s.unsigned_abs();
                        let qt = ((to_f64(mag) * pinv + MAGIC).to_bits() - MAGIC.to_bits()) as i64;
                        let mut r = (mag as i64).wrapping_sub(qt.wrapping_mul(pi));
                        r = if r < 0 { r + pi } else { r };
                        r = if r >= pi { r - pi } else { r };
                        let r = r as u64;
                        *o = if s < 0 && r != 0 { p - r } else { r };
                    }
                },
            );
        }
        Level::Avx2 => {
            let (pf, qf) = (p as f64, q as f64);
            let pinv = 1.0 / pf;
            dispatch::run(
                level,
                #[inline(always)]
                || {
                    for (o, &x) in out.iter_mut().zip(v) {
                        let xf = to_f64(x);
                        let s = if x > half { xf - qf } else { xf };
                        *o = float_mod::to_residue(float_mod::reduce(s, pf, pinv), pf);
                    }
                },
            );
        }
        Level::Scalar => {
            let q_mod = m.reduce(q);
            for (o, &x) in out.iter_mut().zip(v) {
                let r = m.reduce(x);
                *o = if x > half { m.sub(r, q_mod) } else { r };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: u64 = 1_099_511_922_689; // an NTT prime near 2^40
    const P50: u64 = 1_125_899_906_826_241; // an NTT prime just below 2^50

    fn levels() -> Vec<Level> {
        crate::ring::ntt::testable_paths()
            .into_iter()
            .map(Level::of)
            .collect()
    }

    fn check_all(
        level: Level,
        p: u64,
        xs: &[u64],
        w: u64,
        q: u64,
    ) -> std::result::Result<(), TestCaseError> {
        let m = Modulus::new(p);
        let w = w % p;
        let xr: Vec<u64> = xs.iter().map(|&x| x % p).collect();
        let mut a = vec![0u64; xs.len()];
        mul_const_into(level, &m, &mut a, xs, w);
        let want: Vec<u64> = xs
            .iter()
            .map(|&x| ((u128::from(x) * u128::from(w)) % u128::from(p)) as u64)
            .collect();
        prop_assert_eq!(&a, &want);
        let mut acc = xr.clone();
        mul_const_add_assign(level, &m, &mut acc, xs, w);
        for ((&r, &x), &got) in xr.iter().zip(&want).zip(&acc) {
            prop_assert_eq!(got, (r + x) % p);
        }
        let mut o = xr.clone();
        sub_mul_const_assign(
            level,
            &m,
            &mut o,
            &xr.iter().rev().copied().collect::<Vec<_>>(),
            w,
        );
        for (i, &got) in o.iter().enumerate() {
            let b = xr[xr.len() - 1 - i];
            let d = (b + p - xr[i]) % p;
            prop_assert_eq!(
                got,
                ((u128::from(d) * u128::from(w)) % u128::from(p)) as u64
            );
        }
        let v: Vec<u64> = xs.iter().map(|&x| x % q).collect();
        let mut c = vec![0u64; v.len()];
        centered_reduce_into(level, &m, &mut c, &v, q);
        for (&x, &got) in v.iter().zip(&c) {
            let s = if x > q / 2 {
                i128::from(x) - i128::from(q)
            } else {
                i128::from(x)
            };
            prop_assert_eq!(u128::from(got), s.rem_euclid(i128::from(p)) as u128);
        }
        let mut a2 = xr.clone();
        add_assign(level, &m, &mut a2, &xr);
        for (&x, &got) in xr.iter().zip(&a2) {
            prop_assert_eq!(got, (2 * x) % p);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn kernels_match_reference(xs in proptest::collection::vec(0u64..(1u64 << 51), 1..64), w in any::<u64>(), q in (1u64 << 45)..(1u64 << 50), big in any::<bool>()) {
            let p = if big { P50 } else { P };
            for level in levels() {
                check_all(level, p, &xs, w, q)?;
            }
        }
    }

    #[test]
    fn kernels_handle_extremes() {
        for p in [P, P50] {
            let xs = [
                0,
                1,
                p - 1,
                p,
                2 * p - 1,
                (1u64 << 51) - 1,
                p / 2,
                p / 2 + 1,
            ];
            for level in levels() {
                for w in [0, 1, p - 1, p / 2, p / 2 + 1] {
                    for q in [p, (1u64 << 50) - 1, (1u64 << 45) + 1] {
                        let r = check_all(level, p, &xs, w, q);
                        assert!(r.is_ok(), "{level:?} p {p} w {w} q {q}: {r:?}");
                    }
                }
            }
        }
    }
}
