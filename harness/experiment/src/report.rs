//! `REPORT.md`: each claim of the paper beside the figure this experiment measured, with the
//! file it comes from. Generated from the run manifests; rebuilt after every invocation.

use std::fmt::Write as _;

use anyhow::Result;

use crate::atomic::write_atomic;
use crate::layout::ExperimentLayout;
use crate::summary::{median, RunResult};

/// Model names of the two circuits (the report and the speedup figure compare them).
pub(crate) const BASELINE: &str = "helr-ckks";
pub(crate) const LOW_DEPTH: &str = "lowdepth-ckks";

fn runs_of<'a>(runs: &'a [RunResult], model: &str) -> Vec<&'a RunResult> {
    runs.iter().filter(|r| r.manifest.model == model).collect()
}

fn first_id(runs: &[&RunResult]) -> String {
    runs.first()
        .map(|r| format!("runs/{}/manifest.json", r.manifest.run_id))
        .unwrap_or_else(|| "(no run)".into())
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Writes `REPORT.md` when the experiment has both circuits; returns whether it did.
pub fn write_report(layout: &ExperimentLayout, runs: &[RunResult]) -> Result<bool> {
    let base = runs_of(runs, BASELINE);
    let low = runs_of(runs, LOW_DEPTH);
    if base.is_empty() || low.is_empty() {
        return Ok(false);
    }
    let mut md = String::new();
    let b0 = &base[0].manifest;
    let l0 = &low[0].manifest;
    let k = b0
        .ckks
        .as_ref()
        .map(|c| c.minibatches_per_round)
        .unwrap_or(0);
    let _ = writeln!(md, "# Paper claims against this run\n");
    let _ = writeln!(
        md,
        "Experiment `{}`; machine: {} ({} logical CPUs); commit {}; generated from the run \
         manifests under `runs/` (every figure names its file). Times are medians over \
         repetitions; the machine may be shared and noisy.\n",
        b0.experiment,
        b0.machine.cpu_model,
        b0.machine.logical_cpus,
        b0.versions.git_commit.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(md, "| claim (Crockett 2020) | measured here | source |");
    let _ = writeln!(md, "|---|---|---|");

    // Depth.
    let (bd, ld) = (b0.circuit.depth.unwrap_or(0), l0.circuit.depth.unwrap_or(0));
    let _ = writeln!(
        md,
        "| depth 5k vs 2.5k (k = {k}: {} vs {}) | baseline {bd}, low-depth {ld} ({:.2} vs {:.2} per minibatch) | {}, {} |",
        5 * k,
        (5 * k).div_ceil(2),
        bd as f64 / k.max(1) as f64,
        ld as f64 / k.max(1) as f64,
        first_id(&base),
        first_id(&low)
    );

    // Time per thread count.
    let mut threads: Vec<usize> = runs.iter().map(|r| r.manifest.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    for t in threads {
        let time = |rs: &[&RunResult]| {
            median(
                rs.iter()
                    .filter(|r| r.manifest.threads == t)
                    .filter_map(|r| r.manifest.phases.train_wall_s)
                    .collect(),
            )
        };
        if let (Some(tb), Some(tl)) = (time(&base), time(&low)) {
            let verdict = if tl < tb {
                "low-depth faster"
            } else {
                "low-depth SLOWER"
            };
            let _ = writeln!(
                md,
                "| about 6x faster (80 s vs 13 s, parallel) | {t} thread(s): baseline {tb:.1} s, low-depth {tl:.1} s: speedup {:.2}x ({verdict}) | summary.csv (train_wall_s) |",
                tb / tl
            );
        }
    }

    // Bandwidth.
    let up = |m: &crate::manifest::RunManifest| m.bandwidth.upload_data_bytes.unwrap_or(0);
    let keys = |m: &crate::manifest::RunManifest| m.bandwidth.upload_keys_bytes.unwrap_or(0);
    let _ = writeln!(
        md,
        "| about 80% more upload bandwidth | data: baseline {}, low-depth {} ({:+.0}%); evaluation keys: baseline {}, low-depth {} | summary.csv (upload_data_bytes, upload_keys_bytes) |",
        mib(up(b0)),
        mib(up(l0)),
        (up(l0) as f64 / up(b0).max(1) as f64 - 1.0) * 100.0,
        mib(keys(b0)),
        mib(keys(l0))
    );

    // Multiplications.
    let muls = |m: &crate::manifest::RunManifest| {
        m.circuit.op_counts.get("ct_ct_mul").copied().unwrap_or(0)
    };
    let all_muls = |m: &crate::manifest::RunManifest| {
        ["ct_ct_mul", "ct_pt_mul", "const_mul"]
            .iter()
            .filter_map(|k| m.circuit.op_counts.get(*k))
            .sum::<u64>()
    };
    let _ = writeln!(
        md,
        "| about 4x more multiplications | ct x ct: baseline {}, low-depth {} ({:.1}x); all (incl. plaintext and constant): {} vs {} ({:.1}x) | {}, {} |",
        muls(b0),
        muls(l0),
        muls(l0) as f64 / muls(b0).max(1) as f64,
        all_muls(b0),
        all_muls(l0),
        all_muls(l0) as f64 / all_muls(b0).max(1) as f64,
        first_id(&base),
        first_id(&low)
    );

    // Accuracy.
    for (name, rs) in [("baseline", &base), ("low-depth", &low)] {
        let r = &rs[0].manifest;
        if let (Some(m), Some(refs)) = (r.final_metrics, &r.reference) {
            let _ = writeln!(
                md,
                "| same accuracy as plaintext | {name}: encrypted {:.2}% (AUC {:.4}); plaintext cubic {:.2}% (AUC {:.4}); exact sigmoid {:.2}%; max abs w error {:.2e} | {} |",
                m.accuracy * 100.0,
                m.auc,
                refs.cubic.accuracy * 100.0,
                refs.cubic.auc,
                refs.exact.accuracy * 100.0,
                refs.max_abs_w_error,
                first_id(rs)
            );
        }
    }

    // Parameters.
    let _ = writeln!(md, "\n## Parameters chosen by the planner\n");
    let _ = writeln!(
        md,
        "| circuit | security | log N | levels | dnum | log2 QP | Galois keys |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for (name, m) in [("baseline", b0), ("low-depth", l0)] {
        if let Some(c) = &m.ckks {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {:.0} | {} |",
                c.security, c.log_n, c.levels, c.dnum, c.log_qp, c.galois_keys
            );
        }
    }

    // Projection.
    if !b0.projection.is_empty() && !l0.projection.is_empty() {
        let _ = writeln!(md, "\n## Projected training time on P cores (list schedule of the traced DAG, per-op costs measured in the run)\n");
        let _ = writeln!(md, "| cores | baseline s | low-depth s | speedup |");
        let _ = writeln!(md, "|---|---|---|---|");
        for (pb, pl) in b0.projection.iter().zip(&l0.projection) {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.1} | {:.2}x |",
                pb.cores,
                pb.list_schedule_s,
                pl.list_schedule_s,
                pb.list_schedule_s / pl.list_schedule_s
            );
        }
    }
    write_projection_check(&mut md, &base, &low);
    let _ = writeln!(
        md,
        "\nFigures (`figures/`, PNG and SVG): `time_vs_cores` (measured and projected), \
         `speedup_vs_cores`, `bandwidth`, `depth_levels`, `accuracy` and `auc` (encrypted \
         and plaintext models against iteration). Tables: `summary.csv`, `iterations.csv`."
    );
    write_atomic(&layout.root.join("REPORT.md"), md.as_bytes())?;
    Ok(true)
}

/// The projection at the measured thread counts against the measured medians.
fn write_projection_check(md: &mut String, base: &[&RunResult], low: &[&RunResult]) {
    let mut rows = String::new();
    for (name, rs) in [("baseline", base), ("low-depth", low)] {
        let Some(first) = rs.first() else { continue };
        let proj = &first.manifest.projection;
        let mut ts: Vec<usize> = rs.iter().map(|r| r.manifest.threads).collect();
        ts.sort_unstable();
        ts.dedup();
        for t in ts {
            let measured = median(
                rs.iter()
                    .filter(|r| r.manifest.threads == t)
                    .filter_map(|r| r.manifest.phases.train_wall_s)
                    .collect(),
            );
            if let (Some(m), Some(p)) = (measured, proj.iter().find(|p| p.cores == t)) {
                let _ = writeln!(
                    rows,
                    "| {name} | {t} | {:.1} | {m:.1} | {:+.0}% |",
                    p.list_schedule_s,
                    (p.list_schedule_s / m - 1.0) * 100.0
                );
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(md, "\n## Projection checked against the measured runs\n");
    let _ = writeln!(
        md,
        "| circuit | threads | predicted s | measured median s | prediction error |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    md.push_str(&rows);
    let _ = writeln!(
        md,
        "\nThe projection prices single-threaded ops (calibrated in the run) and lets independent \
         ops run concurrently; the engine also parallelises inside an op, and a shared machine \
         lends its cores to other work, so this error is part of the result."
    );
}
