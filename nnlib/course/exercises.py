"""Where a notebook's exercises are: found by the metadata on their cells, not by position.

Every exercise ``N.k`` of notebook ``NN_topic.ipynb`` has four parts (see
``nnlib.course.checks``), and each part's cell carries ``{"nnlib": {"exercise": "N.k",
"part": PART}}`` in its metadata, with PART one of

    task       the markdown cell headed "### Exercise N.k: ..."
    stub       the code cell "# Exercise N.k: ..." with the function to fill in
    check      the code cell "check.forward(forward)": the check, called on that function
    solution   the markdown cell "<details><summary>Solution to exercise N.k ..." with
               the worked solution in a ```python block

and the notebook's progress cell carries ``{"nnlib": {"part": "progress"}}``. Jupyter,
JupyterLab and Colab keep a cell's metadata while its text is edited, moved, copied or
the cells around it change, so an exercise is still found when a learner adds cells,
moves them, or deletes the stub's comment line.

The metadata is written by ``python -m tools.tag_exercises`` from the course's own
layout (``discover``: a stub is a code cell starting "# Exercise N.k", its check is the
next code cell calling ``check.``), and a test keeps it true. Everything else reads the
metadata (``exercises``).

Notebooks are read as JSON (nbformat 4): this module needs nothing outside the standard
library.
"""

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

KEY = "nnlib"  # the cell metadata field
PARTS = ("task", "stub", "check", "solution")
PROGRESS = "progress"

TASK = re.compile(r"^#+\s*Exercise (\d+\.\d+)\b", re.M)
STUB = re.compile(r"\A# Exercise (\d+\.\d+)\b")
SOLUTION = re.compile(r"\A<details>\s*<summary>.*?Solution to exercise (\d+\.\d+)\b", re.S)
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
NOTEBOOK_NAME = re.compile(r"\A(\d\d)_(\w+)\.ipynb\Z")


class NotebookError(ValueError):
    """A notebook that cannot be read, or whose exercises are not laid out as expected."""


@dataclass
class Exercise:
    """One exercise of a notebook, as its cells say (texts, not live objects)."""

    id: str  # "4.1"
    notebook: str  # "04_forward_pass.ipynb"
    stub: str  # the stub cell's code
    check: str  # the check cell's code, e.g. "check.forward(forward)"
    solution: str  # the code of the solution's ```python block
    stored_output: str  # what the stored notebook shows under the check


def source(cell: dict) -> str:
    """A cell's text (nbformat stores it as a string or a list of lines)."""
    text = cell.get("source", "")
    return text if isinstance(text, str) else "".join(text)


def stored_output(cell: dict) -> str:
    """The text a code cell's stored outputs show (streams and plain-text results)."""
    parts = []
    for output in cell.get("outputs", []):
        text = output.get("text", "")
        plain = output.get("data", {}).get("text/plain", "")
        parts.append(text if isinstance(text, str) else "".join(text))
        parts.append(plain if isinstance(plain, str) else "".join(plain))
    return "".join(parts)


def tag(cell: dict) -> dict:
    """The cell's ``nnlib`` metadata ({} if it has none)."""
    value = cell.get("metadata", {}).get(KEY, {})
    return value if isinstance(value, dict) else {}


def read(path: str | Path) -> dict:
    """The notebook at ``path`` as a dict; NotebookError if it is not a notebook."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NotebookError(f"{Path(path).name}: expected a Jupyter notebook, got {err}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{Path(path).name}: expected a Jupyter notebook with cells")
    return nb


def check_call(code: str) -> tuple[str, str]:
    """``"check.forward(forward)"`` -> ``("forward", "forward")``: the check function's
    name and the source of its arguments (the learner's functions, by name, or any
    expressions: ``"confusion, scores"``). The call is the cell's last statement;
    NotebookError if it is not a call ``check.NAME(...)``."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        body = []
    call = body[-1].value if body and isinstance(body[-1], ast.Expr) else None
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "check"
        and not any(isinstance(a, ast.Lambda) for a in ast.walk(call))
    ):
        raise NotebookError(f"expected a check cell like check.forward(forward), got {code!r}")
    arguments = ast.unparse(ast.Call(ast.Name("_"), call.args, call.keywords))[2:-1]
    return call.func.attr, arguments


def checks_module(notebook: str) -> str:
    """``"04_forward_pass.ipynb"`` -> ``"nnlib.course.checks.forward_pass"``."""
    match = NOTEBOOK_NAME.match(Path(notebook).name)
    if not match:
        raise NotebookError(
            f"expected a course notebook name like 04_forward_pass.ipynb, got {notebook!r}"
        )
    return f"nnlib.course.checks.{match[2]}"


def discover(cells: list[dict]) -> dict[int, tuple[str, str]]:
    """Which cells make up which exercise, read from the course's layout, for tagging:
    {cell index: (exercise id, part)}. Needs no metadata; the cells need only be in the
    course's order (task, then stub, then check, then solution; other cells may sit
    between). NotebookError if an exercise lacks its check or its solution (its task is
    tagged if there is one)."""
    found = {}
    code = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    for i in code:
        match = STUB.match(source(cells[i]))
        if not match:
            continue
        number = match[1]
        tasks = [
            j
            for j in range(i)
            if cells[j].get("cell_type") == "markdown" and number in TASK.findall(source(cells[j]))
        ]
        checks = [j for j in code if j > i and _calls_check(source(cells[j]))]
        if not checks or any(STUB.match(source(cells[j])) for j in code if i < j < checks[0]):
            raise NotebookError(f"exercise {number}: no check cell after its stub")
        solutions = [
            j
            for j in range(checks[0] + 1, len(cells))
            if cells[j].get("cell_type") == "markdown"
            and (m := SOLUTION.match(source(cells[j])))
            and m[1] == number
        ]
        if not solutions or not CODE_BLOCK.search(source(cells[solutions[0]])):
            raise NotebookError(f"exercise {number}: no folded solution with a ```python block")
        task = tasks[-1] if tasks else None
        for j, part in zip((task, i, checks[0], solutions[0]), PARTS, strict=True):
            if j is not None:
                found[j] = (number, part)
    return found


def _calls_check(code: str) -> bool:
    try:
        name, _ = check_call(code)
    except NotebookError:
        return False
    return name != "reveal"


def exercises(notebook: str | Path | dict, name: str = "") -> list[Exercise]:
    """The exercises of a notebook (a path, or an already read notebook and its file
    name), found by their cells' metadata, in the order their first cells come. A
    deleted stub or solution leaves its text empty; NotebookError if an exercise has
    two cells of one part, or no check cell."""
    if not isinstance(notebook, dict):
        name = name or Path(notebook).name
        notebook = read(notebook)
    parts: dict[str, dict[str, dict]] = {}
    for cell in notebook["cells"]:
        meta = tag(cell)
        number, part = meta.get("exercise"), meta.get("part")
        if part not in PARTS or not isinstance(number, str):
            continue
        if part in parts.setdefault(number, {}):
            raise NotebookError(f"{name}: exercise {number} has two {part} cells")
        parts[number][part] = cell
    found = []
    for number, cells in parts.items():
        if "check" not in cells:
            raise NotebookError(f"{name}: exercise {number} has no check cell")
        solution = CODE_BLOCK.findall(source(cells.get("solution", {})))
        found.append(
            Exercise(
                number,
                name,
                source(cells.get("stub", {})),
                source(cells["check"]),
                solution[0] if solution else "",
                stored_output(cells["check"]),
            )
        )
    return found
