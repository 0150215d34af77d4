"""The pin names only SIMD targets the installed NumPy has, and pins its AVX2 loops."""

import subprocess
import sys

import pytest

from nnlib.course import reproducible


def test_the_fresh_python_reports_numpys_own_targets():
    from numpy._core._multiarray_umath import __cpu_dispatch__

    reproducible.numpy_targets.cache_clear()
    asked = subprocess.run(
        [sys.executable, "-c", "from nnlib.course import reproducible as r; "
         "print(' '.join(r.numpy_targets()))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert asked == list(__cpu_dispatch__) == reproducible.numpy_targets()


@pytest.mark.parametrize(
    "targets, disabled, simd",
    [
        (["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"],
         "X86_V4 AVX512_ICL AVX512_SPR", "X86_V3"),  # NumPy 2.4's names
        (["SSE42", "AVX", "FMA3", "AVX2", "AVX512F", "AVX512_SKX", "AVX512_ICL"],
         "AVX512F AVX512_SKX AVX512_ICL", "AVX2"),  # NumPy 2.0's names
        (["SSE42", "AVX", "AVX2"], "", "AVX2"),  # nothing above AVX2 to disable
    ],
)  # fmt: skip
def test_the_pin_disables_exactly_the_targets_above_avx2(monkeypatch, targets, disabled, simd):
    monkeypatch.setattr(reproducible, "numpy_targets", lambda: targets)
    assert reproducible.pinned_environment()["NPY_DISABLE_CPU_FEATURES"] == disabled
    assert reproducible.pinned_status()["numpy_simd"] == simd


@pytest.mark.skipif(reproducible.unsupported_reason() is not None, reason="needs x86-64 AVX2")
def test_a_pinned_numpy_runs_the_pinned_kernels_and_warns_of_nothing():
    code = (
        "import warnings; warnings.simplefilter('error')\n"
        "from nnlib.course import reproducible as r; r.pin()\n"
        "import numpy\n"
        "assert r.status() == r.pinned_status(), r.status()\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
