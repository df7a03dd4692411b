//! machine.txt: what the numbers in peers.csv were measured on and with.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Facts gathered while the run went; rendered by `render`.
#[derive(Debug, Default)]
pub struct RunFacts {
    pub command: String,
    /// peer-compare's own command line (what `command` ran).
    pub argv: String,
    pub started: String,
    pub finished: String,
    pub load_start: String,
    pub load_end: String,
    pub isa: String,
    /// (engine, installed package version) of each peer.
    pub peer_versions: Vec<(String, String)>,
    /// Meta lines of every engine and preset (parameters, checks, keygen time).
    pub metas: Vec<serde_json::Value>,
    pub settings: String,
    /// Workspace revision when the run started (the tree may change while it runs).
    pub revision: String,
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// lscpu's "Model name", else /proc/cpuinfo's "model name".
fn cpu_model() -> String {
    let lscpu = Command::new("lscpu")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    lscpu
        .lines()
        .chain(cpuinfo.lines())
        .find(|l| l.to_ascii_lowercase().starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or_else(|| "unknown".into(), |m| m.trim().to_string())
}

/// The CPU flags that decide our kernel path, as yes/no from /proc/cpuinfo.
fn relevant_flags() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags: Vec<&str> = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .and_then(|l| l.split(':').nth(1))
        .map(|f| f.split_whitespace().collect())
        .unwrap_or_default();
    ["avx2", "fma", "avx512f", "avx512ifma"]
        .iter()
        .map(|f| format!("{f}={}", if flags.contains(f) { "yes" } else { "no" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// HEAD of the workspace and whether the tree differs from it.
pub fn git_revision(workspace: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(workspace)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(head) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            format!(
                "{head}{}",
                if dirty {
                    " (with uncommitted changes)"
                } else {
                    ""
                }
            )
        }
        None => "unknown".into(),
    }
}

fn meta_str(meta: &serde_json::Value, key: &str) -> String {
    match meta.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "-".into(),
    }
}

pub fn render(facts: &RunFacts) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(s, "{k:<22} {v}");
    };
    line("command", &facts.command);
    line("binary argv", &facts.argv);
    line("started (UTC)", &facts.started);
    line("finished (UTC)", &facts.finished);
    line("load average start", &facts.load_start);
    line("load average end", &facts.load_end);
    line("cpu model", &cpu_model());
    line(
        "logical cpus",
        &std::thread::available_parallelism().map_or("?".into(), |n| n.get().to_string()),
    );
    line("cpu flags", &relevant_flags());
    line("lowdepth kernel path", &facts.isa);
    line("lowdepth revision", &facts.revision);
    line("rustc (build)", env!("PEER_COMPARE_RUSTC"));
    for (engine, version) in &facts.peer_versions {
        line(&format!("{engine} package"), version);
    }
    line("settings", &facts.settings);
    line(
        "threads",
        "lowdepth: rayon pool of `threads`; openfhe: OMP_NUM_THREADS=`threads`; \
         seal: single-threaded evaluator, timed at threads=1 only",
    );
    let mut seen_seal_version = false;
    for m in &facts.metas {
        let engine = meta_str(m, "impl");
        if engine == "seal" && !seen_seal_version {
            seen_seal_version = true;
            let _ = writeln!(
                s,
                "{:<22} {} (from a serialization header); HEXL marker in binary: {}",
                "seal version",
                meta_str(m, "seal_version_from_header"),
                meta_str(m, "hexl_marker_in_binary")
            );
        }
        let omp = m
            .get("omp_num_threads")
            .map(|t| format!(" (OMP_NUM_THREADS={})", t.as_str().unwrap_or("?")))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{:<22} N=2^{} L={} dnum={} special primes={} log2(QP)={} keygen {} s; check max err mul+relin+rescale {}, rotate {}",
            format!("params {engine}{omp}"),
            meta_str(m, "log_n"),
            meta_str(m, "levels"),
            meta_str(m, "dnum"),
            meta_str(m, "special_primes"),
            meta_str(m, "log2_qp"),
            meta_str(m, "keygen_s"),
            meta_str(m, "check_mul_relin_rescale_max_err"),
            meta_str(m, "check_rotate_max_err"),
        );
    }
    s.push_str("(moduli of every engine and preset: params.jsonl)\n");
    s
}
