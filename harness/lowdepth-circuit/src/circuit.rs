//! The low-depth circuit: plan, customer upload, encrypted training.
//!
//! Pairs of iterations `(2p, 2p+1)` are unrolled (see `docs/low-depth-circuit.md`): each
//! pair consumes 5 levels, a trailing single iteration 3. The model enters pair `p` in
//! [`Form::Inner`] for even `p` and [`Form::Outer`] for odd `p`; each minibatch is uploaded
//! in the one layout its position needs.

use lowdepth_toolkit::{Backend, EncodingUnit, Evaluator};

use crate::error::{CircuitError, Result};
use crate::layout::{tile_grid, vector_ciphertexts, Form};
use crate::model::{gram, Cubic};
use crate::ops::{
    add_unreduced, add_vectors, derive_tiles, dropped, hadamard, inner_reduce_steps, lincomb,
    mul_vectors, outer_reduce_steps, product_contract, product_unreduced, reduce, relabel_vector,
    scale_vector_to_level, square_plus, transpose, transpose_unreduced, FormVector, HalfTiles,
    Unreduced,
};

/// The shared configuration; `unit: None` picks [`default_unit`] (near-square, `128 x 128`
/// at 2^14 slots).
pub use lowdepth_circuit_common::{CircuitConfig, LevelPolicy};

/// Kind of an uploaded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Minibatch `t` as the half tiles of `Z_t` (outer index = sample).
    Minibatch,
    /// Minibatch `t` as the half tiles of `Z_tᵀ` (outer index = feature).
    MinibatchTransposed,
    /// The Gram block of pair `p` (`Z_{2p} Z_{2p+1}ᵀ` or its transpose), `b × b`.
    Gram,
    /// The initial model `(w_0, v_0)` in inner form.
    Model,
}

/// One uploaded input: what it is, how many ciphertexts, at which depth below the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Kind.
    pub kind: InputKind,
    /// Minibatch index (`t`), or pair index for [`InputKind::Gram`].
    pub index: usize,
    /// Levels below the top at which it is encrypted.
    pub depth: usize,
    /// Number of ciphertexts.
    pub ciphertexts: usize,
}

/// The plan of a circuit: unit, depth and inputs. Built by [`describe`].
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitPlan {
    /// The configuration.
    pub config: CircuitConfig,
    /// The encoding unit.
    pub unit: EncodingUnit,
    /// Multiplicative depth (levels consumed from the top).
    pub depth: usize,
    /// Levels used before the first minibatch (none: the first pair's transposes of the
    /// initial model fit in its slack).
    pub setup_levels: usize,
    /// The inputs, in upload order (the model last).
    pub inputs: Vec<InputSpec>,
    /// Rotation steps the circuit uses (left rotations; for key generation).
    pub rotation_steps: Vec<i64>,
}

impl CircuitPlan {
    /// Level of an input given the backend's top level.
    pub fn input_level(&self, spec: &InputSpec, max_level: usize) -> usize {
        max_level.saturating_sub(spec.depth)
    }
}

/// Depth of the low-depth circuit for `k` minibatches: `5 ⌊k/2⌋ + 3 (k mod 2)`.
pub fn circuit_depth(k: usize) -> usize {
    5 * (k / 2) + 3 * (k % 2)
}

/// The default unit: a near-square `h × w` with `w = 2^⌊log2 √(2·slots)⌋` (so `h` is `w`
/// or `w/2`), but no wider than `2 · next_pow2(f)` (an inner-form chunk holding all
/// features), `h = slots / w`.
///
/// Why near-square: the circuit keeps the length-`b` vector `u` in outer form (`b/h`
/// ciphertexts) in one iteration and in inner form (`2b/w`) in the other, and every
/// reduction costs `log2 w` (inner) or `log2 h` (outer) rotations per output ciphertext;
/// balancing `h` and `w/2` minimises the sum (at `b = 1024, f = 256`, 2^14 slots: unit
/// `128 × 128` needed 1134 rotations for `k = 6`, against 2079 for `32 × 512`, before the
/// shared reductions of `docs/low-depth-circuit.md` section 6 brought it to 742).
pub fn default_unit(features: usize, slots: usize) -> Result<EncodingUnit> {
    // ⌊log2 √(2 · slots)⌋ = ⌊(log2 slots + 1) / 2⌋ for a power-of-two slot count.
    let square = 1usize << slots.max(1).trailing_zeros().div_ceil(2).max(1);
    let w = (2 * features.max(1).next_power_of_two())
        .min(square)
        .min(slots)
        .max(2);
    Ok(EncodingUnit::with_width(w, slots)?)
}

fn form_of_pair(p: usize) -> Form {
    if p.is_multiple_of(2) {
        Form::Inner
    } else {
        Form::Outer
    }
}

/// Whether minibatch `t` is uploaded as tiles of `Z_t` (true) or of `Z_tᵀ` (false).
fn minibatch_untransposed(t: usize) -> bool {
    let first = t.is_multiple_of(2);
    match (form_of_pair(t / 2), first) {
        (Form::Inner, true) | (Form::Outer, false) => true,
        (Form::Inner, false) | (Form::Outer, true) => false,
    }
}

/// Plans the circuit: unit, depth, inputs (kind, level, ciphertexts), rotation steps.
pub fn describe(config: &CircuitConfig) -> Result<CircuitPlan> {
    let (b, f, k) = (config.batch_size, config.features, config.minibatches);
    if b == 0 || f == 0 || k == 0 {
        return Err(CircuitError::InvalidConfig(format!(
            "batch size {b}, features {f} and minibatches {k} must all be positive"
        )));
    }
    if !config.slots.is_power_of_two() || config.slots < 2 {
        return Err(CircuitError::InvalidConfig(format!(
            "slots {} must be a power of two >= 2",
            config.slots
        )));
    }
    let c = config.cubic;
    if c.c3 == 0.0 || ![c.c0, c.c1, c.c3].iter().all(|x| x.is_finite()) {
        return Err(CircuitError::InvalidConfig(
            "cubic needs finite coefficients and c3 != 0".into(),
        ));
    }
    let unit = match config.unit {
        Some(u) if u.slots() == config.slots && u.width() >= 2 => u,
        Some(u) => {
            return Err(CircuitError::InvalidConfig(format!(
                "unit {}x{} does not cover {} slots with width >= 2",
                u.height(),
                u.width(),
                config.slots
            )))
        }
        None => default_unit(f, config.slots)?,
    };
    let top = config.level_policy == LevelPolicy::Top;
    let at = |d: usize| if top { 0 } else { d };
    let tiles = |o: usize, i: usize| {
        let (r, c) = tile_grid(unit, o, i);
        r * c
    };
    let mut inputs = Vec::new();
    for t in 0..k {
        let p = t / 2;
        // The second minibatch of a pair meets B_t two levels down (see `train`).
        let d = 5 * p + 2 * usize::from(t % 2 == 1);
        let (kind, n) = if minibatch_untransposed(t) {
            (InputKind::Minibatch, tiles(b, f))
        } else {
            (InputKind::MinibatchTransposed, tiles(f, b))
        };
        inputs.push(InputSpec {
            kind,
            index: t,
            depth: at(d),
            ciphertexts: n,
        });
        if t % 2 == 1 {
            inputs.push(InputSpec {
                kind: InputKind::Gram,
                index: p,
                depth: at(5 * p),
                ciphertexts: tiles(b, b),
            });
        }
    }
    inputs.push(InputSpec {
        kind: InputKind::Model,
        index: 0,
        depth: 0,
        ciphertexts: 2 * vector_ciphertexts(unit, Form::Inner, f),
    });
    let mut rotation_steps: Vec<i64> = inner_reduce_steps(unit);
    rotation_steps.extend(outer_reduce_steps(unit));
    rotation_steps.sort_unstable();
    rotation_steps.dedup();
    Ok(CircuitPlan {
        config: *config,
        unit,
        depth: circuit_depth(k),
        setup_levels: 0,
        inputs,
        rotation_steps,
    })
}

enum Stage<B: Backend> {
    Pair {
        first: HalfTiles<B>,
        second: HalfTiles<B>,
        gram: HalfTiles<B>,
    },
    Single {
        data: HalfTiles<B>,
    },
}

/// What the customer uploads: every minibatch in its layout, the Gram block of every pair,
/// each at the level of its [`InputSpec`]. Its ciphertexts define the bandwidth.
pub struct Upload<B: Backend> {
    plan: CircuitPlan,
    stages: Vec<Stage<B>>,
}

impl<B: Backend> std::fmt::Debug for Upload<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("plan", &self.plan)
            .field("stages", &self.stages.len())
            .finish()
    }
}

impl<B: Backend> Upload<B> {
    /// The plan it was made for.
    pub fn plan(&self) -> &CircuitPlan {
        &self.plan
    }

    fn all_tiles(&self) -> impl Iterator<Item = &HalfTiles<B>> {
        self.stages.iter().flat_map(|s| match s {
            Stage::Pair {
                first,
                second,
                gram,
            } => vec![first, second, gram],
            Stage::Single { data } => vec![data],
        })
    }

    /// Number of ciphertexts uploaded (without the initial model).
    pub fn num_ciphertexts(&self) -> usize {
        self.all_tiles().map(|t| t.ciphertexts().len()).sum()
    }

    /// Serialized size of the uploaded ciphertexts (without the initial model).
    pub fn ciphertext_bytes(&self, eval: &Evaluator<B>) -> u64 {
        self.all_tiles()
            .flat_map(|t| t.ciphertexts().iter())
            .map(|ct| eval.ciphertext_bytes(ct))
            .sum()
    }
}

fn check_levels<B: Backend>(eval: &Evaluator<B>, plan: &CircuitPlan) -> Result<()> {
    if eval.max_level() < plan.depth {
        return Err(CircuitError::InsufficientLevels {
            needed: plan.depth,
            available: eval.max_level(),
        });
    }
    if eval.slots() != plan.config.slots {
        return Err(CircuitError::InvalidConfig(format!(
            "plan for {} slots, backend has {}",
            plan.config.slots,
            eval.slots()
        )));
    }
    Ok(())
}

fn transpose_matrix(z: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            out[j * rows + i] = z[i * cols + j];
        }
    }
    out
}

/// Customer side: encrypts the minibatches (`k` row-major `b × f` cleartexts) in the
/// layouts and at the levels of `plan`, with the Gram block of each pair.
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
        return Err(CircuitError::MinibatchCount {
            expected: k,
            got: minibatches.len(),
        });
    }
    for (index, z) in minibatches.iter().enumerate() {
        if z.len() != b * f {
            return Err(CircuitError::Minibatch {
                index,
                detail: format!("{} values, expected {b} x {f} = {}", z.len(), b * f),
            });
        }
        if let Some(pos) = z.iter().position(|x| !x.is_finite()) {
            return Err(CircuitError::Minibatch {
                index,
                detail: format!("non-finite value at {pos}"),
            });
        }
    }
    let top = eval.max_level();
    let level_of = |kind: InputKind, index: usize| -> Result<usize> {
        plan.inputs
            .iter()
            .find(|s| s.kind == kind && s.index == index)
            .map(|s| plan.input_level(s, top))
            .ok_or_else(|| {
                CircuitError::InvalidConfig(format!("plan has no {kind:?} input {index}"))
            })
    };
    let encrypt_minibatch = |t: usize| -> Result<HalfTiles<B>> {
        let z = &minibatches[t];
        if minibatch_untransposed(t) {
            HalfTiles::encrypt(eval, plan.unit, z, b, f, level_of(InputKind::Minibatch, t)?)
        } else {
            let zt = transpose_matrix(z, b, f);
            HalfTiles::encrypt(
                eval,
                plan.unit,
                &zt,
                f,
                b,
                level_of(InputKind::MinibatchTransposed, t)?,
            )
        }
    };
    let mut stages = Vec::new();
    let mut t = 0;
    while t < k {
        if t + 1 < k {
            let p = t / 2;
            // Gram tiles: outer index = the sample index the contraction runs over.
            let g = match form_of_pair(p) {
                // u_t is outer-form (samples of t): tiles of M_tᵀ = Z_t Z_{t+1}ᵀ.
                Form::Inner => gram(&minibatches[t], b, &minibatches[t + 1], b, f),
                // u_t is inner-form: tiles of M_t = Z_{t+1} Z_tᵀ.
                Form::Outer => gram(&minibatches[t + 1], b, &minibatches[t], b, f),
            };
            stages.push(Stage::Pair {
                first: encrypt_minibatch(t)?,
                second: encrypt_minibatch(t + 1)?,
                gram: HalfTiles::encrypt(eval, plan.unit, &g, b, b, level_of(InputKind::Gram, p)?)?,
            });
            t += 2;
        } else {
            stages.push(Stage::Single {
                data: encrypt_minibatch(t)?,
            });
            t += 1;
        }
    }
    Ok(Upload {
        plan: plan.clone(),
        stages,
    })
}

/// An encrypted model `(w, v)`: two vectors of length `f` in the same form.
pub struct EncryptedModel<B: Backend> {
    /// `w_t`.
    pub w: FormVector<B>,
    /// `v_t`.
    pub v: FormVector<B>,
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
        self.w
            .ciphertexts()
            .iter()
            .chain(self.v.ciphertexts())
            .map(|ct| eval.ciphertext_bytes(ct))
            .sum()
    }
}

/// Customer side: encrypts the initial model `(w_0, v_0)` (length `f`) at the top level in
/// the form the circuit starts with.
pub fn encrypt_model<B: Backend>(
    eval: &Evaluator<B>,
    plan: &CircuitPlan,
    w0: &[f64],
    v0: &[f64],
) -> Result<EncryptedModel<B>> {
    let f = plan.config.features;
    if w0.len() != f || v0.len() != f {
        return Err(CircuitError::Model(format!(
            "initial model of lengths {} and {}, expected {f}",
            w0.len(),
            v0.len()
        )));
    }
    if w0.iter().chain(v0).any(|x| !x.is_finite()) {
        return Err(CircuitError::Model("non-finite initial model".into()));
    }
    let top = eval.max_level();
    Ok(EncryptedModel {
        w: FormVector::encrypt(eval, plan.unit, Form::Inner, w0, top)?,
        v: FormVector::encrypt(eval, plan.unit, Form::Inner, v0, top)?,
    })
}

/// The folded cubic gradient `scale · Dᵀ p(u)` contracted over `u`'s index: tiles
/// `((scale c3 D) ⊙ u) ⊙ q + scale c0 D`, `q = u ⊙ u + c1/c3` given.
fn folded_gradient<B: Backend>(
    eval: &Evaluator<B>,
    data: &HalfTiles<B>,
    u: &FormVector<B>,
    q: &FormVector<B>,
    scale: f64,
    cubic: Cubic,
) -> Result<FormVector<B>> {
    reduce(eval, folded_unreduced(eval, data, u, q, scale, cubic)?)
}

/// [`folded_gradient`] before its reductions (to share them with terms it is added to).
fn folded_unreduced<B: Backend>(
    eval: &Evaluator<B>,
    data: &HalfTiles<B>,
    u: &FormVector<B>,
    q: &FormVector<B>,
    scale: f64,
    cubic: Cubic,
) -> Result<Unreduced<B>> {
    let lu = u.level(eval);
    let dc3 = derive_tiles(eval, data, scale * cubic.c3, lu)?;
    let y = hadamard(eval, &dc3, u)?;
    product_unreduced(eval, &y, q, Some((data, scale * cubic.c0)))
}

/// The unfolded cubic gradient `scale · Dᵀ p(u)` from `r = u ⊙ q` (one level later than
/// `u`, `q`): tiles `(scale c3 D) ⊙ r + scale c0 D`, contracted. One product per tile
/// instead of the folded form's two, one level deeper; used where the gradient has slack.
fn unfolded_gradient<B: Backend>(
    eval: &Evaluator<B>,
    data: &HalfTiles<B>,
    r: &FormVector<B>,
    scale: f64,
    cubic: Cubic,
) -> Result<FormVector<B>> {
    let dc3 = derive_tiles(eval, data, scale * cubic.c3, r.level(eval))?;
    product_contract(eval, &dc3, r, Some((data, scale * cubic.c0)))
}

/// `x / (1-η)` by relabelling (the scale becomes `(1-η)` times canonical; `w` only meets
/// transposes and level adjustments, which absorb any scale). Refuses `η = 1`.
fn unscaled<B: Backend>(eval: &Evaluator<B>, x: &FormVector<B>, eta: f64) -> Result<FormVector<B>> {
    if 1.0 - eta == 0.0 {
        return Err(CircuitError::Model(
            "a Nesterov coefficient of 1 leaves no scaled gradient to recover w from".into(),
        ));
    }
    relabel_vector(eval, x, 1.0 / (1.0 - eta))
}

/// Server side: trains on the upload from `model` (`(w_0, v_0)`, usually from
/// [`encrypt_model`]) with Nesterov coefficients `etas[t]` (at least one per minibatch),
/// returning the encrypted `(w_k, v_k)`.
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
        return Err(CircuitError::Etas {
            needed: k,
            got: etas.len(),
        });
    }
    if let Some(i) = etas.iter().take(k).position(|e| !e.is_finite()) {
        return Err(CircuitError::Etas { needed: k, got: i });
    }
    if model.w.len() != f
        || model.v.len() != f
        || model.w.form() != Form::Inner
        || model.v.form() != Form::Inner
    {
        return Err(CircuitError::Model(
            "initial model must be two inner-form vectors of length f".into(),
        ));
    }
    let gamma = 1.0 / b as f64;
    let cubic = plan.config.cubic;
    let c1_c3 = cubic.c1 / cubic.c3;
    let (mut w, mut v) = (model.w.clone(), model.v.clone());
    let mut t = 0;
    for stage in &upload.stages {
        match stage {
            Stage::Pair {
                first,
                second,
                gram,
            } => {
                let (e0, e1) = (etas[t], etas[t + 1]);
                // Iteration t: u_t (1), then the folded cubic (2).
                let u0 = product_contract(eval, first, &v, None)?;
                let q0 = square_plus(eval, &u0, c1_c3)?;
                // g_t has a level of slack (w_{t+1} is only transposed, at d+5): the
                // unfolded form, r = u ⊙ q (d+3) then one product per tile (d+4).
                let r0 = mul_vectors(eval, &u0, &q0)?;
                let g0 = unfolded_gradient(eval, first, &r0, gamma, cubic)?;
                let w1 = add_vectors(eval, &v, &g0)?;
                // u_{t+1} = Z_{t+1} B_t + (1-η_t) γ M_t p(u_t), ready with g_t.
                // α_t spends its level of slack: B_t is transposed one level down, so
                // Z_{t+1} B_t lands on β_t's level and scale and they share one reduction.
                let below = v.level(eval).saturating_sub(1);
                let (vd, wd) = (dropped(eval, &v, below)?, dropped(eval, &w, below)?);
                let b0 = transpose(eval, &[(&vd, 1.0 - e0), (&wd, e0)])?;
                let alpha = product_unreduced(eval, second, &b0, None)?;
                let beta = folded_unreduced(eval, gram, &u0, &q0, (1.0 - e0) * gamma, cubic)?;
                let u1 = reduce(eval, add_unreduced(eval, &alpha, &beta)?)?;
                // Iteration t+1 in the other form: one gradient, the (1-η)-scaled one.
                let q1 = square_plus(eval, &u1, c1_c3)?;
                // The gradient and both transposes reduce the same way at the same level:
                // each output sums them before one reduction.
                let g1s = folded_unreduced(eval, second, &u1, &q1, (1.0 - e1) * gamma, cubic)?;
                let kappa = (1.0 - e1) * (1.0 - e0) + e1;
                let b1 = transpose_unreduced(eval, &[(&w1, kappa), (&w, (1.0 - e1) * e0)])?;
                v = reduce(eval, add_unreduced(eval, &b1, &g1s)?)?;
                // w_{t+2} = v_{t+1} + g_{t+1} = ((1-η) v_{t+1} + g1s) / (1-η): the division
                // is a relabel, so the plain gradient is never computed.
                let v1s = transpose_unreduced(
                    eval,
                    &[(&w1, (1.0 - e1) * (1.0 - e0)), (&w, (1.0 - e1) * e0)],
                )?;
                w = unscaled(eval, &reduce(eval, add_unreduced(eval, &v1s, &g1s)?)?, e1)?;
                t += 2;
            }
            Stage::Single { data } => {
                let e0 = etas[t];
                let u0 = product_contract(eval, data, &v, None)?;
                let q0 = square_plus(eval, &u0, c1_c3)?;
                let g0s = folded_gradient(eval, data, &u0, &q0, (1.0 - e0) * gamma, cubic)?;
                let b0 = lincomb(eval, &[(&v, 1.0 - e0), (&w, e0)])?;
                // w_{t+1} = ((1-η) v_t + g0s) / (1-η); (1-η) rides on v's level adjustment.
                let vs = scale_vector_to_level(eval, &v, 1.0 - e0, g0s.level(eval))?;
                let w_next = unscaled(eval, &add_vectors(eval, &vs, &g0s)?, e0)?;
                v = add_vectors(eval, &b0, &g0s)?;
                w = w_next;
                t += 1;
            }
        }
    }
    Ok(EncryptedModel { w, v })
}
