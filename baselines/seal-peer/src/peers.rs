//! The Python peers (seal_peer.py, openfhe_peer.py) as long-lived child processes.
//!
//! Each child sets up one preset once (key generation is slow at N = 2^16), prints a meta
//! line, then runs one round of timed ops per "round" line we send (peer_protocol.py), so
//! rounds of all engines can be interleaved without repeating key generation.

use std::fmt;
use std::io::{BufRead, BufReader, Lines, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// A peer library timed beside ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerKind {
    Seal,
    OpenFhe,
}

impl PeerKind {
    /// The `engine` column of peers.csv.
    pub fn engine(self) -> &'static str {
        match self {
            PeerKind::Seal => "seal",
            PeerKind::OpenFhe => "openfhe",
        }
    }

    fn script(self) -> &'static str {
        match self {
            PeerKind::Seal => "seal_peer.py",
            PeerKind::OpenFhe => "openfhe_peer.py",
        }
    }

    /// Pinned PyPI package and version (also in scripts/install_peers.sh and the scripts).
    pub fn pinned(self) -> (&'static str, &'static str) {
        match self {
            PeerKind::Seal => ("tenseal", "0.3.18"),
            PeerKind::OpenFhe => ("openfhe", "1.6.1.0.22.4"),
        }
    }

    /// The CPython its wheel needs.
    fn python_version(self) -> &'static str {
        match self {
            PeerKind::Seal => "3.11",
            PeerKind::OpenFhe => "3.10",
        }
    }

    fn venv_name(self) -> &'static str {
        match self {
            PeerKind::Seal => "seal",
            PeerKind::OpenFhe => "openfhe",
        }
    }

    /// SEAL's evaluator has no threads: it is timed at threads = 1 only.
    pub fn runs_at(self, threads: usize) -> bool {
        match self {
            PeerKind::Seal => threads == 1,
            PeerKind::OpenFhe => true,
        }
    }

    /// Where scripts/install_peers.sh puts this peer's interpreter.
    pub fn default_python(self) -> String {
        let venvs = std::env::var_os("PEERS_VENVS")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/lowdepth-peers"))
            })
            .unwrap_or_else(|| PathBuf::from(".cache/lowdepth-peers"));
        venvs
            .join(self.venv_name())
            .join("bin/python")
            .to_string_lossy()
            .into_owned()
    }

    fn install_hint(self) -> String {
        let (package, version) = self.pinned();
        format!(
            "  Install it with:  scripts/install_peers.sh {}\n  \
             or by hand:       python{} -m pip install {package}=={version}  (then pass --{}-python)",
            self.venv_name(),
            self.python_version(),
            self.venv_name(),
        )
    }
}

impl fmt::Display for PeerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.engine())
    }
}

impl FromStr for PeerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "seal" => Ok(PeerKind::Seal),
            "openfhe" => Ok(PeerKind::OpenFhe),
            other => Err(format!("unknown peer {other:?} (seal or openfhe)")),
        }
    }
}

/// How to start one peer: its interpreter and the directory of the scripts.
#[derive(Debug, Clone)]
pub struct PeerCommand {
    pub kind: PeerKind,
    pub python: String,
    pub scripts: PathBuf,
    /// Extra environment of the peer process (e.g. OMP_WAIT_POLICY).
    pub env: Vec<(String, String)>,
}

impl PeerCommand {
    /// The installed package version, or a message saying how to install it.
    pub fn check_installed(&self) -> Result<String, String> {
        let (package, _) = self.kind.pinned();
        let out = Command::new(&self.python)
            .arg(self.scripts.join(self.kind.script()))
            .arg("--check")
            .stderr(Stdio::null())
            .output();
        match out {
            Ok(o) if o.status.success() => {
                Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
            }
            Ok(_) => Err(format!(
                "{package} is not importable by {} (needed to time {}).\n{}",
                self.python,
                self.kind,
                self.kind.install_hint()
            )),
            Err(e) => Err(format!(
                "cannot run {} ({e}) to time {}.\n{}",
                self.python,
                self.kind,
                self.kind.install_hint()
            )),
        }
    }

    /// Starts the peer on `preset` with `threads` OpenMP threads; waits for its meta line.
    pub fn spawn(&self, preset: &str, reps: usize, threads: usize) -> Result<StartedPeer> {
        let mut child = Command::new(&self.python)
            .arg(self.scripts.join(self.kind.script()))
            .args(["--preset", preset, "--reps", &reps.to_string(), "--serve"])
            .env("OMP_NUM_THREADS", threads.to_string())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {} {}", self.python, self.kind.script()))?;
        let stdin = child.stdin.take().context("peer stdin")?;
        let lines = BufReader::new(child.stdout.take().context("peer stdout")?).lines();
        let mut peer = PeerProcess {
            kind: self.kind,
            child,
            stdin: Some(stdin),
            lines,
        };
        let meta = peer.next_line()?;
        if meta.get("kind").and_then(|k| k.as_str()) != Some("meta") {
            bail!("{} peer: expected a meta line first, got {meta}", self.kind);
        }
        Ok(StartedPeer {
            process: peer,
            meta,
        })
    }
}

/// One op line of a round: op name, wall-clock and process-CPU samples (ms).
#[derive(Deserialize, Debug)]
pub struct PeerOp {
    pub op: String,
    pub samples_ms: Vec<f64>,
    #[serde(default)]
    pub cpu_samples_ms: Vec<f64>,
}

/// A running peer, set up on one preset.
#[derive(Debug)]
pub struct PeerProcess {
    pub kind: PeerKind,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
}

/// A started peer and its meta line (parameters, versions, correctness check).
#[derive(Debug)]
pub struct StartedPeer {
    pub process: PeerProcess,
    pub meta: serde_json::Value,
}

impl PeerProcess {
    fn next_line(&mut self) -> Result<serde_json::Value> {
        match self.lines.next() {
            Some(line) => {
                let line = line.with_context(|| format!("reading from the {} peer", self.kind))?;
                serde_json::from_str(&line)
                    .with_context(|| format!("{} peer: bad JSON line: {line}", self.kind))
            }
            None => {
                let status = self.child.wait()?;
                bail!(
                    "the {} peer exited early ({status}); its stderr is above",
                    self.kind
                )
            }
        }
    }

    /// Runs one round in the peer; returns its ops in order.
    pub fn round(&mut self) -> Result<Vec<PeerOp>> {
        let stdin = self.stdin.as_mut().context("peer already finished")?;
        writeln!(stdin, "round")
            .and_then(|()| stdin.flush())
            .with_context(|| format!("writing to the {} peer", self.kind))?;
        let mut ops = Vec::new();
        loop {
            let line = self.next_line()?;
            match line.get("kind").and_then(|k| k.as_str()) {
                Some("op") => ops.push(serde_json::from_value(line)?),
                Some("round_done") => return Ok(ops),
                _ => bail!("{} peer: unexpected line {line}", self.kind),
            }
        }
    }

    /// Closes its input (end of rounds) and waits for it to exit.
    pub fn finish(mut self) -> Result<()> {
        drop(self.stdin.take());
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the {} peer exited with {status}", self.kind);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in peer (named like the real script) that speaks peer_protocol.py's lines.
    fn stand_in(dir: &Path, kind: PeerKind, body: &str) -> PeerCommand {
        std::fs::write(dir.join(kind.script()), body).expect("write stand-in peer");
        PeerCommand {
            kind,
            python: "python3".into(),
            scripts: dir.to_path_buf(),
            env: vec![("PEER_TEST".into(), "x".into())],
        }
    }

    const FAKE_PEER: &str = r#"
import json, os, sys
if "--check" in sys.argv:
    print("9.9"); sys.exit(0)
print(json.dumps({"kind": "meta", "omp": os.environ.get("OMP_NUM_THREADS"), "env": os.environ.get("PEER_TEST")}), flush=True)
for line in sys.stdin:
    print(json.dumps({"kind": "op", "op": "rotate", "samples_ms": [1.0, 2.0], "cpu_samples_ms": [0.5, 1.5]}), flush=True)
    print(json.dumps({"kind": "round_done"}), flush=True)
"#;

    #[test]
    fn rounds_follow_the_protocol_and_threads_reach_the_peer() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let cmd = stand_in(dir.path(), PeerKind::OpenFhe, FAKE_PEER);
        assert_eq!(cmd.check_installed().as_deref(), Ok("9.9"));
        let StartedPeer { mut process, meta } = cmd.spawn("n15", 3, 2)?;
        assert_eq!(
            (meta["omp"].as_str(), meta["env"].as_str()),
            (Some("2"), Some("x"))
        );
        for _ in 0..2 {
            let ops = process.round()?;
            assert_eq!(ops.len(), 1);
            assert_eq!((ops[0].op.as_str(), ops[0].samples_ms.len()), ("rotate", 2));
            assert_eq!(ops[0].cpu_samples_ms, [0.5, 1.5]);
        }
        process.finish()
    }

    #[test]
    fn a_missing_package_names_the_install_command() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let cmd = stand_in(dir.path(), PeerKind::Seal, "import sys\nsys.exit(3)\n");
        let msg = cmd
            .check_installed()
            .expect_err("import failure must be reported");
        assert!(msg.contains("scripts/install_peers.sh seal"), "{msg}");
        assert!(msg.contains("tenseal==0.3.18"), "{msg}");
        Ok(())
    }

    #[test]
    fn a_peer_that_dies_during_setup_is_an_error() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let cmd = stand_in(dir.path(), PeerKind::Seal, "import sys\nsys.exit(1)\n");
        let err = cmd.spawn("n15", 3, 1).expect_err("no meta line");
        assert!(err.to_string().contains("exited early"), "{err}");
        Ok(())
    }
}
