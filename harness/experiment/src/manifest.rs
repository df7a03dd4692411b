//! The run record: one `manifest.json` per run, written atomically when the run ends.
//!
//! Fields that later capabilities fill (encryption phases, bytes, circuit depth) exist now
//! as optional values so that every run of every kind has one shape.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::{ExecutionSetting, ExperimentConfig, ModelKind};
use crate::machine::{MachineInfo, SoftwareVersions};
use crate::plan::RunSpec;

/// Outcome of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Ok,
    Failed,
}

/// Wall time of each phase of a run, in seconds. Plaintext runs only have `train_wall_s`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    pub keygen_wall_s: Option<f64>,
    pub encrypt_wall_s: Option<f64>,
    pub train_wall_s: Option<f64>,
    pub decrypt_wall_s: Option<f64>,
}

/// Bytes crossing between customer and server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bandwidth {
    /// Serialized encrypted data, as uploaded (seeded form where it applies).
    pub upload_data_bytes: Option<u64>,
    /// Serialized evaluation keys (relinearization and Galois).
    pub upload_keys_bytes: Option<u64>,
    /// Serialized encrypted model sent back.
    pub download_model_bytes: Option<u64>,
}

/// What the tracer says of a circuit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CircuitFacts {
    pub depth: Option<u32>,
    /// Operation counts by kind, e.g. `ct_ct_mul`, `rotation`.
    pub op_counts: BTreeMap<String, u64>,
}

/// The CKKS parameters an encrypted run used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CkksFacts {
    /// `bits128` or `insecure-test-only`.
    pub security: String,
    pub log_n: u32,
    pub levels: usize,
    pub dnum: usize,
    pub log_scale: u32,
    pub first_prime_bits: u32,
    pub log_qp: f64,
    pub galois_keys: usize,
    /// Minibatches per circuit application.
    pub minibatches_per_round: usize,
    pub rounds: usize,
    pub upload_ciphertexts: u64,
}

/// How the decrypted model compares with the plaintext references trained on the same
/// minibatches for the same number of iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceComparison {
    /// Reference (a): the same algorithm and cubic in f64.
    pub cubic: TestMetrics,
    /// Reference (b): the exact sigmoid on the same minibatches.
    pub exact: TestMetrics,
    /// max_i |w_encrypted[i] - w_cubic_f64[i]|.
    pub max_abs_w_error: f64,
}

/// Predicted training time (all rounds) of this run's circuit on `cores` cores under one
/// execution setting, from the calibrated cost model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionPoint {
    pub setting: ExecutionSetting,
    pub cores: usize,
    pub predicted_s: f64,
}

/// What bounds the speedup of a circuit under one setting: `work_s` is the total op time on
/// one core, `span_s` the critical path under that setting's op times, and
/// `max_parallelism` = work / span, the most cores the circuit can keep busy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionBounds {
    pub setting: ExecutionSetting,
    pub work_s: f64,
    pub span_s: f64,
    pub max_parallelism: f64,
}

/// Manifests written before execution settings hold projection points of another shape;
/// they are dropped when read (they cannot be attributed to a setting).
fn current_projection_points<'de, D>(d: D) -> Result<Vec<ProjectionPoint>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Current(ProjectionPoint),
        Legacy(serde::de::IgnoredAny),
    }
    let entries = Vec::<Entry>::deserialize(d)?;
    Ok(entries
        .into_iter()
        .filter_map(|e| match e {
            Entry::Current(p) => Some(p),
            Entry::Legacy(_) => None,
        })
        .collect())
}

/// Metrics of a model on the test set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestMetrics {
    pub accuracy: f64,
    pub auc: f64,
    pub log_loss: f64,
}

impl From<&lowdepth_plaintext::Evaluation> for TestMetrics {
    /// AUC is NaN when undefined (a test set with one class).
    fn from(e: &lowdepth_plaintext::Evaluation) -> Self {
        TestMetrics {
            accuracy: e.accuracy,
            auc: e.auc.unwrap_or(f64::NAN),
            log_loss: e.log_loss,
        }
    }
}

/// Everything needed to interpret and reproduce one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    pub run_id: String,
    pub experiment: String,
    pub status: RunStatus,
    /// The error chain when `status` is failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub model: String,
    /// Encrypted runs: the execution setting. Absent in plaintext runs and in manifests
    /// written before settings existed (those ran as `full`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<ExecutionSetting>,
    pub threads: usize,
    pub repetition: usize,
    /// `plaintext`, `bits128`, or a label starting with `INSECURE` (see `security.rs`).
    /// Absent in manifests written before labels existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<String>,
    pub seed: u64,
    pub run_hash: String,
    pub config_hash: String,
    /// The resolved config (defaults filled in), exactly what was run.
    pub config: serde_json::Value,
    pub machine: MachineInfo,
    pub versions: SoftwareVersions,
    pub started_unix_s: u64,
    pub finished_unix_s: u64,
    pub phases: PhaseTimes,
    pub bandwidth: Bandwidth,
    pub circuit: CircuitFacts,
    /// Metrics of the final model (after the last iteration).
    pub final_metrics: Option<TestMetrics>,
    /// Encrypted runs: the CKKS parameters used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ckks: Option<CkksFacts>,
    /// Encrypted runs: agreement with the plaintext references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<ReferenceComparison>,
    /// Peak resident memory of the process during the run (VmHWM after a reset). The
    /// `lowdepth` binary's allocator keeps freed memory, so after the first encrypted run of
    /// a process this includes memory retained from earlier runs (an upper bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
    /// Encrypted runs: predicted training time for both settings on 1..64 cores.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "current_projection_points"
    )]
    pub projection: Vec<ProjectionPoint>,
    /// Encrypted runs: work, span and maximum parallelism per setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projection_bounds: Vec<ProjectionBounds>,
    /// Encrypted runs: the dataflow executor's report of the (last) round: tasks, peak
    /// stored bytes, waits on the memory budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<lowdepth_toolkit::dataflow::ExecutionReport>,
    /// Encrypted runs: the calibrated intra-op scaling law of each task kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scaling_laws: Vec<lowdepth_toolkit::costs::ScalingLaw>,
    /// Encrypted runs: the calibrated slowdown of each task kind when several run at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contention: Vec<lowdepth_toolkit::costs::Contention>,
    /// Encrypted runs: wall time of the task-cost calibration (once per process, circuit
    /// and parameters; runs that reused it repeat the figure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_wall_s: Option<f64>,
    /// Encrypted runs: one round's work per task kind at the calibrated single-thread
    /// costs (beside `execution.by_kind`, the measured time per kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calibrated_by_kind: Vec<lowdepth_toolkit::dataflow::KindTime>,
    /// Name of the raw per-iteration samples file next to this manifest.
    pub samples_file: String,
}

impl RunManifest {
    /// The setting the run executed in: its own, or `full` for an encrypted run recorded
    /// before settings existed (the engine then always parallelised inside ops); `None` for
    /// plaintext runs.
    pub fn effective_setting(&self) -> Option<ExecutionSetting> {
        self.setting.or_else(|| {
            ModelKind::from_name(&self.model)
                .filter(|m| m.is_encrypted())
                .map(|_| ExecutionSetting::Full)
        })
    }

    /// The run's prediction for `setting` on `cores` cores, if it made one.
    pub fn predicted_s(&self, setting: ExecutionSetting, cores: usize) -> Option<f64> {
        self.projection
            .iter()
            .find(|p| p.setting == setting && p.cores == cores)
            .map(|p| p.predicted_s)
    }

    /// The run's work/span bounds for `setting`, if recorded.
    pub fn bounds(&self, setting: ExecutionSetting) -> Option<&ProjectionBounds> {
        self.projection_bounds.iter().find(|b| b.setting == setting)
    }

    /// A manifest for `run`, filled with the run-independent fields; the runner completes it.
    pub fn start(
        run: &RunSpec,
        config: &ExperimentConfig,
        config_hash: &str,
        machine: &MachineInfo,
        versions: &SoftwareVersions,
    ) -> Self {
        RunManifest {
            run_id: run.run_id.clone(),
            experiment: config.experiment.clone(),
            status: RunStatus::Failed,
            error: None,
            model: run.model.name().to_string(),
            setting: run.setting,
            threads: run.threads,
            repetition: run.repetition,
            security: Some(crate::security::security_label(run.model, &config.ckks).to_string()),
            seed: config.training.seed,
            run_hash: run.run_hash.clone(),
            config_hash: config_hash.to_string(),
            config: serde_json::to_value(config).unwrap_or(serde_json::Value::Null),
            machine: machine.clone(),
            versions: versions.clone(),
            started_unix_s: crate::machine::unix_now(),
            finished_unix_s: 0,
            phases: PhaseTimes::default(),
            bandwidth: Bandwidth::default(),
            circuit: CircuitFacts::default(),
            final_metrics: None,
            ckks: None,
            reference: None,
            peak_rss_bytes: None,
            projection: Vec::new(),
            projection_bounds: Vec::new(),
            execution: None,
            scaling_laws: Vec::new(),
            contention: Vec::new(),
            calibration_wall_s: None,
            calibrated_by_kind: Vec::new(),
            samples_file: crate::layout::SAMPLES_FILE.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_projection_points_are_dropped_and_new_ones_kept() {
        let legacy =
            serde_json::json!([{"cores": 1, "list_schedule_s": 6.0, "brent_upper_s": 7.0}]);
        let current = serde_json::json!([{"setting": "paper", "cores": 2, "predicted_s": 3.0}]);
        #[derive(Deserialize)]
        struct Holder {
            #[serde(deserialize_with = "current_projection_points")]
            p: Vec<ProjectionPoint>,
        }
        let h: Holder = serde_json::from_value(serde_json::json!({ "p": legacy })).expect("legacy");
        assert!(h.p.is_empty());
        let h: Holder =
            serde_json::from_value(serde_json::json!({ "p": current })).expect("current");
        assert_eq!(
            h.p,
            [ProjectionPoint {
                setting: ExecutionSetting::Paper,
                cores: 2,
                predicted_s: 3.0
            }]
        );
    }
}
