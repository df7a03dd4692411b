#!/usr/bin/env bash
# Many-core reproduction: runs the paper config (configs/paper.yaml) on every core count of
# this machine (threads: all = powers of two up to the core count, then the count itself)
# in both execution settings (paper, full), from a prebuilt binary and already-fetched
# MNIST. It never builds and never fetches: a machine lent for a short time spends it on
# the sweep. Everything goes under one folder; the REPORT.md path is printed at the end.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/many-core-sweep.sh [options]

  --binary PATH       the lowdepth binary (default: $LOWDEPTH_BIN or target/release/lowdepth;
                      build it first: cargo build --release -p lowdepth)
  --data DIR          the four MNIST IDX files, raw or .gz (default: $LOWDEPTH_DATA or
                      datasets/mnist; fetch them first: lowdepth data fetch)
  --repetitions N     repetitions of each run (default 1, which fits 12 minutes on 16 cores)
  --out DIR           results folder (default results/many-core-<cores>-cores)
  --quick             a minutes-long check of the sweep itself: the CI-sized config
                      (configs/ci-encrypted.yaml, INSECURE N = 2^12) on datasets/fixture
  -h, --help          this text
EOF
}

die() {
    echo "many-core-sweep: $*" >&2
    exit 2
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="${LOWDEPTH_BIN:-$repo_root/target/release/lowdepth}"
data="${LOWDEPTH_DATA:-}"
repetitions=1
out=""
quick=0

while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) [[ $# -ge 2 ]] || die "--binary needs a path"; binary="$2"; shift 2 ;;
        --data) [[ $# -ge 2 ]] || die "--data needs a directory"; data="$2"; shift 2 ;;
        --repetitions) [[ $# -ge 2 ]] || die "--repetitions needs a number"; repetitions="$2"; shift 2 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out="$2"; shift 2 ;;
        --quick) quick=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ "$repetitions" =~ ^[1-9][0-9]*$ ]] || die "--repetitions must be a positive whole number, got '$repetitions'"

cores="$(nproc)"
if [[ $quick -eq 1 ]]; then
    base_config="$repo_root/configs/ci-encrypted.yaml"
    experiment="quick-${cores}-cores"
    data="${data:-$repo_root/datasets/fixture}"
else
    base_config="$repo_root/configs/paper.yaml"
    experiment="paper-${cores}-cores"
    data="${data:-$repo_root/datasets/mnist}"
fi
out="${out:-$repo_root/results/many-core-${cores}-cores}"

# Inputs first: nothing is written when the binary or the data is missing.
[[ -f "$binary" && -x "$binary" ]] ||
    die "no executable lowdepth binary at $binary; build it first (cargo build --release -p lowdepth) or pass --binary / LOWDEPTH_BIN. This script never builds."
[[ -d "$data" ]] ||
    die "no data directory $data; fetch MNIST first (lowdepth data fetch --dir $data) or pass --data / LOWDEPTH_DATA. This script never fetches."
missing=()
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$data/$f" || -f "$data/$f.gz" ]] || missing+=("$f")
done
[[ ${#missing[@]} -eq 0 ]] ||
    die "$data lacks ${missing[*]} (raw or .gz); fetch MNIST first (lowdepth data fetch --dir $data). This script never fetches."

binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
data="$(cd "$data" && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
config="$out/$experiment.yaml"

# The derived config: the base config with the sweep's keys replaced (drop them, append
# ours) and the dataset pointed at the local IDX files (source idx: never fetched).
{
    echo "# Derived from ${base_config#"$repo_root"/} by scripts/many-core-sweep.sh; do not edit."
    sed -E \
        -e '/^(experiment|description|threads|settings|repetitions):/d' \
        -e 's|^  source: .*|  source: idx|' \
        -e "s|^  dir: .*|  dir: $data|" \
        "$base_config"
    echo "experiment: $experiment"
    echo "description: many-core sweep of ${base_config#"$repo_root"/} on $cores cores, settings paper and full"
    echo "threads: all"
    echo "settings: [paper, full]"
    echo "repetitions: $repetitions"
} >"$config"
if ! grep -qx '  source: idx' "$config" || ! grep -qx "  dir: $data" "$config"; then
    die "could not point $config at $data: ${base_config#"$repo_root"/} no longer has block-style 'source:' and 'dir:' under dataset"
fi

cd "$repo_root"
plan="$("$binary" check "$config")"
encrypted_threads="$(sed -nE 's/^  (helr|lowdepth)-ckks-(paper|full)-t([0-9]+)-r.*/\3/p' <<<"$plan")"
runs="$(grep -c '^  ' <<<"$plan" || true)"
encrypted="$(grep -c . <<<"$encrypted_threads" || true)"
# Rough cost of one 128-bit encrypted run (k = 6): 15 s of key generation, encryption and
# calibration plus 25 s of training divided by the threads (this project's 2-core machine).
# Per encrypted run 15 s + 25 s / threads; per thread count 40 s of op-cost calibration
# (both circuits, once per process); from the 2-core reference machine.
estimate_s="$(awk '{ s += 15 + 25 / $1; if (!seen[$1]++) s += 40 } END { printf "%.0f", s + 15 }' <<<"$encrypted_threads")"
echo "many-core sweep: $cores cores, threads $(sort -nu <<<"$encrypted_threads" | paste -sd, -), settings paper and full, $repetitions repetition(s)"
echo "  $runs runs ($encrypted encrypted); estimate about $((estimate_s / 60)) min $((estimate_s % 60)) s at full size (15 s + 25 s / threads per encrypted run, 40 s of calibration per thread count; from the 2-core reference machine)"
if [[ $quick -eq 1 ]]; then
    echo "  --quick: CI-sized INSECURE parameters on the fixture, far shorter than the estimate"
fi
echo "  config $config"
echo "  results $out/$experiment"

status=0
"$binary" run "$config" --results "$out" || status=$?
report="$out/$experiment/REPORT.md"
if [[ -f "$report" ]]; then
    echo "many-core sweep done; report: $report"
else
    echo "many-core-sweep: no REPORT.md was written (see the errors above)" >&2
    [[ $status -ne 0 ]] || status=1
fi
exit "$status"
