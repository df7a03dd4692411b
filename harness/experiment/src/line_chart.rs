//! Line charts (PNG and SVG) with a linear or log-2 x axis; measured points may be drawn
//! as markers only, predicted curves as lines.
//!
//! A font is embedded (DejaVu Sans, see `assets/`) so drawing needs no system font library.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::atomic::produce_atomic;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER_FONT: Once = Once::new();

fn register_font() {
    REGISTER_FONT.call_once(|| {
        // The embedded font is valid; a failure here would only lose the labels.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesStyle {
    /// A line through markers.
    LineAndPoints,
    /// Markers only (measurements).
    Points,
    /// A line only (predictions).
    Line,
}

/// One series of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub style: SeriesStyle,
    /// Palette index: series sharing it share a colour (a circuit's measured and predicted).
    pub color: usize,
}

/// The x axis scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    Linear,
    /// Log 2 with ticks at powers of two (core counts 1, 2, 4, ..., 64).
    Log2,
}

/// A line chart: title, axis labels and series.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_axis: XAxis,
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
    // A log-2 axis is drawn as a linear axis of log2(x), labelled with 2^x.
    let log2 = chart.x_axis == XAxis::Log2;
    let to_x = |x: f64| if log2 { x.log2() } else { x };
    let series: Vec<Vec<(f64, f64)>> = chart
        .series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|&(x, y)| (to_x(x), y))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect()
        })
        .collect();
    let (x_range, y_range) = ranges(&series);
    let x_ticks = if log2 {
        (x_range.end - x_range.start).floor() as usize + 2
    } else {
        10
    };
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
        .x_labels(x_ticks)
        .x_label_formatter(&|&x| {
            let whole = (x - x.round()).abs() < 1e-9;
            match (log2, whole) {
                // Powers of two only; ticks between them stay unlabelled.
                (true, true) => format!("{:.0}", x.round().exp2()),
                (true, false) => String::new(),
                // Whole numbers (iterations) without decimals; ticks between them with one.
                (false, true) => format!("{x:.0}"),
                (false, false) => format!("{x:.1}"),
            }
        })
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    for (s, points) in chart.series.iter().zip(&series) {
        let color = Palette99::pick(s.color).to_rgba();
        if s.style == SeriesStyle::Points {
            // Larger markers, and a marker in the legend, set measurements apart.
            ctx.draw_series(points.iter().map(|&p| Circle::new(p, 5, color.filled())))
                .map_err(err)?
                .label(&s.label)
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, color.filled()));
            continue;
        }
        ctx.draw_series(LineSeries::new(
            points.iter().copied(),
            color.stroke_width(2),
        ))
        .map_err(err)?
        .label(&s.label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        if s.style == SeriesStyle::LineAndPoints {
            ctx.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(err)?;
        }
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
fn ranges(series: &[Vec<(f64, f64)>]) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let points = series.iter().flatten();
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
            x_axis: XAxis::Log2,
            series: vec![
                Series {
                    label: "a".into(),
                    points: vec![(1.0, 0.5), (2.0, 0.9), (64.0, 0.1)],
                    style: SeriesStyle::Line,
                    color: 0,
                },
                Series {
                    label: "b".into(),
                    points: vec![(2.0, 0.7)],
                    style: SeriesStyle::Points,
                    color: 0,
                },
            ],
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
