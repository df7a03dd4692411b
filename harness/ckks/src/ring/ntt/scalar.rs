//! Portable scalar negacyclic NTT: Cooley-Tukey forward and Gentleman-Sande inverse with
//! Harvey's lazy butterflies (values kept in [0, 4p) resp. [0, 2p), one Shoup product per
//! butterfly, full reduction only at the end). Valid for p < 2^62.

use super::tables::Tables;

/// a·w mod p up to one extra p: the result is in [0, 2p) for any 64-bit a.
#[inline(always)]
fn mul_shoup_lazy(a: u64, w: u64, w_shoup: u64, p: u64) -> u64 {
    let q = ((u128::from(a) * u128::from(w_shoup)) >> 64) as u64;
    a.wrapping_mul(w).wrapping_sub(q.wrapping_mul(p))
}

/// Forward NTT in place: standard order in, bit-reversed evaluation order out, in [0, p).
pub(super) fn forward(t: &Tables, a: &mut [u64]) {
    let p = t.p;
    let two_p = 2 * p;
    let n = a.len();
    let mut half = n / 2;
    let mut blocks = 1;
    while blocks < n {
        let tw = &t.fwd[blocks..2 * blocks];
        let tws = &t.fwd_shoup[blocks..2 * blocks];
        for ((block, &w), &ws) in a.chunks_exact_mut(2 * half).zip(tw).zip(tws) {
            let (xs, ys) = block.split_at_mut(half);
            for (x, y) in xs.iter_mut().zip(ys) {
                let u = if *x >= two_p { *x - two_p } else { *x };
                let v = mul_shoup_lazy(*y, w, ws, p);
                *x = u + v;
                *y = u + two_p - v;
            }
        }
        half /= 2;
        blocks *= 2;
    }
    for x in a.iter_mut() {
        let mut v = *x;
        if v >= two_p {
            v -= two_p;
        }
        if v >= p {
            v -= p;
        }
        *x = v;
    }
}

/// Inverse NTT in place, including the 1/N factor: bit-reversed order in, standard
/// order out, in [0, p).
pub(super) fn inverse(t: &Tables, a: &mut [u64]) {
    let p = t.p;
    let two_p = 2 * p;
    let n = a.len();
    let mut half = 1;
    let mut blocks = n / 2;
    while blocks >= 1 {
        let tw = &t.inv[blocks..2 * blocks];
        let tws = &t.inv_shoup[blocks..2 * blocks];
        for ((block, &w), &ws) in a.chunks_exact_mut(2 * half).zip(tw).zip(tws) {
            let (xs, ys) = block.split_at_mut(half);
            for (x, y) in xs.iter_mut().zip(ys) {
                let s = *x + *y;
                let d = *x + two_p - *y;
                *x = if s >= two_p { s - two_p } else { s };
                *y = mul_shoup_lazy(d, w, ws, p);
            }
        }
        half *= 2;
        blocks /= 2;
    }
    for x in a.iter_mut() {
        let v = mul_shoup_lazy(*x, t.n_inv, t.n_inv_shoup, p);
        *x = if v >= p { v - p } else { v };
    }
}
