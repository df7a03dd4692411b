#!/usr/bin/env bash
# Installs the pinned TenSEAL (Microsoft SEAL Python bindings) used by the SEAL peer
# benchmark (baselines/seal-peer). Usage: scripts/install_seal_peer.sh [python]
set -euo pipefail
PY="${1:-${PYTHON:-python3}}"
TENSEAL_VERSION="0.3.18" # keep in sync with seal_peer.py and peer-compare (PINNED_TENSEAL)
"$PY" -m pip install "tenseal==${TENSEAL_VERSION}"
"$PY" -c 'import tenseal, tenseal.sealapi; print("tenseal", tenseal.__version__, "OK")'
