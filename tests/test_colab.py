"""The Colab emulation's set-up (tools/colab.py; make colab, make floors)."""

import re
import tomllib
from pathlib import Path

from tools import colab

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = {p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")}


def makefile_notebooks(variable: str) -> set[str]:
    """The notebooks a Makefile variable such as COLAB_NOTEBOOKS globs."""
    text = (REPO / "Makefile").read_text()
    patterns = re.search(rf"^{variable} := \$\(wildcard (.*)\)$", text, re.M).group(1).split()
    return {p.name for pattern in patterns for p in REPO.glob(pattern)}


def test_every_notebook_runs_in_exactly_one_environment():
    colab_side, floors_side = (
        makefile_notebooks("COLAB_NOTEBOOKS"),
        makefile_notebooks("FLOORS_NOTEBOOKS"),
    )
    assert colab_side | floors_side == NOTEBOOKS and not colab_side & floors_side


def test_the_floors_are_pyprojects_lower_bounds_installed_exactly():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    floors = colab.floors()
    assert [f"{name}>={v}" for name, v in floors.items()] == declared
    assert set(floors) == set(colab.COLAB) == {"numpy", "pandas", "matplotlib"}
    installed = colab.requirements("floors")
    assert [f"{name}=={v}" for name, v in floors.items()] == installed[:3]


def test_colabs_versions_are_within_the_declared_range():
    for name, floor in colab.floors().items():
        have = tuple(map(int, colab.COLAB[name].split(".")))
        assert have >= tuple(map(int, floor.split("."))), name


def test_the_tools_are_pinned_as_everywhere_else():
    pins = colab.pins()
    for requirement in colab.requirements("colab")[3:]:
        name, _, version = requirement.partition("==")
        assert not version or pins[name] == version


def test_known_failures_are_real_notebooks():
    assert set(colab.KNOWN_FAILURES) <= NOTEBOOKS
