//! Planning: expand a validated config into runs, each with a stable id derived from a hash.
//!
//! The run id comes from the hash of everything that changes the run's numbers, never from
//! argument strings, so ids stay short and a changed config never reuses an old result.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{
    CkksConfig, DatasetConfig, ExecutionSetting, ExperimentConfig, ModelKind, TrainingConfig,
};

/// One run: a model, a thread count, an execution setting (encrypted models) and a
/// repetition index, under the experiment's settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSpec {
    pub run_id: String,
    pub model: ModelKind,
    /// `Some` for encrypted models, `None` for plaintext ones (they have no such choice).
    pub setting: Option<ExecutionSetting>,
    pub threads: usize,
    /// 1-based repetition index.
    pub repetition: usize,
    /// sha256 (hex) of the run's resolved settings.
    pub run_hash: String,
}

/// The settings that determine a run's numbers (hashed into its id).
#[derive(Serialize)]
struct RunIdentity<'a> {
    schema_version: u32,
    dataset: &'a DatasetConfig,
    training: &'a TrainingConfig,
    /// Only for encrypted models (plaintext runs do not depend on it).
    ckks: Option<&'a CkksConfig>,
    model: ModelKind,
    /// Absent for plaintext models, so their hashes (and ids) did not change with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    setting: Option<ExecutionSetting>,
    threads: usize,
    repetition: usize,
}

impl RunSpec {
    /// How progress lines name the run.
    pub fn describe(&self) -> String {
        let setting = self
            .setting
            .map(|s| format!(" setting={s}"))
            .unwrap_or_default();
        format!(
            "{}{setting} threads={} rep={}",
            self.model, self.threads, self.repetition
        )
    }
}

/// sha256 (hex) of the canonical JSON form of a value.
pub fn sha256_json<T: Serialize>(value: &T) -> String {
    // Serializing our own plain structs to JSON cannot fail.
    let json = serde_json::to_vec(value).unwrap_or_default();
    hex(&Sha256::digest(&json))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The config's hash, recorded in every manifest.
pub fn config_hash(config: &ExperimentConfig) -> String {
    sha256_json(config)
}

/// All runs of a config, in execution order: repetition, then threads, then setting, then
/// model, so that the models being compared run side by side (machine noise then hits them
/// alike). Plaintext models run once per (threads, repetition), with the first setting.
pub fn plan_runs(config: &ExperimentConfig) -> Vec<RunSpec> {
    let mut runs = Vec::new();
    for repetition in 1..=config.repetitions {
        for &threads in &config.threads {
            for (i, &setting) in config.settings.iter().enumerate() {
                for &model in &config.models {
                    let setting = if model.is_encrypted() {
                        Some(setting)
                    } else if i == 0 {
                        None
                    } else {
                        continue;
                    };
                    runs.push(run_spec(config, model, setting, threads, repetition));
                }
            }
        }
    }
    runs
}

fn run_spec(
    config: &ExperimentConfig,
    model: ModelKind,
    setting: Option<ExecutionSetting>,
    threads: usize,
    repetition: usize,
) -> RunSpec {
    let identity = RunIdentity {
        schema_version: config.version,
        dataset: &config.dataset,
        training: &config.training,
        ckks: model.is_encrypted().then_some(&config.ckks),
        model,
        setting,
        threads,
        repetition,
    };
    let run_hash = sha256_json(&identity);
    let setting_part = setting.map(|s| format!("-{s}")).unwrap_or_default();
    let run_id = format!(
        "{}{setting_part}-t{threads}-r{repetition}-{}",
        model.name(),
        &run_hash[..10]
    );
    RunSpec {
        run_id,
        model,
        setting,
        threads,
        repetition,
        run_hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(extra: &str) -> ExperimentConfig {
        let text = format!(
            "version: 1\nexperiment: e\ndataset: {{ source: idx, dir: d }}\n\
             training: {{ minibatch_size: 8, iterations: 2, seed: 5 }}\n\
             models: [plaintext-cubic, plaintext-exact]\nthreads: [1, 2]\nrepetitions: 2\n{extra}"
        );
        ExperimentConfig::parse(&text, Path::new("t.yaml")).expect("valid")
    }

    #[test]
    fn expands_the_cross_product_with_distinct_ids() {
        let runs = plan_runs(&config(""));
        assert_eq!(runs.len(), 8);
        let ids: std::collections::BTreeSet<_> = runs.iter().map(|r| r.run_id.clone()).collect();
        assert_eq!(ids.len(), 8);
        assert!(runs[0].run_id.starts_with("plaintext-cubic-t1-r1-"));
    }

    #[test]
    fn ids_ignore_description_but_follow_the_seed() {
        let a = plan_runs(&config(""));
        let b = plan_runs(&config("description: words\n"));
        assert_eq!(a, b);
        let mut c = config("");
        c.training.seed = 6;
        assert_ne!(plan_runs(&c)[0].run_id, a[0].run_id);
    }

    #[test]
    fn encrypted_runs_carry_their_setting_in_id_and_hash() {
        let mut c = config("settings: [paper, full]\n");
        c.models = vec![
            ModelKind::PlaintextCubic,
            ModelKind::HelrCkks,
            ModelKind::LowdepthCkks,
        ];
        let runs = plan_runs(&c);
        // Per (repetition, threads): 1 plaintext + 2 circuits x 2 settings.
        assert_eq!(runs.len(), 2 * 2 * 5);
        let first: Vec<_> = runs[..5].iter().map(|r| r.describe()).collect();
        assert_eq!(
            first,
            [
                "plaintext-cubic threads=1 rep=1",
                "helr-ckks setting=paper threads=1 rep=1",
                "lowdepth-ckks setting=paper threads=1 rep=1",
                "helr-ckks setting=full threads=1 rep=1",
                "lowdepth-ckks setting=full threads=1 rep=1",
            ]
        );
        assert!(runs[0].run_id.starts_with("plaintext-cubic-t1-r1-"));
        assert_eq!(runs[0].setting, None);
        assert!(runs[1].run_id.starts_with("helr-ckks-paper-t1-r1-"));
        assert!(runs[3].run_id.starts_with("helr-ckks-full-t1-r1-"));
        assert_ne!(runs[1].run_hash[..10], runs[3].run_hash[..10]);
        let ids: std::collections::BTreeSet<_> = runs.iter().map(|r| r.run_id.clone()).collect();
        assert_eq!(ids.len(), runs.len());
    }

    #[test]
    fn plaintext_ids_do_not_depend_on_settings() {
        let a = plan_runs(&config(""));
        let b = plan_runs(&config("settings: [paper, full]\n"));
        assert_eq!(a, b);
    }
}
