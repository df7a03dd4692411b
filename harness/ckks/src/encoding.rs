//! CKKS encoding: real slot values <-> plaintext polynomials via the canonical embedding,
//! computed with the O(N log N) "special FFT" over the roots ζ^{5^j} (ζ = e^{iπ/N}).
//!
//! Slot j of a polynomial m is m(ζ^{5^j}) / Δ for j < N/2. The Galois map X -> X^{5^k}
//! therefore moves slot j + k to slot j (left rotation by k).

use rayon::prelude::*;

use crate::ciphertext::Plaintext;
use crate::error::{CkksError, Result};
use crate::params::CkksParameters;
use crate::ring::crt::CrtReconstructor;
use crate::ring::poly::RnsPoly;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct C64 {
    re: f64,
    im: f64,
}

impl C64 {
    fn add(self, o: Self) -> Self {
        Self {
            re: self.re + o.re,
            im: self.im + o.im,
        }
    }
    fn sub(self, o: Self) -> Self {
        Self {
            re: self.re - o.re,
            im: self.im - o.im,
        }
    }
    fn mul(self, o: Self) -> Self {
        Self {
            re: self.re * o.re - self.im * o.im,
            im: self.re * o.im + self.im * o.re,
        }
    }
}

/// Encodes and decodes real vectors. Cheap to share (`&self` methods).
#[derive(Debug, Clone)]
pub struct Encoder {
    params: CkksParameters,
    /// 5^j mod 2N, j < N/2.
    rot_group: Vec<usize>,
    /// e^{2πik/2N}, k = 0..=2N.
    ksi: Vec<C64>,
}

impl Encoder {
    /// An encoder for these parameters.
    pub fn new(params: &CkksParameters) -> Self {
        let n = params.n();
        let m = 2 * n;
        let slots = n / 2;
        let mut rot_group = Vec::with_capacity(slots);
        let mut g = 1usize;
        for _ in 0..slots {
            rot_group.push(g);
            g = g * 5 % m;
        }
        let ksi = (0..=m)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / m as f64;
                C64 {
                    re: a.cos(),
                    im: a.sin(),
                }
            })
            .collect();
        Self {
            params: params.clone(),
            rot_group,
            ksi,
        }
    }

    /// Encodes `values` (at most N/2; zero-padded) at `level` and `scale`.
    pub fn encode(&self, values: &[f64], level: usize, scale: f64) -> Result<Plaintext> {
        let p = &self.params;
        let slots = p.slots();
        if values.len() > slots {
            return Err(CkksError::TooManyValues {
                got: values.len(),
                slots,
            });
        }
        if level > p.max_level() {
            return Err(CkksError::LevelTooHigh {
                op: "encode",
                from: p.max_level(),
                to: level,
            });
        }
        if !(scale.is_finite() && scale >= 1.0) {
            return Err(CkksError::Encode {
                reason: format!("scale {scale} must be finite and >= 1"),
            });
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(CkksError::Encode {
                reason: format!("value {v} is not finite"),
            });
        }
        let mut u: Vec<C64> = values.iter().map(|&re| C64 { re, im: 0.0 }).collect();
        u.resize(slots, C64::default());
        self.fft_special_inv(&mut u);
        let n = p.n();
        let mut coeffs = vec![0f64; n];
        for (i, z) in u.iter().enumerate() {
            coeffs[i] = (z.re * scale).round();
            coeffs[i + slots] = (z.im * scale).round();
        }
        let log_q: f64 = p.moduli()[..=level]
            .iter()
            .map(|&q| (q as f64).log2())
            .sum();
        let max = coeffs.iter().fold(0f64, |a, &c| a.max(c.abs()));
        if max > 0.0 && max.log2() >= log_q - 1.0 {
            return Err(CkksError::Encode {
                reason: format!(
                    "coefficient of {:.1} bits does not fit modulus of {:.1} bits at level {level}",
                    max.log2(),
                    log_q
                ),
            });
        }
        let idx = p.q_indices(level);
        let mut poly = RnsPoly::scratch(p, idx.len());
        for (pos, &i) in idx.iter().enumerate() {
            let m = p.modulus(i);
            for (x, &c) in poly.limb_mut(pos).iter_mut().zip(&coeffs) {
                *x = m.reduce_f64_integer(c);
            }
        }
        poly.ntt(p, &idx);
        Ok(Plaintext { poly, level, scale })
    }

    /// Decodes a plaintext to its N/2 real slot values.
    pub fn decode(&self, pt: &Plaintext) -> Result<Vec<f64>> {
        let p = &self.params;
        if pt.poly.n() != p.n() || pt.level > p.max_level() || pt.poly.limbs() != pt.level + 1 {
            return Err(CkksError::ParameterMismatch { what: "plaintext" });
        }
        let idx = p.q_indices(pt.level);
        let mut poly = pt.poly.clone();
        poly.intt(p, &idx);
        let crt = CrtReconstructor::new(&p.moduli()[..=pt.level]);
        let n = p.n();
        let slots = p.slots();
        let limbs = idx.len();
        let mut coeffs = vec![0f64; n];
        coeffs
            .par_chunks_mut(1024)
            .enumerate()
            .for_each(|(chunk, out)| {
                let (mut d, mut b) = (Vec::new(), Vec::new());
                let mut res = vec![0u64; limbs];
                for (k, o) in out.iter_mut().enumerate() {
                    let c = chunk * 1024 + k;
                    for (j, r) in res.iter_mut().enumerate() {
                        *r = poly.limb(j)[c];
                    }
                    *o = crt.centered_f64(&res, &mut d, &mut b) / pt.scale;
                }
            });
        let mut u: Vec<C64> = (0..slots)
            .map(|i| C64 {
                re: coeffs[i],
                im: coeffs[i + slots],
            })
            .collect();
        self.fft_special(&mut u);
        Ok(u.into_iter().map(|z| z.re).collect())
    }

    /// Encodes the constant `c` in every slot: the constant polynomial round(c·scale),
    /// reduced modulo each prime of Q_level (exact for any magnitude).
    pub(crate) fn constant_residues(
        params: &CkksParameters,
        c: f64,
        scale: f64,
        level: usize,
    ) -> Result<Vec<u64>> {
        let v = (c * scale).round();
        if !v.is_finite() {
            return Err(CkksError::Encode {
                reason: format!("constant {c} at scale {scale} is not finite"),
            });
        }
        Ok((0..=level)
            .map(|i| params.modulus(i).reduce_f64_integer(v))
            .collect())
    }

    fn fft_special(&self, vals: &mut [C64]) {
        let size = vals.len();
        let m = 2 * self.params.n();
        bit_reverse(vals);
        let mut len = 2;
        while len <= size {
            let lenh = len / 2;
            let lenq = len * 4;
            for i in (0..size).step_by(len) {
                for j in 0..lenh {
                    let idx = (self.rot_group[j] % lenq) * m / lenq;
                    let u = vals[i + j];
                    let v = vals[i + j + lenh].mul(self.ksi[idx]);
                    vals[i + j] = u.add(v);
                    vals[i + j + lenh] = u.sub(v);
                }
            }
            len *= 2;
        }
    }

    fn fft_special_inv(&self, vals: &mut [C64]) {
        let size = vals.len();
        let m = 2 * self.params.n();
        let mut len = size;
        while len >= 2 {
            let lenh = len / 2;
            let lenq = len * 4;
            for i in (0..size).step_by(len) {
                for j in 0..lenh {
                    let idx = (lenq - (self.rot_group[j] % lenq)) * m / lenq;
                    let u = vals[i + j].add(vals[i + j + lenh]);
                    let v = vals[i + j].sub(vals[i + j + lenh]).mul(self.ksi[idx]);
                    vals[i + j] = u;
                    vals[i + j + lenh] = v;
                }
            }
            len /= 2;
        }
        bit_reverse(vals);
        let inv = 1.0 / size as f64;
        for v in vals.iter_mut() {
            v.re *= inv;
            v.im *= inv;
        }
    }
}

fn bit_reverse(vals: &mut [C64]) {
    let n = vals.len();
    let mut j = 0usize;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j ^= bit;
        if i < j {
            vals.swap(i, j);
        }
    }
}
