"""JSON-lines protocol shared by the peer scripts (seal_peer.py, openfhe_peer.py).

A peer script sets up one preset (keys, correctness check), prints one "meta" line, then
runs rounds of timed operations. Each round prints one "op" line per operation and ends
with a "round_done" line. With --serve it runs one round per "round" line read from stdin
(so the Rust driver can interleave engines without repeating key generation) and exits at
end of input; otherwise it runs --rounds rounds and exits.
"""

import json
import statistics
import sys
import time

# Our presets (lowdepth-ckks CkksParameters::n15_l16_s40 / n16_l30_s40 / n14_l7_s40):
# ring degree, scaling primes L (= rescales available), key-switching digits dnum.
PRESETS = {
    "n14": {"log_n": 14, "levels": 7, "dnum": 8},
    "n15": {"log_n": 15, "levels": 16, "dnum": 6},
    "n16": {"log_n": 16, "levels": 30, "dnum": 4},
}

# Warm-up calls before each timed operation (caches, lazily built tables, page faults).
WARMUP = 2


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def light_reps(reps):
    """Cheap ops (rescale) get more samples: they are short, so noisier."""
    return max(3 * reps, 31)


def time_op(fn, reps):
    """Wall-clock and process-CPU samples (ms) of `reps` calls after WARMUP untimed calls.

    Process CPU time counts every thread of this process (OpenMP's too) and not the time
    spent waiting for a core, so on a shared machine it is the steadier of the two.
    """
    for _ in range(WARMUP):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        c0 = time.process_time_ns()
        t0 = time.perf_counter_ns()
        fn()
        wall.append((time.perf_counter_ns() - t0) / 1e6)
        cpu.append((time.process_time_ns() - c0) / 1e6)
    return wall, cpu


def op_line(engine, preset, op, wall, cpu):
    spec = PRESETS[preset]
    return {
        "kind": "op",
        "impl": engine,
        "op": op,
        "preset": preset,
        "log_n": spec["log_n"],
        "levels": spec["levels"],
        "reps": len(wall),
        "median_ms": statistics.median(wall),
        "min_ms": min(wall),
        "max_ms": max(wall),
        "cpu_median_ms": statistics.median(cpu),
        "samples_ms": [round(x, 4) for x in wall],
        "cpu_samples_ms": [round(x, 4) for x in cpu],
    }


def run_round(engine, preset, ops):
    """Times each (name, fn, reps) in order and prints its op line, then round_done."""
    for name, fn, reps in ops:
        emit(op_line(engine, preset, name, *time_op(fn, reps)))
    emit({"kind": "round_done", "impl": engine, "preset": preset})


def serve_or_run(engine, preset, ops, serve, rounds):
    if not serve:
        for _ in range(rounds):
            run_round(engine, preset, ops)
        return
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "round":
            run_round(engine, preset, ops)
        elif cmd:
            sys.stderr.write(f"{engine} peer: unknown command {cmd!r}\n")
            sys.exit(4)


def add_common_args(ap):
    ap.add_argument("--preset", default="n15", choices=sorted(PRESETS))
    ap.add_argument("--reps", type=int, default=15, help="repetitions of the heavy ops (rescale: max(3x, 31))")
    ap.add_argument("--rounds", type=int, default=1, help="rounds to run without --serve")
    ap.add_argument("--serve", action="store_true", help="run one round per 'round' line on stdin")
    ap.add_argument("--check", action="store_true", help="only check that the library imports; print its version")
