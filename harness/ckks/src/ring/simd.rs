//! Vector kernels for the element-wise modular loops outside the NTT.
//!
//! On CPUs with AVX-512 (F/DQ/VL) the loops run inside `pulp`'s safe runtime dispatch and
//! use a floating-point quotient: for p < 2^50 and a, w < 2^51 with w < p, the quotient
//! a·w/p < 2^51 is estimated as round(a · (w/p)) in f64 (error ≤ 1), and the remainder
//! a·w - q̂·p is computed exactly with wrapping 64-bit multiplies, then corrected into
//! [0, p). Conversions use the 2^52 "magic number" bit trick so that LLVM vectorizes
//! everything. Elsewhere the same functions fall back to scalar Shoup arithmetic.

use super::modular::Modulus;

const MAGIC: f64 = 4_503_599_627_370_496.0; // 2^52

#[inline(always)]
fn to_f64(a: u64) -> f64 {
    // Exact for a < 2^52.
    f64::from_bits(a | MAGIC.to_bits()) - MAGIC
}

/// a·w mod p given wf = w/p (a < 2^51, w < p < 2^50).
#[inline(always)]
fn mul_f64(a: u64, w: u64, wf: f64, p: i64) -> u64 {
    let q = ((to_f64(a) * wf + MAGIC).to_bits() - MAGIC.to_bits()) as i64;
    let mut r = (a.wrapping_mul(w) as i64).wrapping_sub(q.wrapping_mul(p));
    r = if r < 0 { r + p } else { r };
    r = if r >= p { r - p } else { r };
    r as u64
}

#[cfg(test)]
thread_local! {
    /// Lets unit tests exercise the scalar fallback on AVX-512 machines.
    static FORCE_SCALAR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn v4() -> Option<pulp::x86::V4> {
    #[cfg(test)]
    if FORCE_SCALAR.with(|f| f.get()) {
        return None;
    }
    pulp::x86::V4::try_new()
}

/// out[i] = x[i]·w mod p (x[i] < 2^51).
pub(crate) fn mul_const_into(m: &Modulus, out: &mut [u64], x: &[u64], w: u64) {
    let p = m.value();
    if let Some(simd) = v4() {
        let wf = w as f64 / p as f64;
        simd.vectorize(
            #[inline(always)]
            || {
                for (o, &a) in out.iter_mut().zip(x) {
                    *o = mul_f64(a, w, wf, p as i64);
                }
            },
        );
    } else {
        let s = m.shoup(w);
        for (o, &a) in out.iter_mut().zip(x) {
            *o = m.mul_shoup(a, s);
        }
    }
}

/// acc[i] = acc[i] + x[i]·w mod p (acc[i] < p, x[i] < 2^51).
pub(crate) fn mul_const_add_assign(m: &Modulus, acc: &mut [u64], x: &[u64], w: u64) {
    let p = m.value();
    if let Some(simd) = v4() {
        let wf = w as f64 / p as f64;
        simd.vectorize(
            #[inline(always)]
            || {
                for (o, &a) in acc.iter_mut().zip(x) {
                    let s = *o + mul_f64(a, w, wf, p as i64);
                    *o = if s >= p { s - p } else { s };
                }
            },
        );
    } else {
        let s = m.shoup(w);
        for (o, &a) in acc.iter_mut().zip(x) {
            *o = m.add(*o, m.mul_shoup(a, s));
        }
    }
}

/// o[i] = (x[i] - o[i])·w mod p (both < p).
pub(crate) fn sub_mul_const_assign(m: &Modulus, o: &mut [u64], x: &[u64], w: u64) {
    let p = m.value();
    if let Some(simd) = v4() {
        let wf = w as f64 / p as f64;
        simd.vectorize(
            #[inline(always)]
            || {
                for (a, &b) in o.iter_mut().zip(x) {
                    let d = if b >= *a { b - *a } else { b + p - *a };
                    *a = mul_f64(d, w, wf, p as i64);
                }
            },
        );
    } else {
        let s = m.shoup(w);
        for (a, &b) in o.iter_mut().zip(x) {
            *a = m.mul_shoup(m.sub(b, *a), s);
        }
    }
}

/// a[i] = a[i] + b[i] mod p (both < p).
pub(crate) fn add_assign(m: &Modulus, a: &mut [u64], b: &[u64]) {
    #[inline(always)]
    fn kernel(a: &mut [u64], b: &[u64], p: u64) {
        for (x, &y) in a.iter_mut().zip(b) {
            let s = *x + y;
            *x = if s >= p { s - p } else { s };
        }
    }
    let p = m.value();
    match v4() {
        Some(simd) => simd.vectorize(
            #[inline(always)]
            || kernel(a, b, p),
        ),
        None => kernel(a, b, p),
    }
}

/// out[i] = centred(v[i] mod q) reduced mod p, where v[i] < q < 2^50 and values above
/// q/2 stand for v - q.
pub(crate) fn centered_reduce_into(m: &Modulus, out: &mut [u64], v: &[u64], q: u64) {
    let p = m.value();
    let half = q / 2;
    if let Some(simd) = v4() {
        let pinv = 1.0 / p as f64;
        let pi = p as i64;
        simd.vectorize(
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
    } else {
        let q_mod = m.reduce(q);
        for (o, &x) in out.iter_mut().zip(v) {
            let r = m.reduce(x);
            *o = if x > half { m.sub(r, q_mod) } else { r };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: u64 = 1_099_511_922_689; // an NTT prime near 2^40

    proptest! {
        #[test]
        fn kernels_match_reference(xs in proptest::collection::vec(0u64..(1u64 << 50), 1..64), w in 0u64..P, q in (1u64 << 45)..(1u64 << 50), scalar in any::<bool>()) {
            FORCE_SCALAR.with(|f| f.set(scalar));
            let m = Modulus::new(P);
            let xr: Vec<u64> = xs.iter().map(|&x| x % P).collect();
            let mut a = vec![0u64; xs.len()];
            mul_const_into(&m, &mut a, &xs, w);
            let want: Vec<u64> = xs.iter().map(|&x| ((u128::from(x) * u128::from(w)) % u128::from(P)) as u64).collect();
            prop_assert_eq!(&a, &want);
            let mut acc = xr.clone();
            mul_const_add_assign(&m, &mut acc, &xs, w);
            for ((&r, &x), &got) in xr.iter().zip(&want).zip(&acc) {
                prop_assert_eq!(got, (r + x) % P);
            }
            let mut o = xr.clone();
            sub_mul_const_assign(&m, &mut o, &xr.iter().rev().copied().collect::<Vec<_>>(), w);
            for (i, &got) in o.iter().enumerate() {
                let b = xr[xr.len() - 1 - i];
                let d = (b + P - xr[i]) % P;
                prop_assert_eq!(got, ((u128::from(d) * u128::from(w)) % u128::from(P)) as u64);
            }
            let v: Vec<u64> = xs.iter().map(|&x| x % q).collect();
            let mut c = vec![0u64; v.len()];
            centered_reduce_into(&m, &mut c, &v, q);
            for (&x, &got) in v.iter().zip(&c) {
                let s = if x > q / 2 { i128::from(x) - i128::from(q) } else { i128::from(x) };
                prop_assert_eq!(u128::from(got), s.rem_euclid(i128::from(P)) as u128);
            }
            let mut a2 = xr.clone();
            add_assign(&m, &mut a2, &xr);
            for (&x, &got) in xr.iter().zip(&a2) {
                prop_assert_eq!(got, (2 * x) % P);
            }
        }
    }
}
