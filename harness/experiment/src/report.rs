//! `REPORT.md`: each claim of the paper beside the figure this experiment measured, with the
//! file it comes from, then the many-core predictions per execution setting
//! (`report_projection.rs`). Generated from the run manifests; rebuilt after every invocation.

use std::fmt::Write as _;

use anyhow::Result;

use crate::atomic::write_atomic;
use crate::layout::ExperimentLayout;
use crate::projection_table::{projection_rows, ProjectionRow};
use crate::report_projection::write_projection_sections;
use crate::summary::RunResult;

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

/// Writes `REPORT.md` when the experiment has at least one encrypted run; returns whether
/// it did. With both circuits, the paper's claims come first; the many-core predictions
/// and their check against the measured runs follow for whatever ran.
pub fn write_report(layout: &ExperimentLayout, runs: &[RunResult]) -> Result<bool> {
    let base = runs_of(runs, BASELINE);
    let low = runs_of(runs, LOW_DEPTH);
    let Some(first) = base.first().or(low.first()) else {
        return Ok(false);
    };
    let rows = projection_rows(runs);
    let mut md = String::new();
    let f0 = &first.manifest;
    write_insecure_banner(&mut md, runs);
    let _ = writeln!(md, "# Paper claims against this run\n");
    let _ = writeln!(
        md,
        "Experiment `{}`; machine: {} ({} logical CPUs; flags of note: {}; CKKS kernel \
         path: {}); commit {}; generated from the run manifests under `runs/` (every \
         figure names its file). Times are medians over repetitions; the machine may be \
         shared and noisy.\n",
        f0.experiment,
        f0.machine.cpu_model,
        f0.machine.logical_cpus,
        f0.machine.cpu_flags_of_note.join(" "),
        if f0.machine.ckks_kernel_path.is_empty() {
            "not recorded"
        } else {
            &f0.machine.ckks_kernel_path
        },
        f0.versions.git_commit.as_deref().unwrap_or("unknown")
    );
    if base.is_empty() || low.is_empty() {
        let _ = writeln!(
            md,
            "Only `{}` ran: the paper's claims compare two circuits, so this report lists \
             what was measured and predicted for it.",
            f0.model
        );
    } else {
        write_claims(&mut md, &base, &low, &rows);
    }
    write_parameters(&mut md, &base, &low);
    write_projection_sections(&mut md, runs, &rows);
    let _ = writeln!(
        md,
        "\nFigures (`figures/`, PNG and SVG): `time_vs_cores` and `speedup_vs_cores` (measured \
         medians and predicted curves per setting, log-2 core axis), `bandwidth`, \
         `depth_levels`, `accuracy` and `auc` (encrypted and plaintext models against \
         iteration). Tables: `summary.csv`, `iterations.csv`, `projection.csv`."
    );
    write_atomic(&layout.root.join("REPORT.md"), md.as_bytes())?;
    Ok(true)
}

/// A banner above everything else when any run had insecure settings, listing their
/// labels: figures from such runs say nothing about a secure deployment.
fn write_insecure_banner(md: &mut String, runs: &[RunResult]) {
    let labels: std::collections::BTreeSet<&str> = runs
        .iter()
        .filter_map(|r| r.manifest.security.as_deref())
        .filter(|l| crate::security::is_insecure(l))
        .collect();
    if labels.is_empty() {
        return;
    }
    let count = runs
        .iter()
        .filter(|r| {
            r.manifest
                .security
                .as_deref()
                .is_some_and(crate::security::is_insecure)
        })
        .count();
    let _ = writeln!(
        md,
        "> **INSECURE SETTINGS.** {count} run(s) of this experiment ran with insecure \
         settings ({}): their keys or ring give no security. Use their figures for testing \
         only, never as evidence for a secure deployment.\n",
        labels.into_iter().collect::<Vec<_>>().join("; ")
    );
}

/// The claims table: depth, time, bandwidth, multiplications, accuracy.
fn write_claims(md: &mut String, base: &[&RunResult], low: &[&RunResult], rows: &[ProjectionRow]) {
    let b0 = &base[0].manifest;
    let l0 = &low[0].manifest;
    let k = b0
        .ckks
        .as_ref()
        .map(|c| c.minibatches_per_round)
        .unwrap_or(0);
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
        first_id(base),
        first_id(low)
    );

    // Time per setting and thread count, where both circuits were measured.
    for rb in rows.iter().filter(|r| r.circuit == BASELINE) {
        let Some(rl) = rows
            .iter()
            .find(|r| r.circuit == LOW_DEPTH && r.setting == rb.setting && r.cores == rb.cores)
        else {
            continue;
        };
        if let (Some(tb), Some(tl)) = (rb.measured_s, rl.measured_s) {
            let verdict = if tl < tb {
                "low-depth faster"
            } else {
                "low-depth SLOWER"
            };
            let _ = writeln!(
                md,
                "| about 6x faster (80 s vs 13 s, parallel) | setting {}, {} thread(s): baseline {tb:.1} s, low-depth {tl:.1} s: speedup {:.2}x ({verdict}) | projection.csv (measured_s) |",
                rb.setting,
                rb.cores,
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
        first_id(base),
        first_id(low)
    );

    // Accuracy.
    for (name, rs) in [("baseline", base), ("low-depth", low)] {
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
}

/// The CKKS parameters of each circuit that ran.
fn write_parameters(md: &mut String, base: &[&RunResult], low: &[&RunResult]) {
    let _ = writeln!(md, "\n## Parameters chosen by the planner\n");
    let _ = writeln!(
        md,
        "| circuit | security | log N | levels | dnum | log2 QP | Galois keys |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for (name, rs) in [("baseline", base), ("low-depth", low)] {
        if let Some(c) = rs.first().and_then(|r| r.manifest.ckks.as_ref()) {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {:.0} | {} |",
                c.security, c.log_n, c.levels, c.dnum, c.log_qp, c.galois_keys
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ExecutionSetting::{Full, Paper};
    use crate::test_manifests::{encrypted_run, plaintext_run};

    fn report(runs: &[RunResult]) -> Option<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = ExperimentLayout::new(dir.path(), "e");
        write_report(&layout, runs)
            .expect("write")
            .then(|| std::fs::read_to_string(layout.root.join("REPORT.md")).expect("read"))
    }

    #[test]
    fn no_report_without_encrypted_runs() {
        assert_eq!(report(&[plaintext_run("plaintext-cubic", 1)]), None);
    }

    #[test]
    fn insecure_runs_put_a_banner_at_the_top() {
        let mut run = encrypted_run(LOW_DEPTH, Full, 1, 1, 9.0, |_, c| 8.0 / c as f64);
        run.manifest.security = Some("bits128".into());
        let md = report(std::slice::from_ref(&run)).expect("report");
        assert!(!md.contains("INSECURE"), "{md}");
        run.manifest.security = Some("INSECURE: test-size ring".into());
        let md = report(&[run]).expect("report");
        assert!(
            md.starts_with(
                "> **INSECURE SETTINGS.** 1 run(s) of this experiment ran with insecure \
                 settings (INSECURE: test-size ring)"
            ),
            "{md}"
        );
    }

    #[test]
    fn one_circuit_is_reported_alone() {
        let md = report(&[encrypted_run(LOW_DEPTH, Full, 1, 1, 9.0, |_, c| {
            8.0 / c as f64
        })])
        .expect("report");
        assert!(md.contains("Only `lowdepth-ckks` ran"), "{md}");
        assert!(md.contains("| cores | lowdepth-ckks s |"), "{md}");
        assert!(
            md.contains("| lowdepth-ckks | full | 1 | 8.00 | 9.00 | -11.1% | no |"),
            "{md}"
        );
    }

    #[test]
    fn both_circuits_get_claims_and_a_verdict_per_setting() {
        // Full: the low-depth circuit scales perfectly, the baseline stops at 8 cores, so
        // the speedup is 1.5x up to 8 cores, then 3x at 16, 6x at 32. Paper: a flat 2x.
        let base = |s, c: usize| match s {
            Full => 12.0 / c.min(8) as f64,
            Paper => 20.0,
        };
        let low = |s, c: usize| match s {
            Full => 8.0 / c as f64,
            Paper => 10.0,
        };
        let runs = [
            encrypted_run(BASELINE, Full, 1, 1, 12.5, base),
            encrypted_run(LOW_DEPTH, Full, 1, 1, 6.0, low),
            encrypted_run(BASELINE, Paper, 1, 1, 20.0, base),
            encrypted_run(LOW_DEPTH, Paper, 1, 1, 10.0, low),
        ];
        let md = report(&runs).expect("report");
        assert!(md.contains("| depth 5k vs 2.5k"), "{md}");
        assert!(
            md.contains("setting full, 1 thread(s): baseline 12.5 s, low-depth 6.0 s"),
            "{md}"
        );
        assert!(
            md.contains("## Predicted training time, setting `paper`"),
            "{md}"
        );
        assert!(
            md.contains("The low-depth circuit reaches the paper's 6x at 32 cores (predicted speedup 6.00x)."),
            "{md}"
        );
        assert!(
            md.contains("does not reach the paper's 6x within 64 cores (best predicted speedup 2.00x, at 1 core). Limited by span"),
            "{md}"
        );
        // The low-depth full run: predicted 8.0, measured 6.0: +33%, flagged.
        assert!(
            md.contains("| lowdepth-ckks | full | 1 | 8.00 | 6.00 | +33.3% | **yes** |"),
            "{md}"
        );
    }
}
