//! Scalar modular arithmetic for word-sized primes (< 2^62): Barrett reduction of
//! 128-bit values and Shoup multiplication by precomputed constants.

/// A prime modulus with its Barrett constant floor(2^128 / p).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Modulus {
    p: u64,
    ratio_lo: u64,
    ratio_hi: u64,
    /// floor(2^64 / p), for single-word Barrett reduction.
    ratio64: u64,
}

impl Modulus {
    /// Precomputes the Barrett constant. `p` must be in [2, 2^62).
    pub fn new(p: u64) -> Self {
        debug_assert!((2..(1u64 << 62)).contains(&p));
        // floor(2^128 / p) = floor((2^128 - 1) / p) because p is not a power of two > 1
        // or, if it is, the difference does not matter for an estimate corrected below.
        let ratio = u128::MAX / u128::from(p);
        Self {
            p,
            ratio_lo: ratio as u64,
            ratio_hi: (ratio >> 64) as u64,
            ratio64: ((1u128 << 64) / u128::from(p)) as u64,
        }
    }

    /// The modulus value.
    #[inline(always)]
    pub fn value(&self) -> u64 {
        self.p
    }

    /// x mod p for any 128-bit x.
    #[inline(always)]
    pub fn reduce_u128(&self, x: u128) -> u64 {
        let x0 = x as u64;
        let x1 = (x >> 64) as u64;
        let a = (u128::from(x0) * u128::from(self.ratio_lo)) >> 64;
        let b = u128::from(x0) * u128::from(self.ratio_hi);
        let c = u128::from(x1) * u128::from(self.ratio_lo);
        let mid = a + u128::from(b as u64) + u128::from(c as u64);
        let q = (u128::from(x1) * u128::from(self.ratio_hi))
            .wrapping_add(b >> 64)
            .wrapping_add(c >> 64)
            .wrapping_add(mid >> 64) as u64;
        let mut r = x0.wrapping_sub(q.wrapping_mul(self.p));
        // The quotient estimate is low by at most 2.
        if r >= self.p {
            r -= self.p;
        }
        if r >= self.p {
            r -= self.p;
        }
        r
    }

    /// x mod p for a 64-bit x.
    #[inline(always)]
    pub fn reduce(&self, x: u64) -> u64 {
        // q = floor(x·floor(2^64/p) / 2^64) is floor(x/p) or one less.
        let q = ((u128::from(x) * u128::from(self.ratio64)) >> 64) as u64;
        let r = x.wrapping_sub(q.wrapping_mul(self.p));
        if r >= self.p {
            r - self.p
        } else {
            r
        }
    }

    /// a·b mod p.
    #[inline(always)]
    pub fn mul(&self, a: u64, b: u64) -> u64 {
        self.reduce_u128(u128::from(a) * u128::from(b))
    }

    /// a + b mod p for a, b < p.
    #[inline(always)]
    pub fn add(&self, a: u64, b: u64) -> u64 {
        let s = a + b;
        if s >= self.p {
            s - self.p
        } else {
            s
        }
    }

    /// a - b mod p for a, b < p.
    #[inline(always)]
    pub fn sub(&self, a: u64, b: u64) -> u64 {
        if a >= b {
            a - b
        } else {
            a + self.p - b
        }
    }

    /// -a mod p for a < p.
    #[inline(always)]
    pub fn neg(&self, a: u64) -> u64 {
        if a == 0 {
            0
        } else {
            self.p - a
        }
    }

    /// a^e mod p.
    pub fn pow(&self, mut a: u64, mut e: u64) -> u64 {
        let mut r = 1 % self.p;
        a = self.reduce(a);
        while e > 0 {
            if e & 1 == 1 {
                r = self.mul(r, a);
            }
            a = self.mul(a, a);
            e >>= 1;
        }
        r
    }

    /// a^-1 mod p (p prime, a not divisible by p; returns 0 for a ≡ 0).
    pub fn inv(&self, a: u64) -> u64 {
        self.pow(a, self.p - 2)
    }

    /// Reduces a signed integer.
    #[inline(always)]
    pub fn reduce_i64(&self, x: i64) -> u64 {
        let r = self.reduce(x.unsigned_abs());
        if x < 0 {
            self.neg(r)
        } else {
            r
        }
    }

    /// Precomputes a constant for Shoup multiplication by `w` (< p).
    #[inline(always)]
    pub fn shoup(&self, w: u64) -> ShoupConst {
        ShoupConst {
            w,
            w_shoup: ((u128::from(w) << 64) / u128::from(self.p)) as u64,
        }
    }

    /// a·w mod p for any 64-bit a using the Shoup constant of w.
    #[inline(always)]
    pub fn mul_shoup(&self, a: u64, w: ShoupConst) -> u64 {
        let q = ((u128::from(a) * u128::from(w.w_shoup)) >> 64) as u64;
        let r = a.wrapping_mul(w.w).wrapping_sub(q.wrapping_mul(self.p));
        if r >= self.p {
            r - self.p
        } else {
            r
        }
    }

    /// Reduces the non-negative integer mantissa·2^exp given as an f64 that is already
    /// an integer (any magnitude below 2^1024). Exact.
    pub fn reduce_f64_integer(&self, x: f64) -> u64 {
        let neg = x < 0.0;
        let a = x.abs();
        let r = if a < 18_446_744_073_709_551_616.0 {
            self.reduce(a as u64)
        } else {
            // a = m · 2^e with m < 2^53 an integer.
            let bits = a.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
            let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
            // exp > 0 here because a >= 2^64.
            let two_e = self.pow(2, exp.unsigned_abs());
            self.mul(self.reduce(mant), two_e)
        };
        if neg {
            self.neg(r)
        } else {
            r
        }
    }
}

/// A constant prepared for Shoup multiplication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShoupConst {
    w: u64,
    w_shoup: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: u64 = 1_125_899_906_826_241; // 2^50 - 2^15·... some NTT prime is not needed here

    proptest! {
        #[test]
        fn barrett_matches_u128_rem(x in any::<u128>(), p in 2u64..(1u64 << 62)) {
            let m = Modulus::new(p);
            prop_assert_eq!(u128::from(m.reduce_u128(x)), x % u128::from(p));
        }

        #[test]
        fn reduce_u64_matches(x in any::<u64>(), p in 2u64..(1u64 << 62)) {
            prop_assert_eq!(Modulus::new(p).reduce(x), x % p);
        }

        #[test]
        fn shoup_matches(a in any::<u64>(), w in 0u64..P) {
            let m = Modulus::new(P);
            let c = m.shoup(w);
            prop_assert_eq!(u128::from(m.mul_shoup(a, c)), (u128::from(a) * u128::from(w)) % u128::from(P));
        }

        #[test]
        fn f64_integer_reduction(m in 0u64..(1u64 << 53), e in 0u32..60, neg in any::<bool>()) {
            let md = Modulus::new(P);
            let x = (m as f64) * 2f64.powi(e as i32);
            let x = if neg { -x } else { x };
            let expect = (u128::from(m) << e) % u128::from(P);
            let expect = if neg { (u128::from(P) - expect) % u128::from(P) } else { expect };
            prop_assert_eq!(u128::from(md.reduce_f64_integer(x)), expect);
        }
    }
}
