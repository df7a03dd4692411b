//! Derived tables: `summary.csv` (one row per run) and `iterations.csv` (one row per run and
//! iteration), rebuilt from the run manifests and raw samples, through polars.

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::atomic::write_atomic;
use crate::layout::ExperimentLayout;
use crate::manifest::RunManifest;
use crate::samples::{self, csv_bytes, IterationSample};

/// A finished run with its samples, as the summaries and figures see it.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub manifest: RunManifest,
    pub samples: Vec<IterationSample>,
}

/// Median of the finite values, `None` when there are none.
pub fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.retain(|x| x.is_finite());
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    (n > 0).then(|| {
        if n % 2 == 1 {
            xs[n / 2]
        } else {
            (xs[n / 2 - 1] + xs[n / 2]) / 2.0
        }
    })
}

/// Loads the finished runs among `run_ids` (missing or unreadable runs are reported as errors:
/// the caller decides which runs should exist).
pub fn load_runs(layout: &ExperimentLayout, run_ids: &[String]) -> Result<Vec<RunResult>> {
    let mut out = Vec::new();
    for id in run_ids {
        let path = layout.manifest(id);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading run manifest {}", path.display()))?;
        let manifest: RunManifest = serde_json::from_str(&text)
            .with_context(|| format!("parsing run manifest {}", path.display()))?;
        let samples = samples::read(&layout.samples(id))?;
        out.push(RunResult { manifest, samples });
    }
    Ok(out)
}

/// One row per run: identity, status, final metrics, phase times, bytes, depth.
pub fn summary_frame(runs: &[RunResult]) -> Result<DataFrame> {
    let m = |f: &dyn Fn(&RunManifest) -> Option<f64>| {
        runs.iter().map(|r| f(&r.manifest)).collect::<Vec<_>>()
    };
    let u = |f: &dyn Fn(&RunManifest) -> Option<u64>| {
        runs.iter().map(|r| f(&r.manifest)).collect::<Vec<_>>()
    };
    let s = |f: &dyn Fn(&RunManifest) -> String| {
        runs.iter().map(|r| f(&r.manifest)).collect::<Vec<_>>()
    };
    let df = DataFrame::new_infer_height(vec![
        Column::new("experiment".into(), s(&|r| r.experiment.clone())),
        Column::new("run_id".into(), s(&|r| r.run_id.clone())),
        Column::new("model".into(), s(&|r| r.model.clone())),
        Column::new("setting".into(), setting_column(runs)),
        Column::new(
            "security".into(),
            runs.iter()
                .map(|r| r.manifest.security.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new("threads".into(), u(&|r| Some(r.threads as u64))),
        Column::new("repetition".into(), u(&|r| Some(r.repetition as u64))),
        Column::new("seed".into(), u(&|r| Some(r.seed))),
        Column::new(
            "status".into(),
            s(&|r| format!("{:?}", r.status).to_lowercase()),
        ),
        Column::new(
            "iterations".into(),
            runs.iter()
                .map(|r| r.samples.len() as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "accuracy".into(),
            m(&|r| r.final_metrics.map(|x| x.accuracy)),
        ),
        Column::new("auc".into(), m(&|r| r.final_metrics.map(|x| x.auc))),
        Column::new(
            "log_loss".into(),
            m(&|r| r.final_metrics.map(|x| x.log_loss)),
        ),
        Column::new("keygen_wall_s".into(), m(&|r| r.phases.keygen_wall_s)),
        Column::new("encrypt_wall_s".into(), m(&|r| r.phases.encrypt_wall_s)),
        Column::new("train_wall_s".into(), m(&|r| r.phases.train_wall_s)),
        Column::new("decrypt_wall_s".into(), m(&|r| r.phases.decrypt_wall_s)),
        Column::new(
            "upload_data_bytes".into(),
            u(&|r| r.bandwidth.upload_data_bytes),
        ),
        Column::new(
            "upload_keys_bytes".into(),
            u(&|r| r.bandwidth.upload_keys_bytes),
        ),
        Column::new(
            "download_model_bytes".into(),
            u(&|r| r.bandwidth.download_model_bytes),
        ),
        Column::new("depth".into(), u(&|r| r.circuit.depth.map(u64::from))),
    ])?;
    Ok(df)
}

/// Each run's execution setting; empty for plaintext runs.
fn setting_column(runs: &[RunResult]) -> Vec<Option<&'static str>> {
    runs.iter()
        .map(|r| r.manifest.setting.map(|s| s.name()))
        .collect()
}

/// One row per run and iteration, in tidy (long) form.
pub fn iterations_frame(runs: &[RunResult]) -> Result<DataFrame> {
    let mut frames = Vec::with_capacity(runs.len());
    for r in runs {
        let mut df = samples::to_frame(&r.samples)?;
        let n = df.height();
        let m = &r.manifest;
        df.insert_column(
            0,
            Column::new("repetition".into(), vec![m.repetition as u64; n]),
        )?;
        df.insert_column(0, Column::new("threads".into(), vec![m.threads as u64; n]))?;
        let setting = m.setting.map(|s| s.name());
        df.insert_column(0, Column::new("setting".into(), vec![setting; n]))?;
        df.insert_column(0, Column::new("model".into(), vec![m.model.clone(); n]))?;
        df.insert_column(0, Column::new("run_id".into(), vec![m.run_id.clone(); n]))?;
        frames.push(df);
    }
    let mut iter = frames.into_iter();
    let Some(mut all) = iter.next() else {
        return Ok(DataFrame::empty());
    };
    for df in iter {
        all.vstack_mut(&df)?;
    }
    Ok(all)
}

/// Writes `summary.csv`, `iterations.csv` and (encrypted runs) `projection.csv` atomically.
pub fn write_tables(layout: &ExperimentLayout, runs: &[RunResult]) -> Result<()> {
    let mut summary = summary_frame(runs)?;
    write_atomic(&layout.summary(), &csv_bytes(&mut summary)?)?;
    let mut iterations = iterations_frame(runs)?;
    write_atomic(&layout.iterations(), &csv_bytes(&mut iterations)?)?;
    crate::projection_table::write_projection(layout, runs)
}
