"""What the prose says about the length of exercise 6.1's solution is its true length."""

import json
import re
from pathlib import Path

import pytest

from tests.notebook_exercises import exercises

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "06_training.ipynb"
#: "35 lines of NumPy", "in 35 lines", "35 lines (blank lines aside)": a count of lines.
CLAIM = re.compile(r"(?:about )?(\d+) lines\b")


def solution_lines(code: str) -> int:
    """The lines of code of a solution, blank lines aside (its comments sit on code lines)."""
    return sum(1 for line in code.splitlines() if line.strip())


def claims(text: str) -> list[int]:
    return [int(n) for n in CLAIM.findall(text)]


def network_solution() -> str:
    return next(e.solution for e in exercises(NOTEBOOK) if e.id == "6.1")


def test_notebook_06_states_the_length_of_its_solution():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    found = claims(prose)
    assert len(found) >= 3, found  # the task, the solution, the side-by-side run, the recap
    assert set(found) == {solution_lines(network_solution())}


def test_the_readme_states_the_same_length():
    readme = (REPO / "README.md").read_text()
    sentence = re.search(r"the whole network in [^,]*lines of NumPy", readme)
    assert sentence, "the README no longer says how long the network of notebook 06 is"
    assert claims(sentence[0]) == [solution_lines(network_solution())]


@pytest.mark.parametrize(
    "text, count", [("about 40 lines of NumPy", [40]), ("35 lines (blank lines aside)", [35])]
)
def test_a_claim_is_read_as_its_number(text, count):
    assert claims(text) == count


def test_blank_lines_do_not_count():
    assert solution_lines("def f():\n\n    return 1  # one\n\n") == 2
