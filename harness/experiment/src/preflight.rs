//! Everything `lowdepth run` checks before it writes anything; `lowdepth check` runs the
//! very same function, so a config that checks ok does not fail for a reason known upfront.
//!
//! Config rules were checked when the config was loaded; here come the checks that need
//! the data: loading and preprocessing it, planning every encrypted circuit (tracer, no
//! encryption) to the depth and parameters of the requested security, and the estimate of
//! the peak memory against the machine's (`memory_estimate.rs`).

use std::path::Path;

use anyhow::{anyhow, Result};

use crate::config::{ExperimentConfig, ModelKind};
use crate::dataset::{prepare, PreparedData};
use crate::encrypted::{plan_for_config, CircuitKind};
use crate::memory_estimate::{check_fits, data_bytes, EncryptedFootprint, MemoryEstimate};

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
    pub memory: MemoryEstimate,
}

/// Loads the data, plans each encrypted model and refuses a memory estimate above
/// `memory_limit_bytes` (`None`: not checked); every error is one line naming
/// `config_file` and the field to change.
pub fn preflight(
    config: &ExperimentConfig,
    config_file: &Path,
    memory_limit_bytes: Option<u64>,
) -> Result<Preflight> {
    let data = prepare(config, config_file)?;
    let mut circuits = Vec::new();
    let mut footprints = Vec::new();
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
        let log_n = config.ckks.log_n.unwrap_or(req.min_log_n);
        let rotation_keys = req.rotation_steps.iter().filter(|&&s| s != 0).count();
        circuits.push(PlannedCircuit {
            model,
            depth: setup.report.max_depth,
            log_n,
            dnum: req.dnum,
            log_qp: req.log_qp,
            rotation_keys,
        });
        footprints.push((
            model,
            EncryptedFootprint {
                log_n,
                levels: req.levels,
                dnum: req.dnum,
                rotation_keys,
                upload_ciphertexts_per_round: setup.upload_ciphertexts,
            },
        ));
    }
    let memory = MemoryEstimate {
        data_bytes: data_bytes(config, &data),
        encrypted: footprints,
    };
    check_fits(&memory, memory_limit_bytes, config_file)?;
    Ok(Preflight {
        data,
        circuits,
        memory,
    })
}
