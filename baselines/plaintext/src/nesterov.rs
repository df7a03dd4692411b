//! HELR's minibatch Nesterov accelerated gradient, exactly as docs/design.md section 2 states it.
//!
//! With `alpha_0 = cfg.alpha0` and `alpha_1 = (1 + sqrt(1 + 4 alpha_0^2)) / 2`, iteration
//! `t = 0, 1, ...` uses batch `Z_t = batches.for_iteration(t)` (`b x f`) and
//!
//! ```text
//! eta_t   = (1 - alpha_0) / alpha_1 ;  alpha_0 <- alpha_1 ;  alpha_1 <- (1 + sqrt(1 + 4 alpha_0^2)) / 2
//! gamma   = learning_rate / b
//! u       = Z_t v_t
//! s       = p(u)              (cubic)   or   1 / (1 + exp(u))   (exact)
//! g       = gamma Z_t^T s
//! w_{t+1} = v_t + g
//! v_{t+1} = (1 - eta_t) w_{t+1} + eta_t w_t
//! ```
//!
//! starting from `w_0 = v_0 = 0` (or a given state). [`nesterov_etas`] gives the `eta_t`
//! schedule alone, for circuits that fold it into constants.
//!
//! ```
//! use lowdepth_data::batches::Minibatches;
//! use lowdepth_plaintext::{nesterov, NesterovConfig, Sigmoid};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // two rows of width 2, one batch of 2
//! let batches = Minibatches::from_rows(&[1.0, 0.5, -1.0, 0.25], 2, 2, 0)?;
//! let cfg = NesterovConfig { iterations: 3, ..NesterovConfig::default() };
//! let traj = nesterov::train(&batches, Sigmoid::Cubic, &cfg);
//! assert_eq!(traj.w.len(), 4); // w_0 .. w_3
//! // first step from 0: s = 0.5, g = (1/2) * 0.5 * (0, 0.75)
//! assert_eq!(traj.w[1], vec![0.0, 0.1875]);
//! assert_eq!(traj.etas, nesterov::nesterov_etas(3, 0.01));
//! # Ok(()) }
//! ```

use lowdepth_data::batches::{Batch, Minibatches};

use crate::error::{PlaintextError, Result};
use crate::sigmoid::Sigmoid;

/// Parameters of the Nesterov iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NesterovConfig {
    /// Number of iterations (minibatch steps).
    pub iterations: usize,
    /// `gamma = learning_rate / b`. HELR: 1.0.
    pub learning_rate: f64,
    /// Initial `alpha_0`. HELR: 0.01.
    pub alpha0: f64,
}

impl Default for NesterovConfig {
    /// HELR's: 32 iterations, learning rate 1.0, alpha_0 = 0.01.
    fn default() -> Self {
        Self {
            iterations: 32,
            learning_rate: 1.0,
            alpha0: 0.01,
        }
    }
}

impl NesterovConfig {
    /// Checks that the numbers are finite.
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [
            ("training.learning_rate", self.learning_rate),
            ("training.alpha0", self.alpha0),
        ] {
            if !v.is_finite() {
                return Err(PlaintextError::InvalidConfig {
                    field,
                    reason: format!("{v} is not a finite number"),
                });
            }
        }
        Ok(())
    }
}

/// The model pair `(w, v)` of the Nesterov iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelState {
    /// `w_t`.
    pub w: Vec<f64>,
    /// `v_t`.
    pub v: Vec<f64>,
}

impl ModelState {
    /// `w = v = 0` of length `width`.
    pub fn zeros(width: usize) -> Self {
        Self {
            w: vec![0.0; width],
            v: vec![0.0; width],
        }
    }
}

/// Every state of a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// The sigmoid used.
    pub sigmoid: Sigmoid,
    /// `gamma = learning_rate / b`.
    pub gamma: f64,
    /// `w_0 ..= w_T`: `w[t]` is the model after `t` iterations (`w[0]` the initial one).
    pub w: Vec<Vec<f64>>,
    /// `v_0 ..= v_T`.
    pub v: Vec<Vec<f64>>,
    /// `eta_t` used by iteration `t` (to form `v_{t+1}`), `t = 0 .. T-1`.
    pub etas: Vec<f64>,
    /// Index of the batch used by iteration `t` (`t mod n_batches`).
    pub batch_indices: Vec<usize>,
}

impl Trajectory {
    /// Number of iterations run.
    pub fn iterations(&self) -> usize {
        self.etas.len()
    }

    /// The final `w`.
    pub fn final_w(&self) -> &[f64] {
        self.w.last().map_or(&[], |w| w.as_slice())
    }

    /// The final `v`.
    pub fn final_v(&self) -> &[f64] {
        self.v.last().map_or(&[], |v| v.as_slice())
    }
}

fn next_alpha(a: f64) -> f64 {
    (1.0 + (1.0 + 4.0 * a * a).sqrt()) / 2.0
}

/// The `eta_t` of `iterations` Nesterov steps starting from `alpha0` (HELR: 0.01).
/// The first is about 0.9899, the second about -6.2e-5, then they tend to -1.
pub fn nesterov_etas(iterations: usize, alpha0: f64) -> Vec<f64> {
    let mut a0 = alpha0;
    let mut a1 = next_alpha(a0);
    let mut etas = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        etas.push((1.0 - a0) / a1);
        a0 = a1;
        a1 = next_alpha(a0);
    }
    etas
}

/// One Nesterov step on batch `z` from `state`: returns `(w_{t+1}, v_{t+1})`.
/// `state.w`, `state.v` must have `z.cols` entries.
pub fn nesterov_step(
    z: &Batch,
    state: &ModelState,
    eta: f64,
    gamma: f64,
    sigmoid: Sigmoid,
) -> Result<ModelState> {
    check_len("w", z.cols, state.w.len())?;
    check_len("v", z.cols, state.v.len())?;
    let mut g = vec![0.0; z.cols];
    for row in z.iter_rows() {
        let u: f64 = row.iter().zip(&state.v).map(|(a, b)| a * b).sum();
        let s = sigmoid.eval(u);
        for (gj, zj) in g.iter_mut().zip(row) {
            *gj += s * zj;
        }
    }
    let w: Vec<f64> = state
        .v
        .iter()
        .zip(&g)
        .map(|(vj, gj)| vj + gamma * gj)
        .collect();
    let v = w
        .iter()
        .zip(&state.w)
        .map(|(wn, wo)| (1.0 - eta) * wn + eta * wo)
        .collect();
    Ok(ModelState { w, v })
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(PlaintextError::DimensionMismatch {
            what,
            expected,
            found,
        })
    }
}

/// Trains from `w_0 = v_0 = 0` for `cfg.iterations` steps; iteration `t` uses
/// `batches.for_iteration(t)`.
pub fn train(batches: &Minibatches, sigmoid: Sigmoid, cfg: &NesterovConfig) -> Trajectory {
    let init = ModelState::zeros(batches.width());
    run(batches, sigmoid, cfg, init)
}

/// Like [`train`], from a given `(w_0, v_0)` (each of length `batches.width()`).
pub fn train_from(
    batches: &Minibatches,
    sigmoid: Sigmoid,
    cfg: &NesterovConfig,
    init: ModelState,
) -> Result<Trajectory> {
    check_len("initial w", batches.width(), init.w.len())?;
    check_len("initial v", batches.width(), init.v.len())?;
    Ok(run(batches, sigmoid, cfg, init))
}

fn run(
    batches: &Minibatches,
    sigmoid: Sigmoid,
    cfg: &NesterovConfig,
    init: ModelState,
) -> Trajectory {
    let gamma = cfg.learning_rate / batches.batch_size() as f64;
    let etas = nesterov_etas(cfg.iterations, cfg.alpha0);
    let mut w = Vec::with_capacity(cfg.iterations + 1);
    let mut v = Vec::with_capacity(cfg.iterations + 1);
    let mut batch_indices = Vec::with_capacity(cfg.iterations);
    let mut state = init;
    for (t, &eta) in etas.iter().enumerate() {
        let j = t % batches.n_batches();
        batch_indices.push(j);
        let z = batches.batch(j);
        // Lengths were checked against batches.width() == z.cols, so this cannot fail;
        // the step function stays fallible for callers that pass their own batches.
        let next = match nesterov_step(z, &state, eta, gamma, sigmoid) {
            Ok(next) => next,
            Err(_) => break,
        };
        w.push(std::mem::take(&mut state.w));
        v.push(std::mem::take(&mut state.v));
        state = next;
    }
    w.push(state.w);
    v.push(state.v);
    Trajectory {
        sigmoid,
        gamma,
        w,
        v,
        etas,
        batch_indices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-14)
    }

    #[test]
    fn eta_schedule_matches_hand_values() {
        let e = nesterov_etas(3, 0.01);
        assert!((e[0] - 0.989_901_019_795_051_3).abs() < 1e-15);
        assert!((e[1] - -6.179_380_420_078_468e-5).abs() < 1e-15);
        assert!((e[2] - -0.281_783_320_435_150_25).abs() < 1e-15);
        assert!(nesterov_etas(0, 0.01).is_empty());
    }

    /// One step by hand: w0 = (1, 0), v0 = (0.5, 2), Z = [[1, 2], [-1, 0.5]], b = 2, lr = 1.
    /// u = (4.5, 0.5); cubic s = (0.138875, 0.457875); g = 0.5 * Z^T s = (-0.1595, 0.25334375);
    /// w1 = v0 + g = (0.3405, 2.25334375); v1 = (1 - eta0) w1 + eta0 w0.
    #[test]
    fn one_step_by_hand() -> Result<()> {
        let z = Batch {
            rows: 2,
            cols: 2,
            data: vec![1.0, 2.0, -1.0, 0.5],
        };
        let state = ModelState {
            w: vec![1.0, 0.0],
            v: vec![0.5, 2.0],
        };
        let eta0 = nesterov_etas(1, 0.01)[0];
        let c = nesterov_step(&z, &state, eta0, 0.5, Sigmoid::Cubic)?;
        assert!(close(&c.w, &[0.3405, 2.25334375]), "{:?}", c.w);
        assert!(
            close(&c.v, &[0.9933397225548364, 0.02275647392619488]),
            "{:?}",
            c.v
        );
        let e = nesterov_step(&z, &state, eta0, 0.5, Sigmoid::Exact)?;
        assert!(
            close(&e.w, &[0.3167231369162239, 2.1053721098301295]),
            "{:?}",
            e.w
        );
        assert!(
            close(&e.v, &[0.9930996004852175, 0.021262111261225566]),
            "{:?}",
            e.v
        );
        Ok(())
    }

    #[test]
    fn train_from_matches_step_and_checks_lengths(
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let batches = Minibatches::from_rows(&[1.0, 2.0, -1.0, 0.5], 2, 2, 0)?;
        let init = ModelState {
            w: vec![1.0, 0.0],
            v: vec![0.5, 2.0],
        };
        let cfg = NesterovConfig {
            iterations: 2,
            ..Default::default()
        };
        let traj = train_from(&batches, Sigmoid::Cubic, &cfg, init.clone())?;
        let etas = nesterov_etas(2, 0.01);
        let s1 = nesterov_step(batches.batch(0), &init, etas[0], 0.5, Sigmoid::Cubic)?;
        let s2 = nesterov_step(batches.batch(0), &s1, etas[1], 0.5, Sigmoid::Cubic)?;
        assert_eq!(traj.w, vec![init.w.clone(), s1.w, s2.w]);
        assert_eq!(traj.v[2], s2.v);
        assert_eq!(traj.batch_indices, vec![0, 0]);
        assert_eq!(traj.gamma, 0.5);
        let bad = ModelState {
            w: vec![0.0; 3],
            v: vec![0.0; 2],
        };
        assert_eq!(
            train_from(&batches, Sigmoid::Cubic, &cfg, bad),
            Err(PlaintextError::DimensionMismatch {
                what: "initial w",
                expected: 2,
                found: 3
            })
        );
        Ok(())
    }
}
