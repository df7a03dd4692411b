//! Executing one model on prepared data: the single place where the runner picks what runs.

use std::time::Instant;

use anyhow::{anyhow, Result};
use lowdepth_plaintext::metrics::evaluate_trajectory;
use lowdepth_plaintext::nesterov::train;
use lowdepth_plaintext::{NesterovConfig, Sigmoid};

use crate::config::{ExecutionSetting, ExperimentConfig, ModelKind, TrainingConfig};
use crate::dataset::PreparedData;
use crate::encrypted::{execute_encrypted, CircuitKind};
use crate::manifest::{Bandwidth, CircuitFacts, PhaseTimes, TestMetrics};
use crate::samples::IterationSample;

/// What a run measured.
#[derive(Debug, Clone)]
pub struct ModelOutcome {
    pub samples: Vec<IterationSample>,
    pub phases: PhaseTimes,
    pub bandwidth: Bandwidth,
    pub circuit: CircuitFacts,
    /// Encrypted runs: parameters, reference comparison, memory, traced DAG.
    pub encrypted: Option<crate::encrypted::EncryptedExtras>,
}

impl ModelOutcome {
    pub fn final_metrics(&self) -> Option<TestMetrics> {
        self.samples.last().map(IterationSample::metrics)
    }
}

/// Trains `model` on the prepared minibatches; call inside the run's thread pool.
/// `setting` is required for encrypted models and ignored by plaintext ones.
pub fn execute(
    model: ModelKind,
    setting: Option<ExecutionSetting>,
    data: &PreparedData,
    config: &ExperimentConfig,
) -> Result<ModelOutcome> {
    let training = &config.training;
    match model {
        ModelKind::PlaintextCubic => plaintext(Sigmoid::Cubic, data, training),
        ModelKind::PlaintextExact => plaintext(Sigmoid::Exact, data, training),
        ModelKind::HelrCkks => encrypted(CircuitKind::Helr, setting, data, config),
        ModelKind::LowdepthCkks => encrypted(CircuitKind::LowDepth, setting, data, config),
    }
}

fn encrypted(
    kind: CircuitKind,
    setting: Option<ExecutionSetting>,
    data: &PreparedData,
    config: &ExperimentConfig,
) -> Result<ModelOutcome> {
    // The planner gives every encrypted run a setting; a missing one is a harness bug.
    let setting = setting.ok_or_else(|| anyhow!("encrypted run without an execution setting"))?;
    let (mut outcome, extras) = execute_encrypted(kind, setting, data, config)?;
    outcome.encrypted = Some(extras);
    Ok(outcome)
}

fn plaintext(
    sigmoid: Sigmoid,
    data: &PreparedData,
    training: &TrainingConfig,
) -> Result<ModelOutcome> {
    let cfg = NesterovConfig {
        iterations: training.iterations,
        learning_rate: training.learning_rate,
        alpha0: training.nesterov_alpha0,
    };
    cfg.validate().map_err(|e| anyhow!("training: {e}"))?;
    let start = Instant::now();
    let trajectory = train(&data.minibatches, sigmoid, &cfg);
    let train_wall_s = start.elapsed().as_secs_f64();
    let evaluations = evaluate_trajectory(&trajectory, &data.task.test);
    // evaluations[0] is the initial model (w_0); samples start after iteration 1.
    let samples = evaluations
        .iter()
        .enumerate()
        .skip(1)
        .map(|(t, e)| IterationSample::new(t, e.into()))
        .collect();
    Ok(ModelOutcome {
        samples,
        phases: PhaseTimes {
            train_wall_s: Some(train_wall_s),
            ..PhaseTimes::default()
        },
        bandwidth: Bandwidth::default(),
        circuit: CircuitFacts::default(),
        encrypted: None,
    })
}
