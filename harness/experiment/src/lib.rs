//! The experiment harness: configs in, run records, tables and figures out.
//!
//! Flow: [`config`] (parse, validate) -> [`plan`] (runs with hashed ids) -> [`runner`]
//! (load data once, execute each run in its own thread pool, write its record atomically,
//! skip finished runs) -> [`summary`] and [`figures`] (derived, rebuildable from raw samples).
//!
//! ```no_run
//! use std::path::Path;
//! use lowdepth_experiment::{config::ExperimentConfig, runner::{run_experiment, RunOptions}};
//! let config = ExperimentConfig::load(Path::new("configs/smoke.yaml"))?;
//! let report = run_experiment(&config, &RunOptions::default())?;
//! println!("{} runs done, results in {}", report.finished, report.results_dir.display());
//! # Ok::<(), anyhow::Error>(())
//! ```

pub mod atomic;
pub mod bar_chart;
pub mod compare;
pub mod compare_figures;
pub mod config;
pub mod dataset;
pub mod encrypted;
pub mod figures;
pub mod figures_cores;
pub mod layout;
pub mod line_chart;
pub mod machine;
pub mod manifest;
pub mod memory_estimate;
pub mod models;
pub mod plan;
pub mod prediction;
pub mod preflight;
pub mod progress;
pub mod projection_table;
pub mod reference_coverage;
pub mod report;
pub mod report_projection;
pub mod results_lock;
pub mod runner;
pub mod samples;
pub mod security;
pub mod setting;
pub mod summary;
#[cfg(test)]
mod test_manifests;
pub mod threads;
pub mod yaml_nesting;
