//! NTT-friendly prime search (primes q ≡ 1 mod 2N).

use tfhe_ntt::prime::is_prime64;

/// Up to `count` largest primes q ≡ 1 (mod `two_n`) with q < `bound`, skipping `exclude`,
/// in decreasing order.
pub(crate) fn largest_ntt_primes_below(
    bound: u64,
    two_n: u64,
    count: usize,
    exclude: &[u64],
) -> Vec<u64> {
    let mut out = Vec::with_capacity(count);
    if bound <= two_n + 1 {
        return out;
    }
    // Largest candidate ≡ 1 mod 2N strictly below `bound`.
    let mut c = ((bound - 2) / two_n) * two_n + 1;
    while out.len() < count && c > two_n {
        if is_prime64(c) && !exclude.contains(&c) {
            out.push(c);
        }
        c -= two_n;
    }
    out
}

/// The prime q ≡ 1 (mod `two_n`) nearest to `target`, not in `exclude`, within (lo, hi).
pub(crate) fn nearest_ntt_prime(
    target: f64,
    two_n: u64,
    exclude: &[u64],
    lo: u64,
    hi: u64,
) -> Option<u64> {
    if !target.is_finite() || target < 2.0 || target >= hi as f64 {
        return None;
    }
    let t = target as u64;
    // Candidates k·2N + 1 around t, walked outward in order of distance.
    let k0 = t.saturating_sub(1) / two_n;
    let mut up = k0 * two_n + 1;
    if up < t {
        up += two_n;
    }
    let mut down = up.checked_sub(two_n);
    let mut up = Some(up);
    loop {
        let du = up.map(|u| u.abs_diff(t));
        let dd = down.map(|d| d.abs_diff(t));
        let pick_up = match (du, dd) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => a <= b,
        };
        let c = if pick_up {
            let c = up.unwrap_or(0);
            up = c.checked_add(two_n).filter(|&x| x < hi);
            c
        } else {
            let c = down.unwrap_or(0);
            down = c.checked_sub(two_n).filter(|&x| x > lo);
            c
        };
        if c > lo && c < hi && is_prime64(c) && !exclude.contains(&c) {
            return Some(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_are_ntt_friendly() {
        let two_n = 2 * 1024;
        let ps = largest_ntt_primes_below(1 << 50, two_n, 5, &[]);
        assert_eq!(ps.len(), 5);
        for &p in &ps {
            assert!(is_prime64(p));
            assert_eq!(p % two_n, 1);
            assert!(p < 1 << 50);
        }
        let q = nearest_ntt_prime(2f64.powi(40), two_n, &ps, 1 << 30, 1 << 50);
        let q = q.expect("prime near 2^40");
        assert!(is_prime64(q) && q % two_n == 1);
        assert!((q as f64 / 2f64.powi(40) - 1.0).abs() < 1e-3);
    }
}
