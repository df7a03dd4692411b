//! Figures drawn with plotters, each as PNG and SVG, from the derived run results.
//!
//! A font is embedded (DejaVu Sans, see `assets/`) so drawing needs no system font library.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::atomic::produce_atomic;
use crate::bar_chart::{draw_bar_chart, BarChart};
use crate::report::{BASELINE, LOW_DEPTH};
use crate::summary::{median, RunResult};

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER_FONT: Once = Once::new();

fn register_font() {
    REGISTER_FONT.call_once(|| {
        // The embedded font is valid; a failure here would only lose the labels.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// A line chart: title, axis labels and series.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

const SIZE: (u32, u32) = (900, 560);

/// Draws `chart` to `<stem>.png` and `<stem>.svg` atomically; returns both paths.
pub fn draw_line_chart(chart: &LineChart, stem: &Path) -> Result<Vec<PathBuf>> {
    write_png_and_svg(
        stem,
        |root| draw_on(root, chart),
        |root| draw_on(root, chart),
    )
}

/// Writes `<stem>.png` and `<stem>.svg` atomically, each drawn by its closure (the same
/// generic drawing function, instantiated per backend); returns both paths.
pub(crate) fn write_png_and_svg(
    stem: &Path,
    draw_png: impl Fn(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
    draw_svg: impl Fn(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>,
) -> Result<Vec<PathBuf>> {
    register_font();
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    produce_atomic(&png, |tmp| {
        let root = BitMapBackend::new(tmp, SIZE).into_drawing_area();
        draw_png(&root)?;
        root.present()
            .map_err(|e| anyhow!("drawing {}: {e}", png.display()))
    })?;
    produce_atomic(&svg, |tmp| {
        let root = SVGBackend::new(tmp, SIZE).into_drawing_area();
        draw_svg(&root)?;
        root.present()
            .map_err(|e| anyhow!("drawing {}: {e}", svg.display()))
    })?;
    Ok(vec![png, svg])
}

fn draw_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &LineChart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("plotting {}: {e:?}", chart.title);
    root.fill(&WHITE).map_err(err)?;
    let (x_range, y_range) = ranges(&chart.series);
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, y_range)
        .map_err(err)?;
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .x_label_formatter(&|x| {
            // Whole numbers (iterations, cores) without decimals; ticks between them with one.
            if (x - x.round()).abs() < 1e-9 {
                format!("{x:.0}")
            } else {
                format!("{x:.1}")
            }
        })
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    for (i, s) in chart.series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        ctx.draw_series(LineSeries::new(
            s.points.iter().copied(),
            color.stroke_width(2),
        ))
        .map_err(err)?
        .label(&s.label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        ctx.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(err)?;
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Axis ranges covering every point, with a margin; degenerate ranges are widened.
fn ranges(series: &[Series]) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let points = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.0.is_finite() && p.1.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return (0.0..1.0, 0.0..1.0);
    }
    let widen = |a: f64, b: f64| {
        let pad = if b > a {
            (b - a) * 0.05
        } else {
            a.abs().max(1.0) * 0.05
        };
        (a - pad)..(b + pad)
    };
    (widen(x0, x1), widen(y0, y1))
}

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
            .map(|r| Series {
                label: r.manifest.model.clone(),
                points: r
                    .samples
                    .iter()
                    .map(|s| (s.iteration as f64, metric(s)))
                    .collect(),
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
            series,
        };
        written.extend(draw_line_chart(&chart, &figures_dir.join(stem))?);
    }
    Ok(written)
}

/// Encrypted runs: training time against threads (measured medians and, when recorded, the
/// projection), upload bytes, depth and levels per circuit, and the low-depth circuit's
/// speedup against cores (when both circuits ran).
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
    let mut time_series = Vec::new();
    let mut bytes_series = Vec::new();
    for model in &models {
        let of_model: Vec<&RunResult> =
            runs.iter().filter(|r| &r.manifest.model == model).collect();
        let mut threads: Vec<usize> = of_model.iter().map(|r| r.manifest.threads).collect();
        threads.sort_unstable();
        threads.dedup();
        let points = threads
            .iter()
            .filter_map(|&t| {
                let times = of_model
                    .iter()
                    .filter(|r| r.manifest.threads == t)
                    .filter_map(|r| r.manifest.phases.train_wall_s)
                    .collect();
                median(times).map(|m| (t as f64, m))
            })
            .collect();
        time_series.push(Series {
            label: format!("{model} (measured)"),
            points,
        });
        if let Some(first) = of_model.first() {
            if !first.manifest.projection.is_empty() {
                time_series.push(Series {
                    label: format!("{model} (projected)"),
                    points: first
                        .manifest
                        .projection
                        .iter()
                        .map(|p| (p.cores as f64, p.list_schedule_s))
                        .collect(),
                });
            }
            let mib = |b: Option<u64>| b.unwrap_or(0) as f64 / 1048576.0;
            let bw = &first.manifest.bandwidth;
            bytes_series.push((
                model.clone(),
                vec![mib(bw.upload_data_bytes), mib(bw.upload_keys_bytes)],
            ));
        }
    }
    let mut written = draw_line_chart(
        &LineChart {
            title: "Training time against cores".into(),
            x_label: "cores (threads)".into(),
            y_label: "train wall time (s)".into(),
            series: time_series,
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
    let speedup = speedup_series(runs);
    if !speedup.is_empty() {
        written.extend(draw_line_chart(
            &LineChart {
                title: format!("Speedup of {LOW_DEPTH} over {BASELINE}"),
                x_label: "cores (threads)".into(),
                y_label: "baseline time / low-depth time".into(),
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

/// Baseline time over low-depth time: measured (ratio of the medians at each thread count
/// both circuits ran) and projected (ratio of the list schedules of their first runs).
fn speedup_series(runs: &[RunResult]) -> Vec<Series> {
    let of = |model: &str| -> Vec<&RunResult> {
        runs.iter().filter(|r| r.manifest.model == model).collect()
    };
    let (base, low) = (of(BASELINE), of(LOW_DEPTH));
    if base.is_empty() || low.is_empty() {
        return Vec::new();
    }
    let median_at = |rs: &[&RunResult], t: usize| {
        median(
            rs.iter()
                .filter(|r| r.manifest.threads == t)
                .filter_map(|r| r.manifest.phases.train_wall_s)
                .collect(),
        )
    };
    let mut threads: Vec<usize> = base.iter().map(|r| r.manifest.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    let measured = threads
        .iter()
        .filter_map(|&t| Some((t as f64, median_at(&base, t)? / median_at(&low, t)?)))
        .collect();
    let projected = base[0]
        .manifest
        .projection
        .iter()
        .filter_map(|b| {
            let l = low[0]
                .manifest
                .projection
                .iter()
                .find(|l| l.cores == b.cores)?;
            (l.list_schedule_s > 0.0)
                .then(|| (b.cores as f64, b.list_schedule_s / l.list_schedule_s))
        })
        .collect();
    vec![
        Series {
            label: "measured (medians)".into(),
            points: measured,
        },
        Series {
            label: "projected (list schedule)".into(),
            points: projected,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_png_and_svg() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chart = LineChart {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![Series {
                label: "a".into(),
                points: vec![(1.0, 0.5), (2.0, 0.9)],
            }],
        };
        let paths = draw_line_chart(&chart, &dir.path().join("fig")).expect("draw");
        for p in paths {
            let bytes = std::fs::read(&p).expect("read");
            assert!(bytes.len() > 1000, "{} too small", p.display());
        }
        let png = std::fs::read(dir.path().join("fig.png")).expect("png");
        assert_eq!(&png[1..4], b"PNG");
    }
}
