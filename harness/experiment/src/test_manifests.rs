//! Synthetic run records for unit tests of the derived tables, report, figures and compare.

use crate::config::ExecutionSetting;
use crate::manifest::{ProjectionBounds, ProjectionPoint, RunManifest};
use crate::summary::RunResult;

/// A finished run of `model` with every field the derived outputs read filled in.
pub fn manifest(model: &str, threads: usize, repetition: usize) -> RunManifest {
    let json = serde_json::json!({
        "run_id": format!("{model}-t{threads}-r{repetition}"), "experiment": "e",
        "status": "ok", "model": model, "threads": threads,
        "repetition": repetition, "seed": 1, "run_hash": "h", "config_hash": "c", "config": null,
        "machine": {"hostname": "h", "os": "linux", "arch": "x86_64", "cpu_model": "c",
                    "logical_cpus": 2, "memory_total_bytes": null, "cpu_flags_of_note": []},
        "versions": {"lowdepth": "0", "rustc": "r", "git_commit": null, "git_dirty": null, "profile": "test"},
        "started_unix_s": 0, "finished_unix_s": 1,
        "phases": {"keygen_wall_s": null, "encrypt_wall_s": null, "train_wall_s": 1.0, "decrypt_wall_s": null},
        "bandwidth": {"upload_data_bytes": 10, "upload_keys_bytes": 20, "download_model_bytes": 5},
        "circuit": {"depth": 15, "op_counts": {"ct_ct_mul": 3}},
        "final_metrics": {"accuracy": 0.9, "auc": 0.9, "log_loss": 0.3},
        "samples_file": "samples.csv"
    });
    // The literal above has every required field.
    serde_json::from_value(json).expect("synthetic manifest")
}

pub fn plaintext_run(model: &str, threads: usize) -> RunResult {
    RunResult {
        manifest: manifest(model, threads, 1),
        samples: Vec::new(),
    }
}

/// An encrypted run measured at `train_s` that predicts `predict(setting, cores)` for both
/// settings on 1..64 cores, with bounds work = prediction at 1 core, span = at 64 cores.
pub fn encrypted_run(
    model: &str,
    setting: ExecutionSetting,
    threads: usize,
    repetition: usize,
    train_s: f64,
    predict: impl Fn(ExecutionSetting, usize) -> f64,
) -> RunResult {
    let mut m = manifest(model, threads, repetition);
    m.run_id = format!("{model}-{setting}-t{threads}-r{repetition}");
    m.setting = Some(setting);
    m.phases.train_wall_s = Some(train_s);
    for s in ExecutionSetting::ALL {
        for cores in crate::prediction::PROJECTED_CORES {
            m.projection.push(ProjectionPoint {
                setting: s,
                cores,
                predicted_s: predict(s, cores),
            });
        }
        let (work_s, span_s) = (predict(s, 1), predict(s, 64));
        m.projection_bounds.push(ProjectionBounds {
            setting: s,
            work_s,
            span_s,
            max_parallelism: work_s / span_s,
        });
    }
    RunResult {
        manifest: m,
        samples: Vec::new(),
    }
}
