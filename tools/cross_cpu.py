"""Do the stored outputs reproduce on other CPUs? Re-run every notebook under emulated CPU kinds.

    python -m tools.cross_cpu              (make cross-cpu; CI runs it)
    python -m tools.cross_cpu --unpinned   the same with the pin off: it must fail
    python -m tools.cross_cpu notebooks/02_normalization.ipynb   only these notebooks

A learner's machine differs from the one that stored the outputs in the OpenBLAS
kernel it picks, in the SIMD loops NumPy picks, and its environment may already carry
settings for both. Each kind below is such an environment, set before the command
starts; ``pytest --nbval notebooks`` then runs every notebook under it and compares
every output with the stored one. All kinds must pass.

First, a probe of a few lines shows that each kind really computes different numbers on
this machine without the pin and the same numbers with it: without that, passing
would prove nothing here.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nnlib.course import reproducible

REPO = Path(__file__).resolve().parents[1]
NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"

#: Another machine's environment (or a user's who set these variables themselves), each of
#: the three things the pin decides set otherwise at once: AVX-512's OpenBLAS kernel, two
#: BLAS threads, and NumPy limited to its SSE loops (without the pin, each alone changes the
#: numbers; the probe shows it). An AVX2 machine's own choice, Intel's or AMD's (OpenBLAS's
#: Haswell kernel, which its Zen kernel is, and NumPy's AVX2 loops) is the pinned
#: environment itself, which `make test` runs, so it is not repeated here.
KINDS = {
    "avx512-2-threads-sse-numpy": {
        "OPENBLAS_CORETYPE": "SkylakeX",
        "OPENBLAS_NUM_THREADS": "2",
        "NPY_DISABLE_CPU_FEATURES": f"X86_V3 {NO_AVX512}",
    },
}
#: The stand-in on a machine without AVX-512 (OpenBLAS cannot run SkylakeX there).
FALLBACK = {
    "older-avx-2-threads-sse-numpy": {
        "OPENBLAS_CORETYPE": "Sandybridge",
        "OPENBLAS_NUM_THREADS": "2",
        "NPY_DISABLE_CPU_FEATURES": f"X86_V3 {NO_AVX512}",
    },
}


PROBE = """
import hashlib
from nnlib.course import reproducible
reproducible.pin()
import numpy as np
rng = np.random.default_rng(0)
a, b = rng.standard_normal((2, 257, 300), dtype=np.float32)
x = np.abs(rng.standard_normal(10_000, dtype=np.float32))
outputs = (a @ b.T, np.log1p(x), np.tanh(x), np.exp(-x))
print(hashlib.sha256(b"".join(o.tobytes() for o in outputs)).hexdigest()[:12])
"""


def kinds() -> dict[str, dict[str, str]]:
    """The kinds this machine can emulate."""
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= reproducible._cpu_flags():
        return KINDS
    return FALLBACK


def environment(kind: dict[str, str], unpinned: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NNLIB_UNPINNED"}
    env.update(kind)
    if unpinned:
        env["NNLIB_UNPINNED"] = "1"
    return env


def probe(kind: dict[str, str], unpinned: bool) -> str:
    """A hash of a matrix product, log1p, tanh and exp computed under ``kind``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment(kind, unpinned),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def run_notebooks(name: str, kind: dict, unpinned: bool, log_dir: Path, paths: list) -> tuple:
    """``pytest --nbval`` on ``paths`` under ``kind``: (passed, summary line, log path)."""
    log = log_dir / f"{name}.log"
    start = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval", *paths, "-q"],
            cwd=REPO,
            env=environment(kind, unpinned),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    text = log.read_text()
    counts = re.findall(r"^=*\s*(\d+ (?:passed|failed).*?) in [\d.]+s", text, re.M)
    summary = counts[-1] if counts else "no test summary (see the log)"
    return done.returncode == 0, f"{summary} ({time.perf_counter() - start:.0f} s)", log


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unpinned", action="store_true", help="turn the pin off (must fail)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at once")
    parser.add_argument("notebooks", nargs="*", default=["notebooks"], help="(default: all)")
    args = parser.parse_args(argv)
    if reason := reproducible.unsupported_reason():
        print(f"cross-cpu: nothing to compare: {reason}")
        return 0
    chosen = kinds()
    print("Probe (a matrix product, log1p, tanh and exp, hashed):")
    stored = probe({}, unpinned=False)  # the pinned environment the outputs were stored in
    print(f"  pinned here (as the stored outputs): {stored}")
    for name, kind in chosen.items():
        unpinned, pinned = probe(kind, unpinned=True), probe(kind, unpinned=False)
        print(f"  {name}: unpinned {unpinned}, pinned {pinned}")
        if pinned != stored:
            print("cross-cpu: FAILED: the pin does not make this kind compute the same numbers")
            return 1
        if unpinned == stored:
            print("  (it computes the same numbers even unpinned: the check cannot fail here)")

    mode = "UNPINNED (expected to fail)" if args.unpinned else "pinned"
    print(f"Notebooks under {len(chosen)} CPU kinds, {mode}, {args.jobs} at a time:")
    log_dir = Path(tempfile.mkdtemp(prefix="cross-cpu-"))
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {
            name: pool.submit(run_notebooks, name, kind, args.unpinned, log_dir, args.notebooks)
            for name, kind in chosen.items()
        }
        results = {name: future.result() for name, future in futures.items()}
    for name, (passed, summary, log) in results.items():
        settings = " ".join(f"{k}={v}" for k, v in chosen[name].items())
        print(f"  {'ok  ' if passed else 'FAIL'} {name} [{settings}]: {summary}")
        if not passed:
            failed = re.findall(r"^FAILED notebooks/(\d+)_", log.read_text(), re.M)
            per_notebook = ", ".join(f"{n}: {failed.count(n)}" for n in sorted(set(failed)))
            print(f"       {len(failed)} cells differ ({per_notebook}); log: {log}")
    ok = all(passed for passed, _, _ in results.values())
    print(f"cross-cpu: {'every kind matches the stored outputs' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
