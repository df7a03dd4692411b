//! Everything `lowdepth run` checks before it writes anything; `lowdepth check` runs the
//! very same function, so a config that checks ok does not fail for a reason known upfront.
//!
//! Config rules were checked when the config was loaded; here come the checks that need
//! the data: loading and preprocessing it, and planning every encrypted circuit (tracer,
//! no encryption) to the depth and parameters of the requested security.

use std::path::Path;

use anyhow::{anyhow, Result};

use crate::config::{ExperimentConfig, ModelKind};
use crate::dataset::{prepare, PreparedData};
use crate::encrypted::{plan_for_config, CircuitKind};

/// The parameters planned for one encrypted model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCircuit {
    pub model: ModelKind,
    pub depth: usize,
    pub log_n: u32,
    pub dnum: usize,
    pub log_qp: u32,
    pub rotation_keys: usize,
}

/// What passed the checks: the prepared data and the plan of each encrypted model.
#[derive(Debug)]
pub struct Preflight {
    pub data: PreparedData,
    pub circuits: Vec<PlannedCircuit>,
}

/// Loads the data and plans each encrypted model; every error is one line naming
/// `config_file` and the field to change.
pub fn preflight(config: &ExperimentConfig, config_file: &Path) -> Result<Preflight> {
    let data = prepare(config, config_file)?;
    let mut circuits = Vec::new();
    for (i, &model) in config.models.iter().enumerate() {
        let kind = match model {
            ModelKind::HelrCkks => CircuitKind::Helr,
            ModelKind::LowdepthCkks => CircuitKind::LowDepth,
            ModelKind::PlaintextCubic | ModelKind::PlaintextExact => continue,
        };
        let setup = plan_for_config(kind, config, &data).map_err(|e| {
            let message = format!("{e:#}");
            // Planner refusals start with the field to change; anything else is the model's.
            if message.starts_with("ckks.") || message.starts_with("training.") {
                anyhow!("{}: {message} (planning {model})", config_file.display())
            } else {
                anyhow!("{}: models[{i}]: {model}: {message}", config_file.display())
            }
        })?;
        let req = &setup.requirement;
        circuits.push(PlannedCircuit {
            model,
            depth: setup.report.max_depth,
            log_n: config.ckks.log_n.unwrap_or(req.min_log_n),
            dnum: req.dnum,
            log_qp: req.log_qp,
            rotation_keys: req.rotation_steps.iter().filter(|&&s| s != 0).count(),
        });
    }
    Ok(Preflight { data, circuits })
}
