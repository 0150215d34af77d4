"""How pytest runs this repository, however it is started (`make test`, or plain
`pytest --nbval notebooks` as CI services run it).

- NumPy's numeric kernels are pinned (``nnlib.course.reproducible``) before anything loads
  NumPy, here and in every notebook kernel pytest starts, which inherit the pinned
  environment (the notebooks' setup cell pins them too).
- ``--nbval`` needs no other flags: notebooks run in this environment's kernel, and
  ``notebooks/sanitize.cfg`` masks their timings.
- Stored outputs are compared bit for bit only where they can reproduce: Linux x86-64
  with AVX2, and the pinned NumPy, pandas and matplotlib. Elsewhere every notebook still
  runs top to bottom with every lesson assert, without comparing outputs, and one line
  says which comparison ran.
"""

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from nnlib.course import reproducible

# Now, while this file is imported: pytest imports tests/conftest.py (which loads
# NumPy) before any pytest_configure hook runs.
reproducible.pin()

ROOT = Path(__file__).resolve().parent
#: The packages whose versions decide what a stored output looks like.
OUTPUT_PACKAGES = ("numpy", "pandas", "matplotlib")


def why_outputs_differ() -> str | None:
    """Why stored notebook outputs cannot be expected to reproduce here, or None."""
    reason = reproducible.unsupported_reason()
    if reason:
        return reason
    pins = dict(re.findall(r"^([\w-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    for name in OUTPUT_PACKAGES:
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != pins.get(name):
            return f"{name} {installed} is installed, the outputs were stored with {pins.get(name)}"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return
    if not option.nbval_kernel_name:
        option.nbval_current_env = True
    if not option.nbval_sanitize_with:
        option.nbval_sanitize_with = str(ROOT / "notebooks" / "sanitize.cfg")
    reason = why_outputs_differ() if option.nbval else "--nbval-lax"
    if reason is None:
        state = reproducible.describe(reproducible.pinned_status())
        config.nbval_line = f"notebooks: every output compared with the stored one ({state})"
    else:
        option.nbval, option.nbval_lax = False, True
        config.nbval_line = (
            "notebooks: run top to bottom with every lesson assert; outputs NOT compared "
            f"({reason}; exact outputs are promised on Linux x86-64 with AVX2 and the "
            "pinned requirements)"
        )


def pytest_report_header(config):
    return getattr(config, "nbval_line", None)


def pytest_terminal_summary(terminalreporter, config):
    line = getattr(config, "nbval_line", None)
    if line:
        terminalreporter.write_line(line)
