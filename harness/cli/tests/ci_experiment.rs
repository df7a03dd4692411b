//! CI regression check: run the small-parameter encrypted experiment and compare it with the
//! committed reference (deterministic figures must match; times are only reported).

use std::path::Path;
use std::process::Command;

#[test]
fn ci_encrypted_experiment_matches_the_committed_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let results = tempfile::tempdir().expect("tempdir");
    let run = Command::new(env!("CARGO_BIN_EXE_lowdepth"))
        .current_dir(&root)
        .args(["run", "configs/ci-encrypted.yaml", "--results"])
        .arg(results.path())
        .env("CI", "true")
        .output()
        .expect("run lowdepth");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "experiment failed:\n{stderr}");
    let report = results.path().join("ci-encrypted/REPORT.md");
    assert!(report.is_file(), "REPORT.md missing:\n{stderr}");
    // CI's runs are insecure (test-size ring, fixed keys) and say so everywhere.
    assert!(
        stderr.contains("warning: the encrypted runs of experiment ci-encrypted are INSECURE"),
        "{stderr}"
    );
    let md = std::fs::read_to_string(&report).expect("REPORT.md");
    assert!(md.starts_with("> **INSECURE SETTINGS.** 2 run(s)"), "{md}");
    let summary =
        std::fs::read_to_string(results.path().join("ci-encrypted/summary.csv")).expect("csv");
    assert!(
        summary.lines().next().unwrap_or("").contains(",security,"),
        "{summary}"
    );
    assert_eq!(
        summary
            .matches("INSECURE: test-size ring + reproducible keys")
            .count(),
        2,
        "{summary}"
    );

    let compare = Command::new(env!("CARGO_BIN_EXE_lowdepth"))
        .current_dir(&root)
        .arg("compare")
        .arg(results.path().join("ci-encrypted"))
        .arg("results/reference/ci-encrypted")
        .output()
        .expect("run lowdepth compare");
    let stdout = String::from_utf8_lossy(&compare.stdout);
    println!("{stdout}");
    assert!(
        compare.status.success(),
        "regressions against results/reference/ci-encrypted:\n{stdout}{}",
        String::from_utf8_lossy(&compare.stderr)
    );
}
