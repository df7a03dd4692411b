//! Encrypted runs: plan the circuit (trace -> depth, rotations -> parameters), generate keys,
//! encrypt the minibatches (customer), train (server, evaluation keys only), decrypt
//! (customer); per round when `ckks.rounds` > 1. Every phase is timed and every byte counted.

use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use lowdepth_plaintext::metrics::evaluate;
use lowdepth_plaintext::nesterov::{nesterov_etas, train as train_f64};
use lowdepth_plaintext::{NesterovConfig, Sigmoid};
use lowdepth_toolkit::backends::tracer::{depth_finder, Node, TraceReport};
use lowdepth_toolkit::backends::{Tracer, TracerParams};
use lowdepth_toolkit::costs::{Contention, ScalingLaw};
use lowdepth_toolkit::dataflow::{Dataflow, DataflowOptions, ExecutionReport, KindTime};
use lowdepth_toolkit::planner::{plan, CircuitProfile, ParameterRequirement, PlannerConfig};
use lowdepth_toolkit::scale::power_of_two_moduli;
use lowdepth_toolkit::taskgraph::TaskGraph;
use lowdepth_toolkit::{Backend, Evaluator, RingDegree, RotationKeys, ToolkitError};
use lowdepth_toolkit_ckks::{CkksBackend, CkksSetup, Security};

use crate::config::{ExecutionSetting, ExecutorChoice, ExperimentConfig, SecurityChoice};
use crate::dataset::PreparedData;
use crate::manifest::{
    Bandwidth, CircuitFacts, CkksFacts, PhaseTimes, ProjectionBounds, ProjectionPoint,
    ReferenceComparison, TestMetrics,
};
use crate::models::ModelOutcome;
use crate::prediction::{calibrated_by_kind, calibrated_costs, predict};
use crate::samples::IterationSample;

/// The two circuits the harness compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitKind {
    Helr,
    LowDepth,
}

/// How the server runs a circuit (see [`ExecutorChoice`]).
enum Executor {
    Dataflow(Evaluator<Dataflow<CkksBackend>>),
    Eager {
        server: Evaluator<CkksBackend>,
        client: Evaluator<CkksBackend>,
    },
}

/// Levels the depth finder offers (far more than any circuit here needs).
const DEPTH_FINDER_LEVELS: usize = 200;

/// What one circuit application returned on some backend.
struct RoundOutput {
    w: Vec<f64>,
    v: Vec<f64>,
    upload_ciphertexts: u64,
    model_bytes: u64,
    encrypt_s: f64,
    train_s: f64,
    decrypt_s: f64,
}

/// What one circuit application trains on.
struct RoundInput<'a> {
    /// (minibatch size, features, slots).
    shape: (usize, usize, usize),
    zs: &'a [Vec<f64>],
    etas: &'a [f64],
    w0: &'a [f64],
    v0: &'a [f64],
}

/// Runs one application of `kind` on `k = zs.len()` minibatches from model (w0, v0):
/// `client` encrypts and decrypts, `server` trains, `run_graph` runs what the server
/// recorded (inside the timed training phase; a no-op for eager backends).
fn apply_circuit<B: Backend>(
    kind: CircuitKind,
    client: &Evaluator<B>,
    server: &Evaluator<B>,
    input: &RoundInput<'_>,
    run_graph: &dyn Fn() -> Result<()>,
) -> Result<RoundOutput> {
    let RoundInput {
        shape,
        zs,
        etas,
        w0,
        v0,
    } = *input;
    let (b, f, slots) = shape;
    let k = zs.len();
    macro_rules! run_with {
        ($circuit:ident) => {{
            let plan = $circuit::describe(&$circuit::CircuitConfig::new(b, f, k, slots))
                .map_err(|e| anyhow!("planning the circuit: {e}"))?;
            let start = Instant::now();
            let upload = $circuit::upload(client, &plan, zs)
                .map_err(|e| anyhow!("encrypting the minibatches: {e}"))?;
            let model = $circuit::encrypt_model(client, &plan, w0, v0)
                .map_err(|e| anyhow!("encrypting the initial model: {e}"))?;
            let encrypt_s = start.elapsed().as_secs_f64();
            let upload_ciphertexts = upload.num_ciphertexts() as u64;
            let start = Instant::now();
            let trained = $circuit::train(server, &upload, &model, etas)
                .map_err(|e| anyhow!("training: {e}"))?;
            run_graph().context("training")?;
            let train_s = start.elapsed().as_secs_f64();
            let model_bytes = trained.ciphertext_bytes(server);
            let start = Instant::now();
            let (w, v) = trained
                .decrypt(client)
                .map_err(|e| anyhow!("decrypting the model: {e}"))?;
            let decrypt_s = start.elapsed().as_secs_f64();
            Ok(RoundOutput {
                w,
                v,
                upload_ciphertexts,
                model_bytes,
                encrypt_s,
                train_s,
                decrypt_s,
            })
        }};
    }
    match kind {
        CircuitKind::Helr => run_with!(lowdepth_helr_circuit),
        CircuitKind::LowDepth => run_with!(lowdepth_circuit),
    }
}

/// The cleartext minibatches of iterations `range`.
fn minibatches(data: &PreparedData, range: std::ops::Range<usize>) -> Vec<Vec<f64>> {
    range
        .map(|t| data.minibatches.for_iteration(t).data.clone())
        .collect()
}

/// Traces one application at the given slots and moduli; returns the report, the DAG and
/// the number of ciphertexts the customer uploads.
fn trace(
    kind: CircuitKind,
    eval: &Evaluator<Tracer>,
    shape: (usize, usize, usize),
    zs: &[Vec<f64>],
    etas: &[f64],
) -> Result<(TraceReport, Vec<Node>, u64)> {
    let zero = vec![0.0; shape.1];
    let input = RoundInput {
        shape,
        zs,
        etas,
        w0: &zero,
        v0: &zero,
    };
    let out = apply_circuit(kind, eval, eval, &input, &|| Ok(()))?;
    let report = eval
        .backend()
        .report()
        .map_err(|e| anyhow!("tracing: {e}"))?;
    let nodes = eval
        .backend()
        .nodes()
        .map_err(|e| anyhow!("tracing: {e}"))?;
    Ok((report, nodes, out.upload_ciphertexts))
}

/// Parameters for one circuit application: depth and rotation steps from the depth finder,
/// the ring from the planner (128-bit) or the config (insecure tests), then a trace at
/// exactly those parameters for the op counts and the DAG.
#[derive(Debug)]
pub struct CircuitSetup {
    pub requirement: ParameterRequirement,
    pub slots: usize,
    pub report: TraceReport,
    pub nodes: Vec<Node>,
    /// Ciphertexts the customer uploads per round.
    pub upload_ciphertexts: u64,
}

fn plan_circuit(
    kind: CircuitKind,
    config: &ExperimentConfig,
    zs: &[Vec<f64>],
    etas: &[f64],
    max_value_bits: u32,
) -> Result<CircuitSetup> {
    let (b, f) = (config.training.minibatch_size, config.dataset.features);
    let log_scale = config.ckks.log_scale;
    let planner = PlannerConfig {
        log_scale,
        ..PlannerConfig::default()
    };
    let mut slots = match config.ckks.log_n {
        Some(log_n) => 1usize << (log_n - 1),
        None => 1usize << 14,
    };
    let mut requirement = None;
    // The 128-bit planner may pick another ring than the guess; re-trace at that ring
    // (rotation steps depend on the slot count) until the plan stops moving.
    for _ in 0..3 {
        let eval =
            depth_finder(slots, DEPTH_FINDER_LEVELS, log_scale).map_err(|e| anyhow!("{e}"))?;
        let (found, _, _) = trace(kind, &eval, (b, f, slots), zs, etas)?;
        let req = plan(
            &CircuitProfile::from_trace(&found, slots, max_value_bits),
            &planner,
        )
        .map_err(|e| planner_error(e, config))?;
        let planned_slots = 1usize << (req.min_log_n - 1);
        let settled =
            config.ckks.security == SecurityChoice::InsecureTestOnly || planned_slots == slots;
        requirement = Some(req);
        if settled {
            break;
        }
        slots = planned_slots;
    }
    let requirement = requirement.ok_or_else(|| anyhow!("planning did not run"))?;
    check_engine_parameters(config, &requirement)?;
    let ring = RingDegree(2 * slots);
    let moduli = power_of_two_moduli(requirement.levels, log_scale, requirement.first_prime_bits);
    let tracer = Tracer::try_new(TracerParams {
        slots,
        ring_degree: ring,
        moduli,
        rotation_keys: RotationKeys::All,
    })
    .map_err(|e| anyhow!("{e}"))?;
    let eval = Evaluator::new(tracer, log_scale).map_err(|e| anyhow!("{e}"))?;
    let (report, nodes, upload_ciphertexts) = trace(kind, &eval, (b, f, slots), zs, etas)?;
    Ok(CircuitSetup {
        requirement,
        slots,
        report,
        nodes,
        upload_ciphertexts,
    })
}

/// The planner's refusal as one line naming the config field to change: the scale bounds
/// q_0 and the special primes; the depth grows with the minibatches per round.
fn planner_error(e: ToolkitError, config: &ExperimentConfig) -> anyhow::Error {
    match e {
        ToolkitError::InvalidParameters(m) => anyhow!(
            "ckks.log_scale: {} is too large for these parameters: {m}",
            config.ckks.log_scale
        ),
        ToolkitError::NoSecureParameters(m) => anyhow!(
            "training.iterations: {} iterations in {} round(s) are too deep for 128-bit \
             parameters ({m}); raise ckks.rounds or lower training.iterations",
            config.training.iterations,
            config.ckks.rounds
        ),
        other => anyhow!("choosing parameters: {other}"),
    }
}

/// The engine's checks on the planned parameters (no keys generated). What it refuses
/// here comes from the depth (a ring above 2^16, too many levels), which the
/// minibatches per round set.
fn check_engine_parameters(config: &ExperimentConfig, req: &ParameterRequirement) -> Result<()> {
    let c = &config.ckks;
    let (security, log_n) = match c.security {
        SecurityChoice::Bits128 => (Security::Bits128, None),
        SecurityChoice::InsecureTestOnly => (Security::InsecureForTests, c.log_n),
    };
    CkksSetup::check_parameters(req, security, log_n).map_err(|e| {
        anyhow!(
            "training.iterations: {} iterations in {} round(s) need depth {} (N = 2^{}), \
             which the engine refuses ({e}); raise ckks.rounds or lower training.iterations",
            config.training.iterations,
            c.rounds,
            req.levels,
            log_n.unwrap_or(req.min_log_n)
        )
    })
}

/// Plans `kind` for `config` on the first round's minibatches, exactly as a run does
/// (the value bound comes from the f64 reference on the same minibatches).
pub fn plan_for_config(
    kind: CircuitKind,
    config: &ExperimentConfig,
    data: &PreparedData,
) -> Result<CircuitSetup> {
    let t = &config.training;
    let k = t.iterations / config.ckks.rounds;
    let etas = nesterov_etas(t.iterations, t.nesterov_alpha0);
    let cubic = train_f64(&data.minibatches, Sigmoid::Cubic, &nesterov_config(config));
    plan_circuit(
        kind,
        config,
        &minibatches(data, 0..k),
        &etas[..k],
        model_value_bits(&cubic),
    )
}

fn nesterov_config(config: &ExperimentConfig) -> NesterovConfig {
    NesterovConfig {
        iterations: config.training.iterations,
        learning_rate: config.training.learning_rate,
        alpha0: config.training.nesterov_alpha0,
    }
}

/// Bits needed by the largest model value the customer decrypts (for q_0), from the f64
/// reference trajectory (the encrypted model equals it up to CKKS noise).
fn model_value_bits(trajectory: &lowdepth_plaintext::Trajectory) -> u32 {
    let max = trajectory
        .w
        .iter()
        .chain(&trajectory.v)
        .flatten()
        .fold(0.0f64, |m, x| m.max(x.abs()));
    if max < 1.0 {
        0
    } else {
        max.log2().floor() as u32 + 1
    }
}

/// Resets the process's peak-RSS counter (Linux); the run's peak is read at its end.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Extra facts of an encrypted run beyond the common outcome.
#[derive(Debug, Clone)]
pub struct EncryptedExtras {
    /// Predicted training time for both settings on 1..64 cores (all rounds).
    pub projection: Vec<ProjectionPoint>,
    pub projection_bounds: Vec<ProjectionBounds>,
    /// The dataflow executor's report of the last round (none when eager).
    pub execution: Option<ExecutionReport>,
    /// The calibrated intra-op scaling laws that priced the projection.
    pub scaling_laws: Vec<ScalingLaw>,
    /// The calibrated slowdown of each task kind when several run at once.
    pub contention: Vec<Contention>,
    /// Wall time of the task-cost calibration this run's prediction used (done once per
    /// process, circuit and parameters; runs that reused it show the same figure).
    pub calibration_wall_s: f64,
    /// One round's work per task kind at the calibrated single-thread costs.
    pub calibrated_by_kind: Vec<KindTime>,
    pub ckks: CkksFacts,
    pub reference: ReferenceComparison,
    pub peak_rss_bytes: Option<u64>,
}

/// Trains `kind` on CKKS for `training.iterations` iterations in `ckks.rounds` rounds.
pub fn execute_encrypted(
    kind: CircuitKind,
    setting: ExecutionSetting,
    data: &PreparedData,
    config: &ExperimentConfig,
) -> Result<(ModelOutcome, EncryptedExtras)> {
    reset_peak_rss();
    let t = &config.training;
    let c = &config.ckks;
    if t.learning_rate != 1.0 {
        return Err(anyhow!(
            "training.learning_rate: the circuits implement HELR's gamma = 1/b (learning rate 1.0), got {}",
            t.learning_rate
        ));
    }
    let (b, f) = (t.minibatch_size, config.dataset.features);
    let iterations = t.iterations;
    let k = iterations / c.rounds;
    let etas = nesterov_etas(iterations, t.nesterov_alpha0);

    // Plaintext references on the same minibatches.
    let nesterov = nesterov_config(config);
    let cubic = train_f64(&data.minibatches, Sigmoid::Cubic, &nesterov);
    let exact = train_f64(&data.minibatches, Sigmoid::Exact, &nesterov);

    // Plan on the first round's data (every round has the same shape and depth).
    let setup = plan_circuit(
        kind,
        config,
        &minibatches(data, 0..k),
        &etas[..k],
        model_value_bits(&cubic),
    )?;
    let req = &setup.requirement;
    let (backend, report) = match c.security {
        SecurityChoice::Bits128 => {
            CkksSetup::for_circuit(req, Security::Bits128, c.insecure_reproducible_keys_seed)
        }
        SecurityChoice::InsecureTestOnly => {
            let log_n = c.log_n.ok_or_else(|| anyhow!("ckks.log_n is required"))?;
            let seed = c.insecure_reproducible_keys_seed.unwrap_or_else(rand_seed);
            CkksSetup::insecure_for_tests(req, log_n, seed)
        }
    }
    .map_err(|e| anyhow!("CKKS setup: {e}"))?;
    let log_scale = c.log_scale;
    // The customer's evaluator (secret key) first times every task shape of the planned
    // graph on this machine, at 1 thread and at each thread count of the config, outside
    // the timed phases (once per process and parameter set).
    let planned = TaskGraph::from_trace(&setup.nodes);
    let server_backend = backend.server_view();
    let client = backend.into_evaluator().map_err(|e| anyhow!("{e}"))?;
    let costs = calibrated_costs(kind, &client, &planned, &config.threads)?;
    // Calibration encrypted test ciphertexts: they are not part of the upload.
    let _ = client.backend().take_encryption_tally();

    // The server holds evaluation keys only; the customer's backend encrypts and decrypts.
    // Dataflow: the server records the circuit and runs it as a graph. Eager (debugging):
    // every call runs when the circuit makes it.
    let executor = match c.executor {
        ExecutorChoice::Dataflow => {
            let options = DataflowOptions {
                setting,
                threads: None, // the run's pool
                costs: Some(costs.clone()),
                ..DataflowOptions::default()
            };
            let flow = Dataflow::new(server_backend, Some(client.into_backend()), options);
            Executor::Dataflow(Evaluator::new(flow, log_scale).map_err(|e| anyhow!("{e}"))?)
        }
        ExecutorChoice::Eager => Executor::Eager {
            server: Evaluator::new(server_backend, log_scale).map_err(|e| anyhow!("{e}"))?,
            client,
        },
    };
    let last_execution = std::sync::Mutex::new(None);
    let mut round_graph: Option<TaskGraph> = None;

    let mut phases = PhaseTimes {
        keygen_wall_s: Some(report.keygen_wall_s),
        ..PhaseTimes::default()
    };
    let (mut encrypt_s, mut train_s, mut decrypt_s) = (0.0, 0.0, 0.0);
    let (mut upload_data_bytes, mut upload_ciphertexts, mut model_bytes) = (0u64, 0u64, 0u64);
    let mut w = vec![0.0; f];
    let mut v = vec![0.0; f];
    let mut samples = Vec::new();
    for round in 0..c.rounds {
        let range = round * k..(round + 1) * k;
        let zs = minibatches(data, range.clone());
        let input = RoundInput {
            shape: (b, f, setup.slots),
            zs: &zs,
            etas: &etas[range.clone()],
            w0: &w,
            v0: &v,
        };
        let (out, upload_bytes) = match &executor {
            Executor::Dataflow(eval) => {
                let run_graph = || -> Result<()> {
                    let report = eval.backend().execute().map_err(|e| anyhow!("{e}"))?;
                    if let Ok(mut last) = last_execution.lock() {
                        *last = Some(report);
                    }
                    Ok(())
                };
                let out = apply_circuit(kind, eval, eval, &input, &run_graph);
                // Every round runs the same graph; the first one is priced.
                let graph = eval.backend().take_graph().map_err(|e| anyhow!("{e}"))?;
                round_graph.get_or_insert(graph);
                let tally = eval.backend().client().take_encryption_tally();
                (out, tally.upload_bytes)
            }
            Executor::Eager { server, client } => {
                let out = apply_circuit(kind, client, server, &input, &|| Ok(()));
                round_graph.get_or_insert_with(|| planned.clone());
                (out, client.backend().take_encryption_tally().upload_bytes)
            }
        };
        let out = out.with_context(|| format!("round {} of {}", round + 1, c.rounds))?;
        upload_data_bytes += upload_bytes;
        upload_ciphertexts += out.upload_ciphertexts;
        model_bytes += out.model_bytes;
        encrypt_s += out.encrypt_s;
        train_s += out.train_s;
        decrypt_s += out.decrypt_s;
        w = out.w;
        v = out.v;
        samples.push(IterationSample::new(
            range.end,
            TestMetrics::from(&evaluate(&w, &data.task.test)),
        ));
    }
    phases.encrypt_wall_s = Some(encrypt_s);
    phases.train_wall_s = Some(train_s);
    phases.decrypt_wall_s = Some(decrypt_s);

    let metrics = |w: &[f64]| TestMetrics::from(&evaluate(w, &data.task.test));
    let w_ref = cubic.final_w();
    let max_abs_w_error = w
        .iter()
        .zip(w_ref)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    let reference = ReferenceComparison {
        cubic: metrics(w_ref),
        exact: metrics(exact.final_w()),
        max_abs_w_error,
    };
    let counts = serde_json::to_value(&setup.report.counts)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| {
            m.into_iter()
                .filter_map(|(k, v)| v.as_u64().map(|n| (k, n)))
                .collect()
        })
        .unwrap_or_default();
    let outcome = ModelOutcome {
        samples,
        phases,
        bandwidth: Bandwidth {
            upload_data_bytes: Some(upload_data_bytes),
            upload_keys_bytes: Some(report.eval_key_bytes),
            download_model_bytes: Some(model_bytes),
        },
        circuit: CircuitFacts {
            depth: Some(setup.report.max_depth as u32),
            op_counts: counts,
        },
        encrypted: None,
    };
    let graph = round_graph.ok_or_else(|| anyhow!("no round ran"))?;
    let (projection, projection_bounds) = predict(&graph, &costs, c.rounds, &config.threads)?;
    let extras = EncryptedExtras {
        projection,
        projection_bounds,
        execution: last_execution.lock().ok().and_then(|r| r.clone()),
        scaling_laws: costs.laws.clone(),
        contention: costs.contention.clone(),
        calibration_wall_s: costs.calibration_wall_s,
        calibrated_by_kind: calibrated_by_kind(&graph, &costs),
        ckks: CkksFacts {
            security: match c.security {
                SecurityChoice::Bits128 => "bits128".into(),
                SecurityChoice::InsecureTestOnly => "insecure-test-only".into(),
            },
            log_n: report.log_n,
            levels: report.levels,
            dnum: report.dnum,
            log_scale: report.log_scale,
            first_prime_bits: report.first_prime_bits,
            log_qp: report.log_qp,
            galois_keys: report.galois_keys,
            minibatches_per_round: k,
            rounds: c.rounds,
            upload_ciphertexts,
        },
        reference,
        peak_rss_bytes: peak_rss_bytes(),
    };
    Ok((outcome, extras))
}

/// A fresh seed from the OS for insecure test runs without
/// `ckks.insecure_reproducible_keys_seed`.
fn rand_seed() -> u64 {
    use rand::RngCore;
    rand::rngs::OsRng.next_u64()
}
