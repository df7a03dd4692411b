//! Raw per-iteration samples of one run: the stable format every summary is derived from.

use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use crate::manifest::TestMetrics;

/// Test-set metrics of the model after one iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IterationSample {
    /// 1-based iteration number.
    pub iteration: usize,
    pub accuracy: f64,
    pub auc: f64,
    pub log_loss: f64,
}

impl IterationSample {
    pub fn new(iteration: usize, m: TestMetrics) -> Self {
        IterationSample {
            iteration,
            accuracy: m.accuracy,
            auc: m.auc,
            log_loss: m.log_loss,
        }
    }

    pub fn metrics(&self) -> TestMetrics {
        TestMetrics {
            accuracy: self.accuracy,
            auc: self.auc,
            log_loss: self.log_loss,
        }
    }
}

pub const COLUMNS: [&str; 4] = ["iteration", "accuracy", "auc", "log_loss"];

/// The samples as a polars table.
pub fn to_frame(samples: &[IterationSample]) -> Result<DataFrame> {
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            COLUMNS[0].into(),
            samples
                .iter()
                .map(|s| s.iteration as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            COLUMNS[1].into(),
            samples.iter().map(|s| s.accuracy).collect::<Vec<_>>(),
        ),
        Column::new(
            COLUMNS[2].into(),
            samples.iter().map(|s| s.auc).collect::<Vec<_>>(),
        ),
        Column::new(
            COLUMNS[3].into(),
            samples.iter().map(|s| s.log_loss).collect::<Vec<_>>(),
        ),
    ])?;
    Ok(df)
}

/// CSV bytes of a table (header + rows).
pub fn csv_bytes(df: &mut DataFrame) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    CsvWriter::new(&mut out).include_header(true).finish(df)?;
    Ok(out)
}

/// Reads a run's samples back, checking the columns.
pub fn read(path: &Path) -> Result<Vec<IterationSample>> {
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| anyhow::anyhow!("reading samples {}: {e}", path.display()))?;
    let col = |name: &str| -> Result<Vec<f64>> {
        let c = df
            .column(name)
            .map_err(|_| anyhow::anyhow!("{}: missing column {name}", path.display()))?
            .cast(&DataType::Float64)?;
        let values = c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        Ok(values)
    };
    let (it, acc, auc, ll) = (
        col(COLUMNS[0])?,
        col(COLUMNS[1])?,
        col(COLUMNS[2])?,
        col(COLUMNS[3])?,
    );
    Ok((0..it.len())
        .map(|i| IterationSample {
            iteration: it[i] as usize,
            accuracy: acc[i],
            auc: auc[i],
            log_loss: ll[i],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_csv() {
        let samples = vec![
            IterationSample {
                iteration: 1,
                accuracy: 0.5,
                auc: 0.75,
                log_loss: 0.69,
            },
            IterationSample {
                iteration: 2,
                accuracy: 0.9,
                auc: 0.95,
                log_loss: 0.3,
            },
        ];
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.csv");
        let bytes = csv_bytes(&mut to_frame(&samples).expect("frame")).expect("csv");
        std::fs::write(&path, bytes).expect("write");
        assert_eq!(read(&path).expect("read"), samples);
    }
}
