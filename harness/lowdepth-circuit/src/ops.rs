//! Operations on half-padded layouts, generic over the toolkit's backend (candidates to
//! move into the toolkit): broadcasting products with tiles, mask-free reductions over
//! either index, form transposes with folded coefficients, and a constant multiply that
//! lands on a chosen level.
//!
//! Depths (levels consumed): [`hadamard`] 1, [`contract`] 0, [`transpose`] 1,
//! [`lincomb`] 1, [`square_plus`] 1, [`mul_vectors`] 1, [`scale_to_level`] `level(a) - level`,
//! [`relabel_vector`] 0, [`dropped`] `level(x) - level` (free), [`reduce`] 0 (the
//! `*_unreduced` forms stop before it, so that added terms share one reduction).

use lowdepth_toolkit::ops::{lowered_view, rotate_and_add, sum_all};
use lowdepth_toolkit::{Backend, EncodingUnit, Evaluator, ToolkitError};
use rayon::prelude::*;

use crate::error::{CircuitError, Result};
use crate::layout::{
    chunk, pack_tiles, pack_vector, tile_grid, transpose_mask, unpack_vector, vector_ciphertexts,
    Form,
};

/// An encrypted vector in one of the two half-padded [`Form`]s.
pub struct FormVector<B: Backend> {
    unit: EncodingUnit,
    form: Form,
    len: usize,
    cts: Vec<B::Ciphertext>,
}

impl<B: Backend> FormVector<B> {
    /// The same shape with other ciphertexts (without copying this one's).
    fn with_cts(&self, cts: Vec<B::Ciphertext>) -> Self {
        Self {
            unit: self.unit,
            form: self.form,
            len: self.len,
            cts,
        }
    }
}

impl<B: Backend> Clone for FormVector<B> {
    fn clone(&self) -> Self {
        Self {
            unit: self.unit,
            form: self.form,
            len: self.len,
            cts: self.cts.clone(),
        }
    }
}

impl<B: Backend> std::fmt::Debug for FormVector<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormVector")
            .field("unit", &self.unit)
            .field("form", &self.form)
            .field("len", &self.len)
            .field("ciphertexts", &self.cts.len())
            .finish()
    }
}

impl<B: Backend> FormVector<B> {
    /// Encrypts `x` in `form` at `level` (canonical scale).
    pub fn encrypt(
        eval: &Evaluator<B>,
        unit: EncodingUnit,
        form: Form,
        x: &[f64],
        level: usize,
    ) -> Result<Self> {
        if x.is_empty() {
            return Err(CircuitError::Model("empty vector".into()));
        }
        let cts = pack_vector(unit, form, x)
            .par_iter()
            .map(|s| eval.encrypt_canonical(s, level))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Self {
            unit,
            form,
            len: x.len(),
            cts,
        })
    }

    /// Decrypts the `len` elements.
    pub fn decrypt(&self, eval: &Evaluator<B>) -> Result<Vec<f64>> {
        let slots = self
            .cts
            .par_iter()
            .map(|ct| eval.decrypt(ct))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        unpack_vector(self.unit, self.form, self.len, &slots)
            .ok_or_else(|| CircuitError::Model("decrypted vector has too few slots".into()))
    }

    /// The form.
    pub fn form(&self) -> Form {
        self.form
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (empty vectors are refused).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ciphertexts.
    pub fn ciphertexts(&self) -> &[B::Ciphertext] {
        &self.cts
    }

    /// Level (of the first ciphertext).
    pub fn level(&self, eval: &Evaluator<B>) -> usize {
        self.cts.first().map_or(0, |c| eval.level(c))
    }
}

/// An encrypted matrix `T` (`outer × inner`) in half tiles (see [`crate::layout`]).
pub struct HalfTiles<B: Backend> {
    unit: EncodingUnit,
    outer: usize,
    inner: usize,
    cts: Vec<B::Ciphertext>,
}

impl<B: Backend> Clone for HalfTiles<B> {
    fn clone(&self) -> Self {
        Self {
            unit: self.unit,
            outer: self.outer,
            inner: self.inner,
            cts: self.cts.clone(),
        }
    }
}

impl<B: Backend> std::fmt::Debug for HalfTiles<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HalfTiles")
            .field("unit", &self.unit)
            .field("outer", &self.outer)
            .field("inner", &self.inner)
            .field("ciphertexts", &self.cts.len())
            .finish()
    }
}

impl<B: Backend> HalfTiles<B> {
    /// Encrypts the row-major `outer × inner` matrix `m` at `level` (canonical scale).
    pub fn encrypt(
        eval: &Evaluator<B>,
        unit: EncodingUnit,
        m: &[f64],
        outer: usize,
        inner: usize,
        level: usize,
    ) -> Result<Self> {
        if outer == 0 || inner == 0 || m.len() != outer * inner {
            return Err(CircuitError::InvalidConfig(format!(
                "{} values for a {outer} x {inner} matrix",
                m.len()
            )));
        }
        let cts = pack_tiles(unit, m, outer, inner)
            .par_iter()
            .map(|s| eval.encrypt_canonical(s, level))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Self {
            unit,
            outer,
            inner,
            cts,
        })
    }

    /// `(outer, inner)` dimensions.
    pub fn dims(&self) -> (usize, usize) {
        (self.outer, self.inner)
    }

    /// The ciphertexts, in grid order.
    pub fn ciphertexts(&self) -> &[B::Ciphertext] {
        &self.cts
    }

    /// Level (of the first ciphertext).
    pub fn level(&self, eval: &Evaluator<B>) -> usize {
        self.cts.first().map_or(0, |c| eval.level(c))
    }

    fn with_cts(&self, cts: Vec<B::Ciphertext>) -> Self {
        Self {
            unit: self.unit,
            outer: self.outer,
            inner: self.inner,
            cts,
        }
    }
}

fn shape_err(op: &'static str, detail: String) -> CircuitError {
    CircuitError::Toolkit(ToolkitError::ShapeMismatch { op, detail })
}

fn min_level<B: Backend>(eval: &Evaluator<B>, lists: &[&[B::Ciphertext]]) -> usize {
    lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|c| eval.level(c))
        .min()
        .unwrap_or(0)
}

/// `f(a_i, b_i)` over two equally long ciphertext lists, both first brought to the lower
/// of their levels. Parallel.
fn zip_lowered<B: Backend>(
    eval: &Evaluator<B>,
    a: &[B::Ciphertext],
    b: &[B::Ciphertext],
    f: impl Fn(&B::Ciphertext, &B::Ciphertext) -> lowdepth_toolkit::Result<B::Ciphertext> + Sync + Send,
) -> Result<Vec<B::Ciphertext>> {
    let level = min_level(eval, &[a, b]);
    let ac = lowered_view(eval, a, level)?;
    let bc = lowered_view(eval, b, level)?;
    Ok(ac
        .par_iter()
        .zip(bc.par_iter())
        .map(|(p, q)| f(p, q))
        .collect::<lowdepth_toolkit::Result<Vec<_>>>()?)
}

pub use lowdepth_circuit_common::scale_to_level;

/// `c · T` at `level` (data-only, off the critical path).
pub fn derive_tiles<B: Backend>(
    eval: &Evaluator<B>,
    t: &HalfTiles<B>,
    c: f64,
    level: usize,
) -> Result<HalfTiles<B>> {
    let cts = t
        .cts
        .par_iter()
        .map(|ct| scale_to_level(eval, ct, c, level))
        .collect::<Result<Vec<_>>>()?;
    Ok(t.with_cts(cts))
}

/// Broadcasting product `T ⊙ x`: an inner-form `x` (length `inner`) multiplies every tile
/// row by its column entries, an outer-form `x` (length `outer`) scales tile row `o` by
/// `x[o]`. Operands are brought to the lower level first. Depth 1.
pub fn hadamard<B: Backend>(
    eval: &Evaluator<B>,
    t: &HalfTiles<B>,
    x: &FormVector<B>,
) -> Result<HalfTiles<B>> {
    let want = match x.form {
        Form::Inner => t.inner,
        Form::Outer => t.outer,
    };
    if x.unit != t.unit || x.len != want {
        return Err(shape_err(
            "hadamard (tiles)",
            format!(
                "{:?} vector of {} under {:?} vs {}x{} tiles under {:?}",
                x.form, x.len, x.unit, t.outer, t.inner, t.unit
            ),
        ));
    }
    let level = min_level(eval, &[&t.cts, &x.cts]);
    let tc = lowered_view(eval, &t.cts, level)?;
    let xc = lowered_view(eval, &x.cts, level)?;
    let (_, gc) = tile_grid(t.unit, t.outer, t.inner);
    let cts = tc
        .par_iter()
        .enumerate()
        .map(|(k, ct)| {
            let j = match x.form {
                Form::Inner => k % gc,
                Form::Outer => k / gc,
            };
            let xv = xc.get(j).ok_or_else(|| {
                shape_err("hadamard (tiles)", format!("no vector ciphertext {j}"))
            })?;
            Ok(eval.mul_rescale(ct, xv)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(t.with_cts(cts))
}

/// `a + b` for tiles of the same shape (lower operand's level). Depth 0.
pub fn add_tiles<B: Backend>(
    eval: &Evaluator<B>,
    a: &HalfTiles<B>,
    b: &HalfTiles<B>,
) -> Result<HalfTiles<B>> {
    if a.unit != b.unit || a.dims() != b.dims() {
        return Err(shape_err(
            "add (tiles)",
            format!("{:?} vs {:?}", a.dims(), b.dims()),
        ));
    }
    let cts = zip_lowered(eval, &a.cts, &b.cts, |p, q| eval.add(p, q))?;
    Ok(a.with_cts(cts))
}

/// Rotation steps of [`inner_reduce`] under `unit`: `-w/2`, then `1, 2, .., w/4`.
pub fn inner_reduce_steps(unit: EncodingUnit) -> Vec<i64> {
    let half = chunk(unit, Form::Inner) as i64;
    let mut steps = vec![-half];
    let mut s = 1;
    while s < half {
        steps.push(s);
        s *= 2;
    }
    steps
}

/// Rotation steps of [`outer_reduce`] under `unit`: `w, 2w, .., (h/2) w`.
pub fn outer_reduce_steps(unit: EncodingUnit) -> Vec<i64> {
    let w = unit.width() as i64;
    let mut steps = Vec::new();
    let mut s = 1;
    while s < unit.height() as i64 {
        steps.push(s * w);
        s *= 2;
    }
    steps
}

/// Mask-free sum over the columns of a ciphertext whose rows are `[y, 0]`: add its
/// rotation right by `w/2` (rows become `[y, y]`), then rotate-and-add by `1, .., w/4`:
/// `Σ y` replicated on the left half of each row, junk on the right half. Depth 0.
pub fn inner_reduce<B: Backend>(
    eval: &Evaluator<B>,
    unit: EncodingUnit,
    ct: B::Ciphertext,
) -> Result<B::Ciphertext> {
    if unit.width() < 2 {
        return Err(shape_err(
            "inner_reduce",
            "unit width must be at least 2".into(),
        ));
    }
    Ok(rotate_and_add(eval, ct, inner_reduce_steps(unit))?)
}

/// Sum over the rows of a ciphertext (`log2 h` rotate-and-adds by multiples of `w`),
/// replicated on every row. Depth 0.
pub fn outer_reduce<B: Backend>(
    eval: &Evaluator<B>,
    unit: EncodingUnit,
    ct: B::Ciphertext,
) -> Result<B::Ciphertext> {
    Ok(rotate_and_add(eval, ct, outer_reduce_steps(unit))?)
}

/// Contracts tiles over one index: `over = Inner` sums each tile row over the columns
/// (`y_o = Σ_i T[o][i]`, an outer-form vector of length `outer`); `over = Outer` sums
/// over the rows (`y_i = Σ_o T[o][i]`, an inner-form vector of length `inner`). Tiles are
/// added before the (single) reduction of each output ciphertext. Depth 0.
pub fn contract<B: Backend>(
    eval: &Evaluator<B>,
    t: &HalfTiles<B>,
    over: Form,
) -> Result<FormVector<B>> {
    let (gr, gc) = tile_grid(t.unit, t.outer, t.inner);
    let (outs, len) = match over {
        Form::Inner => (gr, t.outer),
        Form::Outer => (gc, t.inner),
    };
    let cts = (0..outs)
        .into_par_iter()
        .map(|a| {
            let group: Vec<&B::Ciphertext> = match over {
                Form::Inner => t.cts[a * gc..(a + 1) * gc].iter().collect(),
                Form::Outer => (0..gr).map(|r| &t.cts[r * gc + a]).collect(),
            };
            let summed = sum_all(eval, &group)?;
            match over {
                Form::Inner => inner_reduce(eval, t.unit, summed),
                Form::Outer => outer_reduce(eval, t.unit, summed),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(FormVector {
        unit: t.unit,
        form: over.flipped(),
        len,
        cts,
    })
}

/// `a + b` for vectors of the same form and length (lower operand's level). Depth 0.
pub fn add_vectors<B: Backend>(
    eval: &Evaluator<B>,
    a: &FormVector<B>,
    b: &FormVector<B>,
) -> Result<FormVector<B>> {
    if a.unit != b.unit || a.form != b.form || a.len != b.len {
        return Err(shape_err("add (vectors)", format!("{a:?} vs {b:?}")));
    }
    let cts = zip_lowered(eval, &a.cts, &b.cts, |p, q| eval.add(p, q))?;
    Ok(a.with_cts(cts))
}

fn check_parts<B: Backend>(
    op: &'static str,
    parts: &[(&FormVector<B>, f64)],
) -> Result<(EncodingUnit, Form, usize, usize)> {
    let Some((first, _)) = parts.first() else {
        return Err(shape_err(op, "no operands".into()));
    };
    if parts
        .iter()
        .any(|(p, _)| p.unit != first.unit || p.form != first.form || p.len != first.len)
    {
        return Err(shape_err(
            op,
            "operands differ in unit, form or length".into(),
        ));
    }
    let n = first.cts.len();
    Ok((first.unit, first.form, first.len, n))
}

/// `c · x` for free: every ciphertext relabelled (scale divided by `|c|`, see
/// [`Evaluator::relabel`]), so the result only adds to operands at the same scale. Depth 0.
pub fn relabel_vector<B: Backend>(
    eval: &Evaluator<B>,
    x: &FormVector<B>,
    c: f64,
) -> Result<FormVector<B>> {
    let cts = x
        .cts
        .par_iter()
        .map(|ct| eval.relabel(ct, c))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(x.with_cts(cts))
}

/// `x` with primes dropped down to `level` (scale kept; no multiplication). Depth
/// `level(x) - level`, free.
pub fn dropped<B: Backend>(
    eval: &Evaluator<B>,
    x: &FormVector<B>,
    level: usize,
) -> Result<FormVector<B>> {
    let cts = x
        .cts
        .par_iter()
        .map(|ct| eval.drop_to_level(ct, level))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(x.with_cts(cts))
}

/// `c · x` at the lower `level` (canonical scale): the constant rides on the level
/// adjustment's multiplication. Depth `level(x) - level`.
pub fn scale_vector_to_level<B: Backend>(
    eval: &Evaluator<B>,
    x: &FormVector<B>,
    c: f64,
    level: usize,
) -> Result<FormVector<B>> {
    let cts = x
        .cts
        .par_iter()
        .map(|ct| scale_to_level(eval, ct, c, level))
        .collect::<Result<Vec<_>>>()?;
    Ok(x.with_cts(cts))
}

/// `Σ c_k x_k` with public coefficients (constants encoded so the rescaled result is
/// canonical). Depth 1.
pub fn lincomb<B: Backend>(
    eval: &Evaluator<B>,
    parts: &[(&FormVector<B>, f64)],
) -> Result<FormVector<B>> {
    let (unit, form, len, n) = check_parts("lincomb", parts)?;
    let lists: Vec<&[B::Ciphertext]> = parts.iter().map(|(p, _)| p.cts.as_slice()).collect();
    let level = min_level(eval, &lists);
    let lowered = parts
        .iter()
        .map(|(p, _)| lowered_view(eval, &p.cts, level))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let cts = (0..n)
        .into_par_iter()
        .map(|j| {
            let terms = parts
                .iter()
                .zip(&lowered)
                .map(|((_, c), cts)| {
                    let ct = &cts[j];
                    let s = eval
                        .schedule()
                        .operand_scale_for_mul(level, eval.scale(ct))?;
                    eval.mul_const(ct, *c, s)
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(eval.rescale(&sum_all(eval, &terms)?)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(FormVector {
        unit,
        form,
        len,
        cts,
    })
}

/// `Σ c_k x_k` moved into the other form: each operand ciphertext times a diagonal mask
/// carrying its coefficient (see [`transpose_mask`]), the products summed per output
/// ciphertext, rescaled once, then reduced (inner → outer: [`inner_reduce`]; outer →
/// inner: [`outer_reduce`]). Depth 1.
pub fn transpose<B: Backend>(
    eval: &Evaluator<B>,
    parts: &[(&FormVector<B>, f64)],
) -> Result<FormVector<B>> {
    reduce(eval, transpose_unreduced(eval, parts)?)
}

/// [`transpose`] before its reductions (see [`Unreduced`]). Depth 1.
pub fn transpose_unreduced<B: Backend>(
    eval: &Evaluator<B>,
    parts: &[(&FormVector<B>, f64)],
) -> Result<Unreduced<B>> {
    let (unit, form, len, _) = check_parts("transpose", parts)?;
    let lists: Vec<&[B::Ciphertext]> = parts.iter().map(|(p, _)| p.cts.as_slice()).collect();
    let level = min_level(eval, &lists);
    let lowered = parts
        .iter()
        .map(|(p, _)| lowered_view(eval, &p.cts, level))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let to = form.flipped();
    let outs = vector_ciphertexts(unit, to, len);
    let ins = vector_ciphertexts(unit, form, len);
    let cts = (0..outs)
        .into_par_iter()
        .map(|o| {
            let mut terms = Vec::new();
            for ((_, coef), cts) in parts.iter().zip(&lowered) {
                for (i, ct) in cts.iter().enumerate().take(ins) {
                    let (outer_ct, inner_ct) = match form {
                        Form::Inner => (o, i),
                        Form::Outer => (i, o),
                    };
                    if let Some(mask) = transpose_mask(unit, outer_ct, inner_ct, len, *coef) {
                        let p = eval.encode_for_mul(&mask, level, eval.scale(ct))?;
                        terms.push(eval.mul_plain(ct, &p)?);
                    }
                }
            }
            Ok(eval.rescale(&sum_all(eval, &terms)?)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Unreduced(FormVector {
        unit,
        form: to,
        len,
        cts,
    }))
}

/// `a ⊙ b` slot-wise for vectors of the same form and length (the higher operand is first
/// brought to the lower one's level). Depth 1 from the lower operand.
pub fn mul_vectors<B: Backend>(
    eval: &Evaluator<B>,
    a: &FormVector<B>,
    b: &FormVector<B>,
) -> Result<FormVector<B>> {
    if a.unit != b.unit || a.form != b.form || a.len != b.len {
        return Err(shape_err("mul (vectors)", format!("{a:?} vs {b:?}")));
    }
    let cts = zip_lowered(eval, &a.cts, &b.cts, |p, q| eval.mul_rescale(p, q))?;
    Ok(a.with_cts(cts))
}

/// `x ⊙ x + c` (the constant on every slot). Depth 1.
pub fn square_plus<B: Backend>(
    eval: &Evaluator<B>,
    x: &FormVector<B>,
    c: f64,
) -> Result<FormVector<B>> {
    let slots = eval.slots();
    let cts = x
        .cts
        .par_iter()
        .map(|ct| {
            let sq = eval.mul_rescale(ct, ct)?;
            let p = eval.encode_for_add(&vec![c; slots], eval.level(&sq), eval.scale(&sq))?;
            eval.add_plain(&sq, &p)
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(x.with_cts(cts))
}

/// Fused `Σ (T ⊙ x) + c · Σ E` over `x`'s index: the products of each output group are
/// summed before a single relinearization and rescale ([`Evaluator::mul_sum`]), the optional data term `c · E` is summed over the group
/// first and scaled once onto the result's level, then one reduction. Same values and
/// depth (1) as [`contract`] of [`hadamard`] (plus the data term), with one
/// relinearization, one rescale and one constant multiplication per output ciphertext
/// instead of one per tile.
pub fn product_contract<B: Backend>(
    eval: &Evaluator<B>,
    t: &HalfTiles<B>,
    x: &FormVector<B>,
    extra: Option<(&HalfTiles<B>, f64)>,
) -> Result<FormVector<B>> {
    reduce(eval, product_unreduced(eval, t, x, extra)?)
}

/// [`product_contract`] before its reductions (see [`Unreduced`]). Depth 1.
pub fn product_unreduced<B: Backend>(
    eval: &Evaluator<B>,
    t: &HalfTiles<B>,
    x: &FormVector<B>,
    extra: Option<(&HalfTiles<B>, f64)>,
) -> Result<Unreduced<B>> {
    let want = match x.form {
        Form::Inner => t.inner,
        Form::Outer => t.outer,
    };
    if x.unit != t.unit || x.len != want {
        return Err(shape_err(
            "product_contract",
            format!(
                "{:?} vector of {} vs {}x{} tiles",
                x.form, x.len, t.outer, t.inner
            ),
        ));
    }
    if let Some((e, _)) = extra {
        if e.unit != t.unit || e.dims() != t.dims() {
            return Err(shape_err(
                "product_contract",
                format!("data term {:?} vs {:?}", e.dims(), t.dims()),
            ));
        }
    }
    let level = min_level(eval, &[&t.cts, &x.cts]);
    let tc = lowered_view(eval, &t.cts, level)?;
    let xc = lowered_view(eval, &x.cts, level)?;
    let (gr, gc) = tile_grid(t.unit, t.outer, t.inner);
    let over = x.form;
    let (outs, len) = match over {
        Form::Inner => (gr, t.outer),
        Form::Outer => (gc, t.inner),
    };
    let group = |a: usize| -> Vec<(usize, usize)> {
        match over {
            // Tile (a, j) times x[j].
            Form::Inner => (0..gc).map(|j| (a * gc + j, j)).collect(),
            // Tile (r, a) times x[r].
            Form::Outer => (0..gr).map(|r| (r * gc + a, r)).collect(),
        }
    };
    let cts = (0..outs)
        .into_par_iter()
        .map(|a| {
            let members = group(a);
            let pairs = members
                .iter()
                .map(|&(ti, xi)| {
                    let xv = xc.get(xi).ok_or_else(|| {
                        shape_err("product_contract", format!("no vector ciphertext {xi}"))
                    })?;
                    Ok((&*tc[ti], &**xv))
                })
                .collect::<Result<Vec<_>>>()?;
            let mut acc = eval.mul_sum_rescale(&pairs)?;
            if let Some((e, c)) = extra {
                let data: Vec<&B::Ciphertext> = members.iter().map(|&(ti, _)| &e.cts[ti]).collect();
                let term = scale_to_level(eval, &sum_all(eval, &data)?, c, eval.level(&acc))?;
                acc = eval.add(&acc, &term)?;
            }
            Ok(acc)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Unreduced(FormVector {
        unit: t.unit,
        form: over.flipped(),
        len,
        cts,
    }))
}

/// A vector in `form` before its reductions: each ciphertext's rows are `[y, 0]` (an
/// outer-form result, reduced by [`inner_reduce`]) or one partial row sum per row (an
/// inner-form result, reduced by [`outer_reduce`]). Reductions are linear and leave the
/// same layout, so terms only ever added share one: `reduce(a + b) = reduce(a) + reduce(b)`
/// with half the rotations.
pub struct Unreduced<B: Backend>(FormVector<B>);

impl<B: Backend> std::fmt::Debug for Unreduced<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Unreduced").field(&self.0).finish()
    }
}

/// `a + b` before the reduction (same form and length; the lower operand's level). Depth 0.
pub fn add_unreduced<B: Backend>(
    eval: &Evaluator<B>,
    a: &Unreduced<B>,
    b: &Unreduced<B>,
) -> Result<Unreduced<B>> {
    Ok(Unreduced(add_vectors(eval, &a.0, &b.0)?))
}

/// The reductions: `log2 w` (outer form) or `log2 h` (inner form) rotations per ciphertext.
pub fn reduce<B: Backend>(eval: &Evaluator<B>, x: Unreduced<B>) -> Result<FormVector<B>> {
    let v = x.0;
    let cts = v
        .cts
        .par_iter()
        .map(|ct| match v.form {
            Form::Outer => inner_reduce(eval, v.unit, ct.clone()),
            Form::Inner => outer_reduce(eval, v.unit, ct.clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(v.with_cts(cts))
}
