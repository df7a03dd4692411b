//! Command line of `peer-compare`.

use std::path::PathBuf;

use clap::Parser;

use crate::peers::PeerKind;

#[derive(Parser, Debug)]
#[command(
    about = "lowdepth-ckks vs Microsoft SEAL (TenSEAL) vs OpenFHE on the same CKKS ops, same machine, \
             interleaved rounds; writes DIR/peers.csv (wall), DIR/peers-cpu.csv (process CPU), \
             DIR/machine.txt and DIR/params.jsonl",
    after_help = "Install the Python peers first: scripts/install_peers.sh (or use scripts/peers.sh DIR)."
)]
pub struct Args {
    /// Output directory (peers.csv, peers-cpu.csv, machine.txt, params.jsonl).
    #[arg(long, default_value = "results/peers")]
    pub out: PathBuf,
    /// Presets: n14 (N 2^14, 7 levels), n15 (N 2^15, 16 levels), n16 (N 2^16, 30 levels).
    #[arg(long, value_delimiter = ',', default_values_t = vec!["n15".to_string(), "n16".to_string()])]
    pub presets: Vec<String>,
    /// Thread counts: our rayon pool size and OpenFHE's OMP_NUM_THREADS. SEAL is
    /// single-threaded and is timed in the threads = 1 block only.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1usize, 2])]
    pub threads: Vec<usize>,
    /// Repetitions per round of mul_relin_rescale and rotate (rescale: max(3x, 31)).
    #[arg(long, default_value_t = 15)]
    pub reps: usize,
    /// Rounds per (preset, threads): ours, seal, openfhe, ours, seal, openfhe, ...
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Peers to time beside ours.
    #[arg(long, value_delimiter = ',', default_values_t = vec![PeerKind::Seal, PeerKind::OpenFhe])]
    pub peers: Vec<PeerKind>,
    /// Interpreter with tenseal (CPython >= 3.11). Default: the venv of scripts/install_peers.sh.
    #[arg(long)]
    pub seal_python: Option<String>,
    /// Interpreter with openfhe (CPython 3.10). Default: the venv of scripts/install_peers.sh.
    #[arg(long)]
    pub openfhe_python: Option<String>,
    /// OMP_WAIT_POLICY for OpenFHE (active or passive; default: unset, libgomp's default,
    /// which spins at barriers and suffers on a loaded machine at threads > 1).
    #[arg(long, value_parser = ["active", "passive"])]
    pub omp_wait_policy: Option<String>,
    /// Directory holding seal_peer.py and openfhe_peer.py (default: this crate's directory).
    #[arg(long)]
    pub scripts: Option<PathBuf>,
}
