#!/usr/bin/env bash
# Issue #14's peer comparison in one command: lowdepth-ckks vs SEAL (TenSEAL) vs OpenFHE,
# interleaved, on this machine. Installs (or re-checks) the pinned Python peers, builds only
# the release binary of lowdepth-seal-peer (not the workspace), runs it, and writes
# DIR/peers.csv, DIR/machine.txt and DIR/params.jsonl.
# Usage: scripts/peers.sh DIR [peer-compare options: --presets n15,n16 --threads 1,2 --reps R --rounds K]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ "${1#-}" != "$1" ]; then
    echo "usage: scripts/peers.sh DIR [--presets n15,n16] [--threads 1,2] [--reps R] [--rounds K]" >&2
    exit 2
fi
out="$1"
shift
scripts/install_peers.sh all
cargo build --release -p lowdepth-seal-peer --bin peer-compare
# machine.txt records this line as the command that produced the results.
export PEER_COMPARE_INVOKED_AS="scripts/peers.sh $out${*:+ $*}"
exec "${CARGO_TARGET_DIR:-target}/release/peer-compare" --out "$out" "$@"
