//! Regression check: compare an experiment's results with a committed reference.
//!
//! Runs are matched by (model, execution setting, threads, repetition), not by run id: ids
//! carry a hash of the whole run identity, which legitimately changes when the harness
//! records more (a reference written before settings existed counts as `full`).
//!
//! Deterministic figures must match: depth, op counts, bytes, CKKS parameters (exactly) and
//! test metrics (within a tolerance, since CKKS noise differs with the key seed). Times are
//! reported as ratios and never fail the check: machines are shared and noisy.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::config::ExecutionSetting;
use crate::manifest::{RunManifest, RunStatus};

/// Largest accepted change of accuracy or AUC (absolute).
pub const METRIC_TOLERANCE: f64 = 0.005;

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

pub fn compare(
    cur: &BTreeMap<String, RunManifest>,
    refs: &BTreeMap<String, RunManifest>,
) -> Comparison {
    let mut c = Comparison::default();
    let cur = by_key(cur);
    for (key, r) in by_key(refs) {
        let id = format!("{key} (reference {})", r.run_id);
        let Some(&m) = cur.get(&key) else {
            c.failures
                .push(format!("{id}: missing from the current results"));
            continue;
        };
        if m.status != RunStatus::Ok {
            c.failures
                .push(format!("{id}: status {:?} (reference: ok)", m.status));
            continue;
        }
        // A deterministic figure, read the same way from both manifests, must match exactly.
        let mut exact = |what: &str, field: &dyn Fn(&RunManifest) -> String| {
            let (now, was) = (field(m), field(r));
            if now != was {
                c.failures
                    .push(format!("{id}: {what} is {now}, reference {was}"));
            }
        };
        exact("depth", &|x| format!("{:?}", x.circuit.depth));
        exact("op counts", &|x| format!("{:?}", x.circuit.op_counts));
        exact("upload_data_bytes", &|x| {
            format!("{:?}", x.bandwidth.upload_data_bytes)
        });
        exact("upload_keys_bytes", &|x| {
            format!("{:?}", x.bandwidth.upload_keys_bytes)
        });
        exact("download_model_bytes", &|x| {
            format!("{:?}", x.bandwidth.download_model_bytes)
        });
        exact("CKKS parameters (log_n, levels, dnum, q0 bits)", &|x| {
            let params = x
                .ckks
                .as_ref()
                .map(|k| (k.log_n, k.levels, k.dnum, k.first_prime_bits));
            format!("{params:?}")
        });
        match (m.final_metrics, r.final_metrics) {
            (Some(a), Some(b)) => {
                for (name, now, was) in
                    [("accuracy", a.accuracy, b.accuracy), ("auc", a.auc, b.auc)]
                {
                    if (now - was).is_nan() || (now - was).abs() > METRIC_TOLERANCE {
                        c.failures.push(format!(
                            "{id}: {name} {now:.4} differs from reference {was:.4} by more than {METRIC_TOLERANCE}"
                        ));
                    }
                }
            }
            (None, Some(_)) => c.failures.push(format!("{id}: no final metrics")),
            _ => {}
        }
        if let (Some(a), Some(b)) = (&m.reference, &r.reference) {
            // CKKS noise may move, but not by orders of magnitude.
            let bound = (b.max_abs_w_error * 4.0).max(1e-6);
            if a.max_abs_w_error.is_nan() || a.max_abs_w_error > bound {
                c.failures.push(format!(
                    "{id}: max |w_enc - w_f64| {:.3e} exceeds 4x the reference {:.3e}",
                    a.max_abs_w_error, b.max_abs_w_error
                ));
            }
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
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::*;

    fn manifest(id: &str, depth: u32, accuracy: f64) -> RunManifest {
        let mut m = crate::test_manifests::manifest("m", 1, 1);
        m.run_id = id.to_string();
        m.circuit.depth = Some(depth);
        m.final_metrics = Some(TestMetrics {
            accuracy,
            auc: 0.9,
            log_loss: 0.3,
        });
        m
    }

    fn map(ms: Vec<RunManifest>) -> BTreeMap<String, RunManifest> {
        ms.into_iter().map(|m| (m.run_id.clone(), m)).collect()
    }

    #[test]
    fn identical_results_pass() {
        let a = map(vec![manifest("r1", 15, 0.9)]);
        assert!(compare(&a, &a).passed());
    }

    #[test]
    fn depth_change_and_accuracy_drop_fail() {
        let refs = map(vec![manifest("r1", 15, 0.9)]);
        let cur = map(vec![manifest("r1", 16, 0.8)]);
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 2, "{:?}", c.failures);
        assert!(c.failures[0].contains("depth"));
        assert!(c.failures[1].contains("accuracy"));
    }

    #[test]
    fn missing_run_fails_and_time_is_only_noted() {
        let mut other = manifest("r2", 15, 0.9);
        other.threads = 2;
        let refs = map(vec![manifest("r1", 15, 0.9), other]);
        let mut slow = manifest("r1", 15, 0.9);
        slow.phases.train_wall_s = Some(10.0);
        let c = compare(&map(vec![slow]), &refs);
        assert_eq!(
            c.failures,
            vec!["m threads=2 rep=1 (reference r2): missing from the current results".to_string()]
        );
        assert!(c.notes[0].contains("ratio 10.00"));
    }

    fn encrypted(id: &str, setting: Option<ExecutionSetting>, depth: u32) -> RunManifest {
        let mut m = manifest(id, depth, 0.9);
        m.model = "helr-ckks".into();
        m.setting = setting;
        m
    }

    #[test]
    fn runs_are_matched_by_setting_not_id() {
        use ExecutionSetting::{Full, Paper};
        // A reference without a setting is the current `full` run, whatever the ids.
        let refs = map(vec![encrypted("helr-ckks-t1-r1-old", None, 15)]);
        let cur = map(vec![
            encrypted("helr-ckks-paper-t1-r1-new", Some(Paper), 99),
            encrypted("helr-ckks-full-t1-r1-new", Some(Full), 15),
        ]);
        let c = compare(&cur, &refs);
        assert!(c.passed(), "{:?}", c.failures);
        // The paper run (depth 99) is what a paper reference is compared with.
        let refs = map(vec![encrypted("ref", Some(Paper), 15)]);
        let c = compare(&cur, &refs);
        assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
        assert!(
            c.failures[0].starts_with(
                "helr-ckks setting=paper threads=1 rep=1 (reference ref): depth is Some(99)"
            ),
            "{:?}",
            c.failures
        );
        // Only a full run: the paper reference is missing.
        let only_full = map(vec![encrypted("f", Some(Full), 15)]);
        let c = compare(&only_full, &refs);
        assert!(c.failures[0].contains("missing"), "{:?}", c.failures);
    }
}
