//! Records the compiler that built `peer-compare` for machine.txt (the toolchain on PATH at
//! run time may differ).
use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=PEER_COMPARE_RUSTC={version}");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
