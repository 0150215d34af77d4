"""The package's layout is its architecture: the engine in ``nnlib/``, the course's
machinery in ``nnlib/course/``, and no engine module depends on the course.

``cli`` and ``__main__`` are the command line, thin over both sides (``python -m nnlib
ladder`` runs the course's ladder), so they may import ``nnlib.course``; nothing else
at the top level may, not even inside a function."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnlib"
FRONT_DOORS = {"cli.py", "__main__.py"}
ENGINE = sorted(p for p in PACKAGE.glob("*.py") if p.name not in FRONT_DOORS)


def course_imports(source: str) -> list[str]:
    """Every import of ``nnlib.course`` in ``source``, however it is spelled."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[:2] == ["nnlib", "course"]]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[:2] == ["nnlib", "course"]:
                found.append(node.module)
            elif parts == ["nnlib"]:
                found += [f"nnlib.{a.name}" for a in node.names if a.name == "course"]
        elif isinstance(node, ast.ImportFrom) and node.level == 1:  # from .course import x
            if (node.module or "").split(".")[0] == "course" or (
                node.module is None and any(a.name == "course" for a in node.names)
            ):
                found.append(f".{node.module or 'course'}")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("nnlib.course")
        ):
            found.append(node.args[0].value)
    return found


@pytest.mark.parametrize("module", ENGINE, ids=lambda p: p.name)
def test_no_engine_module_imports_the_course(module):
    assert course_imports(module.read_text()) == [], (
        f"nnlib/{module.name} imports the course's machinery; the engine must stand alone"
    )


@pytest.mark.parametrize(
    "source",
    [
        "from nnlib.course import plots",
        "import nnlib.course.recipes",
        "from nnlib import course",
        "from .course.checks import run",
        "from . import course",
        "def f():\n    from nnlib.course.experiments import summary",
        "importlib.import_module('nnlib.course.widget')",
    ],
)
def test_every_spelling_of_a_course_import_is_found(source):
    assert course_imports(source)


def test_engine_imports_are_not_mistaken_for_course_ones():
    assert course_imports("from nnlib import data, network\nimport nnlib.training") == []


def test_the_engine_alone_is_imported_by_import_nnlib():
    import nnlib

    engine = {p.stem for p in ENGINE} - {"__init__", "errors"}
    assert set(nnlib._MODULES) == engine
    assert not any(name in nnlib._MODULES for name in ("plots", "recipes", "checks"))


def test_every_module_is_on_one_side():
    """Nothing but the engine, the command line and the course package at the top."""
    tops = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    course = {p.name for p in (PACKAGE / "course").iterdir() if p.name != "__pycache__"}
    assert tops - {p.name for p in ENGINE} - FRONT_DOORS == {"course"}
    assert {"checks", "plots", "recipes.py", "reproducible.py", "widget.py"} <= course
