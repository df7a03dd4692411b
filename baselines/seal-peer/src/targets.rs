//! Issue #14's targets: at one thread, for mul_relin_rescale and rotate, our median is at
//! most 0.5x OpenFHE's and at most 0.2x SEAL's, at N = 2^15 / 16 levels and at
//! N = 2^16 / 30 levels. Judged on wall-clock medians; the CPU-time ratio is shown beside.

use crate::samples::{Measure, RowKey, Samples};

/// (log N, levels) of the presets the targets are set on.
const TARGET_PRESETS: [(u32, usize); 2] = [(15, 16), (16, 30)];
const TARGET_OPS: [&str; 2] = ["mul_relin_rescale", "rotate"];
/// (peer engine, largest allowed ours / peer).
const TARGET_RATIOS: [(&str, f64); 2] = [("openfhe", 0.5), ("seal", 0.2)];
const TARGET_THREADS: usize = 1;

/// One checked target; a ratio is None when a side was not measured.
#[derive(Debug)]
pub struct Verdict {
    pub log_n: u32,
    pub levels: usize,
    pub op: &'static str,
    pub peer: &'static str,
    pub bound: f64,
    /// Ours / peer on wall-clock medians: what the target is judged on.
    pub ratio: Option<f64>,
    /// Ours / peer on process-CPU medians, for reference.
    pub cpu_ratio: Option<f64>,
}

impl Verdict {
    pub fn met(&self) -> Option<bool> {
        self.ratio.map(|r| r <= self.bound)
    }

    pub fn line(&self) -> String {
        let status = match self.met() {
            Some(true) => "MET",
            Some(false) => "NOT MET",
            None => "not measured",
        };
        let fmt = |r: Option<f64>| r.map_or("-".into(), |r| format!("{r:.3}"));
        format!(
            "N=2^{} L={} 1 thread {:<17} lowdepth/{:<7} = {:>6} (target <= {}): {status}  [CPU-time ratio {}]",
            self.log_n,
            self.levels,
            self.op,
            self.peer,
            fmt(self.ratio),
            self.bound,
            fmt(self.cpu_ratio)
        )
    }
}

/// Verdicts for every target whose preset was run.
pub fn verdicts(samples: &Samples, presets_run: &[(u32, usize)]) -> Vec<Verdict> {
    let mut out = Vec::new();
    for &(log_n, levels) in TARGET_PRESETS.iter().filter(|p| presets_run.contains(p)) {
        for op in TARGET_OPS {
            for (peer, bound) in TARGET_RATIOS {
                let key = |engine: &str| RowKey {
                    log_n,
                    levels,
                    threads: TARGET_THREADS,
                    engine: engine.into(),
                    op: op.into(),
                };
                let ratio = |measure| {
                    samples
                        .median(&key("lowdepth"), measure)
                        .zip(samples.median(&key(peer), measure))
                        .map(|(ours, theirs)| ours / theirs)
                };
                out.push(Verdict {
                    log_n,
                    levels,
                    op,
                    peer,
                    bound,
                    ratio: ratio(Measure::Wall),
                    cpu_ratio: ratio(Measure::Cpu),
                });
            }
        }
    }
    out
}
