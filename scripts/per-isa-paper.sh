#!/usr/bin/env bash
# The paper workload once per engine kernel path (ifma, avx512, avx2, scalar) on this
# machine: what command 1 costs on each instruction set. Each path is forced with
# LOWDEPTH_CKKS_ISA, so all paths this CPU can execute are measured side by side on one
# machine. A forced path is that path's code on this CPU, not another CPU: an older AVX2
# machine has slower cores and memory as well. From a prebuilt binary and fetched MNIST; it
# never builds and never fetches. Writes DIR/per-isa.md and one results folder per path.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/per-isa-paper.sh [options]

  --binary PATH    the lowdepth binary (default: $LOWDEPTH_BIN or target/release/lowdepth)
  --data DIR       the four MNIST IDX files (default: $LOWDEPTH_DATA or datasets/mnist)
  --paths LIST     comma-separated kernel paths (default: every path this CPU can run)
  --threads N      threads of each run (default 1)
  --out DIR        results folder (default results/per-isa)
  --quick          the CI-sized INSECURE config on datasets/fixture (checks the script)
  -h, --help       this text
EOF
}

die() {
    echo "per-isa-paper: $*" >&2
    exit 2
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
invocation="scripts/per-isa-paper.sh $*"
binary="${LOWDEPTH_BIN:-$repo_root/target/release/lowdepth}"
data="${LOWDEPTH_DATA:-}"
paths=""
threads=1
out="$repo_root/results/per-isa"
quick=0

while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) [[ $# -ge 2 ]] || die "--binary needs a path"; binary="$2"; shift 2 ;;
        --data) [[ $# -ge 2 ]] || die "--data needs a directory"; data="$2"; shift 2 ;;
        --paths) [[ $# -ge 2 ]] || die "--paths needs a list"; paths="$2"; shift 2 ;;
        --threads) [[ $# -ge 2 ]] || die "--threads needs a number"; threads="$2"; shift 2 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out="$2"; shift 2 ;;
        --quick) quick=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive whole number, got '$threads'"

flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
has() { [[ " $flags " == *" $1 "* ]]; }
if [[ -z "$paths" ]]; then
    paths="scalar"
    if has avx2 && has fma; then paths="avx2,$paths"; fi
    if has avx512f && has avx512dq && has avx512vl; then paths="avx512,$paths"; fi
    if has avx512ifma; then paths="ifma,$paths"; fi
fi
IFS=, read -r -a path_list <<<"$paths"
for p in "${path_list[@]}"; do
    [[ "$p" =~ ^(ifma|avx512|avx2|scalar)$ ]] || die "unknown kernel path '$p' (ifma, avx512, avx2, scalar)"
done

if [[ $quick -eq 1 ]]; then
    base_config="$repo_root/configs/ci-encrypted.yaml"
    data="${data:-$repo_root/datasets/fixture}"
else
    base_config="$repo_root/configs/paper.yaml"
    data="${data:-$repo_root/datasets/mnist}"
fi

[[ -f "$binary" && -x "$binary" ]] ||
    die "no executable lowdepth binary at $binary; build it first (cargo build --release -p lowdepth). This script never builds."
[[ -d "$data" ]] || die "no data directory $data; fetch MNIST first (lowdepth data fetch). This script never fetches."
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
data="$(cd "$data" && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cd "$repo_root"
rows=()
for p in "${path_list[@]}"; do
    experiment="per-isa-$p"
    config="$out/$experiment.yaml"
    {
        echo "# Derived from ${base_config#"$repo_root"/} by scripts/per-isa-paper.sh; do not edit."
        sed -E \
            -e '/^(experiment|description|threads|settings|repetitions):/d' \
            -e 's|^  source: .*|  source: idx|' \
            -e "s|^  dir: .*|  dir: $data|" \
            "$base_config"
        echo "experiment: $experiment"
        echo "description: ${base_config#"$repo_root"/} with the engine forced to its $p kernels"
        echo "threads: [$threads]"
        echo "settings: [full]"
        echo "repetitions: 1"
    } >"$config"
    echo "per-isa: $p (LOWDEPTH_CKKS_ISA=$p), $threads thread(s), config $config"
    start=$(date +%s)
    LOWDEPTH_CKKS_ISA="$p" "$binary" run "$config" --results "$out" --force ||
        die "the $p run failed (see above); finished paths are kept under $out"
    wall=$(($(date +%s) - start))
    summary="$out/$experiment/summary.csv"
    train() {
        awk -F, -v model="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            $col["model"] == model { printf "%.2f", $col["train_wall_s"] }' "$summary"
    }
    helr="$(train helr-ckks)"
    low="$(train lowdepth-ckks)"
    ratio="$(awk -v a="$helr" -v b="$low" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
    rows+=("| $p | $helr | $low | $ratio | $wall |")
done

{
    echo "# The paper workload per kernel path"
    echo
    echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores;"
    echo "CPU flags of note: $(for f in avx2 fma avx512f avx512ifma; do has "$f" && printf '%s ' "$f"; done)"
    echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); config: ${base_config#"$repo_root"/} with 1 repetition,"
    echo "$threads thread(s), setting full; command: $invocation"
    echo
    echo "| kernel path | baseline train s | low-depth train s | baseline / low-depth | whole run s |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$out/per-isa.md.tmp"
mv "$out/per-isa.md.tmp" "$out/per-isa.md"
cat "$out/per-isa.md"
