"""Run notebooks top to bottom in a fresh, pinned kernel and store their outputs.

    python -m tools.execute notebooks/06_training.ipynb ...   (make execute NB=...)
    python -m tools.execute                                    (every notebook)

This is how every stored output is made: a clean kernel in this environment, the
numeric kernels pinned (``nnlib.course.reproducible``), cells in order, no timestamps in the
cell metadata. Prints each notebook's run time. A notebook whose run fails is left
as it was.
"""

import os
import sys
import time
from pathlib import Path

from nnlib.course import reproducible

reproducible.pin()

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def execute(path: Path) -> float:
    """Execute the notebook at ``path`` in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    # The kernel named "python3" is this environment's Python when its bin/ comes first.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=1800,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
