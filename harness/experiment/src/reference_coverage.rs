//! A reference is only as good as it is complete: every run that the configs recorded in
//! its manifests plan must be there. A reference whose encrypted run directories were
//! deleted would otherwise compare only what is left, and pass.

use std::collections::{BTreeMap, BTreeSet};

use crate::compare::RunKey;
use crate::config::ExperimentConfig;
use crate::manifest::RunManifest;
use crate::plan::plan_runs;

/// One line per planned run the reference lacks, or per manifest whose recorded config
/// cannot be read back.
pub fn missing_reference_runs(refs: &BTreeMap<String, RunManifest>) -> Vec<String> {
    let present: BTreeSet<RunKey> = refs.values().map(RunKey::of).collect();
    let mut problems = Vec::new();
    let mut seen_configs = BTreeSet::new();
    for m in refs.values() {
        if !seen_configs.insert(m.config_hash.clone()) {
            continue;
        }
        let config: ExperimentConfig = match serde_json::from_value(m.config.clone()) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!(
                    "reference run {}: its recorded config cannot be read ({e}); regenerate the reference",
                    m.run_id
                ));
                continue;
            }
        };
        for run in plan_runs(&config) {
            let key = RunKey {
                model: run.model.name().to_string(),
                setting: run.setting,
                threads: run.threads,
                repetition: run.repetition,
            };
            if !present.contains(&key) {
                problems.push(format!(
                    "reference is incomplete: its config (recorded in {}) plans {key}, which has no run in the reference",
                    m.run_id
                ));
            }
        }
    }
    problems
}
