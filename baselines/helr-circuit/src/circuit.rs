//! HELR's training circuit expressed with the toolkit's objects and operations.
//!
//! Per minibatch (model `v_t` at depth `d`, docs/design.md section 5):
//!
//! | step | operation | depth |
//! |---|---|---|
//! | 1-2 | `u = Z v`: [`matrix_col_vector`] (products summed per row of units, one relinearization each, then `sum_cols`' mask) | d+2 |
//! | 3 | `A = (γ c3 Z) ⊙ u`, `q = u ⊙ u + c1/c3` | d+3 |
//! | 4 | `g = qᵀ A + γ c0 1ᵀ Z` ([`row_vector_matrix_plus`]: one relinearization per column of units), `w_{t+1} = v_t + g` | d+4 |
//! | 5 | `v_{t+1} = (1-η) w_{t+1} + η w_t` | d+5 |
//!
//! Depth `5k`.

use lowdepth_circuit_common::scale_to_level;
use lowdepth_toolkit::ops::{
    add, add_scalar, hadamard, hadamard_row_matrix, matrix_col_vector, mul_scalar,
    row_vector_matrix_plus, sum_cols_steps, sum_rows_steps,
};
use lowdepth_toolkit::{
    Backend, EncodingUnit, EncryptedColVector, EncryptedMatrix, EncryptedObject, Evaluator,
};
use rayon::prelude::*;

use crate::error::{HelrError, Result};

/// The shared configuration; `unit: None` picks [`default_unit`] (tall, `256 x 128` at
/// 2^15 slots).
pub use lowdepth_circuit_common::{CircuitConfig, Cubic, LevelPolicy, HELR_CUBIC};

/// One uploaded minibatch: index, depth below the top at which it is encrypted, ciphertexts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Minibatch index `t`.
    pub index: usize,
    /// Levels below the top at which it is encrypted.
    pub depth: usize,
    /// Number of ciphertexts.
    pub ciphertexts: usize,
}

/// The plan of the baseline: unit, depth, inputs. Built by [`describe`].
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitPlan {
    /// The configuration.
    pub config: CircuitConfig,
    /// The encoding unit.
    pub unit: EncodingUnit,
    /// Multiplicative depth (`5k`).
    pub depth: usize,
    /// Levels used before the first minibatch (none).
    pub setup_levels: usize,
    /// The minibatches, in order (the model, two column vectors at the top, is not listed).
    pub inputs: Vec<InputSpec>,
    /// Ciphertexts of the initial model.
    pub model_ciphertexts: usize,
    /// Rotation steps the circuit uses (left rotations).
    pub rotation_steps: Vec<i64>,
}

/// Depth of the baseline for `k` minibatches: `5k`.
pub fn circuit_depth(k: usize) -> usize {
    5 * k
}

/// The default unit: `w = next_pow2(f)`, but no wider than `2^⌊log2 √(slots/2)⌋` (a
/// tall unit, `h` = `2w` or `4w`), capped at the slot count; `h = slots / w`.
///
/// Why tall: `u = Z v` costs `2 log2 w` rotations (HIT's `sum_cols`: fold, mask,
/// replicate) per row of units (`b/h` of them), `sum_rows` `log2 h` per column of units
/// (`f/w`); at `b = 1024, f = 256`, 2^15 slots, unit `256 × 128` needs 528 rotations for
/// `k = 6` against 852 for `128 × 256`, with the same depth.
pub fn default_unit(features: usize, slots: usize) -> Result<EncodingUnit> {
    let tall = 1usize << (slots.max(1).trailing_zeros().saturating_sub(1) / 2);
    let w = features
        .max(1)
        .next_power_of_two()
        .min(tall)
        .min(slots)
        .max(1);
    Ok(EncodingUnit::with_width(w, slots)?)
}

/// Plans the baseline.
pub fn describe(config: &CircuitConfig) -> Result<CircuitPlan> {
    let (b, f, k) = (config.batch_size, config.features, config.minibatches);
    if b == 0 || f == 0 || k == 0 {
        return Err(HelrError::InvalidConfig(format!(
            "batch size {b}, features {f} and minibatches {k} must all be positive"
        )));
    }
    if !config.slots.is_power_of_two() {
        return Err(HelrError::InvalidConfig(format!(
            "slots {} must be a power of two",
            config.slots
        )));
    }
    let c = config.cubic;
    if c.c3 == 0.0 || ![c.c0, c.c1, c.c3].iter().all(|x| x.is_finite()) {
        return Err(HelrError::InvalidConfig(
            "cubic needs finite coefficients and c3 != 0".into(),
        ));
    }
    let unit = match config.unit {
        Some(u) if u.slots() == config.slots => u,
        Some(u) => {
            return Err(HelrError::InvalidConfig(format!(
                "unit {}x{} does not cover {} slots",
                u.height(),
                u.width(),
                config.slots
            )))
        }
        None => default_unit(f, config.slots)?,
    };
    let tiles = b.div_ceil(unit.height()) * f.div_ceil(unit.width());
    let inputs = (0..k)
        .map(|t| InputSpec {
            index: t,
            depth: match config.level_policy {
                LevelPolicy::FirstUse => 5 * t,
                LevelPolicy::Top => 0,
            },
            ciphertexts: tiles,
        })
        .collect();
    let mut rotation_steps = sum_cols_steps(unit);
    rotation_steps.extend(sum_rows_steps(unit));
    rotation_steps.sort_unstable();
    rotation_steps.dedup();
    Ok(CircuitPlan {
        config: *config,
        unit,
        depth: circuit_depth(k),
        setup_levels: 0,
        inputs,
        model_ciphertexts: 2 * f.div_ceil(unit.width()),
        rotation_steps,
    })
}

/// What the customer uploads: each minibatch as an [`EncryptedMatrix`] at its level.
pub struct Upload<B: Backend> {
    plan: CircuitPlan,
    minibatches: Vec<EncryptedMatrix<B>>,
}

impl<B: Backend> std::fmt::Debug for Upload<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("plan", &self.plan)
            .field("minibatches", &self.minibatches.len())
            .finish()
    }
}

impl<B: Backend> Upload<B> {
    /// The plan it was made for.
    pub fn plan(&self) -> &CircuitPlan {
        &self.plan
    }

    /// Number of ciphertexts uploaded (without the initial model).
    pub fn num_ciphertexts(&self) -> usize {
        self.minibatches.iter().map(|m| m.ciphertexts().len()).sum()
    }

    /// Serialized size of the uploaded ciphertexts (without the initial model).
    pub fn ciphertext_bytes(&self, eval: &Evaluator<B>) -> u64 {
        self.minibatches
            .iter()
            .map(|m| m.ciphertext_bytes(eval))
            .sum()
    }
}

fn check_levels<B: Backend>(eval: &Evaluator<B>, plan: &CircuitPlan) -> Result<()> {
    if eval.max_level() < plan.depth {
        return Err(HelrError::InsufficientLevels {
            needed: plan.depth,
            available: eval.max_level(),
        });
    }
    if eval.slots() != plan.config.slots {
        return Err(HelrError::InvalidConfig(format!(
            "plan for {} slots, backend has {}",
            plan.config.slots,
            eval.slots()
        )));
    }
    Ok(())
}

/// Customer side: encrypts the minibatches (`k` row-major `b × f` cleartexts).
pub fn upload<B: Backend>(
    eval: &Evaluator<B>,
    plan: &CircuitPlan,
    minibatches: &[Vec<f64>],
) -> Result<Upload<B>> {
    check_levels(eval, plan)?;
    let (b, f, k) = (
        plan.config.batch_size,
        plan.config.features,
        plan.config.minibatches,
    );
    if minibatches.len() != k {
        return Err(HelrError::MinibatchCount {
            expected: k,
            got: minibatches.len(),
        });
    }
    let top = eval.max_level();
    let encrypted = minibatches
        .iter()
        .zip(&plan.inputs)
        .enumerate()
        .map(|(index, (z, spec))| {
            if z.len() != b * f {
                return Err(HelrError::Minibatch {
                    index,
                    detail: format!("{} values, expected {b} x {f} = {}", z.len(), b * f),
                });
            }
            if let Some(pos) = z.iter().position(|x| !x.is_finite()) {
                return Err(HelrError::Minibatch {
                    index,
                    detail: format!("non-finite value at {pos}"),
                });
            }
            Ok(EncryptedMatrix::encrypt(
                eval,
                plan.unit,
                b,
                f,
                z,
                top.saturating_sub(spec.depth),
            )?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Upload {
        plan: plan.clone(),
        minibatches: encrypted,
    })
}

/// An encrypted model `(w, v)`: two column vectors of length `f`.
pub struct EncryptedModel<B: Backend> {
    /// `w_t`.
    pub w: EncryptedColVector<B>,
    /// `v_t`.
    pub v: EncryptedColVector<B>,
}

impl<B: Backend> Clone for EncryptedModel<B> {
    fn clone(&self) -> Self {
        Self {
            w: self.w.clone(),
            v: self.v.clone(),
        }
    }
}

impl<B: Backend> std::fmt::Debug for EncryptedModel<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedModel")
            .field("w", &self.w)
            .field("v", &self.v)
            .finish()
    }
}

impl<B: Backend> EncryptedModel<B> {
    /// Decrypts `(w, v)`.
    pub fn decrypt(&self, eval: &Evaluator<B>) -> Result<(Vec<f64>, Vec<f64>)> {
        Ok((self.w.decrypt(eval)?, self.v.decrypt(eval)?))
    }

    /// Serialized size of the model's ciphertexts.
    pub fn ciphertext_bytes(&self, eval: &Evaluator<B>) -> u64 {
        self.w.ciphertext_bytes(eval) + self.v.ciphertext_bytes(eval)
    }
}

/// Customer side: encrypts the initial model `(w_0, v_0)` (length `f`) at the top level.
pub fn encrypt_model<B: Backend>(
    eval: &Evaluator<B>,
    plan: &CircuitPlan,
    w0: &[f64],
    v0: &[f64],
) -> Result<EncryptedModel<B>> {
    let f = plan.config.features;
    if w0.len() != f || v0.len() != f {
        return Err(HelrError::Model(format!(
            "initial model of lengths {} and {}, expected {f}",
            w0.len(),
            v0.len()
        )));
    }
    let top = eval.max_level();
    Ok(EncryptedModel {
        w: EncryptedColVector::encrypt(eval, plan.unit, w0, top)?,
        v: EncryptedColVector::encrypt(eval, plan.unit, v0, top)?,
    })
}

fn scale_object<B: Backend, T: EncryptedObject<B>>(
    eval: &Evaluator<B>,
    a: &T,
    c: f64,
    level: usize,
) -> Result<T> {
    let cts = a
        .ciphertexts()
        .par_iter()
        .map(|ct| scale_to_level(eval, ct, c, level))
        .collect::<Result<Vec<_>>>()?;
    Ok(T::from_parts(*a.layout(), cts)?)
}

/// Server side: trains on the upload from `model` with Nesterov coefficients `etas[t]`.
pub fn train<B: Backend>(
    eval: &Evaluator<B>,
    upload: &Upload<B>,
    model: &EncryptedModel<B>,
    etas: &[f64],
) -> Result<EncryptedModel<B>> {
    let plan = &upload.plan;
    check_levels(eval, plan)?;
    let (b, f, k) = (
        plan.config.batch_size,
        plan.config.features,
        plan.config.minibatches,
    );
    if etas.len() < k {
        return Err(HelrError::Etas {
            needed: k,
            got: etas.len(),
        });
    }
    if let Some(i) = etas.iter().take(k).position(|e| !e.is_finite()) {
        return Err(HelrError::Etas { needed: k, got: i });
    }
    if model.w.len() != f || model.v.len() != f {
        return Err(HelrError::Model("initial model must have length f".into()));
    }
    let gamma = 1.0 / b as f64;
    let cubic = plan.config.cubic;
    let (mut w, mut v) = (model.w.clone(), model.v.clone());
    for (z, &eta) in upload.minibatches.iter().zip(etas) {
        // 1-2: u = Z v (products summed per row of units, then the sum_cols mask).
        let u = matrix_col_vector(eval, z, &v, 1.0)?;
        let lu = u.level(eval);
        let lg = lu.checked_sub(2).ok_or(HelrError::InsufficientLevels {
            needed: plan.depth,
            available: eval.max_level(),
        })?;
        // 3: folded cubic, first products.
        let q = add_scalar(eval, &hadamard(eval, &u, &u)?, cubic.c1 / cubic.c3)?;
        let zc = scale_object(eval, z, gamma * cubic.c3, lu)?;
        let a = hadamard_row_matrix(eval, &u, &zc)?;
        // 4: g = qᵀ A + γ c0 1ᵀ Z: the data term is added before the one sum_rows (same
        // depth; saves the separate sum_rows of Z).
        let c0 = scale_object(eval, z, gamma * cubic.c0, lg)?;
        let g = row_vector_matrix_plus(eval, &q, &a, Some(&c0))?;
        let w_next = add(eval, &v, &g)?;
        // 5: v_{t+1} = (1-η) w_{t+1} + η w_t.
        v = add(
            eval,
            &mul_scalar(eval, &w_next, 1.0 - eta)?,
            &mul_scalar(eval, &w, eta)?,
        )?;
        w = w_next;
    }
    Ok(EncryptedModel { w, v })
}
