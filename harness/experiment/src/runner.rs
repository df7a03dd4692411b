//! Running an experiment: every planned run, each in its own thread pool, each recorded
//! atomically; finished runs are skipped unless forced; tables and figures rebuilt at the end.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::atomic::{remove_leftover_temps, write_atomic};
use crate::config::ExperimentConfig;
use crate::dataset::PreparedData;
use crate::layout::ExperimentLayout;
use crate::machine::{unix_now, MachineInfo, SoftwareVersions};
use crate::manifest::{RunManifest, RunStatus};
use crate::models::execute;
use crate::plan::{config_hash, plan_runs, RunSpec};
use crate::preflight::preflight;
use crate::progress::Progress;
use crate::results_lock::ResultsLock;
use crate::samples::{csv_bytes, to_frame};
use crate::summary::{load_runs, write_tables};

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Root of all results; the experiment writes to `<results_dir>/<experiment>/`.
    pub results_dir: PathBuf,
    /// Re-run runs that already finished.
    pub force: bool,
    /// The config file's path, for error messages and the record.
    pub config_file: PathBuf,
    /// Refuse configs whose memory estimate exceeds this (`None`: not checked; the CLI's
    /// `--ignore-memory-estimate`). Default: this machine's memory.
    pub memory_limit_bytes: Option<u64>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            results_dir: PathBuf::from("results"),
            force: false,
            config_file: PathBuf::from("config.yaml"),
            memory_limit_bytes: crate::memory_estimate::machine_memory_bytes(),
        }
    }
}

/// What an invocation did.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub results_dir: PathBuf,
    pub finished: usize,
    pub skipped: usize,
    pub failed: Vec<String>,
    pub figures: Vec<PathBuf>,
}

/// Runs every run of `config`. Input problems (data files, parameters: everything
/// [`preflight`] checks, the same as `lowdepth check`) are reported before anything is
/// written; a failing run is recorded as failed and the sweep goes on.
pub fn run_experiment(config: &ExperimentConfig, options: &RunOptions) -> Result<RunReport> {
    let runs = plan_runs(config);
    let layout = ExperimentLayout::new(&options.results_dir, &config.experiment);
    let mut progress = Progress::new(runs.len());
    progress.note(&format!(
        "checking the config and loading data from {}",
        config.dataset.dir.display()
    ));
    let checked = preflight(config, &options.config_file, options.memory_limit_bytes)?;
    if let Some(warning) = crate::security::insecure_warning(config) {
        eprintln!("{warning}");
    }
    let data = &checked.data;

    // Nothing was written before this point; from here on this invocation owns the directory.
    let _lock = ResultsLock::acquire(&layout.root)?;
    let leftovers = remove_leftover_temps(&layout.root)?;
    if leftovers > 0 {
        progress.note(&format!(
            "removed {leftovers} temporary file(s) an interrupted run left in {}",
            layout.root.display()
        ));
    }

    let pending: Vec<&RunSpec> = runs
        .iter()
        .filter(|r| options.force || !is_finished(&layout, &r.run_id))
        .collect();

    let hash = config_hash(config);
    let machine = MachineInfo::detect();
    let versions = SoftwareVersions::detect();
    let resolved = serde_yaml_ng::to_string(config).context("serializing the resolved config")?;
    write_atomic(&layout.config_file(), resolved.as_bytes())?;

    let (mut finished, mut skipped, mut failed) = (0, 0, Vec::new());
    for run in &runs {
        let what = run.describe();
        if !pending.iter().any(|p| p.run_id == run.run_id) {
            skipped += 1;
            progress.finish_one(&what, "already done (use --force to redo)");
            continue;
        }
        progress.start(&what);
        let mut manifest = RunManifest::start(run, config, &hash, &machine, &versions);
        match execute_in_pool(run, data, config) {
            Ok(outcome) => {
                let samples_csv = csv_bytes(&mut to_frame(&outcome.samples)?)?;
                write_atomic(&layout.samples(&run.run_id), &samples_csv)?;
                manifest.status = RunStatus::Ok;
                manifest.final_metrics = outcome.final_metrics();
                manifest.phases = outcome.phases.clone();
                manifest.bandwidth = outcome.bandwidth.clone();
                manifest.circuit = outcome.circuit.clone();
                if let Some(x) = &outcome.encrypted {
                    manifest.ckks = Some(x.ckks.clone());
                    manifest.reference = Some(x.reference.clone());
                    manifest.peak_rss_bytes = x.peak_rss_bytes;
                    manifest.projection = x.projection.clone();
                    manifest.projection_bounds = x.projection_bounds.clone();
                    manifest.execution = x.execution.clone();
                    manifest.scaling_laws = x.scaling_laws.clone();
                    manifest.contention = x.contention.clone();
                    manifest.calibration_wall_s = Some(x.calibration_wall_s);
                    manifest.calibrated_by_kind = x.calibrated_by_kind.clone();
                }
                let m = outcome.final_metrics();
                let summary = match (m, outcome.phases.train_wall_s) {
                    (Some(m), Some(t)) => format!(
                        "accuracy {:.4}, AUC {:.4}, train {:.3} s",
                        m.accuracy, m.auc, t
                    ),
                    _ => "done".to_string(),
                };
                finished += 1;
                progress.finish_one(&what, &summary);
            }
            Err(e) => {
                manifest.error = Some(format!("{e:#}"));
                failed.push(run.run_id.clone());
                progress.finish_one(&what, &format!("FAILED: {e:#}"));
            }
        }
        manifest.finished_unix_s = unix_now();
        // The manifest is written last: its presence with status ok marks a finished run.
        let json = serde_json::to_vec_pretty(&manifest).context("serializing manifest")?;
        write_atomic(&layout.manifest(&run.run_id), &json)?;
    }
    progress.finish();

    let ok_ids: Vec<String> = runs
        .iter()
        .filter(|r| is_finished(&layout, &r.run_id))
        .map(|r| r.run_id.clone())
        .collect();
    let results = load_runs(&layout, &ok_ids)?;
    write_tables(&layout, &results)?;
    let mut figures = crate::figures::draw_training_curves(&results, &layout.figures_dir())?;
    figures.extend(crate::figures::draw_encrypted_figures(
        &results,
        &layout.figures_dir(),
    )?);
    if crate::report::write_report(&layout, &results)? {
        eprintln!("report: {}", layout.root.join("REPORT.md").display());
    }
    Ok(RunReport {
        results_dir: layout.root.clone(),
        finished,
        skipped,
        failed,
        figures,
    })
}

/// A run is finished when its manifest exists and says ok.
pub fn is_finished(layout: &ExperimentLayout, run_id: &str) -> bool {
    read_manifest(&layout.manifest(run_id))
        .map(|m| m.status == RunStatus::Ok && layout.samples(run_id).is_file())
        .unwrap_or(false)
}

fn read_manifest(path: &Path) -> Option<RunManifest> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

fn execute_in_pool(
    run: &RunSpec,
    data: &PreparedData,
    config: &ExperimentConfig,
) -> Result<crate::models::ModelOutcome> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(run.threads)
        .thread_name(|i| format!("lowdepth-worker-{i}"))
        .build()
        .with_context(|| format!("building a pool of {} threads", run.threads))?;
    pool.install(|| execute(run.model, run.setting, data, config))
}
