//! Facts about the machine and software, recorded in every manifest.

use std::process::Command;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineInfo {
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub cpu_model: String,
    /// Logical CPUs visible to this process.
    pub logical_cpus: usize,
    pub memory_total_bytes: Option<u64>,
    /// CPU features that change our speed (AVX-512 IFMA selects the fast NTT path).
    pub cpu_flags_of_note: Vec<String>,
    /// The CKKS engine's kernel path in this process (`ifma`, `avx512`, `avx2`, `scalar`;
    /// `LOWDEPTH_CKKS_ISA` forces one). Empty in manifests written before it was recorded.
    #[serde(default)]
    pub ckks_kernel_path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftwareVersions {
    pub lowdepth: String,
    pub rustc: String,
    pub git_commit: Option<String>,
    /// True when the working tree had uncommitted changes.
    pub git_dirty: Option<bool>,
    pub profile: String,
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl MachineInfo {
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |name: &str| {
            cpuinfo
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        };
        let flags = field("flags").unwrap_or_default();
        let of_note = ["avx2", "avx512f", "avx512ifma", "bmi2", "adx"];
        let cpu_flags_of_note = flags
            .split_whitespace()
            .filter(|f| of_note.contains(f))
            .map(str::to_string)
            .collect();
        let memory_total_bytes = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .map(|kb| kb * 1024)
        });
        MachineInfo {
            hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            os: std::env::consts::OS.to_string(),
            arch: std::env::consts::ARCH.to_string(),
            cpu_model: field("model name").unwrap_or_else(|| "unknown".into()),
            logical_cpus: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            memory_total_bytes,
            cpu_flags_of_note,
            ckks_kernel_path: lowdepth_toolkit_ckks::KernelPath::active()
                .name()
                .to_string(),
        }
    }
}

impl SoftwareVersions {
    pub fn detect() -> Self {
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        };
        SoftwareVersions {
            lowdepth: env!("CARGO_PKG_VERSION").to_string(),
            rustc: env!("LOWDEPTH_RUSTC_VERSION").to_string(),
            git_commit: git(&["rev-parse", "HEAD"]),
            git_dirty: git(&["status", "--porcelain", "--untracked-files=no"])
                .map(|s| !s.is_empty()),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_string(),
        }
    }
}
