//! The series of the core-count figures (`time_vs_cores`, `speedup_vs_cores`): measured
//! medians as markers and predicted curves to 64 cores, per circuit and execution setting,
//! read from the rows of `projection.csv`.

use crate::config::ExecutionSetting;
use crate::line_chart::{Series, SeriesStyle};
use crate::projection_table::ProjectionRow;
use crate::report::{BASELINE, LOW_DEPTH};

/// Adds `points` as a series unless it is empty.
fn push(
    out: &mut Vec<Series>,
    label: String,
    points: Vec<(f64, f64)>,
    style: SeriesStyle,
    color: usize,
) {
    if !points.is_empty() {
        out.push(Series {
            label,
            points,
            style,
            color,
        });
    }
}

/// Training time against cores: per circuit and setting, measured and predicted.
pub fn time_series(rows: &[ProjectionRow]) -> Vec<Series> {
    let mut groups: Vec<(&str, ExecutionSetting)> = rows
        .iter()
        .map(|r| (r.circuit.as_str(), r.setting))
        .collect();
    groups.dedup();
    let mut out = Vec::new();
    for (color, (circuit, setting)) in groups.into_iter().enumerate() {
        let of = || {
            rows.iter()
                .filter(move |r| r.circuit == circuit && r.setting == setting)
        };
        let measured = of()
            .filter_map(|r| Some((r.cores as f64, r.measured_s?)))
            .collect();
        let predicted = of()
            .filter_map(|r| Some((r.cores as f64, r.predicted_s?)))
            .collect();
        let name = format!("{circuit} {setting}");
        push(
            &mut out,
            format!("{name} (measured)"),
            measured,
            SeriesStyle::Points,
            color,
        );
        push(
            &mut out,
            format!("{name} (predicted)"),
            predicted,
            SeriesStyle::Line,
            color,
        );
    }
    out
}

/// Baseline time over low-depth time per setting: measured where both circuits were
/// measured at a core count, predicted where both have a prediction.
pub fn speedup_series(rows: &[ProjectionRow]) -> Vec<Series> {
    let mut out = Vec::new();
    for (color, setting) in ExecutionSetting::ALL.into_iter().enumerate() {
        let pairs: Vec<(&ProjectionRow, &ProjectionRow)> = rows
            .iter()
            .filter(|b| b.circuit == BASELINE && b.setting == setting)
            .filter_map(|b| {
                let l = rows.iter().find(|l| {
                    l.circuit == LOW_DEPTH && l.setting == setting && l.cores == b.cores
                })?;
                Some((b, l))
            })
            .collect();
        let ratio = |b: Option<f64>, l: Option<f64>| Some(b? / l?).filter(|r| r.is_finite());
        let measured = pairs
            .iter()
            .filter_map(|(b, l)| Some((b.cores as f64, ratio(b.measured_s, l.measured_s)?)))
            .collect();
        let predicted = pairs
            .iter()
            .filter_map(|(b, l)| Some((b.cores as f64, ratio(b.predicted_s, l.predicted_s)?)))
            .collect();
        push(
            &mut out,
            format!("{setting} (measured)"),
            measured,
            SeriesStyle::Points,
            color,
        );
        push(
            &mut out,
            format!("{setting} (predicted)"),
            predicted,
            SeriesStyle::Line,
            color,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(circuit: &str, cores: usize, p: f64, m: Option<f64>) -> ProjectionRow {
        ProjectionRow {
            circuit: circuit.into(),
            setting: ExecutionSetting::Full,
            cores,
            predicted_s: Some(p),
            measured_s: m,
        }
    }

    #[test]
    fn speedup_is_baseline_over_low_depth_where_both_exist() {
        let rows = [
            row(BASELINE, 1, 12.0, Some(24.0)),
            row(BASELINE, 64, 3.0, None),
            row(LOW_DEPTH, 1, 6.0, Some(8.0)),
            row(LOW_DEPTH, 64, 0.5, Some(1.0)),
        ];
        let s = speedup_series(&rows);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].label, "full (measured)");
        assert_eq!(s[0].points, [(1.0, 3.0)]);
        assert_eq!(s[1].points, [(1.0, 2.0), (64.0, 6.0)]);
        let t = time_series(&rows);
        assert_eq!(t.len(), 4);
        assert_eq!((t[0].color, t[1].color, t[2].color), (0, 0, 1));
    }
}
