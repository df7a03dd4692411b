//! The binary's contract on bad input: one clear line naming the file and field, a non-zero
//! exit, and no result files. Uses only the committed fixture (no network).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const GOOD: &str = "version: 1
experiment: bad-input-test
dataset:
  source: idx
  dir: DATA_DIR
training:
  minibatch_size: 64
  iterations: 3
  seed: 1
models: [plaintext-cubic]
";

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    results: PathBuf,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

/// Runs `lowdepth run` on `yaml` (with DATA_DIR replaced) in a fresh temporary directory.
fn run(yaml: &str, data_dir: &Path) -> Outcome {
    invoke("run", yaml, data_dir)
}

/// Runs `lowdepth check` the same way (it must refuse what `run` refuses).
fn check(yaml: &str, data_dir: &Path) -> Outcome {
    invoke("check", yaml, data_dir)
}

fn invoke(subcommand: &str, yaml: &str, data_dir: &Path) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("exp.yaml");
    std::fs::write(
        &config,
        yaml.replace("DATA_DIR", &data_dir.display().to_string()),
    )
    .expect("write config");
    let results = dir.path().join("results");
    let mut command = Command::new(env!("CARGO_BIN_EXE_lowdepth"));
    command.arg(subcommand).arg(&config);
    if subcommand == "run" {
        command.arg("--results").arg(&results);
    }
    let out = command
        .current_dir(dir.path())
        .env("CI", "true")
        .output()
        .expect("run lowdepth");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        results,
        config,
        _dir: dir,
    }
}

fn fixture() -> PathBuf {
    repo_root().join("datasets/fixture")
}

fn assert_clean_failure(o: &Outcome, field: &str, what: &str) {
    assert_ne!(o.code, Some(0), "must fail: {}", o.stderr);
    // Progress lines may precede it; the error itself is exactly one line, and comes last.
    let lines: Vec<_> = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(lines.len(), 1, "one error line expected, got: {}", o.stderr);
    let line = lines[0];
    assert_eq!(
        o.stderr.lines().last(),
        Some(line),
        "the error comes last: {}",
        o.stderr
    );
    assert!(line.starts_with("error: "), "{line}");
    assert!(
        line.contains(&o.config.display().to_string()),
        "names the file: {line}"
    );
    assert!(line.contains(field), "names the field {field}: {line}");
    assert!(line.contains(what), "says {what}: {line}");
    assert!(!o.results.exists(), "no result files may be written");
}

#[test]
fn good_config_runs_and_writes_results() {
    let o = run(GOOD, &fixture());
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let exp = o.results.join("bad-input-test");
    for f in [
        "summary.csv",
        "iterations.csv",
        "config.yaml",
        "figures/accuracy.png",
        "figures/auc.svg",
    ] {
        assert!(exp.join(f).is_file(), "missing {f}");
    }
    let summary = std::fs::read_to_string(exp.join("summary.csv")).expect("summary");
    assert_eq!(summary.lines().count(), 2, "{summary}");
}

#[test]
fn unknown_key_fails_cleanly() {
    let o = run(&GOOD.replace("seed: 1", "seed: 1\n  sede: 2"), &fixture());
    assert_clean_failure(&o, "training.sede", "unknown key");
}

#[test]
fn wrong_type_fails_cleanly() {
    let o = run(
        &GOOD.replace("iterations: 3", "iterations: three"),
        &fixture(),
    );
    assert_clean_failure(&o, "training.iterations", "invalid type");
}

#[test]
fn zero_minibatch_fails_cleanly() {
    let o = run(
        &GOOD.replace("minibatch_size: 64", "minibatch_size: 0"),
        &fixture(),
    );
    assert_clean_failure(&o, "training.minibatch_size", "between 1 and 65536");
}

#[test]
fn zero_threads_fail_cleanly() {
    let o = run(&format!("{GOOD}threads: [0]\n"), &fixture());
    assert_clean_failure(&o, "threads[0]", "between 1 and");
}

#[test]
fn duplicate_settings_fail_cleanly() {
    let o = run(&format!("{GOOD}settings: [full, full]\n"), &fixture());
    assert_clean_failure(&o, "settings[1]", "listed twice");
}

#[test]
fn unknown_threads_word_fails_cleanly() {
    let o = run(&format!("{GOOD}threads: every\n"), &fixture());
    assert_clean_failure(&o, "threads", "`all`");
}

#[test]
fn truncated_idx_fails_cleanly() {
    let data = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(fixture()).expect("fixture") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), data.path().join(entry.file_name())).expect("copy");
    }
    // Replace the training images by a truncated raw IDX file.
    let gz = data.path().join("train-images-idx3-ubyte.gz");
    let raw = lowdepth_data::idx::read_decoded(&gz).expect("decode fixture");
    std::fs::remove_file(&gz).expect("remove");
    let truncated = data.path().join("train-images-idx3-ubyte");
    std::fs::write(&truncated, &raw[..raw.len() / 2]).expect("write truncated");
    let o = run(GOOD, data.path());
    assert_clean_failure(&o, "dataset.dir", "train-images-idx3-ubyte");
    assert!(o.stderr.contains("truncated"), "{}", o.stderr);
}

#[test]
fn missing_data_dir_fails_cleanly() {
    let o = run(GOOD, Path::new("/nonexistent/lowdepth-data"));
    assert_clean_failure(&o, "dataset.dir", "/nonexistent/lowdepth-data");
}

#[test]
fn second_run_skips_finished_runs_and_force_redoes_them() {
    let o = run(GOOD, &fixture());
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let again = Command::new(env!("CARGO_BIN_EXE_lowdepth"))
        .arg("run")
        .arg(&o.config)
        .arg("--results")
        .arg(&o.results)
        .env("CI", "true")
        .output()
        .expect("rerun");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("0 run(s) done, 1 skipped"), "{stderr}");
    let forced = Command::new(env!("CARGO_BIN_EXE_lowdepth"))
        .arg("run")
        .arg(&o.config)
        .arg("--results")
        .arg(&o.results)
        .arg("--force")
        .env("CI", "true")
        .output()
        .expect("forced rerun");
    let stderr = String::from_utf8_lossy(&forced.stderr);
    assert!(stderr.contains("1 run(s) done, 0 skipped"), "{stderr}");
}

/// One encrypted model at INSECURE test size on the fixture (planning only fails here).
const ENCRYPTED: &str = "version: 1
experiment: bad-input-test
dataset:
  source: idx
  dir: DATA_DIR
training:
  minibatch_size: 64
  iterations: 2
  seed: 1
models: [lowdepth-ckks]
ckks:
  security: insecure-test-only
  log_n: 12
";

/// `run` and `check` both refuse `yaml` with the same one line naming `field`.
fn assert_refused_by_run_and_check(yaml: &str, field: &str, what: &str) {
    let by_run = run(yaml, &fixture());
    assert_clean_failure(&by_run, field, what);
    let by_check = check(yaml, &fixture());
    assert_clean_failure(&by_check, field, what);
    let last = |o: &Outcome| {
        o.stderr
            .lines()
            .last()
            .map(|l| l.replace(&o.config.display().to_string(), "CONFIG"))
    };
    assert_eq!(last(&by_run), last(&by_check));
}

#[test]
fn check_accepts_what_run_runs_and_prints_the_plan() {
    let o = check(ENCRYPTED, &fixture());
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout.contains("\nparameters lowdepth-ckks: depth "),
        "{}",
        o.stdout
    );
    // scripts/many-core-sweep.sh counts the indented lines as runs.
    let indented: Vec<_> = o.stdout.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(indented.len(), 1, "{}", o.stdout);
    assert!(
        indented[0].starts_with("  lowdepth-ckks-full-t1-r1-"),
        "{}",
        o.stdout
    );
    assert!(!o.results.exists());
}

#[test]
fn a_seeded_key_is_refused_and_the_insecure_seed_warns() {
    let yaml = GOOD.replace("[plaintext-cubic]", "[helr-ckks]");
    let seeded = format!("{yaml}ckks:\n  security: bits128\n  key_seed: 7\n");
    assert_refused_by_run_and_check(&seeded, "ckks.key_seed", "is not accepted");
    let o = check(
        &format!("{ENCRYPTED}  insecure_reproducible_keys_seed: 7\n"),
        &fixture(),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "warning: the encrypted runs of experiment bad-input-test are INSECURE: \
             test-size ring + reproducible keys"
        ),
        "{}",
        o.stderr
    );
}

#[test]
fn encrypted_learning_rate_other_than_one_is_refused_upfront() {
    let yaml = ENCRYPTED.replace("seed: 1", "seed: 1\n  learning_rate: 2.0");
    assert_refused_by_run_and_check(&yaml, "training.learning_rate", "must be 1.0");
}

#[test]
fn scale_too_large_for_the_primes_is_refused_upfront() {
    let yaml = format!("{ENCRYPTED}  log_scale: 50\n");
    assert_refused_by_run_and_check(&yaml, "ckks.log_scale", "between 20 and 45");
}

#[test]
fn too_deep_for_128_bit_is_refused_upfront() {
    let yaml = GOOD
        .replace("iterations: 3", "iterations: 16")
        .replace("[plaintext-cubic]", "[helr-ckks]");
    assert_refused_by_run_and_check(&yaml, "training.iterations", "raise ckks.rounds");
}

#[test]
fn a_held_results_directory_is_refused_and_leftover_temporaries_are_removed() {
    let first = run(GOOD, &fixture());
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let exp = first.results.join("bad-input-test");
    // What kill -9 during an atomic write leaves behind.
    let leftover = exp.join(".summary.csv.99999.tmp.csv");
    std::fs::write(&leftover, b"half").expect("leftover");
    // Another process holds the directory's lock.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(exp.join(".lock"))
        .expect("lock file");
    lock.try_lock().expect("lock");
    std::fs::write(exp.join(".lock"), "4242\n").expect("owner");
    let rerun = || {
        Command::new(env!("CARGO_BIN_EXE_lowdepth"))
            .arg("run")
            .arg(&first.config)
            .arg("--results")
            .arg(&first.results)
            .env("CI", "true")
            .output()
            .expect("rerun")
    };
    let refused = rerun();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("another lowdepth run (process 4242) is writing this results directory"),
        "{stderr}"
    );
    assert!(
        leftover.exists(),
        "nothing is touched while the lock is held"
    );
    drop(lock);
    let again = rerun();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("removed 1 temporary file(s)"), "{stderr}");
    assert!(!leftover.exists());
}
