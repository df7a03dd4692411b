#!/usr/bin/env bash
# Installs the pinned Python peers of the peer benchmark (baselines/seal-peer), each in its
# own virtual environment, because their wheels need different CPython versions:
#   SEAL    through TenSEAL 0.3.18 (wheels for CPython >= 3.11)  -> $PEERS_VENVS/seal
#   OpenFHE through openfhe 1.6.1.0.22.4 (an Ubuntu 22.04 build whose extension module is
#           compiled for CPython 3.10 only)                       -> $PEERS_VENVS/openfhe
# Usage: scripts/install_peers.sh [seal|openfhe|all]   (default all)
# Env: PEERS_VENVS (default ~/.cache/lowdepth-peers), SEAL_BASE_PYTHON (default python3.11),
#      OPENFHE_BASE_PYTHON (default python3.10). Both fall back to pyenv's installed versions.
set -euo pipefail
# Keep in sync with PINNED_* in seal_peer.py / openfhe_peer.py and peer-compare's peers.rs.
TENSEAL_VERSION="0.3.18"
OPENFHE_VERSION="1.6.1.0.22.4"
VENVS="${PEERS_VENVS:-$HOME/.cache/lowdepth-peers}"
WHICH="${1:-all}"

# The interpreter named $1 if on PATH, else the newest pyenv install of version $2.
base_python() {
    if command -v "$1" >/dev/null 2>&1 && "$1" -c '' >/dev/null 2>&1; then
        command -v "$1"
        return
    fi
    local found
    found="$(ls -d "$HOME"/.pyenv/versions/"$2".*/bin/python3 2>/dev/null | sort -V | tail -1 || true)"
    [ -n "$found" ] || { echo "install_peers.sh: no $1 found (install CPython $2, e.g. with pyenv)" >&2; exit 1; }
    echo "$found"
}

# Creates venv $1 from interpreter $2 unless it exists, then pip-installs $3 into it.
install_into() {
    local venv="$VENVS/$1"
    # Progress to stderr: stdout carries only the venv interpreter path.
    [ -x "$venv/bin/python" ] || "$2" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$3" >&2
    echo "$venv/bin/python"
}

if [ "$WHICH" = seal ] || [ "$WHICH" = all ]; then
    py="$(install_into seal "$(base_python "${SEAL_BASE_PYTHON:-python3.11}" 3.11)" "tenseal==${TENSEAL_VERSION}")"
    "$py" -c 'import tenseal, tenseal.sealapi; print("seal peer: tenseal", tenseal.__version__, "OK")'
fi
if [ "$WHICH" = openfhe ] || [ "$WHICH" = all ]; then
    py="$(install_into openfhe "$(base_python "${OPENFHE_BASE_PYTHON:-python3.10}" 3.10)" "openfhe==${OPENFHE_VERSION}")"
    "$py" -c 'import openfhe; print("openfhe peer: openfhe", openfhe.__version__, "OK")'
fi
