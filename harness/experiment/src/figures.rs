//! Figures drawn with plotters, each as PNG and SVG, from the derived run results.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::bar_chart::{draw_bar_chart, BarChart};
use crate::figures_cores::{speedup_series, time_series};
pub use crate::line_chart::{draw_line_chart, LineChart, Series, SeriesStyle, XAxis};
use crate::projection_table::projection_rows;
use crate::report::{BASELINE, LOW_DEPTH};
use crate::summary::RunResult;

/// Accuracy and AUC against iteration, one line per model (first repetition, fewest threads:
/// these metrics do not depend on the thread count).
pub fn draw_training_curves(runs: &[RunResult], figures_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut chosen: Vec<&RunResult> = Vec::new();
    for r in runs {
        let m = &r.manifest;
        match chosen.iter_mut().find(|c| c.manifest.model == m.model) {
            Some(c) => {
                if (m.repetition, m.threads) < (c.manifest.repetition, c.manifest.threads) {
                    *c = r;
                }
            }
            None => chosen.push(r),
        }
    }
    let series = |metric: fn(&crate::samples::IterationSample) -> f64| {
        chosen
            .iter()
            .enumerate()
            .map(|(i, r)| Series {
                label: r.manifest.model.clone(),
                points: r
                    .samples
                    .iter()
                    .map(|s| (s.iteration as f64, metric(s)))
                    .collect(),
                style: SeriesStyle::LineAndPoints,
                color: i,
            })
            .collect::<Vec<_>>()
    };
    let mut written = Vec::new();
    let charts = [
        ("accuracy", "Test accuracy", series(|s| s.accuracy)),
        ("auc", "Test AUC", series(|s| s.auc)),
    ];
    for (stem, y_label, series) in charts {
        let chart = LineChart {
            title: format!("{y_label} against iteration"),
            x_label: "iteration".into(),
            y_label: y_label.into(),
            x_axis: XAxis::Linear,
            series,
        };
        written.extend(draw_line_chart(&chart, &figures_dir.join(stem))?);
    }
    Ok(written)
}

/// Encrypted runs: training time against cores (measured medians and predicted curves per
/// circuit and setting), upload bytes, depth and levels per circuit, and the low-depth
/// circuit's speedup against cores (when both circuits ran).
pub fn draw_encrypted_figures(runs: &[RunResult], figures_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut models: Vec<String> = runs
        .iter()
        .filter(|r| r.manifest.ckks.is_some())
        .map(|r| r.manifest.model.clone())
        .collect();
    models.sort();
    models.dedup();
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let rows = projection_rows(runs);
    let bytes_series = models
        .iter()
        .filter_map(|model| {
            let first = runs.iter().find(|r| &r.manifest.model == model)?;
            let mib = |b: Option<u64>| b.unwrap_or(0) as f64 / 1048576.0;
            let bw = &first.manifest.bandwidth;
            Some((
                model.clone(),
                vec![mib(bw.upload_data_bytes), mib(bw.upload_keys_bytes)],
            ))
        })
        .collect();
    let mut written = draw_line_chart(
        &LineChart {
            title: "Training time against cores".into(),
            x_label: "cores (threads)".into(),
            y_label: "train wall time (s)".into(),
            x_axis: XAxis::Log2,
            series: time_series(&rows),
        },
        &figures_dir.join("time_vs_cores"),
    )?;
    written.extend(draw_bar_chart(
        &BarChart {
            title: "Upload to the server (seeded ciphertexts and keys)".into(),
            y_label: "MiB".into(),
            categories: vec!["encrypted data".into(), "evaluation keys".into()],
            series: bytes_series,
        },
        &figures_dir.join("bandwidth"),
    )?);
    written.extend(draw_bar_chart(
        &BarChart {
            title: "Circuit depth and the CKKS parameters it needs".into(),
            y_label: "value".into(),
            categories: vec![
                "circuit depth".into(),
                "CKKS levels".into(),
                "log2 N".into(),
            ],
            series: depth_series(runs, &models),
        },
        &figures_dir.join("depth_levels"),
    )?);
    let speedup = speedup_series(&rows);
    if !speedup.is_empty() {
        written.extend(draw_line_chart(
            &LineChart {
                title: format!("Speedup of {LOW_DEPTH} over {BASELINE}"),
                x_label: "cores (threads)".into(),
                y_label: "baseline time / low-depth time".into(),
                x_axis: XAxis::Log2,
                series: speedup,
            },
            &figures_dir.join("speedup_vs_cores"),
        )?);
    }
    Ok(written)
}

/// Per encrypted model: its circuit's depth, the planned levels and log2 N.
fn depth_series(runs: &[RunResult], models: &[String]) -> Vec<(String, Vec<f64>)> {
    models
        .iter()
        .filter_map(|model| {
            let run = runs.iter().find(|r| &r.manifest.model == model)?;
            let ckks = run.manifest.ckks.as_ref()?;
            let depth = f64::from(run.manifest.circuit.depth?);
            Some((
                model.clone(),
                vec![depth, ckks.levels as f64, f64::from(ckks.log_n)],
            ))
        })
        .collect()
}
