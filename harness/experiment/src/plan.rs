//! Planning: expand a validated config into runs, each with a stable id derived from a hash.
//!
//! The run id comes from the hash of everything that changes the run's numbers, never from
//! argument strings, so ids stay short and a changed config never reuses an old result.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{CkksConfig, DatasetConfig, ExperimentConfig, ModelKind, TrainingConfig};

/// One run: a model, a thread count and a repetition index, under the experiment's settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSpec {
    pub run_id: String,
    pub model: ModelKind,
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
    threads: usize,
    repetition: usize,
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

/// All runs of a config, in execution order: repetition, then threads, then model, so that
/// the models being compared run side by side (machine noise then hits them alike).
pub fn plan_runs(config: &ExperimentConfig) -> Vec<RunSpec> {
    let mut runs = Vec::new();
    for repetition in 1..=config.repetitions {
        for &threads in &config.threads {
            for &model in &config.models {
                let identity = RunIdentity {
                    schema_version: config.version,
                    dataset: &config.dataset,
                    training: &config.training,
                    ckks: model.is_encrypted().then_some(&config.ckks),
                    model,
                    threads,
                    repetition,
                };
                let run_hash = sha256_json(&identity);
                let run_id = format!(
                    "{}-t{}-r{}-{}",
                    model.name(),
                    threads,
                    repetition,
                    &run_hash[..10]
                );
                runs.push(RunSpec {
                    run_id,
                    model,
                    threads,
                    repetition,
                    run_hash,
                });
            }
        }
    }
    runs
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
}
