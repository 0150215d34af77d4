"""Reproducible numbers: the same outputs, to the last bit, on every x86-64 machine.

Floating-point addition is not associative: ``(a + b) + c`` and ``a + (b + c)`` can
differ in the last bit. Three things on a learner's machine choose the order of the
operations without asking, so the same seed trains a slightly different network, and
every loss and accuracy printed downstream differs in its last digits:

    OpenBLAS's kernel    picked by CPU when NumPy loads (SkylakeX on AVX-512,
                         Haswell or Zen on AVX2): matrix products and dot products
                         add their terms in a different order
    OpenBLAS's threads   a product split over two threads adds its partial sums
                         in another order than one thread does
    NumPy's SIMD paths   NumPy picks each ufunc's loop by CPU: with AVX-512 some
                         functions (float32 log1p, expm1, power, arctan; float64
                         exp and log) have their own approximations, and argsort
                         orders ties differently

``pin()`` fixes all three before NumPy loads: OpenBLAS's Haswell kernel, which every
AVX2 CPU runs, Intel or AMD (OpenBLAS's Zen kernel is Haswell's); one thread; and
NumPy's AVX2 loops (its ``X86_V3`` target; ``AVX2`` before NumPy 2.4 renamed them), by
disabling the targets above them. It names only targets the installed NumPy has (it
asks a fresh Python which: NumPy warns about, and ignores, names it does not know). It only
sets environment variables, read once when NumPy loads, so it must run first; the
notebooks' setup cell calls it. Exact outputs are promised on Linux x86-64 with AVX2
(``unsupported_reason`` says why not elsewhere). This module imports no NumPy itself.

Setting ``NNLIB_UNPINNED=1`` turns ``pin()`` off (to measure what the pin costs, or
to show that outputs then differ between CPUs).
"""

import ctypes
import functools
import os
import platform
import subprocess
import sys
import warnings

#: The environment ``pin`` sets on an x86-64 machine with AVX2, overriding what is there,
#: spelled for the pinned NumPy (``pinned_environment`` spells it for the installed one).
PINNED = {
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
#: NumPy's name for its AVX2 loops: X86_V3 since NumPy 2.4, AVX2 before.
AVX2_TARGETS = ("X86_V3", "AVX2")
#: NumPy refuses to start with both variables set; the pin needs the DISABLE one.
CONFLICTING = ("NPY_ENABLE_CPU_FEATURES",)


class ReproducibilityWarning(UserWarning):
    """NumPy was loaded before ``pin()``, with kernels other than the pinned ones."""


def unsupported_reason() -> str | None:
    """Why exact outputs cannot be promised on this machine, or None when they can."""
    system, machine = platform.system(), platform.machine().lower()
    if system != "Linux" or machine not in ("x86_64", "amd64"):
        return f"exact outputs are promised on Linux x86-64 only; this is {system} {machine}"
    missing = {"avx2", "fma"} - _cpu_flags()
    if missing:
        return f"exact outputs need a CPU with AVX2 and FMA; this one lacks {sorted(missing)}"
    return None


def pin(environ=os.environ) -> None:
    """Pin OpenBLAS's kernel and threads and NumPy's SIMD loops (see the module docstring).

    Call it before anything imports NumPy. Called again later, or after NumPy was
    loaded, it checks the running kernels and warns if they are not the pinned ones.
    On Colab, which runs its own NumPy, and with NNLIB_UNPINNED=1, it does nothing.
    """
    if environ.get("NNLIB_UNPINNED", "") not in ("", "0") or "google.colab" in sys.modules:
        return
    if unsupported_reason() is None:
        environ.update(pinned_environment())
        for name in CONFLICTING:
            environ.pop(name, None)
    else:
        environ["OPENBLAS_NUM_THREADS"] = PINNED["OPENBLAS_NUM_THREADS"]
    if "numpy" in sys.modules and environ is os.environ:
        live = status()
        if unsupported_reason() is None and live != pinned_status():
            warnings.warn(
                f"NumPy was loaded before nnlib.course.reproducible.pin() and runs "
                f"{describe(live)}, not {describe(pinned_status())}: numbers may differ in "
                "their last digits from the stored outputs. Restart the kernel and run the "
                "setup cell first.",
                ReproducibilityWarning,
                stacklevel=2,
            )


def pinned_environment() -> dict[str, str]:
    """``PINNED``, with ``NPY_DISABLE_CPU_FEATURES`` naming exactly the installed NumPy's
    SIMD targets above its AVX2 loops (``numpy_targets``)."""
    targets = numpy_targets()
    avx2 = next((t for t in AVX2_TARGETS if t in targets), None)
    above = targets[targets.index(avx2) + 1 :] if avx2 else []
    return {**PINNED, "NPY_DISABLE_CPU_FEATURES": " ".join(above)}


@functools.cache
def numpy_targets() -> list[str]:
    """The SIMD targets NumPy dispatches to, lowest first, e.g. ['X86_V3', 'X86_V4',
    'AVX512_ICL', 'AVX512_SPR'] for NumPy 2.4: read from NumPy if it is loaded, else asked
    of a fresh Python (this process must not load NumPy before the pin). [] if unknown."""
    if "numpy" in sys.modules:
        return list(_dispatch()[0])
    code = "from nnlib.course.reproducible import _dispatch; print(' '.join(_dispatch()[0]))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NPY_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_package_root(), env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return done.stdout.split() if done.returncode == 0 else []


def _package_root() -> str:
    """The folder holding the ``nnlib`` package (for the fresh Python to import it)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _dispatch():
    """NumPy's (dispatch targets, CPU features): where NumPy 2 keeps them, or NumPy 1."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return __cpu_dispatch__, __cpu_features__


def pinned_status() -> dict:
    """What ``status()`` reports in a pinned process (NumPy's AVX2 loops, by its name)."""
    targets = numpy_targets()
    simd = next((t for t in AVX2_TARGETS if t in targets), AVX2_TARGETS[0])
    return {"openblas_core": "Haswell", "openblas_threads": 1, "numpy_simd": simd}


def status() -> dict:
    """The kernels this process runs: OpenBLAS's core and thread count, NumPy's best SIMD
    target. Imports NumPy (and so fixes them for good); fields it cannot read are None."""
    dispatch, features = _dispatch()
    enabled = [target for target in dispatch if features.get(target)]
    lib = _openblas()
    core = threads = None
    if lib is not None:
        core = _call(lib, "get_corename", ctypes.c_char_p)
        core = core.decode() if core else None
        threads = _call(lib, "get_num_threads", ctypes.c_int)
    return {
        "openblas_core": core,
        "openblas_threads": threads,
        "numpy_simd": enabled[-1] if enabled else "baseline",
    }


def describe(state: dict) -> str:
    """One line for ``status()``, e.g. 'OpenBLAS Haswell kernel, 1 thread, NumPy X86_V3 loops'."""
    threads = state["openblas_threads"]
    return (
        f"OpenBLAS {state['openblas_core']} kernel, {threads} thread{'s' * (threads != 1)}, "
        f"NumPy {state['numpy_simd']} loops"
    )


def _cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _openblas():
    """The OpenBLAS library NumPy loaded, through ctypes, or None (found via /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _call(lib, name: str, restype):
    """Call OpenBLAS's ``openblas_<name>`` under whichever symbol prefix and suffix it has."""
    for symbol in (f"scipy_openblas_{name}64_", f"openblas_{name}64_", f"openblas_{name}"):
        function = getattr(lib, symbol, None)
        if function is not None:
            function.restype = restype
            return function()
    return None
