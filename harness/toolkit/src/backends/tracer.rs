//! Tracer backend: records the circuit as a DAG instead of computing values.
//!
//! Every operation appends a node (op kind, inputs, level, scale) to a graph behind a
//! `Mutex`, so the tracer is `Send + Sync` and works with `&self` inside parallel loops.
//! From the graph it reports:
//!
//! - the multiplicative depth of every output, `max_level - level` (inputs encrypted at
//!   the top level, or at levels chosen per input);
//! - op counts by kind ([`OpCounts`]);
//! - the set of rotation steps used (the rotation-key plan);
//! - the nodes themselves ([`Tracer::nodes`]), which
//!   [`TaskGraph::from_trace`](crate::taskgraph::TaskGraph::from_trace) groups into one
//!   task per backend call.
//!
//! Work, span and many-core schedules are not computed here: they come from that task
//! graph ([`crate::taskgraph::simulate`]) priced by calibrated task times
//! ([`crate::costs`]), the project's one cost model.
//!
//! Use [`TracerParams::depth_finder`] to trace with many levels (200) and read the depth
//! a circuit needs.
//!
//! Key-switch accounting: a relinearization (inside `mul`, or one per `mul_sum` whatever
//! its number of products), a rotation and a hoisted `rotate_many` (one decomposition
//! shared by all its steps) each count one key switch.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::backend::{ckks_ciphertext_bytes, Backend, RingDegree, RotationKeys};
use crate::error::{Result, ToolkitError};
use crate::scale::power_of_two_moduli;

/// Kind of a traced operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Encoding a plaintext (server side: masks, plaintext operands).
    Encode,
    /// Encrypting an input (client side).
    Encrypt,
    /// Decrypting an output (client side).
    Decrypt,
    /// ct + ct.
    Add,
    /// ct - ct.
    Sub,
    /// -ct.
    Negate,
    /// ct + pt.
    AddPlain,
    /// ct × pt.
    MulPlain,
    /// ct × real constant.
    MulConst,
    /// ct × integer.
    MulInt,
    /// ct × ct, including relinearization (for a `mul_sum`: its first product and the
    /// one relinearization, after the other products).
    Mul,
    /// A further ct × ct product of a `mul_sum`, accumulated before the shared
    /// relinearization (no key switch).
    MulAccumulate,
    /// Rescale.
    Rescale,
    /// Dropping primes.
    DropLevel,
    /// Multiplying by a public constant by relabelling the scale (free: no level, no
    /// key switch).
    Relabel,
    /// A single rotation (its own key switch).
    Rotate,
    /// The shared key-switch decomposition of a hoisted `rotate_many`.
    HoistDecompose,
    /// One rotation of a hoisted `rotate_many`, after the shared decomposition.
    RotateHoisted,
}

impl OpKind {
    /// Whether the customer, not the server, performs it (encryption, decryption): such
    /// ops cost no server time.
    pub fn is_client_side(self) -> bool {
        matches!(self, OpKind::Encrypt | OpKind::Decrypt)
    }

    /// All kinds, in order.
    pub const ALL: [OpKind; 18] = [
        OpKind::Encode,
        OpKind::Encrypt,
        OpKind::Decrypt,
        OpKind::Add,
        OpKind::Sub,
        OpKind::Negate,
        OpKind::AddPlain,
        OpKind::MulPlain,
        OpKind::MulConst,
        OpKind::MulInt,
        OpKind::Mul,
        OpKind::MulAccumulate,
        OpKind::Rescale,
        OpKind::DropLevel,
        OpKind::Relabel,
        OpKind::Rotate,
        OpKind::HoistDecompose,
        OpKind::RotateHoisted,
    ];
}

/// One node of the traced DAG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Operation.
    pub kind: OpKind,
    /// Ids of the input nodes (always smaller than this node's id).
    pub inputs: Vec<usize>,
    /// Level of the result (for a decomposition: of its input).
    pub level: usize,
    /// Scale of the result.
    pub scale: f64,
}

/// Parameters of a tracer.
#[derive(Debug, Clone, PartialEq)]
pub struct TracerParams {
    /// Slots per ciphertext (power of two).
    pub slots: usize,
    /// Ring degree for byte counts.
    pub ring_degree: RingDegree,
    /// Moduli `q_0..=q_L`: only their sizes matter for the tracer.
    pub moduli: Vec<u64>,
    /// Available rotation keys (use `All` to plan keys, a set to check a plan).
    pub rotation_keys: RotationKeys,
}

impl TracerParams {
    /// Depth-finder parameters: `levels` levels of exact `2^log_scale` moduli (so canonical
    /// scales never drift), a 60-bit `q_0` (at least `log_scale + 1` bits), all rotation
    /// keys. Encrypt inputs at level `levels` and read [`TraceReport::max_depth`].
    pub fn depth_finder(slots: usize, levels: usize, log_scale: u32) -> Self {
        Self {
            slots,
            ring_degree: RingDegree::for_slots(slots),
            moduli: power_of_two_moduli(levels, log_scale, (log_scale + 20).min(62)),
            rotation_keys: RotationKeys::All,
        }
    }
}

/// A traced ciphertext: a handle on a graph node, with its level and scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceCiphertext {
    /// Node id in the graph.
    pub id: usize,
    /// Level.
    pub level: usize,
    /// Scale.
    pub scale: f64,
}

/// A traced plaintext (same representation).
pub type TracePlaintext = TraceCiphertext;

#[derive(Debug, Default)]
struct Graph {
    nodes: Vec<Node>,
    outputs: Vec<usize>,
    rotation_steps: BTreeSet<usize>,
}

/// The tracer backend.
#[derive(Debug)]
pub struct Tracer {
    params: TracerParams,
    graph: Mutex<Graph>,
}

/// Operation counts of a traced circuit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpCounts {
    /// Plaintext encodings.
    pub encode: u64,
    /// Encryptions.
    pub encrypt: u64,
    /// Decryptions.
    pub decrypt: u64,
    /// ct × ct multiplications.
    pub ct_ct_mul: u64,
    /// ct × pt multiplications.
    pub ct_pt_mul: u64,
    /// Multiplications by real constants.
    pub const_mul: u64,
    /// Multiplications by integers.
    pub int_mul: u64,
    /// Rescales.
    pub rescale: u64,
    /// Relinearizations (one per `mul`, one per `mul_sum`).
    pub relinearize: u64,
    /// Rotations (single and hoisted).
    pub rotation: u64,
    /// Of which hoisted (inside `rotate_many`).
    pub hoisted_rotation: u64,
    /// Key switches: relinearizations + single rotations + one per `rotate_many`.
    pub key_switch: u64,
    /// Additions and subtractions (ct ± ct and ct + pt).
    pub add_sub: u64,
    /// Negations.
    pub negate: u64,
    /// Level drops.
    pub drop_level: u64,
    /// Scale relabellings (multiplications by a public constant for free).
    #[serde(default)]
    pub relabel: u64,
}

/// Depth of one output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputDepth {
    /// Node id.
    pub node: usize,
    /// Level of the output.
    pub level: usize,
    /// Levels consumed: `max_level - level`.
    pub depth: usize,
}

/// Summary of a traced circuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceReport {
    /// Top level of the traced parameters.
    pub max_level: usize,
    /// Number of nodes in the DAG.
    pub nodes: usize,
    /// Operation counts.
    pub counts: OpCounts,
    /// Rotation steps used (normalised to `0..slots`, left rotation).
    pub rotation_steps: Vec<usize>,
    /// Depth of each output (the decrypted ciphertexts or those marked as outputs; if
    /// none, every sink of the DAG).
    pub outputs: Vec<OutputDepth>,
    /// Largest output depth.
    pub max_depth: usize,
}

/// A depth finder: a tracer with `levels` levels (e.g. 200) of exact `2^log_scale`
/// moduli and all rotation keys, wrapped in an evaluator. Encrypt inputs at
/// `eval.max_level()` (or lower, per input) and read [`TraceReport::max_depth`].
pub fn depth_finder(
    slots: usize,
    levels: usize,
    log_scale: u32,
) -> Result<crate::Evaluator<Tracer>> {
    crate::Evaluator::new(
        Tracer::try_new(TracerParams::depth_finder(slots, levels, log_scale))?,
        log_scale,
    )
}

impl Tracer {
    /// Builds a tracer.
    pub fn try_new(params: TracerParams) -> Result<Self> {
        if !params.slots.is_power_of_two() {
            return Err(ToolkitError::InvalidParameters(format!(
                "slots {} is not a power of two",
                params.slots
            )));
        }
        RingDegree::try_new(params.ring_degree.0, params.slots)?;
        if params.moduli.is_empty() {
            return Err(ToolkitError::InvalidParameters("no moduli".into()));
        }
        Ok(Self {
            params,
            graph: Mutex::new(Graph::default()),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &TracerParams {
        &self.params
    }

    fn lock(&self) -> Result<MutexGuard<'_, Graph>> {
        self.graph
            .lock()
            .map_err(|_| ToolkitError::Backend("tracer graph lock poisoned".into()))
    }

    fn push(
        &self,
        kind: OpKind,
        inputs: Vec<usize>,
        level: usize,
        scale: f64,
    ) -> Result<TraceCiphertext> {
        let mut g = self.lock()?;
        let id = g.nodes.len();
        g.nodes.push(Node {
            kind,
            inputs,
            level,
            scale,
        });
        Ok(TraceCiphertext { id, level, scale })
    }

    /// Marks a ciphertext as a circuit output (decrypting it does the same).
    pub fn mark_output(&self, ct: &TraceCiphertext) -> Result<()> {
        self.lock()?.outputs.push(ct.id);
        Ok(())
    }

    /// Levels consumed by a ciphertext: `max_level - level`.
    pub fn depth_of(&self, ct: &TraceCiphertext) -> usize {
        self.max_level().saturating_sub(ct.level)
    }

    /// The rotation steps used so far (normalised to `0..slots`).
    pub fn rotation_steps(&self) -> Result<BTreeSet<usize>> {
        Ok(self.lock()?.rotation_steps.clone())
    }

    /// The rotation keys this circuit needs, as a key set for another backend (the
    /// rotation-key plan).
    pub fn rotation_key_plan(&self) -> Result<RotationKeys> {
        Ok(RotationKeys::Steps(self.rotation_steps()?))
    }

    /// A copy of the DAG's nodes.
    pub fn nodes(&self) -> Result<Vec<Node>> {
        Ok(self.lock()?.nodes.clone())
    }

    /// Forgets everything traced so far.
    pub fn reset(&self) -> Result<()> {
        *self.lock()? = Graph::default();
        Ok(())
    }

    /// Op counts, rotation steps and output depths.
    pub fn report(&self) -> Result<TraceReport> {
        let g = self.lock()?;
        let mut counts = OpCounts::default();
        let mut consumed = vec![false; g.nodes.len()];
        for node in &g.nodes {
            for &i in &node.inputs {
                if let Some(c) = consumed.get_mut(i) {
                    *c = true;
                }
            }
            match node.kind {
                OpKind::Encode => counts.encode += 1,
                OpKind::Encrypt => counts.encrypt += 1,
                OpKind::Decrypt => counts.decrypt += 1,
                OpKind::Add | OpKind::Sub | OpKind::AddPlain => counts.add_sub += 1,
                OpKind::Negate => counts.negate += 1,
                OpKind::MulPlain => counts.ct_pt_mul += 1,
                OpKind::MulConst => counts.const_mul += 1,
                OpKind::MulInt => counts.int_mul += 1,
                OpKind::Mul => {
                    counts.ct_ct_mul += 1;
                    counts.relinearize += 1;
                    counts.key_switch += 1;
                }
                OpKind::MulAccumulate => counts.ct_ct_mul += 1,
                OpKind::Rescale => counts.rescale += 1,
                OpKind::DropLevel => counts.drop_level += 1,
                OpKind::Relabel => counts.relabel += 1,
                OpKind::Rotate => {
                    counts.rotation += 1;
                    counts.key_switch += 1;
                }
                OpKind::HoistDecompose => counts.key_switch += 1,
                OpKind::RotateHoisted => {
                    counts.rotation += 1;
                    counts.hoisted_rotation += 1;
                }
            }
        }
        let max_level = self.max_level();
        let output_ids: Vec<usize> = if g.outputs.is_empty() {
            g.nodes
                .iter()
                .enumerate()
                .filter(|(i, n)| {
                    !consumed[*i]
                        && !matches!(
                            n.kind,
                            OpKind::Encode | OpKind::Decrypt | OpKind::HoistDecompose
                        )
                })
                .map(|(i, _)| i)
                .collect()
        } else {
            let set: BTreeSet<usize> = g.outputs.iter().copied().collect();
            set.into_iter().collect()
        };
        let outputs: Vec<OutputDepth> = output_ids
            .into_iter()
            .filter_map(|i| g.nodes.get(i).map(|n| (i, n)))
            .map(|(i, n)| OutputDepth {
                node: i,
                level: n.level,
                depth: max_level.saturating_sub(n.level),
            })
            .collect();
        let max_depth = outputs.iter().map(|o| o.depth).max().unwrap_or(0);
        Ok(TraceReport {
            max_level,
            nodes: g.nodes.len(),
            counts,
            rotation_steps: g.rotation_steps.iter().copied().collect(),
            outputs,
            max_depth,
        })
    }
}

impl Backend for Tracer {
    type Ciphertext = TraceCiphertext;
    type Plaintext = TracePlaintext;

    fn slots(&self) -> usize {
        self.params.slots
    }

    fn ring_degree(&self) -> RingDegree {
        self.params.ring_degree
    }

    fn moduli(&self) -> &[u64] {
        &self.params.moduli
    }

    fn encode(&self, _values: &[f64], level: usize, scale: f64) -> Result<TracePlaintext> {
        self.push(OpKind::Encode, vec![], level, scale)
    }

    fn encrypt(&self, _values: &[f64], level: usize, scale: f64) -> Result<TraceCiphertext> {
        self.push(OpKind::Encrypt, vec![], level, scale)
    }

    /// Records the output and returns zeros (the tracer computes no values).
    fn decrypt(&self, ct: &TraceCiphertext) -> Result<Vec<f64>> {
        self.push(OpKind::Decrypt, vec![ct.id], ct.level, ct.scale)?;
        self.mark_output(ct)?;
        Ok(vec![0.0; self.params.slots])
    }

    fn level(&self, ct: &TraceCiphertext) -> usize {
        ct.level
    }

    fn scale(&self, ct: &TraceCiphertext) -> f64 {
        ct.scale
    }

    fn plaintext_level(&self, pt: &TracePlaintext) -> usize {
        pt.level
    }

    fn plaintext_scale(&self, pt: &TracePlaintext) -> f64 {
        pt.scale
    }

    fn add(&self, a: &TraceCiphertext, b: &TraceCiphertext) -> Result<TraceCiphertext> {
        self.push(OpKind::Add, vec![a.id, b.id], a.level, a.scale)
    }

    fn sub(&self, a: &TraceCiphertext, b: &TraceCiphertext) -> Result<TraceCiphertext> {
        self.push(OpKind::Sub, vec![a.id, b.id], a.level, a.scale)
    }

    fn negate(&self, a: &TraceCiphertext) -> Result<TraceCiphertext> {
        self.push(OpKind::Negate, vec![a.id], a.level, a.scale)
    }

    fn add_plain(&self, a: &TraceCiphertext, p: &TracePlaintext) -> Result<TraceCiphertext> {
        self.push(OpKind::AddPlain, vec![a.id, p.id], a.level, a.scale)
    }

    fn mul_plain(&self, a: &TraceCiphertext, p: &TracePlaintext) -> Result<TraceCiphertext> {
        self.push(
            OpKind::MulPlain,
            vec![a.id, p.id],
            a.level,
            a.scale * p.scale,
        )
    }

    fn mul_const(&self, a: &TraceCiphertext, _c: f64, const_scale: f64) -> Result<TraceCiphertext> {
        self.push(OpKind::MulConst, vec![a.id], a.level, a.scale * const_scale)
    }

    fn mul_int(&self, a: &TraceCiphertext, _i: i64) -> Result<TraceCiphertext> {
        self.push(OpKind::MulInt, vec![a.id], a.level, a.scale)
    }

    fn mul(&self, a: &TraceCiphertext, b: &TraceCiphertext) -> Result<TraceCiphertext> {
        self.push(OpKind::Mul, vec![a.id, b.id], a.level, a.scale * b.scale)
    }

    fn mul_sum(&self, pairs: &[(&TraceCiphertext, &TraceCiphertext)]) -> Result<TraceCiphertext> {
        let Some((&(a0, b0), rest)) = pairs.split_first() else {
            return Err(ToolkitError::InvalidParameters(
                "mul_sum needs at least one pair".into(),
            ));
        };
        // The further products are independent; the relinearizing node waits for them all.
        let mut inputs = vec![a0.id, b0.id];
        for &(a, b) in rest {
            let p = self.push(
                OpKind::MulAccumulate,
                vec![a.id, b.id],
                a.level,
                a.scale * b.scale,
            )?;
            inputs.push(p.id);
        }
        self.push(OpKind::Mul, inputs, a0.level, a0.scale * b0.scale)
    }

    fn rescale(&self, a: &TraceCiphertext) -> Result<TraceCiphertext> {
        let q = *self
            .params
            .moduli
            .get(a.level)
            .ok_or_else(|| ToolkitError::Backend(format!("no modulus at level {}", a.level)))?;
        self.push(
            OpKind::Rescale,
            vec![a.id],
            a.level.saturating_sub(1),
            a.scale / q as f64,
        )
    }

    fn relabel(&self, a: &TraceCiphertext, factor: f64) -> Result<TraceCiphertext> {
        self.push(OpKind::Relabel, vec![a.id], a.level, a.scale / factor)
    }

    fn drop_to_level(&self, a: &TraceCiphertext, level: usize) -> Result<TraceCiphertext> {
        self.push(OpKind::DropLevel, vec![a.id], level, a.scale)
    }

    fn rotate(&self, a: &TraceCiphertext, step: i32) -> Result<TraceCiphertext> {
        let ct = self.push(OpKind::Rotate, vec![a.id], a.level, a.scale)?;
        let s = (step as i64).rem_euclid(self.params.slots as i64) as usize;
        self.lock()?.rotation_steps.insert(s);
        Ok(ct)
    }

    fn rotate_many(&self, a: &TraceCiphertext, steps: &[i32]) -> Result<Vec<TraceCiphertext>> {
        let d = self.push(OpKind::HoistDecompose, vec![a.id], a.level, a.scale)?;
        let mut out = Vec::with_capacity(steps.len());
        for &step in steps {
            out.push(self.push(OpKind::RotateHoisted, vec![d.id], a.level, a.scale)?);
            let s = (step as i64).rem_euclid(self.params.slots as i64) as usize;
            self.lock()?.rotation_steps.insert(s);
        }
        Ok(out)
    }

    fn has_rotation_key(&self, step: i32) -> bool {
        usize::try_from(step)
            .map(|s| self.params.rotation_keys.contains(s % self.params.slots))
            .unwrap_or(false)
    }

    fn ciphertext_bytes(&self, ct: &TraceCiphertext) -> u64 {
        ckks_ciphertext_bytes(self.params.ring_degree, &self.params.moduli, ct.level)
    }
}
