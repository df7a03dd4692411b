//! The human-readable table printed at the end: medians per engine and ours / peer.

use std::fmt::Write as _;

use crate::samples::{Measure, RowKey, Samples, OPS};

/// One line per (N, levels, threads, op): medians (ms) and ratios ours / peer.
pub fn table(samples: &Samples, blocks: &[(u32, usize, usize)], measure: Measure) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        match measure {
            Measure::Wall => "medians of wall-clock time (peers.csv)",
            Measure::Cpu => "medians of process CPU time, all threads (peers-cpu.csv)",
        }
    );
    let _ = writeln!(
        s,
        "{:>4} {:>3} {:>3} {:<18} {:>11} {:>11} {:>11} {:>10} {:>10}",
        "N", "L", "thr", "op", "lowdepth ms", "seal ms", "openfhe ms", "ours/seal", "ours/ofhe"
    );
    for &(log_n, levels, threads) in blocks {
        for op in OPS {
            let median = |engine: &str| {
                samples.median(
                    &RowKey {
                        log_n,
                        levels,
                        threads,
                        engine: engine.into(),
                        op: op.into(),
                    },
                    measure,
                )
            };
            let (ours, seal, ofhe) = (median("lowdepth"), median("seal"), median("openfhe"));
            let ms = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.2}"));
            let ratio = |peer: Option<f64>| {
                ours.zip(peer)
                    .map_or("-".into(), |(o, p)| format!("{:.3}", o / p))
            };
            let _ = writeln!(
                s,
                "2^{log_n:<2} {levels:>3} {threads:>3} {op:<18} {:>11} {:>11} {:>11} {:>10} {:>10}",
                ms(ours),
                ms(seal),
                ms(ofhe),
                ratio(seal),
                ratio(ofhe),
            );
        }
    }
    s
}
