//! Where an experiment's files live under the results directory.
//!
//! ```text
//! <results>/<experiment>/
//!   .lock                     advisory lock of the invocation writing here (results_lock.rs)
//!   config.yaml               resolved config of the latest invocation
//!   runs/<run_id>/manifest.json   run record; written last, so it marks a finished run
//!   runs/<run_id>/samples.csv     raw per-iteration samples (the stable format)
//!   summary.csv               one row per run (derived)
//!   iterations.csv            one row per run and iteration (derived)
//!   projection.csv            predicted and measured time per circuit, setting, cores (derived)
//!   figures/*.png, *.svg      drawn from iterations.csv (derived)
//! ```

use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const SAMPLES_FILE: &str = "samples.csv";
pub const SUMMARY_FILE: &str = "summary.csv";
pub const ITERATIONS_FILE: &str = "iterations.csv";
pub const PROJECTION_FILE: &str = "projection.csv";

#[derive(Debug, Clone)]
pub struct ExperimentLayout {
    pub root: PathBuf,
}

impl ExperimentLayout {
    pub fn new(results_dir: &Path, experiment: &str) -> Self {
        ExperimentLayout {
            root: results_dir.join(experiment),
        }
    }
    pub fn config_file(&self) -> PathBuf {
        self.root.join("config.yaml")
    }
    pub fn run_dir(&self, run_id: &str) -> PathBuf {
        self.root.join("runs").join(run_id)
    }
    pub fn manifest(&self, run_id: &str) -> PathBuf {
        self.run_dir(run_id).join(MANIFEST_FILE)
    }
    pub fn samples(&self, run_id: &str) -> PathBuf {
        self.run_dir(run_id).join(SAMPLES_FILE)
    }
    pub fn summary(&self) -> PathBuf {
        self.root.join(SUMMARY_FILE)
    }
    pub fn iterations(&self) -> PathBuf {
        self.root.join(ITERATIONS_FILE)
    }
    pub fn projection(&self) -> PathBuf {
        self.root.join(PROJECTION_FILE)
    }
    pub fn figures_dir(&self) -> PathBuf {
        self.root.join("figures")
    }
}
