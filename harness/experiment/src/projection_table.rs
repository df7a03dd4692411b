//! `projection.csv`: per encrypted circuit, execution setting and core count, the predicted
//! training time beside the measured one. The report and the core-count figures read the
//! same rows, so the three never disagree.

use anyhow::Result;
use polars::prelude::*;

use crate::atomic::write_atomic;
use crate::config::ExecutionSetting;
use crate::layout::ExperimentLayout;
use crate::manifest::{RunManifest, RunStatus};
use crate::prediction::PROJECTED_CORES;
use crate::samples::csv_bytes;
use crate::summary::{median, RunResult};

/// One row of `projection.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionRow {
    /// Model name of the circuit, e.g. `helr-ckks`.
    pub circuit: String,
    pub setting: ExecutionSetting,
    pub cores: usize,
    /// Median over the circuit's ok runs of their prediction for this setting and cores.
    pub predicted_s: Option<f64>,
    /// Median `train_wall_s` of the ok runs of this circuit and setting on `cores` threads.
    pub measured_s: Option<f64>,
}

/// The rows for every encrypted circuit among `runs` (ok runs only), by circuit, setting,
/// cores. Cores are 1, 2, 4, ..., 64 plus any other measured thread count; a row with
/// neither a prediction nor a measurement is left out.
pub fn projection_rows(runs: &[RunResult]) -> Vec<ProjectionRow> {
    let ok: Vec<&RunManifest> = runs
        .iter()
        .map(|r| &r.manifest)
        .filter(|m| m.status == RunStatus::Ok && m.effective_setting().is_some())
        .collect();
    let mut circuits: Vec<&str> = ok.iter().map(|m| m.model.as_str()).collect();
    circuits.sort_unstable();
    circuits.dedup();
    let mut rows = Vec::new();
    for circuit in circuits {
        let of_circuit: Vec<&RunManifest> =
            ok.iter().copied().filter(|m| m.model == circuit).collect();
        for setting in ExecutionSetting::ALL {
            let measured_in: Vec<&RunManifest> = of_circuit
                .iter()
                .copied()
                .filter(|m| m.effective_setting() == Some(setting))
                .collect();
            let mut cores: Vec<usize> = PROJECTED_CORES.to_vec();
            cores.extend(measured_in.iter().map(|m| m.threads));
            cores.extend(
                of_circuit
                    .iter()
                    .flat_map(|m| &m.projection)
                    .filter(|p| p.setting == setting)
                    .map(|p| p.cores),
            );
            cores.sort_unstable();
            cores.dedup();
            for c in cores {
                let predicted_s = median(
                    of_circuit
                        .iter()
                        .filter_map(|m| m.predicted_s(setting, c))
                        .collect(),
                );
                let measured_s = median(
                    measured_in
                        .iter()
                        .filter(|m| m.threads == c)
                        .filter_map(|m| m.phases.train_wall_s)
                        .collect(),
                );
                if predicted_s.is_some() || measured_s.is_some() {
                    rows.push(ProjectionRow {
                        circuit: circuit.to_string(),
                        setting,
                        cores: c,
                        predicted_s,
                        measured_s,
                    });
                }
            }
        }
    }
    rows
}

/// The rows as a table with columns `circuit,setting,cores,predicted_s,measured_s`.
pub fn projection_frame(rows: &[ProjectionRow]) -> Result<DataFrame> {
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            "circuit".into(),
            rows.iter().map(|r| r.circuit.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "setting".into(),
            rows.iter().map(|r| r.setting.name()).collect::<Vec<_>>(),
        ),
        Column::new(
            "cores".into(),
            rows.iter().map(|r| r.cores as u64).collect::<Vec<_>>(),
        ),
        Column::new(
            "predicted_s".into(),
            rows.iter().map(|r| r.predicted_s).collect::<Vec<_>>(),
        ),
        Column::new(
            "measured_s".into(),
            rows.iter().map(|r| r.measured_s).collect::<Vec<_>>(),
        ),
    ])?;
    Ok(df)
}

/// Writes `projection.csv` atomically when the experiment has encrypted runs.
pub fn write_projection(layout: &ExperimentLayout, runs: &[RunResult]) -> Result<()> {
    let rows = projection_rows(runs);
    if rows.is_empty() {
        return Ok(());
    }
    let mut df = projection_frame(&rows)?;
    write_atomic(&layout.projection(), &csv_bytes(&mut df)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_manifests::{encrypted_run, plaintext_run};

    /// Paper-setting ops take twice as long; both halve with each doubling of cores.
    fn curve(base: f64) -> impl Fn(ExecutionSetting, usize) -> f64 {
        move |s, cores| {
            let factor = if s == ExecutionSetting::Paper {
                2.0
            } else {
                1.0
            };
            base * factor / cores as f64
        }
    }

    #[test]
    fn predictions_and_measurements_are_medians_and_unmeasured_cores_are_empty() {
        use ExecutionSetting::{Full, Paper};
        let runs = vec![
            encrypted_run("helr-ckks", Full, 2, 1, 5.0, curve(10.0)),
            encrypted_run("helr-ckks", Full, 2, 2, 7.0, curve(30.0)),
            encrypted_run("helr-ckks", Full, 2, 3, 6.5, curve(20.0)),
            encrypted_run("helr-ckks", Paper, 1, 1, 40.0, curve(20.0)),
            plaintext_run("plaintext-cubic", 1),
        ];
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = ExperimentLayout::new(dir.path(), "e");
        write_projection(&layout, &runs).expect("write");
        let csv = std::fs::read_to_string(layout.projection()).expect("read");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "circuit,setting,cores,predicted_s,measured_s");
        // 1 circuit x 2 settings x 7 core counts; the plaintext run has no row.
        assert_eq!(lines.len(), 1 + 2 * 7, "{csv}");
        let rows = projection_rows(&runs);
        let row = |setting, cores| {
            rows.iter()
                .find(|r| r.setting == setting && r.cores == cores)
                .expect("row")
        };
        // Predictions: median over all four runs (bases 10, 30, 20, 20) = base 20.
        assert_eq!(row(Paper, 4).predicted_s, Some(10.0));
        assert_eq!(row(Full, 64).predicted_s, Some(20.0 / 64.0));
        // Measured: median of 5, 7, 6.5 (full, 2 threads); 40 (paper, 1 thread).
        assert_eq!(row(Full, 2).measured_s, Some(6.5));
        assert_eq!(row(Paper, 1).measured_s, Some(40.0));
        assert_eq!(row(Paper, 2).measured_s, None);
        assert_eq!(row(Full, 1).measured_s, None);
        assert!(lines.contains(&"helr-ckks,paper,2,20.0,"), "{csv}");
        assert!(lines.contains(&"helr-ckks,paper,1,40.0,40.0"), "{csv}");
        assert!(lines.contains(&"helr-ckks,full,2,10.0,6.5"), "{csv}");
    }

    #[test]
    fn measured_thread_counts_off_the_grid_get_a_row() {
        let runs = vec![encrypted_run(
            "lowdepth-ckks",
            ExecutionSetting::Full,
            12,
            1,
            3.0,
            curve(8.0),
        )];
        let rows = projection_rows(&runs);
        let r = rows.iter().find(|r| r.cores == 12).expect("row for 12");
        assert_eq!((r.predicted_s, r.measured_s), (None, Some(3.0)));
    }
}
