//! Regression check: compare an experiment's results with a committed reference.
//!
//! Runs are matched by (model, execution setting, threads, repetition), not by run id: ids
//! carry a hash of the whole run identity, which legitimately changes when the harness
//! records more (a reference written before settings existed counts as `full`).
//!
//! Every reference run needs a current run with the same status (a failed run never
//! passes), and every compared figure must be present on both sides (see
//! `compare_figures.rs`): deterministic figures (depth, op counts, bytes, CKKS parameters,
//! upload ciphertexts) match exactly, test metrics within a tolerance (CKKS noise differs
//! with the keys). Extra current runs are reported; a failed one fails the check. Times are
//! reported as ratios and never fail the check: machines are shared and noisy.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::compare_figures::PairCheck;
pub use crate::compare_figures::METRIC_TOLERANCE;
use crate::config::{ExecutionSetting, ModelKind};
use crate::manifest::{RunManifest, RunStatus};
use crate::reference_coverage::missing_reference_runs;

/// Result of a comparison.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Regressions: each one line naming the run and the figure.
    pub failures: Vec<String>,
    /// Informational lines (time ratios, matches).
    pub notes: Vec<String>,
}

impl Comparison {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Reads every `runs/*/manifest.json` under an experiment directory, keyed by run id.
pub fn load_manifests(experiment_dir: &Path) -> Result<BTreeMap<String, RunManifest>> {
    let runs = experiment_dir.join("runs");
    let mut out = BTreeMap::new();
    let entries =
        std::fs::read_dir(&runs).with_context(|| format!("listing {}", runs.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", runs.display()))?
            .path()
            .join("manifest.json");
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let m: RunManifest =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        out.insert(m.run_id.clone(), m);
    }
    Ok(out)
}

/// Compares `current` with `reference` (both experiment directories).
pub fn compare_dirs(current: &Path, reference: &Path) -> Result<Comparison> {
    let cur = load_manifests(current)?;
    let refs = load_manifests(reference)?;
    if refs.is_empty() {
        anyhow::bail!("{}: no reference runs found", reference.display());
    }
    Ok(compare(&cur, &refs))
}

/// What pairs a current run with a reference run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunKey {
    pub model: String,
    pub setting: Option<ExecutionSetting>,
    pub threads: usize,
    pub repetition: usize,
}

impl RunKey {
    pub fn of(m: &RunManifest) -> Self {
        RunKey {
            model: m.model.clone(),
            setting: m.effective_setting(),
            threads: m.threads,
            repetition: m.repetition,
        }
    }
}

impl std::fmt::Display for RunKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.model)?;
        if let Some(s) = self.setting {
            write!(f, " setting={s}")?;
        }
        write!(f, " threads={} rep={}", self.threads, self.repetition)
    }
}

/// Manifests keyed by [`RunKey`]; of several with one key (a results folder reused after a
/// config change keeps the older runs), the last finished wins.
fn by_key(runs: &BTreeMap<String, RunManifest>) -> BTreeMap<RunKey, &RunManifest> {
    let mut out: BTreeMap<RunKey, &RunManifest> = BTreeMap::new();
    for m in runs.values() {
        let slot = out.entry(RunKey::of(m)).or_insert(m);
        if m.finished_unix_s > slot.finished_unix_s {
            *slot = m;
        }
    }
    out
}

/// Pairs every reference run with the current run of the same key and checks each pair:
/// same status (a failed run never matches, not even a failed reference), every figure
/// present on both sides and equal. Extra current runs are noted, and fail when failed.
pub fn compare(
    cur: &BTreeMap<String, RunManifest>,
    refs: &BTreeMap<String, RunManifest>,
) -> Comparison {
    let mut c = Comparison {
        failures: missing_reference_runs(refs),
        notes: Vec::new(),
    };
    let cur = by_key(cur);
    let refs = by_key(refs);
    for (key, r) in &refs {
        let id = format!("{key} (reference {})", r.run_id);
        let Some(&m) = cur.get(key) else {
            c.failures
                .push(format!("{id}: missing from the current results"));
            continue;
        };
        match (m.status, r.status) {
            (RunStatus::Ok, RunStatus::Ok) => {}
            (now, was) => {
                c.failures.push(format!(
                    "{id}: status {} (reference: {}); only finished runs are compared",
                    status_name(now),
                    status_name(was)
                ));
                continue;
            }
        }
        let mut check = PairCheck {
            id: &id,
            failures: &mut c.failures,
        };
        check.security(m, r);
        check.metrics(m, r);
        match ModelKind::from_name(&key.model) {
            Some(model) if model.is_encrypted() => check.encrypted(m, r),
            Some(_) => {}
            None => c
                .failures
                .push(format!("{id}: unknown model {:?}", key.model)),
        }
        if let (Some(now), Some(was)) = (m.phases.train_wall_s, r.phases.train_wall_s) {
            if was > 0.0 {
                c.notes.push(format!(
                    "{id}: train {now:.3} s vs reference {was:.3} s (ratio {:.2}; informational)",
                    now / was
                ));
            }
        }
    }
    for (key, m) in &cur {
        if refs.contains_key(key) {
            continue;
        }
        let what = format!("{key} ({}): not in the reference", m.run_id);
        if m.status == RunStatus::Ok {
            c.notes.push(format!("{what}; not compared"));
        } else {
            c.failures.push(format!("{what}, and it failed"));
        }
    }
    c
}

fn status_name(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Ok => "ok",
        RunStatus::Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ExperimentConfig;
    use crate::manifest::*;
    use crate::plan::{config_hash, plan_runs};

    const CONFIG: &str = "version: 1\nexperiment: e\ndataset: { source: idx, dir: d }\n\
        training: { minibatch_size: 8, iterations: 2, seed: 1 }\n\
        models: [plaintext-cubic, helr-ckks]\n\
        ckks: { security: insecure-test-only, log_n: 12 }\n";

    fn ckks_facts() -> CkksFacts {
        CkksFacts {
            security: "insecure-test-only".into(),
            log_n: 12,
            levels: 10,
            dnum: 2,
            log_scale: 40,
            first_prime_bits: 43,
            log_qp: 743.0,
            galois_keys: 11,
            minibatches_per_round: 2,
            rounds: 1,
            upload_ciphertexts: 34,
        }
    }

    /// Every planned run of CONFIG + `extra`, finished, with every compared figure filled.
    fn experiment(extra: &str) -> BTreeMap<String, RunManifest> {
        let text = format!("{CONFIG}{extra}");
        let config = ExperimentConfig::parse(&text, Path::new("t.yaml")).expect("valid");
        let metrics = TestMetrics {
            accuracy: 0.9,
            auc: 0.9,
            log_loss: 0.3,
        };
        plan_runs(&config)
            .into_iter()
            .map(|run| {
                let mut m = crate::test_manifests::manifest(run.model.name(), run.threads, 1);
                m.run_id = run.run_id.clone();
                m.repetition = run.repetition;
                m.setting = run.setting;
                m.config = serde_json::to_value(&config).expect("config");
                m.config_hash = config_hash(&config);
                m.security =
                    Some(crate::security::security_label(run.model, &config.ckks).to_string());
                if run.model.is_encrypted() {
                    m.ckks = Some(ckks_facts());
                    m.reference = Some(ReferenceComparison {
                        cubic: metrics,
                        exact: metrics,
                        max_abs_w_error: 1e-5,
                    });
                } else {
                    m.circuit = CircuitFacts::default();
                    m.bandwidth = Bandwidth::default();
                }
                (m.run_id.clone(), m)
            })
            .collect()
    }

    /// The run of `model` in a map from [`experiment`].
    fn run_of<'a>(runs: &'a mut BTreeMap<String, RunManifest>, model: &str) -> &'a mut RunManifest {
        runs.values_mut()
            .find(|m| m.model == model)
            .expect("model in the experiment")
    }

    #[test]
    fn identical_results_pass() {
        let a = experiment("");
        let c = compare(&a, &a);
        assert!(c.passed(), "{:?}", c.failures);
    }

    #[test]
    fn depth_change_and_accuracy_drop_fail() {
        let refs = experiment("");
        let mut cur = experiment("");
        let helr = run_of(&mut cur, "helr-ckks");
        helr.circuit.depth = Some(16);
        helr.final_metrics = helr
            .final_metrics
            .map(|m| TestMetrics { accuracy: 0.8, ..m });
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 2, "{:?}", c.failures);
        assert!(
            c.failures[0].contains("accuracy 0.8000"),
            "{:?}",
            c.failures
        );
        assert!(
            c.failures[1].contains("depth is 16, reference 15"),
            "{:?}",
            c.failures
        );
    }

    #[test]
    fn missing_run_fails_and_time_is_only_noted() {
        let refs = experiment("");
        let mut cur = experiment("");
        cur.retain(|_, m| m.model != "helr-ckks");
        run_of(&mut cur, "plaintext-cubic").phases.train_wall_s = Some(10.0);
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
        assert!(
            c.failures[0].starts_with(
                "helr-ckks setting=full threads=1 rep=1 (reference helr-ckks-full-t1-r1-"
            ),
            "{:?}",
            c.failures
        );
        assert!(c.failures[0].ends_with("missing from the current results"));
        assert!(c.notes[0].contains("ratio 10.00"), "{:?}", c.notes);
    }

    #[test]
    fn a_reference_with_its_encrypted_runs_deleted_fails() {
        let mut refs = experiment("");
        refs.retain(|_, m| m.model != "helr-ckks");
        let mut cur = experiment("");
        let helr = run_of(&mut cur, "helr-ckks");
        helr.final_metrics = helr.final_metrics.map(|m| TestMetrics {
            accuracy: 0.10,
            ..m
        });
        let c = compare(&cur, &refs);
        assert!(!c.passed());
        assert!(
            c.failures[0].starts_with(
                "reference is incomplete: its config (recorded in plaintext-cubic-t1-r1-"
            ),
            "{:?}",
            c.failures
        );
        assert!(c.failures[0].ends_with(
            "plans helr-ckks setting=full threads=1 rep=1, which has no run in the reference"
        ));
    }

    #[test]
    fn a_reference_without_metrics_or_reference_figures_fails() {
        let mut refs = experiment("");
        let helr = run_of(&mut refs, "helr-ckks");
        helr.final_metrics = None;
        helr.reference = None;
        let mut cur = experiment("");
        let helr = run_of(&mut cur, "helr-ckks");
        helr.final_metrics = helr.final_metrics.map(|m| TestMetrics {
            accuracy: 0.10,
            ..m
        });
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 2, "{:?}", c.failures);
        assert!(c.failures[0].ends_with("final_metrics is missing from the reference run (written by an older lowdepth?): regenerate the reference"));
        assert!(
            c.failures[1].contains("reference.max_abs_w_error is missing from the reference run")
        );
    }

    #[test]
    fn every_ckks_parameter_and_the_upload_count_must_match() {
        let refs = experiment("");
        type Change = fn(&mut CkksFacts);
        let changes: [(&str, Change); 6] = [
            ("ckks.security", |k| k.security = "bits128".into()),
            ("ckks.log_qp", |k| k.log_qp += 1.0),
            ("ckks.log_scale", |k| k.log_scale = 41),
            ("ckks.rounds", |k| k.rounds = 2),
            ("ckks.galois_keys", |k| k.galois_keys = 12),
            ("ckks.upload_ciphertexts", |k| k.upload_ciphertexts = 35),
        ];
        for (what, change) in changes {
            let mut cur = experiment("");
            if let Some(k) = run_of(&mut cur, "helr-ckks").ckks.as_mut() {
                change(k);
            }
            let c = compare(&cur, &refs);
            assert_eq!(c.failures.len(), 1, "{what}: {:?}", c.failures);
            assert!(
                c.failures[0].contains(&format!(": {what} is ")),
                "{:?}",
                c.failures
            );
        }
    }

    #[test]
    fn a_changed_or_missing_security_label_fails() {
        let refs = experiment("");
        let mut cur = experiment("");
        run_of(&mut cur, "helr-ckks").security = Some("bits128".into());
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
        assert!(
            c.failures[0]
                .ends_with("security is \"bits128\", reference \"INSECURE: test-size ring\""),
            "{:?}",
            c.failures
        );
        let mut old = experiment("");
        run_of(&mut old, "helr-ckks").security = None;
        let c = compare(&experiment(""), &old);
        assert!(
            c.failures[0].ends_with("security is missing from the reference run (written by an older lowdepth?): regenerate the reference"),
            "{:?}",
            c.failures
        );
    }

    #[test]
    fn extra_current_runs_are_reported_and_fail_when_failed() {
        let refs = experiment("");
        let mut cur = experiment("threads: [1, 2]\n");
        let c = compare(&cur, &refs);
        assert!(c.passed(), "{:?}", c.failures);
        assert!(
            c.notes.iter().any(|n| n.contains("threads=2 rep=1 (")
                && n.ends_with("not in the reference; not compared")),
            "{:?}",
            c.notes
        );
        for m in cur
            .values_mut()
            .filter(|m| m.threads == 2 && m.model == "helr-ckks")
        {
            m.status = RunStatus::Failed;
        }
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
        assert!(c.failures[0].ends_with("not in the reference, and it failed"));
    }

    #[test]
    fn a_run_failed_on_both_sides_fails_and_says_so() {
        let mut refs = experiment("");
        run_of(&mut refs, "helr-ckks").status = RunStatus::Failed;
        let mut cur = experiment("");
        run_of(&mut cur, "helr-ckks").status = RunStatus::Failed;
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
        assert!(
            c.failures[0]
                .ends_with("status failed (reference: failed); only finished runs are compared"),
            "{:?}",
            c.failures
        );
    }

    #[test]
    fn runs_are_matched_by_setting_not_id() {
        use ExecutionSetting::Paper;
        // A reference without a setting is the current `full` run, whatever the ids.
        let mut refs = experiment("");
        for m in refs.values_mut() {
            m.setting = None;
            m.run_id = format!("{}-old", m.model);
        }
        let refs: BTreeMap<_, _> = refs.into_values().map(|m| (m.run_id.clone(), m)).collect();
        let mut cur = experiment("settings: [paper, full]\n");
        for m in cur.values_mut().filter(|m| m.setting == Some(Paper)) {
            m.circuit.depth = Some(99);
        }
        let c = compare(&cur, &refs);
        assert!(c.passed(), "{:?}", c.failures);
        // The paper run (depth 99) is what a paper reference is compared with.
        let refs = experiment("settings: [paper, full]\n");
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
        assert!(
            c.failures[0]
                .starts_with("helr-ckks setting=paper threads=1 rep=1 (reference helr-ckks-paper-"),
            "{:?}",
            c.failures
        );
        assert!(c.failures[0].ends_with("depth is 99, reference 15"));
        // Only full runs: the paper reference is missing.
        cur.retain(|_, m| m.setting != Some(Paper));
        let c = compare(&cur, &refs);
        assert!(c.failures[0].contains("missing"), "{:?}", c.failures);
    }
}
