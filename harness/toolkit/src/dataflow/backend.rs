//! The [`Dataflow`] backend: records server operations as tasks; encrypts and decrypts
//! through the client backend at once.

use std::sync::{Arc, Mutex};

use super::executor::{self, ExecutionReport};
use super::graph::{GraphState, Handle, Ref, Shared, Status, TaskOp, TaskState, Value};
use super::DataflowOptions;
use crate::backend::{Backend, RingDegree};
use crate::error::{Result, ToolkitError};
use crate::taskgraph::{TaskGraph, TaskKind, TaskShape};

/// A ciphertext or plaintext of the [`Dataflow`] backend: a handle on a recorded task's
/// output with its level and scale. Cloning is cheap (the handle is shared).
pub struct Deferred<B: Backend> {
    handle: Arc<Handle<B>>,
}

impl<B: Backend> Clone for Deferred<B> {
    fn clone(&self) -> Self {
        Self {
            handle: Arc::clone(&self.handle),
        }
    }
}

impl<B: Backend> std::fmt::Debug for Deferred<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deferred")
            .field("task", &self.handle.at.task)
            .field("output", &self.handle.at.out)
            .field("level", &self.handle.level)
            .field("scale", &self.handle.scale)
            .finish()
    }
}

impl<B: Backend> Deferred<B> {
    fn at(&self) -> Ref {
        self.handle.at
    }
}

/// The dataflow backend (see the [module documentation](super)).
pub struct Dataflow<B: Backend> {
    server: B,
    client: Option<B>,
    pub(crate) shared: Arc<Shared<B>>,
    options: DataflowOptions,
    /// One execution at a time (a `decrypt` may trigger one from several threads).
    run_lock: Mutex<()>,
}

impl<B: Backend> std::fmt::Debug for Dataflow<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tasks = self.shared.state.lock().map(|g| g.tasks.len()).unwrap_or(0);
        f.debug_struct("Dataflow")
            .field("tasks", &tasks)
            .field("has_client", &self.client.is_some())
            .field("setting", &self.options.setting)
            .field("threads", &self.options.threads)
            .finish()
    }
}

impl<B: Backend> Dataflow<B> {
    /// Wraps `server` (runs the recorded tasks) and `client` (encrypts and decrypts; when
    /// `None`, the server backend does, e.g. for simulation backends).
    pub fn new(server: B, client: Option<B>, options: DataflowOptions) -> Self {
        Self {
            server,
            client,
            shared: Arc::new(Shared::new()),
            options,
            run_lock: Mutex::new(()),
        }
    }

    /// The backend that runs the tasks.
    pub fn server(&self) -> &B {
        &self.server
    }

    /// The backend that encrypts and decrypts.
    pub fn client(&self) -> &B {
        self.client.as_ref().unwrap_or(&self.server)
    }

    /// The execution options.
    pub fn options(&self) -> &DataflowOptions {
        &self.options
    }

    /// Runs every recorded task that has not run yet (see the module documentation).
    pub fn execute(&self) -> Result<ExecutionReport> {
        let _one = self
            .run_lock
            .lock()
            .map_err(|_| ToolkitError::Backend("dataflow: execution lock poisoned".into()))?;
        executor::execute(&self.server, &self.shared, &self.options)
    }

    /// The tasks recorded since the previous call (a circuit application's graph).
    pub fn take_graph(&self) -> Result<TaskGraph> {
        Ok(self.shared.lock()?.take_graph())
    }

    /// Every task recorded so far.
    pub fn graph(&self) -> Result<TaskGraph> {
        Ok(self.shared.lock()?.graph())
    }

    /// Bytes of the values stored now.
    pub fn live_bytes(&self) -> Result<u64> {
        Ok(self.shared.lock()?.live_bytes)
    }

    /// In-memory bytes of a ciphertext at `level` (two polynomials of N words per prime).
    fn ciphertext_words_bytes(&self, level: usize) -> u64 {
        2 * self.server.ring_degree().0 as u64 * (level as u64 + 1) * 8
    }

    /// Records a task and returns one handle per output.
    fn record(
        &self,
        op: TaskOp,
        shape: TaskShape,
        expected: Vec<(usize, f64)>,
        value: Option<Value<B>>,
    ) -> Result<Vec<Deferred<B>>> {
        let inputs: Vec<usize> = op.operands().iter().map(|r| r.task).collect();
        let bytes = match shape.kind {
            TaskKind::Encode => self.ciphertext_words_bytes(shape.level) / 2,
            _ => expected
                .iter()
                .map(|&(l, _)| self.ciphertext_words_bytes(l))
                .sum(),
        };
        let done = value.is_some();
        let id = {
            let mut g = self.shared.lock()?;
            let id = g.tasks.len();
            for &i in &inputs {
                let t = g.tasks.get_mut(i).ok_or_else(|| {
                    ToolkitError::Backend(format!("dataflow: operand task {i} does not exist"))
                })?;
                t.consumers.push(id);
                t.pending_reads += 1;
            }
            if done {
                g.live_bytes += bytes;
            }
            g.tasks.push(TaskState {
                op,
                shape,
                inputs,
                consumers: Vec::new(),
                expected: expected.clone(),
                status: if done { Status::Done } else { Status::Pending },
                value: value.map(Arc::new),
                bytes,
                pending_reads: 0,
                live_handles: expected.len(),
            });
            id
        };
        Ok(expected
            .into_iter()
            .enumerate()
            .map(|(out, (level, scale))| Deferred {
                handle: Arc::new(Handle {
                    shared: Arc::clone(&self.shared),
                    at: Ref { task: id, out },
                    level,
                    scale,
                }),
            })
            .collect())
    }

    fn record_one(
        &self,
        op: TaskOp,
        kind: TaskKind,
        operand_level: usize,
        (level, scale): (usize, f64),
    ) -> Result<Deferred<B>> {
        let mut out = self.record(
            op,
            TaskShape::new(kind, operand_level),
            vec![(level, scale)],
            None,
        )?;
        out.pop()
            .ok_or_else(|| ToolkitError::Backend("dataflow: no handle recorded".into()))
    }

    /// Records a task on `a` whose result keeps `a`'s level and scale (additions,
    /// negation, integer products, rotations).
    fn record_like(&self, op: TaskOp, kind: TaskKind, a: &Deferred<B>) -> Result<Deferred<B>> {
        let l = level_of(a);
        self.record_one(op, kind, l, (l, scale_of(a)))
    }

    /// The computed ciphertext behind a handle, running the graph first if needed.
    fn ciphertext_value(&self, ct: &Deferred<B>) -> Result<B::Ciphertext> {
        if let Some(v) = self.stored(ct)? {
            return Ok(v);
        }
        self.execute()?;
        self.stored(ct)?.ok_or_else(|| {
            ToolkitError::Backend(format!(
                "dataflow: task {} has no value after execution",
                ct.at().task
            ))
        })
    }

    fn stored(&self, ct: &Deferred<B>) -> Result<Option<B::Ciphertext>> {
        let g = self.shared.lock()?;
        let at = ct.at();
        let value = g.tasks.get(at.task).and_then(|t| t.value.clone());
        Ok(value.and_then(|v| match &*v {
            Value::Ct(c) => Some(c.clone()),
            Value::Many(cs) => cs.get(at.out).cloned(),
            Value::Pt(_) => None,
        }))
    }
}

fn level_of<B: Backend>(x: &Deferred<B>) -> usize {
    x.handle.level
}

fn scale_of<B: Backend>(x: &Deferred<B>) -> f64 {
    x.handle.scale
}

impl<B: Backend> Backend for Dataflow<B> {
    type Ciphertext = Deferred<B>;
    type Plaintext = Deferred<B>;

    fn slots(&self) -> usize {
        self.server.slots()
    }

    fn ring_degree(&self) -> RingDegree {
        self.server.ring_degree()
    }

    fn moduli(&self) -> &[u64] {
        self.server.moduli()
    }

    fn encode(&self, values: &[f64], level: usize, scale: f64) -> Result<Deferred<B>> {
        let op = TaskOp::Encode {
            values: values.to_vec(),
            level,
            scale,
        };
        self.record_one(op, TaskKind::Encode, level, (level, scale))
    }

    /// Encrypts at once (the customer's work, not part of the graph's execution).
    fn encrypt(&self, values: &[f64], level: usize, scale: f64) -> Result<Deferred<B>> {
        let client = self.client();
        let ct = client.encrypt(values, level, scale)?;
        let meta = (client.level(&ct), client.scale(&ct));
        let mut out = self.record(
            TaskOp::Input,
            TaskShape::new(TaskKind::Input, meta.0),
            vec![meta],
            Some(Value::Ct(ct)),
        )?;
        out.pop()
            .ok_or_else(|| ToolkitError::Backend("dataflow: no handle recorded".into()))
    }

    fn decrypt(&self, ct: &Deferred<B>) -> Result<Vec<f64>> {
        let value = self.ciphertext_value(ct)?;
        self.client().decrypt(&value)
    }

    fn level(&self, ct: &Deferred<B>) -> usize {
        level_of(ct)
    }

    fn scale(&self, ct: &Deferred<B>) -> f64 {
        scale_of(ct)
    }

    fn plaintext_level(&self, pt: &Deferred<B>) -> usize {
        level_of(pt)
    }

    fn plaintext_scale(&self, pt: &Deferred<B>) -> f64 {
        scale_of(pt)
    }

    fn add(&self, a: &Deferred<B>, b: &Deferred<B>) -> Result<Deferred<B>> {
        self.record_like(TaskOp::Add(a.at(), b.at()), TaskKind::Add, a)
    }

    fn sub(&self, a: &Deferred<B>, b: &Deferred<B>) -> Result<Deferred<B>> {
        self.record_like(TaskOp::Sub(a.at(), b.at()), TaskKind::Sub, a)
    }

    fn negate(&self, a: &Deferred<B>) -> Result<Deferred<B>> {
        self.record_like(TaskOp::Negate(a.at()), TaskKind::Negate, a)
    }

    fn add_plain(&self, a: &Deferred<B>, p: &Deferred<B>) -> Result<Deferred<B>> {
        self.record_like(TaskOp::AddPlain(a.at(), p.at()), TaskKind::AddPlain, a)
    }

    fn mul_plain(&self, a: &Deferred<B>, p: &Deferred<B>) -> Result<Deferred<B>> {
        let l = level_of(a);
        self.record_one(
            TaskOp::MulPlain(a.at(), p.at()),
            TaskKind::MulPlain,
            l,
            (l, scale_of(a) * scale_of(p)),
        )
    }

    fn mul_const(&self, a: &Deferred<B>, c: f64, const_scale: f64) -> Result<Deferred<B>> {
        let l = level_of(a);
        self.record_one(
            TaskOp::MulConst(a.at(), c, const_scale),
            TaskKind::MulConst,
            l,
            (l, scale_of(a) * const_scale),
        )
    }

    fn mul_int(&self, a: &Deferred<B>, i: i64) -> Result<Deferred<B>> {
        self.record_like(TaskOp::MulInt(a.at(), i), TaskKind::MulInt, a)
    }

    fn mul(&self, a: &Deferred<B>, b: &Deferred<B>) -> Result<Deferred<B>> {
        let l = level_of(a);
        self.record_one(
            TaskOp::Mul(a.at(), b.at()),
            TaskKind::MulSum,
            l,
            (l, scale_of(a) * scale_of(b)),
        )
    }

    fn mul_sum(&self, pairs: &[(&Deferred<B>, &Deferred<B>)]) -> Result<Deferred<B>> {
        let Some(&(a0, b0)) = pairs.first() else {
            return Err(ToolkitError::InvalidParameters(
                "mul_sum needs at least one pair".into(),
            ));
        };
        let l = level_of(a0);
        let refs = pairs.iter().map(|&(a, b)| (a.at(), b.at())).collect();
        let mut out = self.record(
            TaskOp::MulSum(refs),
            TaskShape {
                kind: TaskKind::MulSum,
                level: l,
                fan: pairs.len(),
            },
            vec![(l, scale_of(a0) * scale_of(b0))],
            None,
        )?;
        out.pop()
            .ok_or_else(|| ToolkitError::Backend("dataflow: no handle recorded".into()))
    }

    fn rescale(&self, a: &Deferred<B>) -> Result<Deferred<B>> {
        let l = level_of(a);
        let q = *self
            .moduli()
            .get(l)
            .ok_or_else(|| ToolkitError::Backend(format!("no modulus at level {l}")))?;
        self.record_one(
            TaskOp::Rescale(a.at()),
            TaskKind::Rescale,
            l,
            (l.saturating_sub(1), scale_of(a) / q as f64),
        )
    }

    fn drop_to_level(&self, a: &Deferred<B>, level: usize) -> Result<Deferred<B>> {
        self.record_one(
            TaskOp::DropToLevel(a.at(), level),
            TaskKind::DropLevel,
            level,
            (level, scale_of(a)),
        )
    }

    fn relabel(&self, a: &Deferred<B>, factor: f64) -> Result<Deferred<B>> {
        let l = level_of(a);
        self.record_one(
            TaskOp::Relabel(a.at(), factor),
            TaskKind::Relabel,
            l,
            (l, scale_of(a) / factor),
        )
    }

    fn rotate(&self, a: &Deferred<B>, step: i32) -> Result<Deferred<B>> {
        self.record_like(TaskOp::Rotate(a.at(), step), TaskKind::Rotate, a)
    }

    fn rotate_many(&self, a: &Deferred<B>, steps: &[i32]) -> Result<Vec<Deferred<B>>> {
        let l = level_of(a);
        self.record(
            TaskOp::RotateMany(a.at(), steps.to_vec()),
            TaskShape {
                kind: TaskKind::RotateMany,
                level: l,
                fan: steps.len(),
            },
            vec![(l, scale_of(a)); steps.len()],
            None,
        )
    }

    fn has_rotation_key(&self, step: i32) -> bool {
        self.server.has_rotation_key(step)
    }

    /// The server backend's size of the computed ciphertext (computed first if needed).
    fn ciphertext_bytes(&self, ct: &Deferred<B>) -> u64 {
        match self.ciphertext_value(ct) {
            Ok(v) => self.server.ciphertext_bytes(&v),
            // Only reachable if execution failed; the failure surfaces at decryption.
            Err(_) => crate::backend::ckks_ciphertext_bytes(
                self.ring_degree(),
                self.moduli(),
                level_of(ct),
            ),
        }
    }
}

impl<B: Backend> GraphState<B> {
    #[cfg(test)]
    pub(crate) fn stored_tasks(&self) -> usize {
        self.tasks.iter().filter(|t| t.value.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::{PlaintextBackend, PlaintextParams};
    use crate::scale::simulation_moduli;
    use crate::{Evaluator, RotationKeys};

    #[test]
    fn intermediates_are_freed_once_consumed_and_outputs_kept() {
        let ring_degree = RingDegree(32);
        let plain = PlaintextBackend::try_new(PlaintextParams {
            slots: 16,
            ring_degree,
            moduli: simulation_moduli(3, 40, 60, ring_degree),
            rotation_keys: RotationKeys::All,
        })
        .unwrap();
        let eval =
            Evaluator::new(Dataflow::new(plain, None, DataflowOptions::default()), 40).unwrap();
        let x = eval.encrypt_canonical(&[1.0, 2.0], 3).unwrap();
        let y = {
            let r = eval.rotate(&x, 1).unwrap();
            let s = eval.add(&x, &r).unwrap();
            eval.mul_rescale(&s, &s).unwrap()
        };
        eval.backend().execute().unwrap();
        let stored = eval.backend().shared.lock().unwrap().stored_tasks();
        assert_eq!(stored, 2, "the input and the output only");
        drop(x);
        let stored = eval.backend().shared.lock().unwrap().stored_tasks();
        assert_eq!(stored, 1);
        assert_eq!(eval.decrypt(&y).unwrap()[0], 9.0);
        drop(y);
        assert_eq!(eval.backend().live_bytes().unwrap(), 0);
    }
}
