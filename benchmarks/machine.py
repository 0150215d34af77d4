"""The machine a benchmark ran on: CPU, cores, load, BLAS library and threads, versions.

The BLAS is introspected without threadpoolctl: ``numpy.show_config`` says which
library NumPy was built against, and the OpenBLAS actually loaded in this process
(found in /proc/self/maps) is asked for its thread count, core type and build
configuration through ctypes.
"""

import ctypes
import importlib.metadata
import os
import platform
import sys

import numpy as np


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def numpy_blas() -> dict:
    """What numpy.show_config reports about the BLAS NumPy was built with."""
    try:
        config = np.show_config(mode="dicts")
    except TypeError:  # NumPy < 1.26 prints instead
        return {}
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return {key: blas.get(key) for key in ("name", "version", "openblas configuration")}


def blas_runtime() -> dict:
    """The OpenBLAS loaded in this process: its path, threads, core type and config.

    Returns {} when no OpenBLAS is loaded (NumPy built against another BLAS).
    """
    path = _loaded_library("openblas")
    if path is None:
        return {}
    lib = ctypes.CDLL(path)
    info = {"library": path}
    for key, what, restype in (
        ("threads", "get_num_threads", ctypes.c_int),
        ("core", "get_corename", ctypes.c_char_p),
        ("config", "get_config", ctypes.c_char_p),
    ):
        # The symbol's name depends on the build: scipy-openblas wheels prefix it.
        for name in (f"scipy_openblas_{what}64_", f"openblas_{what}64_", f"openblas_{what}"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.restype = restype
                value = fn()
                info[key] = value.decode() if isinstance(value, bytes) else value
                break
    return info


def _loaded_library(fragment: str) -> str | None:
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if fragment in os.path.basename(path).lower() and ".so" in path:
                    return path
    except OSError:
        pass
    return None


def describe() -> dict:
    """Everything about this machine and interpreter the report prints."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "cores_available": affinity,
        "memory_bytes": memory_bytes(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numpy_blas": numpy_blas(),
        "torch": package_version("torch"),
        "scikit-learn": package_version("scikit-learn"),
        "nnlib": package_version("nnlib"),
    }


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: a busy machine makes every timing suspect."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
