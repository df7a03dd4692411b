//! Pure-f64 models of the training: the direct recurrence (docs/design.md section 2) and the
//! low-depth algebra (unrolled pairs, Gram blocks, reordered Nesterov) that the encrypted
//! circuit implements. Tests check that both agree to 1e-12 relative, which validates the
//! algebra independently of layouts and levels.

pub use lowdepth_circuit_common::{Cubic, HELR_CUBIC};

/// `Z x` for a row-major `rows x cols` matrix.
pub fn mat_vec(z: &[f64], rows: usize, cols: usize, x: &[f64]) -> Vec<f64> {
    (0..rows)
        .map(|i| {
            z[i * cols..(i + 1) * cols]
                .iter()
                .zip(x)
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect()
}

/// `Zᵀ y` for a row-major `rows x cols` matrix.
pub fn mat_t_vec(z: &[f64], rows: usize, cols: usize, y: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; cols];
    for (i, &yi) in y.iter().enumerate().take(rows) {
        for (o, a) in out.iter_mut().zip(&z[i * cols..(i + 1) * cols]) {
            *o += a * yi;
        }
    }
    out
}

/// The Gram block `A Bᵀ` (`A` is `ra x cols`, `B` is `rb x cols`), row-major `ra x rb`.
pub fn gram(a: &[f64], ra: usize, b: &[f64], rb: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; ra * rb];
    for i in 0..ra {
        for j in 0..rb {
            out[i * rb + j] = a[i * cols..(i + 1) * cols]
                .iter()
                .zip(&b[j * cols..(j + 1) * cols])
                .map(|(x, y)| x * y)
                .sum();
        }
    }
    out
}

fn axpby(a: f64, x: &[f64], b: f64, y: &[f64]) -> Vec<f64> {
    x.iter().zip(y).map(|(p, q)| a * p + b * q).collect()
}

/// The direct recurrence of docs/design.md section 2 on minibatches `Z_t` (`b x f`, row-major):
/// returns `(w_k, v_k)`. `etas[t]` is the Nesterov coefficient of iteration `t`.
pub fn reference_train(
    minibatches: &[Vec<f64>],
    b: usize,
    f: usize,
    etas: &[f64],
    w0: &[f64],
    v0: &[f64],
    cubic: Cubic,
) -> (Vec<f64>, Vec<f64>) {
    let gamma = 1.0 / b as f64;
    let (mut w, mut v) = (w0.to_vec(), v0.to_vec());
    for (z, &eta) in minibatches.iter().zip(etas) {
        let u = mat_vec(z, b, f, &v);
        let s: Vec<f64> = u.iter().map(|&x| cubic.eval(x)).collect();
        let g: Vec<f64> = mat_t_vec(z, b, f, &s).iter().map(|x| gamma * x).collect();
        let w_next: Vec<f64> = v.iter().zip(&g).map(|(a, b)| a + b).collect();
        v = axpby(1.0 - eta, &w_next, eta, &w);
        w = w_next;
    }
    (w, v)
}

/// The folded cubic contracted with a data matrix `D` (`rows x cols`, row-major, indexed
/// `D[o][i]`): `Σ_i [(scale c3 D[o][i]) u_i] (u_i^2 + c1/c3) + scale c0 Σ_i D[o][i]`, i.e.
/// `scale · D p(u)`.
fn folded_cubic(d: &[f64], rows: usize, cols: usize, u: &[f64], scale: f64, p: Cubic) -> Vec<f64> {
    let q: Vec<f64> = u.iter().map(|x| x * x + p.c1 / p.c3).collect();
    (0..rows)
        .map(|o| {
            let row = &d[o * cols..(o + 1) * cols];
            let cubic: f64 = row
                .iter()
                .zip(u)
                .zip(&q)
                .map(|((dv, uv), qv)| ((scale * p.c3 * dv) * uv) * qv)
                .sum();
            let constant: f64 = row.iter().map(|dv| scale * p.c0 * dv).sum();
            cubic + constant
        })
        .collect()
}

fn transpose(z: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            out[j * rows + i] = z[i * cols + j];
        }
    }
    out
}

/// The low-depth algebra in f64, step for step as the encrypted circuit computes it:
/// iterations in unrolled pairs, `u_{t+1} = Z_{t+1} B_t + (1-η_t) γ Z_{t+1} Z_tᵀ p(u_t)`,
/// reordered Nesterov, folded constants; a trailing single iteration for odd `k`.
pub fn lowdepth_train(
    minibatches: &[Vec<f64>],
    b: usize,
    f: usize,
    etas: &[f64],
    w0: &[f64],
    v0: &[f64],
    p: Cubic,
) -> (Vec<f64>, Vec<f64>) {
    let gamma = 1.0 / b as f64;
    let (mut w, mut v) = (w0.to_vec(), v0.to_vec());
    let k = minibatches.len().min(etas.len());
    let mut t = 0;
    while t < k {
        let z0 = &minibatches[t];
        let z0t = transpose(z0, b, f);
        let e0 = etas[t];
        // u_t and the gradient g_t (data factor Z_tᵀ, indexed [feature][sample]).
        let u0 = mat_vec(z0, b, f, &v);
        let g0 = folded_cubic(&z0t, f, b, &u0, gamma, p);
        if t + 1 == k {
            let g0s = folded_cubic(&z0t, f, b, &u0, (1.0 - e0) * gamma, p);
            let bt = axpby(1.0 - e0, &v, e0, &w);
            let w1: Vec<f64> = v.iter().zip(&g0).map(|(a, c)| a + c).collect();
            let v1: Vec<f64> = bt.iter().zip(&g0s).map(|(a, c)| a + c).collect();
            return (w1, v1);
        }
        let z1 = &minibatches[t + 1];
        let z1t = transpose(z1, b, f);
        let e1 = etas[t + 1];
        // The pair: u_{t+1} = α + β.
        let bt = axpby(1.0 - e0, &v, e0, &w);
        let alpha = mat_vec(z1, b, f, &bt);
        let m = gram(z1, b, z0, b, f); // M[i][j] = z1_i . z0_j
        let beta = folded_cubic(&m, b, b, &u0, (1.0 - e0) * gamma, p);
        let u1: Vec<f64> = alpha.iter().zip(&beta).map(|(a, c)| a + c).collect();
        let w1: Vec<f64> = v.iter().zip(&g0).map(|(a, c)| a + c).collect();
        let g1 = folded_cubic(&z1t, f, b, &u1, gamma, p);
        let g1s = folded_cubic(&z1t, f, b, &u1, (1.0 - e1) * gamma, p);
        let v1 = axpby(1.0 - e0, &w1, e0, &w);
        let kappa = (1.0 - e1) * (1.0 - e0) + e1;
        let b1 = axpby(kappa, &w1, (1.0 - e1) * e0, &w);
        let w2: Vec<f64> = v1.iter().zip(&g1).map(|(a, c)| a + c).collect();
        let v2: Vec<f64> = b1.iter().zip(&g1s).map(|(a, c)| a + c).collect();
        w = w2;
        v = v2;
        t += 2;
    }
    (w, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for test data in `[-1, 1]`.
    fn data(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 2_000_001) as f64 / 1_000_000.0 - 1.0
            })
            .collect()
    }

    fn etas(k: usize) -> Vec<f64> {
        let (mut a0, mut a1) = (0.01f64, (1.0 + (1.0f64 + 4.0 * 0.0001).sqrt()) / 2.0);
        (0..k)
            .map(|_| {
                let eta = (1.0 - a0) / a1;
                a0 = a1;
                a1 = (1.0 + (1.0 + 4.0 * a0 * a0).sqrt()) / 2.0;
                eta
            })
            .collect()
    }

    fn rel_err(a: &[f64], b: &[f64]) -> f64 {
        let num: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            .sqrt();
        let den: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt().max(1e-300);
        num / den
    }

    #[test]
    fn lowdepth_algebra_equals_the_direct_recurrence() {
        for (b, f) in [(8, 4), (16, 8), (24, 5)] {
            for k in 1..=12 {
                let zs: Vec<Vec<f64>> = (0..k)
                    .map(|t| data(b * f, 7 + t as u64 * 31 + b as u64))
                    .collect();
                let e = etas(k);
                let w0 = data(f, 99);
                let v0 = data(f, 123);
                let (wr, vr) = reference_train(&zs, b, f, &e, &w0, &v0, HELR_CUBIC);
                let (wl, vl) = lowdepth_train(&zs, b, f, &e, &w0, &v0, HELR_CUBIC);
                assert!(
                    rel_err(&wl, &wr) < 1e-12,
                    "w: b={b} f={f} k={k}: {}",
                    rel_err(&wl, &wr)
                );
                assert!(
                    rel_err(&vl, &vr) < 1e-12,
                    "v: b={b} f={f} k={k}: {}",
                    rel_err(&vl, &vr)
                );
            }
        }
    }

    #[test]
    fn zero_start_moves_the_model() {
        let (b, f) = (8, 4);
        let zs = vec![data(b * f, 5), data(b * f, 6)];
        let (w, _) = reference_train(&zs, b, f, &etas(2), &[0.0; 4], &[0.0; 4], HELR_CUBIC);
        assert!(w.iter().any(|x| x.abs() > 1e-6));
    }
}
