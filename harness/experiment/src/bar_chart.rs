//! Grouped bar charts (one group per category, one bar per series), PNG and SVG: for
//! quantities that are categories, not a curve (upload parts, depth and levels).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::line_chart::write_png_and_svg;

/// A grouped bar chart: `series[s].1[c]` is the bar of series `s` in category `c`.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub y_label: String,
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<f64>)>,
}

/// Draws `chart` to `<stem>.png` and `<stem>.svg` atomically; returns both paths.
pub fn draw_bar_chart(chart: &BarChart, stem: &Path) -> Result<Vec<PathBuf>> {
    write_png_and_svg(
        stem,
        |root| draw_on(root, chart),
        |root| draw_on(root, chart),
    )
}

fn draw_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &BarChart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("plotting {}: {e:?}", chart.title);
    root.fill(&WHITE).map_err(err)?;
    let n = chart.categories.len().max(1);
    let top = chart
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.15 } else { 1.0 };
    // Category c spans [c, c + 1); its name is drawn under the centre (below).
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..n as f64, 0.0..top)
        .map_err(err)?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(&chart.y_label)
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    let centred = ("sans-serif", 16)
        .into_font()
        .into_text_style(root)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (c, name) in chart.categories.iter().enumerate() {
        let (px, py) = ctx.backend_coord(&(c as f64 + 0.5, 0.0));
        root.draw(&Text::new(name.as_str(), (px, py + 10), centred.clone()))
            .map_err(err)?;
    }
    let bars = chart.series.len().max(1) as f64;
    let width = 0.8 / bars;
    for (s, (label, values)) in chart.series.iter().enumerate() {
        let color = Palette99::pick(s).to_rgba();
        let left = |c: usize| c as f64 + 0.1 + s as f64 * width;
        ctx.draw_series(
            values.iter().enumerate().map(|(c, &v)| {
                Rectangle::new([(left(c), 0.0), (left(c) + width, v)], color.filled())
            }),
        )
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
        // The value above each bar, so the figure reads without the axis.
        let above = ("sans-serif", 14)
            .into_font()
            .into_text_style(root)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        ctx.draw_series(values.iter().enumerate().map(|(c, &v)| {
            Text::new(
                format_value(v),
                (left(c) + width / 2.0, v + top * 0.01),
                above.clone(),
            )
        }))
        .map_err(err)?;
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    Ok(())
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_png_and_svg_with_category_labels() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chart = BarChart {
            title: "t".into(),
            y_label: "y".into(),
            categories: vec!["depth".into(), "levels".into()],
            series: vec![
                ("a".into(), vec![30.0, 30.0]),
                ("b".into(), vec![15.0, 15.5]),
            ],
        };
        let paths = draw_bar_chart(&chart, &dir.path().join("bars")).expect("draw");
        assert_eq!(paths.len(), 2);
        let svg = std::fs::read_to_string(dir.path().join("bars.svg")).expect("svg");
        assert!(svg.contains("levels") && svg.contains("15.5"));
        let png = std::fs::read(dir.path().join("bars.png")).expect("png");
        assert_eq!(&png[1..4], b"PNG");
    }
}
