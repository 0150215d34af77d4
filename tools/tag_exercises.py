"""Write each exercise's identity into its cells' metadata, and each notebook's progress cell.

    python -m tools.tag_exercises                         (every notebook in notebooks/)
    python -m tools.tag_exercises notebooks/05_*.ipynb    (some)

For every exercise found by the course's layout (``nnlib.course.exercises.discover``),
its task, stub, check and solution cells get ``{"nnlib": {"exercise": "N.k", "part":
...}}``; a tag on any other cell is removed. Then the notebook's progress cell (tagged
``{"nnlib": {"part": "progress"}}``) is written: its code lists the notebook's check
calls, so it is rewritten when they change; a new one goes just before the "Checks (for
CI)" section, or at the end. Cell ids are kept. Idempotent: a notebook already right is
not rewritten, and the command prints which notebooks it changed.

A changed notebook must then be re-executed (``make execute NB=...``) so that the new
progress cell's stored output is there; this tool writes no outputs, and it clears the
outputs of a progress cell whose code it changed.
"""

import sys
from pathlib import Path

import nbformat

from nnlib.course import exercises

REPO = Path(__file__).resolve().parents[1]
CI_SECTION = "## Checks (for CI)"


def progress_code(calls: dict[str, str]) -> str:
    """The progress cell's code for these check calls, as ``ruff format`` writes it."""
    lines = "".join(f'        "{number}": "{call}",\n' for number, call in calls.items())
    return (
        "# Your progress in this notebook: every check above, run again on your functions as\n"
        "# they are now. Run this cell whenever you like.\n"
        "from nnlib.course import progress\n"
        "\n"
        f"progress.report(\n    globals(),\n    {{\n{lines}    }},\n)"
    )


def tag_notebook(nb) -> bool:
    """Tag ``nb`` (an nbformat notebook) in place; return whether anything changed."""
    before = nbformat.writes(nb)
    parts = exercises.discover(nb.cells)
    for i, cell in enumerate(nb.cells):
        if i in parts:
            number, part = parts[i]
            cell.metadata[exercises.KEY] = {"exercise": number, "part": part}
        elif exercises.tag(cell).get("part") != exercises.PROGRESS:
            cell.metadata.pop(exercises.KEY, None)
    calls = {}
    for i in sorted(parts):
        number, part = parts[i]
        if part == "check":
            name, arguments = exercises.check_call(exercises.source(nb.cells[i]))
            calls[number] = f"check.{name}({arguments})"
    progress = [c for c in nb.cells if exercises.tag(c).get("part") == exercises.PROGRESS]
    for extra in progress[1:]:
        nb.cells.remove(extra)
    code = progress_code(calls)
    if not calls:
        if progress:
            nb.cells.remove(progress[0])
    elif progress:
        if exercises.source(progress[0]) != code:
            progress[0].source = code
            progress[0].outputs, progress[0].execution_count = [], None
    else:
        cell = nbformat.v4.new_code_cell(code, metadata={exercises.KEY: {"part": "progress"}})
        ci = [
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and exercises.source(c).startswith(CI_SECTION)
        ]
        nb.cells.insert(ci[0] if ci else len(nb.cells), cell)
    return nbformat.writes(nb) != before


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            changed = tag_notebook(nb)
        except exercises.NotebookError as err:
            print(f"{path.name}: {err}", file=sys.stderr)
            return 1
        if changed:
            nbformat.write(nb, path)
        n = sum(exercises.tag(c).get("part") == "stub" for c in nb.cells)
        print(f"{path.name}: {n} exercises, {'tagged' if changed else 'already tagged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
