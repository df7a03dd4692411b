//! Negacyclic NTT in double precision, for p < 2^50 (FLINT `fft_small` style, see
//! `float_mod`): residues are held as f64 integers in (-2p, 2p). There is no 64-bit
//! integer multiply, which AVX2 lacks, so the same code vectorizes on AVX2 (4 lanes) and
//! AVX-512 (8 lanes). It must run inside `dispatch::run` with FMA enabled.
//!
//! The buffer keeps its `u64` type: values are converted to f64 bit patterns in place
//! on the way in and back to canonical residues in [0, p) on the way out.

use pulp::bytemuck;

use super::tables::Tables;
use crate::ring::float_mod::{from_u64, mul_mod, reduce, round, to_residue, FloatConst};

/// Forward NTT in place: standard order in, bit-reversed evaluation order out, in [0, p).
#[inline(always)]
pub(super) fn forward(t: &Tables, a: &mut [u64]) {
    let p = t.p as f64;
    let p_inv = 1.0 / p;
    for x in a.iter_mut() {
        *x = from_u64(*x).to_bits();
    }
    let a: &mut [f64] = bytemuck::cast_slice_mut(a);
    let n = a.len();
    let mut half = n / 2;
    let mut blocks = 1;
    // Invariant: every value is an integer of magnitude below 1.95p at each stage start:
    // reducing stages take u to ±(p/2 + 1) and v below 0.75p, so they output below
    // 1.25p; the lazy second stage of a pair adds a v below 0.66p to that.
    while blocks < n {
        // Two long stages per pass over memory (radix 4) while both have long blocks.
        if half >= 2 * LANES && blocks * 4 <= n {
            let (w1, w2) = (&t.fwd_f.w, &t.fwd_f.w_over_p);
            let tw1 = (&w1[blocks..2 * blocks], &w2[blocks..2 * blocks]);
            let tw2 = (&w1[2 * blocks..4 * blocks], &w2[2 * blocks..4 * blocks]);
            forward_stage_pair(a, half, tw1, tw2, p, p_inv);
            half /= 4;
            blocks *= 4;
            continue;
        }
        let tw = &t.fwd_f.w[blocks..2 * blocks];
        let twq = &t.fwd_f.w_over_p[blocks..2 * blocks];
        // Short butterflies get a fixed size so that the loop over blocks vectorizes.
        match half {
            1 => forward_stage::<1>(a, tw, twq, p, p_inv),
            2 => forward_stage::<2>(a, tw, twq, p, p_inv),
            4 => forward_stage::<4>(a, tw, twq, p, p_inv),
            _ => forward_stage_long(a, half, tw, twq, p, p_inv),
        }
        half /= 2;
        blocks *= 2;
    }
    for x in a.iter_mut() {
        let r = to_residue(reduce(*x, p, p_inv), p);
        *x = f64::from_bits(r);
    }
}

/// Inverse NTT in place, including the 1/N factor: bit-reversed order in, standard order
/// out, in [0, p).
#[inline(always)]
pub(super) fn inverse(t: &Tables, a: &mut [u64]) {
    let p = t.p as f64;
    let p_inv = 1.0 / p;
    for x in a.iter_mut() {
        *x = from_u64(*x).to_bits();
    }
    let a: &mut [f64] = bytemuck::cast_slice_mut(a);
    let n = a.len();
    let mut half = 1;
    let mut blocks = n / 2;
    // Invariant: every value is an integer of magnitude below 1.5p at each stage start
    // (sums are reduced to ±p/2; differences, below 3p, are multiplied to below 0.9p).
    while blocks >= 1 {
        // Two long stages per pass over memory (radix 4) while both have long blocks.
        if half >= LANES && blocks >= 2 {
            let (w1, w2) = (&t.inv_f.w, &t.inv_f.w_over_p);
            let tw1 = (&w1[blocks..2 * blocks], &w2[blocks..2 * blocks]);
            let tw2 = (&w1[blocks / 2..blocks], &w2[blocks / 2..blocks]);
            inverse_stage_pair(a, half, tw1, tw2, p, p_inv);
            half *= 4;
            blocks /= 4;
            continue;
        }
        let tw = &t.inv_f.w[blocks..2 * blocks];
        let twq = &t.inv_f.w_over_p[blocks..2 * blocks];
        match half {
            1 => inverse_stage::<1>(a, tw, twq, p, p_inv),
            2 => inverse_stage::<2>(a, tw, twq, p, p_inv),
            4 => inverse_stage::<4>(a, tw, twq, p, p_inv),
            _ => inverse_stage_long(a, half, tw, twq, p, p_inv),
        }
        half *= 2;
        blocks /= 2;
    }
    let FloatConst { w, w_over_p } = t.n_inv_f;
    for x in a.iter_mut() {
        let r = to_residue(mul_mod(*x, w, w_over_p, p), p);
        *x = f64::from_bits(r);
    }
}

/// Butterflies per unrolled group in long stages: a fixed count that LLVM turns into whole
/// vectors (two AVX2 or one AVX-512 register), so no stage falls into a scalar remainder
/// loop (a plain loop over 8 or 16 values did, and ran scalar).
const LANES: usize = 8;

/// The Cooley-Tukey butterfly: (x, y) -> (x + w·y, x - w·y).
#[inline(always)]
fn forward_butterfly(x: &mut f64, y: &mut f64, w: f64, wq: f64, p: f64, p_inv: f64) {
    let u = reduce(*x, p, p_inv);
    let v = mul_mod(*y, w, wq, p);
    *x = u + v;
    *y = u - v;
}

/// The Cooley-Tukey butterfly without reducing x first: for |x|, |y| < 1.25p (the output
/// of a reducing stage) the outputs stay below 1.95p, which the next reducing stage
/// accepts.
#[inline(always)]
fn forward_butterfly_lazy(x: &mut f64, y: &mut f64, w: f64, wq: f64, p: f64) {
    let v = mul_mod(*y, w, wq, p);
    let u = *x;
    *x = u + v;
    *y = u - v;
}

/// The Gentleman-Sande butterfly: (x, y) -> (x + y, w·(x - y)).
#[inline(always)]
fn inverse_butterfly(x: &mut f64, y: &mut f64, w: f64, wq: f64, p: f64, p_inv: f64) {
    let s = *x + *y;
    let d = *x - *y;
    *x = reduce(s, p, p_inv);
    *y = mul_mod(d, w, wq, p);
}

/// One forward stage with blocks of 2·H values and a constant trip count inside.
#[inline(always)]
fn forward_stage<const H: usize>(a: &mut [f64], tw: &[f64], twq: &[f64], p: f64, p_inv: f64) {
    for ((block, &w), &wq) in a.chunks_exact_mut(2 * H).zip(tw).zip(twq) {
        let (xs, ys) = block.split_at_mut(H);
        for j in 0..H {
            forward_butterfly(&mut xs[j], &mut ys[j], w, wq, p, p_inv);
        }
    }
}

/// One forward stage with blocks of 2·half values, half a multiple of [`LANES`].
#[inline(always)]
fn forward_stage_long(a: &mut [f64], half: usize, tw: &[f64], twq: &[f64], p: f64, p_inv: f64) {
    for ((block, &w), &wq) in a.chunks_exact_mut(2 * half).zip(tw).zip(twq) {
        let (xs, ys) = block.split_at_mut(half);
        let pairs = xs.chunks_exact_mut(LANES).zip(ys.chunks_exact_mut(LANES));
        for (x, y) in pairs {
            // Work on local copies: LLVM then knows x and y do not alias and vectorizes.
            let (mut xv, mut yv) = ([0.0; LANES], [0.0; LANES]);
            xv.copy_from_slice(x);
            yv.copy_from_slice(y);
            for (xj, yj) in xv.iter_mut().zip(yv.iter_mut()) {
                forward_butterfly(xj, yj, w, wq, p, p_inv);
            }
            x.copy_from_slice(&xv);
            y.copy_from_slice(&yv);
        }
    }
}

/// One inverse stage with blocks of 2·H values and a constant trip count inside.
#[inline(always)]
fn inverse_stage<const H: usize>(a: &mut [f64], tw: &[f64], twq: &[f64], p: f64, p_inv: f64) {
    for ((block, &w), &wq) in a.chunks_exact_mut(2 * H).zip(tw).zip(twq) {
        let (xs, ys) = block.split_at_mut(H);
        for j in 0..H {
            inverse_butterfly(&mut xs[j], &mut ys[j], w, wq, p, p_inv);
        }
    }
}

/// One inverse stage with blocks of 2·half values, half a multiple of [`LANES`].
#[inline(always)]
fn inverse_stage_long(a: &mut [f64], half: usize, tw: &[f64], twq: &[f64], p: f64, p_inv: f64) {
    for ((block, &w), &wq) in a.chunks_exact_mut(2 * half).zip(tw).zip(twq) {
        let (xs, ys) = block.split_at_mut(half);
        let pairs = xs.chunks_exact_mut(LANES).zip(ys.chunks_exact_mut(LANES));
        for (x, y) in pairs {
            // Work on local copies: LLVM then knows x and y do not alias and vectorizes.
            let (mut xv, mut yv) = ([0.0; LANES], [0.0; LANES]);
            xv.copy_from_slice(x);
            yv.copy_from_slice(y);
            for (xj, yj) in xv.iter_mut().zip(yv.iter_mut()) {
                inverse_butterfly(xj, yj, w, wq, p, p_inv);
            }
            x.copy_from_slice(&xv);
            y.copy_from_slice(&yv);
        }
    }
}

/// Twiddles of one stage: values and value/p.
type StageTwiddles<'a> = (&'a [f64], &'a [f64]);

/// Loads four groups of [`LANES`] values into local arrays, applies `f`, stores them back.
#[inline(always)]
fn with_quad(q: [&mut [f64]; 4], f: impl FnOnce(&mut [[f64; LANES]; 4])) {
    let mut v = [[0.0; LANES]; 4];
    for (vk, qk) in v.iter_mut().zip(q.iter()) {
        vk.copy_from_slice(qk);
    }
    f(&mut v);
    for (vk, qk) in v.iter().zip(q) {
        qk.copy_from_slice(vk);
    }
}

/// Forward stages of half `half` and `half / 2` in one pass: each block of 2·half
/// values is split in quarters x0..x3; the first stage pairs (x0, x2), (x1, x3) with the
/// block's twiddle, the second (x0, x1) and (x2, x3) with the two sub-blocks' twiddles
/// and skips the reduction of x (see the invariant in [`forward`]).
#[inline(always)]
fn forward_stage_pair(
    a: &mut [f64],
    half: usize,
    tw1: StageTwiddles<'_>,
    tw2: StageTwiddles<'_>,
    p: f64,
    p_inv: f64,
) {
    let quarter = half / 2;
    for (i, block) in a.chunks_exact_mut(2 * half).enumerate() {
        let (w, wq) = (tw1.0[i], tw1.1[i]);
        let (wa, waq) = (tw2.0[2 * i], tw2.1[2 * i]);
        let (wb, wbq) = (tw2.0[2 * i + 1], tw2.1[2 * i + 1]);
        let (lo, hi) = block.split_at_mut(half);
        let (x0, x1) = lo.split_at_mut(quarter);
        let (x2, x3) = hi.split_at_mut(quarter);
        let groups = x0
            .chunks_exact_mut(LANES)
            .zip(x1.chunks_exact_mut(LANES))
            .zip(x2.chunks_exact_mut(LANES).zip(x3.chunks_exact_mut(LANES)));
        for ((g0, g1), (g2, g3)) in groups {
            with_quad([g0, g1, g2, g3], |v| {
                let [v0, v1, v2, v3] = v;
                for j in 0..LANES {
                    forward_butterfly(&mut v0[j], &mut v2[j], w, wq, p, p_inv);
                    forward_butterfly(&mut v1[j], &mut v3[j], w, wq, p, p_inv);
                    forward_butterfly_lazy(&mut v0[j], &mut v1[j], wa, waq, p);
                    forward_butterfly_lazy(&mut v2[j], &mut v3[j], wb, wbq, p);
                }
            });
        }
    }
}

/// Inverse stages of half `half` and `2·half` in one pass: each block of 4·half values
/// is split in quarters x0..x3; the first stage pairs (x0, x1) and (x2, x3) with the two
/// sub-blocks' twiddles, the second (x0, x2), (x1, x3) with the block's twiddle.
#[inline(always)]
fn inverse_stage_pair(
    a: &mut [f64],
    half: usize,
    tw1: StageTwiddles<'_>,
    tw2: StageTwiddles<'_>,
    p: f64,
    p_inv: f64,
) {
    for (i, block) in a.chunks_exact_mut(4 * half).enumerate() {
        let (wa, waq) = (tw1.0[2 * i], tw1.1[2 * i]);
        let (wb, wbq) = (tw1.0[2 * i + 1], tw1.1[2 * i + 1]);
        let (w, wq) = (tw2.0[i], tw2.1[i]);
        let (lo, hi) = block.split_at_mut(2 * half);
        let (x0, x1) = lo.split_at_mut(half);
        let (x2, x3) = hi.split_at_mut(half);
        let groups = x0
            .chunks_exact_mut(LANES)
            .zip(x1.chunks_exact_mut(LANES))
            .zip(x2.chunks_exact_mut(LANES).zip(x3.chunks_exact_mut(LANES)));
        for ((g0, g1), (g2, g3)) in groups {
            with_quad([g0, g1, g2, g3], |v| {
                let [v0, v1, v2, v3] = v;
                for j in 0..LANES {
                    inverse_butterfly(&mut v0[j], &mut v1[j], wa, waq, p, p_inv);
                    inverse_butterfly(&mut v2[j], &mut v3[j], wb, wbq, p, p_inv);
                    inverse_butterfly(&mut v0[j], &mut v2[j], w, wq, p, p_inv);
                    inverse_butterfly(&mut v1[j], &mut v3[j], w, wq, p, p_inv);
                }
            });
        }
    }
}

/// acc[i] = acc[i] + x[i]·y[i] mod p (all in [0, p)).
#[inline(always)]
pub(super) fn mul_accumulate(p: u64, acc: &mut [u64], x: &[u64], y: &[u64]) {
    let pf = p as f64;
    let p_inv = 1.0 / pf;
    for ((o, &a), &b) in acc.iter_mut().zip(x).zip(y) {
        let (a, b) = (from_u64(a), from_u64(b));
        let h = a * b;
        let l = a.mul_add(b, -h);
        let q = round(h * p_inv);
        let r = to_residue((-q).mul_add(pf, h) + l, pf);
        let s = *o + r;
        *o = if s >= p { s - p } else { s };
    }
}
