//! Exact CRT reconstruction of RNS residues to a centred real number (for decoding).
//!
//! Garner's mixed-radix conversion followed by a small multi-precision Horner evaluation,
//! so values of any size below Q/2 come out with f64 relative precision.

use super::modular::Modulus;

/// Reconstructs centred integers from residues modulo q_0..q_l.
#[derive(Debug)]
pub(crate) struct CrtReconstructor {
    mods: Vec<Modulus>,
    /// (q_0 ⋯ q_{i-1})^{-1} mod q_i.
    inv_prefix: Vec<u64>,
    /// q_j mod q_i, row i, column j < i.
    q_mod: Vec<Vec<u64>>,
    q_big: Vec<u64>,
    half_q: Vec<u64>,
}

impl CrtReconstructor {
    pub(crate) fn new(primes: &[u64]) -> Self {
        let mods: Vec<Modulus> = primes.iter().map(|&p| Modulus::new(p)).collect();
        let mut inv_prefix = Vec::with_capacity(primes.len());
        let mut q_mod = Vec::with_capacity(primes.len());
        for (i, m) in mods.iter().enumerate() {
            let row: Vec<u64> = primes[..i].iter().map(|&q| m.reduce(q)).collect();
            let prod = row.iter().fold(1u64 % m.value(), |a, &b| m.mul(a, b));
            inv_prefix.push(m.inv(prod));
            q_mod.push(row);
        }
        let mut q_big = vec![1u64];
        for &p in primes {
            mul_small_add(&mut q_big, p, 0);
        }
        let mut half_q = q_big.clone();
        shr1(&mut half_q);
        Self {
            mods,
            inv_prefix,
            q_mod,
            q_big,
            half_q,
        }
    }

    /// The centred representative of the residues (one per prime), as f64.
    pub(crate) fn centered_f64(
        &self,
        residues: &[u64],
        digits: &mut Vec<u64>,
        big: &mut Vec<u64>,
    ) -> f64 {
        let l = self.mods.len();
        if l == 1 {
            let p = self.mods[0].value();
            let x = residues[0];
            return if x > p / 2 {
                -((p - x) as f64)
            } else {
                x as f64
            };
        }
        digits.clear();
        for i in 0..l {
            let m = &self.mods[i];
            let xi = residues[i];
            if i == 0 {
                digits.push(xi);
                continue;
            }
            let mut t = m.reduce(digits[i - 1]);
            for j in (0..i - 1).rev() {
                t = m.add(m.mul(t, self.q_mod[i][j]), m.reduce(digits[j]));
            }
            digits.push(m.mul(m.sub(xi, t), self.inv_prefix[i]));
        }
        big.clear();
        big.push(digits[l - 1]);
        for i in (0..l - 1).rev() {
            mul_small_add(big, self.mods[i].value(), digits[i]);
        }
        if cmp(big, &self.half_q) == std::cmp::Ordering::Greater {
            let mut r = self.q_big.clone();
            sub_assign(&mut r, big);
            -to_f64(&r)
        } else {
            to_f64(big)
        }
    }
}

fn mul_small_add(x: &mut Vec<u64>, m: u64, a: u64) {
    let mut carry = u128::from(a);
    for limb in x.iter_mut() {
        let v = u128::from(*limb) * u128::from(m) + carry;
        *limb = v as u64;
        carry = v >> 64;
    }
    if carry > 0 {
        x.push(carry as u64);
    }
}

fn shr1(x: &mut [u64]) {
    let mut carry = 0u64;
    for limb in x.iter_mut().rev() {
        let nc = *limb & 1;
        *limb = (*limb >> 1) | (carry << 63);
        carry = nc;
    }
}

fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let la = a.iter().rposition(|&v| v != 0).map_or(0, |p| p + 1);
    let lb = b.iter().rposition(|&v| v != 0).map_or(0, |p| p + 1);
    if la != lb {
        return la.cmp(&lb);
    }
    for i in (0..la).rev() {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    std::cmp::Ordering::Equal
}

/// a -= b, assuming a ≥ b.
fn sub_assign(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for (i, limb) in a.iter_mut().enumerate() {
        let bi = b.get(i).copied().unwrap_or(0);
        let (d1, o1) = limb.overflowing_sub(bi);
        let (d2, o2) = d1.overflowing_sub(borrow);
        *limb = d2;
        borrow = u64::from(o1 || o2);
    }
}

fn to_f64(x: &[u64]) -> f64 {
    let mut r = 0.0f64;
    for &limb in x.iter().rev() {
        r = r * 18_446_744_073_709_551_616.0 + limb as f64;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_big_signed_values() {
        let primes = crate::primes::largest_ntt_primes_below(1 << 50, 2048, 3, &[]);
        let c = CrtReconstructor::new(&primes);
        let (mut d, mut b) = (Vec::new(), Vec::new());
        for &v in &[
            0i128,
            1,
            -1,
            123_456_789_012_345_678_901_234_567,
            -98_765_432_109_876_543_210_987,
        ] {
            let res: Vec<u64> = primes
                .iter()
                .map(|&p| v.rem_euclid(i128::from(p)) as u64)
                .collect();
            let got = c.centered_f64(&res, &mut d, &mut b);
            let want = v as f64;
            assert!((got - want).abs() <= want.abs() * 1e-15, "{got} vs {want}");
        }
    }
}
