#!/usr/bin/env python3
"""Time OpenFHE's CKKS-RNS operations through its official Python wheel (`openfhe`).

Peer of lowdepth-ckks in peer-compare (issue #14). Speaks peer_protocol.py's JSON lines,
like seal_peer.py: one "meta" line (version, Q and P moduli, log2(QP), dnum, threads,
correctness check, keygen time), then per round one "op" line per operation and a
"round_done" line.

Parameters follow our presets: same ring N, same number of levels L (multiplicative
depth), 40-bit scaling primes, a 50-bit q_0, our key-switching digit count dnum (HYBRID
key switching, SetNumLargeDigits), FIXEDMANUAL scaling so that rescaling is an explicit
ModReduce, and HEStd_NotSet so that OpenFHE accepts the chosen N (our presets meet the
128-bit bound on log2(QP) themselves; the meta line records OpenFHE's log2(QP)).
OpenFHE parallelises with OpenMP: the number of threads is OMP_NUM_THREADS, which the
driver sets in this process's environment.

Usage: python3.10 openfhe_peer.py [--preset n15|n16] [--reps R] [--rounds K | --serve] [--check]
"""

import argparse
import json
import math
import os
import platform
import sys
import time

from peer_protocol import PRESETS, add_common_args, emit, light_reps, serve_or_run

PINNED_OPENFHE = "1.6.1.0.22.4"
INSTALL_HINT = "scripts/install_peers.sh openfhe   (or: python3.10 -m pip install openfhe==1.6.1.0.22.4)"
SCALE_BITS = 40
FIRST_MOD_BITS = 50  # our q_0 is 50 bits


def import_openfhe():
    try:
        import openfhe  # noqa: PLC0415
    except ImportError as e:
        sys.stderr.write(
            f"openfhe_peer.py: cannot import openfhe ({e}; the wheel is built for CPython 3.10, "
            f"this is {platform.python_version()}).\nInstall it with: {INSTALL_HINT}\n"
        )
        sys.exit(3)
    return openfhe


def installed_version():
    try:
        from importlib.metadata import version  # noqa: PLC0415

        return version("openfhe")
    except Exception:  # noqa: BLE001 - metadata only
        return "unknown"


def crypto_context(o, spec):
    p = o.CCParamsCKKSRNS()
    p.SetRingDim(1 << spec["log_n"])
    p.SetMultiplicativeDepth(spec["levels"])
    p.SetScalingModSize(SCALE_BITS)
    p.SetFirstModSize(FIRST_MOD_BITS)
    p.SetScalingTechnique(o.FIXEDMANUAL)
    p.SetKeySwitchTechnique(o.HYBRID)
    p.SetNumLargeDigits(spec["dnum"])
    p.SetSecurityLevel(o.HEStd_NotSet)
    p.SetBatchSize(1 << (spec["log_n"] - 1))
    cc = o.GenCryptoContext(p)
    for feature in (o.PKESchemeFeature.PKE, o.PKESchemeFeature.KEYSWITCH, o.PKESchemeFeature.LEVELEDSHE):
        cc.Enable(feature)
    return cc


def cm_values(tree):
    """All tower moduli ("cm" -> {"v": int}) in an OpenFHE JSON serialization, in order."""
    if isinstance(tree, list):
        return [m for x in tree for m in cm_values(x)]
    if not isinstance(tree, dict):
        return []
    cm = tree.get("cm")
    own = [cm["v"]] if isinstance(cm, dict) and isinstance(cm.get("v"), int) else []
    return own + [m for k, x in tree.items() if k != "cm" for m in cm_values(x)]


def q_and_p_moduli(o, cc, ct, levels):
    """OpenFHE's own ciphertext moduli Q and special moduli P.

    Q is in the context's serialization. P is not serialized, so a ciphertext reduced to
    its last tower is extended to the key-switching basis (KeySwitchExt) and serialized:
    its towers outside Q are P.
    """
    q = list(dict.fromkeys(cm_values(json.loads(o.Serialize(cc, o.JSON)))))
    ext = cc.KeySwitchExt(cc.LevelReduce(ct, None, levels), True)
    p = [m for m in dict.fromkeys(cm_values(json.loads(o.Serialize(ext, o.JSON)))) if m not in q]
    return q, p


def max_err(got, want):
    return max(abs(got[i] - want[i]) for i in range(0, len(want), 97))


def setup(o, name, reps):
    """Context, keys, operands and correctness check; returns (meta, ops)."""
    spec = PRESETS[name]
    slots = 1 << (spec["log_n"] - 1)
    cc = crypto_context(o, spec)

    t0 = time.perf_counter()
    keys = cc.KeyGen()
    cc.EvalMultKeyGen(keys.secretKey)
    cc.EvalRotateKeyGen(keys.secretKey, [1])
    keygen_s = time.perf_counter() - t0

    vals = [math.sin(i * 0.37) for i in range(slots)]
    vals2 = [math.cos(i * 0.11) for i in range(slots)]
    ct = cc.Encrypt(keys.publicKey, cc.MakeCKKSPackedPlaintext(vals))
    ct2 = cc.Encrypt(keys.publicKey, cc.MakeCKKSPackedPlaintext(vals2))

    def decrypt(c):
        pt = cc.Decrypt(c, keys.secretKey)
        pt.SetLength(slots)
        return pt.GetRealPackedValue()

    def mul_relin_rescale():
        prod = cc.EvalMultNoRelin(ct, ct2)
        cc.RelinearizeInPlace(prod)
        return cc.ModReduce(prod)

    def rotate():
        return cc.EvalRotate(ct, 1)

    # Correctness of mul+relin+rescale and rotate before any timing.
    mul_err = max_err(decrypt(mul_relin_rescale()), [a * b for a, b in zip(vals, vals2)])
    rot_err = max_err(decrypt(rotate()), vals[1:] + vals[:1])
    if not (mul_err < 1e-3 and rot_err < 1e-3):
        raise SystemExit(f"OpenFHE failed the correctness check on {name}: {mul_err:.2e}, {rot_err:.2e}")

    relined = cc.Relinearize(cc.EvalMultNoRelin(ct, ct2))  # rescale's operand, top level

    def rescale():
        return cc.ModReduce(relined)

    q, p = q_and_p_moduli(o, cc, ct, spec["levels"])
    meta = {
        "kind": "meta",
        "impl": "openfhe",
        "preset": name,
        "log_n": spec["log_n"],
        "levels": spec["levels"],
        "ring_dim": cc.GetRingDimension(),
        "multiplicative_depth": cc.GetMultiplicativeDepth(),
        "q_moduli": q,
        "p_moduli": p,
        "q_bits": [round(math.log2(m), 2) for m in q],
        "p_bits": [round(math.log2(m), 2) for m in p],
        # From the moduli: cc.GetModulus() is a double, infinite beyond 2^1024.
        "log2_q": round(sum(math.log2(m) for m in q), 2),
        "log2_qp": round(sum(math.log2(m) for m in q + p), 2),
        "special_primes": len(p),
        "dnum": spec["dnum"],
        "scale_log2": SCALE_BITS,
        "scaling_technique": "FIXEDMANUAL",
        "key_switch_technique": "HYBRID",
        "security_level": "HEStd_NotSet",
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "openfhe_version": o.__version__,
        "openfhe_wheel": installed_version(),
        "keygen_s": round(keygen_s, 3),
        "check_mul_relin_rescale_max_err": mul_err,
        "check_rotate_max_err": rot_err,
        "python": platform.python_version(),
        "reps": reps,
    }
    ops = [
        ("mul_relin_rescale", mul_relin_rescale, reps),
        ("rotate", rotate, reps),
        ("rescale", rescale, light_reps(reps)),
    ]
    return meta, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    args = ap.parse_args()

    o = import_openfhe()
    if args.check:
        print(installed_version())
        return
    if installed_version() != PINNED_OPENFHE:
        sys.stderr.write(f"openfhe_peer.py: warning: openfhe {installed_version()}, pinned {PINNED_OPENFHE}\n")
    meta, ops = setup(o, args.preset, args.reps)
    emit(meta)
    serve_or_run("openfhe", args.preset, ops, args.serve, args.rounds)


if __name__ == "__main__":
    main()
