#!/usr/bin/env python3
"""Time Microsoft SEAL's CKKS operations through TenSEAL's low-level SEAL bindings.

Peer of lowdepth-ckks in peer-compare (issue #14). Speaks peer_protocol.py's JSON lines:
one "meta" line (versions, moduli, log2(QP), correctness check, keygen time), then per round
one "op" line per operation and a "round_done" line.

Every SEAL evaluator call is timed exactly (tenseal.sealapi.Evaluator.multiply,
relinearize, rescale_to_next, rotate_vector), not through ckks_vector, whose operators
fuse relinearize + rescale. SEAL's evaluator is single-threaded.

SEAL always switches keys with ONE special prime and dnum = L+1 digits; it cannot match
our dnum (n15: 6, n16: 4). The meta line says so ("dnum").

Usage: python3 seal_peer.py [--preset n14|n15|n16] [--reps R] [--rounds K | --serve] [--check]
"""

import argparse
import math
import os
import platform
import sys
import time

from peer_protocol import PRESETS, add_common_args, emit, light_reps, serve_or_run

PINNED_TENSEAL = "0.3.18"
INSTALL_HINT = "scripts/install_peers.sh seal   (or: python3.11 -m pip install tenseal==0.3.18)"


def import_tenseal():
    try:
        import tenseal as ts  # noqa: PLC0415
        import tenseal.sealapi as sealapi  # noqa: PLC0415
    except ImportError as e:
        sys.stderr.write(f"seal_peer.py: cannot import tenseal ({e}).\nInstall it with: {INSTALL_HINT}\n")
        sys.exit(3)
    return ts, sealapi


def seal_version(ct, path):
    """SEAL version as written in a serialization header (magic, size, major, minor)."""
    try:
        ct.save(path)
        with open(path, "rb") as f:
            head = f.read(5)
        os.unlink(path)
        if head[:2] == b"\x5e\xa1":
            return f"{head[3]}.{head[4]}"
    except Exception:  # noqa: BLE001 - best effort metadata only
        pass
    return "unknown"


def hexl_marker(module_file):
    """Whether the SEAL shared object mentions Intel HEXL at all (a HEXL build would)."""
    try:
        with open(module_file, "rb") as f:
            return b"hexl" in f.read().lower()
    except OSError:
        return None


def max_err(got, want):
    return max(abs(got[i] - want[i]) for i in range(0, len(want), 97))


def setup(ts, sealapi, name, reps, edge_bits):
    """Context, keys, operands and correctness check; returns (meta, ops)."""
    spec = PRESETS[name]
    log_n, levels = spec["log_n"], spec["levels"]
    n = 1 << log_n
    # TenSEAL's usual layout: [q_0, L scaling primes, one special prime].
    bits = [edge_bits] + [40] * levels + [edge_bits]
    scale = 2.0**40

    parms = sealapi.EncryptionParameters(sealapi.SCHEME_TYPE.CKKS)
    parms.set_poly_modulus_degree(n)
    parms.set_coeff_modulus(sealapi.CoeffModulus.Create(n, bits))
    # SEAL's 128-bit table stops at N = 2^15, so it refuses N = 2^16 under TC128. There we
    # turn its check off (as OpenFHE's HEStd_NotSet); log2(QP) is in the meta line.
    sec_level = "TC128" if log_n <= 15 else "NONE"
    ctx = sealapi.SEALContext(parms, True, getattr(sealapi.SEC_LEVEL_TYPE, sec_level))
    if ctx.parameters_error_message() != "valid":
        raise SystemExit(f"SEAL rejected {name}: {ctx.parameters_error_message()}")
    moduli = [m.value() for m in ctx.key_context_data().parms().coeff_modulus()]

    t0 = time.perf_counter()
    keygen = sealapi.KeyGenerator(ctx)
    sk = keygen.secret_key()
    pk = sealapi.PublicKey()
    keygen.create_public_key(pk)
    rlk = sealapi.RelinKeys()
    keygen.create_relin_keys(rlk)
    gk = sealapi.GaloisKeys()
    # The list overload takes Galois ELEMENTS: SEAL's left rotation by k uses 3^k mod 2N.
    keygen.create_galois_keys([pow(3, 1, 2 * n)], gk)
    keygen_s = time.perf_counter() - t0

    encoder = sealapi.CKKSEncoder(ctx)
    encryptor = sealapi.Encryptor(ctx, pk)
    decryptor = sealapi.Decryptor(ctx, sk)
    ev = sealapi.Evaluator(ctx)
    slots = encoder.slot_count()
    vals = [math.sin(i * 0.37) for i in range(slots)]
    vals2 = [math.cos(i * 0.11) for i in range(slots)]

    def encrypt(values):
        pt = sealapi.Plaintext()
        encoder.encode(values, scale, pt)
        ct = sealapi.Ciphertext(ctx)
        encryptor.encrypt(pt, ct)
        return ct

    def decrypt(ct):
        pt = sealapi.Plaintext()
        decryptor.decrypt(ct, pt)
        return encoder.decode_double(pt)

    ct, ct2 = encrypt(vals), encrypt(vals2)

    # Correctness of mul+relin+rescale and rotate before any timing.
    prod = sealapi.Ciphertext(ctx)
    ev.multiply(ct, ct2, prod)
    ev.relinearize_inplace(prod, rlk)
    ev.rescale_to_next_inplace(prod)
    mul_err = max_err(decrypt(prod), [a * b for a, b in zip(vals, vals2)])
    rot = sealapi.Ciphertext(ctx)
    ev.rotate_vector(ct, 1, gk, rot)
    rot_err = max_err(decrypt(rot), vals[1:] + vals[:1])
    if not (mul_err < 1e-3 and rot_err < 1e-3):
        raise SystemExit(f"SEAL failed the correctness check on {name}: {mul_err:.2e}, {rot_err:.2e}")

    relined = sealapi.Ciphertext(ctx)  # size 2, scale 2^80, top level: rescale's operand
    ev.multiply(ct, ct2, relined)
    ev.relinearize_inplace(relined, rlk)

    import _sealapi_cpp  # noqa: PLC0415 - the compiled SEAL binding behind tenseal.sealapi

    meta = {
        "kind": "meta",
        "impl": "seal",
        "preset": name,
        "log_n": log_n,
        "levels": levels,
        "coeff_mod_bit_sizes": bits,
        "moduli": moduli,
        "log2_qp": round(sum(math.log2(q) for q in moduli), 2),
        "special_primes": 1,
        "dnum": levels + 1,
        "dnum_note": "SEAL: always one special prime and dnum = L+1",
        "scale_log2": 40,
        "sec_level": sec_level,
        "threads": "single-threaded evaluator",
        "tenseal_version": ts.__version__,
        "seal_version_from_header": seal_version(ct, f"/tmp/seal_peer_{os.getpid()}.bin"),
        "hexl_marker_in_binary": hexl_marker(_sealapi_cpp.__file__),
        "keygen_s": round(keygen_s, 3),
        "check_mul_relin_rescale_max_err": mul_err,
        "check_rotate_max_err": rot_err,
        "python": platform.python_version(),
        "reps": reps,
    }

    dest = sealapi.Ciphertext(ctx)

    def mul_relin_rescale():
        ev.multiply(ct, ct2, dest)
        ev.relinearize_inplace(dest, rlk)
        ev.rescale_to_next_inplace(dest)

    def rotate():
        ev.rotate_vector(ct, 1, gk, dest)

    def rescale():
        ev.rescale_to_next(relined, dest)

    ops = [
        ("mul_relin_rescale", mul_relin_rescale, reps),
        ("rotate", rotate, reps),
        ("rescale", rescale, light_reps(reps)),
    ]
    return meta, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap)
    ap.add_argument("--edge-bits", type=int, default=60, help="bits of q_0 and of the special prime")
    args = ap.parse_args()

    ts, sealapi = import_tenseal()
    if args.check:
        print(ts.__version__)
        return
    if ts.__version__ != PINNED_TENSEAL:
        sys.stderr.write(f"seal_peer.py: warning: tenseal {ts.__version__}, pinned {PINNED_TENSEAL}\n")
    meta, ops = setup(ts, sealapi, args.preset, args.reps, args.edge_bits)
    emit(meta)
    serve_or_run("seal", args.preset, ops, args.serve, args.rounds)


if __name__ == "__main__":
    main()
