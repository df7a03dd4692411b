#!/usr/bin/env python3
"""Time Microsoft SEAL's CKKS operations through TenSEAL's low-level SEAL bindings.

Peer benchmark for lowdepth (issue #3 item 9). Prints one JSON object per line:
  {"kind": "meta", ...}                      one per preset: versions, moduli, key sizes
  {"kind": "op", "impl": "seal", "op": ...}  one per timed operation

Every SEAL evaluator call is timed exactly (tenseal.sealapi.Evaluator.multiply,
relinearize, rescale_to_next, rotate_vector, add), not through ckks_vector, whose
operators fuse relinearize + rescale. One extra row, "mul_relin_rescale_tsvec", times
the ckks_vector `*` operator of a `ts.context(..., n_threads=1)` for reference.

SEAL's evaluator is single-threaded. --pin pins the process to one CPU (off by default, as
the Rust side does not pin either).

Usage: python3 seal_peer.py [--preset n14|n15|all] [--reps R] [--check]
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

PINNED_TENSEAL = "0.3.18"

# Our presets (lowdepth-ckks CkksParameters::n14_l7_s40 / n15_l16_s40): N, L scaling primes.
PRESETS = {
    "n14": {"log_n": 14, "levels": 7},
    "n15": {"log_n": 15, "levels": 16},
}


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def import_tenseal():
    try:
        import tenseal as ts  # noqa: PLC0415
        import tenseal.sealapi as sealapi  # noqa: PLC0415
    except ImportError as e:
        sys.stderr.write(
            f"seal_peer.py: cannot import tenseal ({e}).\n"
            f"Install it with: python3 -m pip install tenseal=={PINNED_TENSEAL}\n"
            "(or run scripts/install_seal_peer.sh)\n"
        )
        sys.exit(3)
    return ts, sealapi


def time_op(fn, reps, warmup=2):
    """Median/min of wall time and of this thread's CPU time, in ms."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        fn()
        t1 = time.perf_counter_ns()
        c1 = time.thread_time_ns()
        wall.append((t1 - t0) / 1e6)
        cpu.append((c1 - c0) / 1e6)
    return {
        "reps": reps,
        "median_ms": statistics.median(wall),
        "min_ms": min(wall),
        "cpu_median_ms": statistics.median(cpu),
        "cpu_min_ms": min(cpu),
        "samples_ms": [round(x, 4) for x in wall],
    }


def seal_version(sealapi, ct, path):
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


def run_preset(ts, sealapi, name, reps, edge_bits, tsvec):
    spec = PRESETS[name]
    log_n, levels = spec["log_n"], spec["levels"]
    n = 1 << log_n
    bits = [edge_bits] + [40] * levels + [edge_bits]
    scale = 2.0**40

    parms = sealapi.EncryptionParameters(sealapi.SCHEME_TYPE.CKKS)
    parms.set_poly_modulus_degree(n)
    parms.set_coeff_modulus(sealapi.CoeffModulus.Create(n, bits))
    ctx = sealapi.SEALContext(parms, True, sealapi.SEC_LEVEL_TYPE.TC128)
    if ctx.parameters_error_message() != "valid":
        raise SystemExit(f"SEAL rejected {name}: {ctx.parameters_error_message()}")

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

    pt = sealapi.Plaintext()
    encoder.encode(vals, scale, pt)
    ct = sealapi.Ciphertext(ctx)
    encryptor.encrypt(pt, ct)
    pt2 = sealapi.Plaintext()
    encoder.encode(vals2, scale, pt2)
    ct2 = sealapi.Ciphertext(ctx)
    encryptor.encrypt(pt2, ct2)

    # Correctness check of mul+relin+rescale and rotate before timing.
    prod = sealapi.Ciphertext(ctx)
    ev.multiply(ct, ct2, prod)
    ev.relinearize_inplace(prod, rlk)
    ev.rescale_to_next_inplace(prod)
    out_pt = sealapi.Plaintext()
    decryptor.decrypt(prod, out_pt)
    got = encoder.decode_double(out_pt)
    mul_err = max(abs(got[i] - vals[i] * vals2[i]) for i in range(0, slots, 97))
    rot = sealapi.Ciphertext(ctx)
    ev.rotate_vector(ct, 1, gk, rot)
    decryptor.decrypt(rot, out_pt)
    got = encoder.decode_double(out_pt)
    rot_err = max(abs(got[i] - vals[(i + 1) % slots]) for i in range(0, slots, 97))

    # Operands for the single-step timings.
    tensor = sealapi.Ciphertext(ctx)
    ev.multiply(ct, ct2, tensor)  # size 3
    relined = sealapi.Ciphertext(ctx)
    ev.relinearize(tensor, rlk, relined)  # size 2, scale 2^80, top level

    import _sealapi_cpp  # noqa: PLC0415 - the compiled SEAL binding behind tenseal.sealapi

    hexl = hexl_marker(_sealapi_cpp.__file__)
    emit(
        {
            "kind": "meta",
            "impl": "seal",
            "preset": name,
            "log_n": log_n,
            "levels": levels,
            "coeff_mod_bit_sizes": bits,
            "special_primes": 1,
            "dnum": levels + 1,
            "scale_log2": 40,
            "tenseal_version": ts.__version__,
            "seal_version_from_header": seal_version(sealapi, ct, f"/tmp/seal_peer_{os.getpid()}.bin"),
            "hexl_marker_in_binary": hexl,
            "keygen_s": round(keygen_s, 3),
            "check_mul_relin_rescale_max_err": mul_err,
            "check_rotate_max_err": rot_err,
            "python": platform.python_version(),
            "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "reps": reps,
        }
    )

    dest = sealapi.Ciphertext(ctx)
    dest3 = sealapi.Ciphertext(ctx)
    scratch_pt = sealapi.Plaintext()

    def encode():
        encoder.encode(vals, scale, scratch_pt)

    def encrypt():
        encryptor.encrypt(pt, dest)

    def encode_encrypt():
        encoder.encode(vals, scale, scratch_pt)
        encryptor.encrypt(scratch_pt, dest)

    def add():
        ev.add(ct, ct2, dest)

    def multiply():
        ev.multiply(ct, ct2, dest3)

    def relinearize():
        ev.relinearize(tensor, rlk, dest)

    def mul_relin():
        ev.multiply(ct, ct2, dest)
        ev.relinearize_inplace(dest, rlk)

    def rescale():
        ev.rescale_to_next(relined, dest)

    def mul_relin_rescale():
        ev.multiply(ct, ct2, dest)
        ev.relinearize_inplace(dest, rlk)
        ev.rescale_to_next_inplace(dest)

    def rotate1():
        ev.rotate_vector(ct, 1, gk, dest)

    light = max(reps * 3, 31)
    ops = [
        ("encode", encode, light),
        ("encrypt", encrypt, reps),
        ("encode_encrypt", encode_encrypt, reps),
        ("add", add, light),
        ("multiply", multiply, light),
        ("relinearize", relinearize, reps),
        ("mul_relin", mul_relin, reps),
        ("rescale", rescale, light),
        ("mul_relin_rescale", mul_relin_rescale, reps),
        ("rotate1", rotate1, reps),
    ]
    for op, fn, r in ops:
        res = time_op(fn, r)
        res.update({"kind": "op", "impl": "seal", "op": op, "preset": name, "log_n": log_n, "levels": levels})
        emit(res)

    if tsvec:
        # TenSEAL's high-level API: ckks_vector * ckks_vector (auto relin + rescale).
        tctx = ts.context(ts.SCHEME_TYPE.CKKS, n, coeff_mod_bit_sizes=bits, n_threads=1)
        tctx.global_scale = scale
        va = ts.ckks_vector(tctx, vals)
        vb = ts.ckks_vector(tctx, vals2)
        res = time_op(lambda: va * vb, reps)
        res.update(
            {
                "kind": "op",
                "impl": "seal",
                "op": "mul_relin_rescale_tsvec",
                "preset": name,
                "log_n": log_n,
                "levels": levels,
            }
        )
        emit(res)
        del tctx, va, vb


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="all", choices=["n14", "n15", "all"])
    ap.add_argument("--reps", type=int, default=21, help="repetitions of the heavy ops (light ops: 3x)")
    ap.add_argument("--edge-bits", type=int, default=60, help="bits of q_0 and of the special prime")
    ap.add_argument("--no-tsvec", action="store_true", help="skip the ts.ckks_vector reference row")
    ap.add_argument("--pin", action="store_true", help="pin the process to one CPU")
    ap.add_argument("--check", action="store_true", help="only check that tenseal imports; print its version")
    args = ap.parse_args()

    ts, sealapi = import_tenseal()
    if args.check:
        print(ts.__version__)
        return
    if ts.__version__ != PINNED_TENSEAL:
        sys.stderr.write(f"seal_peer.py: warning: tenseal {ts.__version__}, pinned {PINNED_TENSEAL}\n")
    if args.pin and hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
    presets = ["n14", "n15"] if args.preset == "all" else [args.preset]
    for name in presets:
        run_preset(ts, sealapi, name, args.reps, args.edge_bits, not args.no_tsvec)


if __name__ == "__main__":
    main()
