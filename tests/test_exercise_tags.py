"""Every exercise's cells carry its identity, as the course's layout says they should:
``python -m tools.tag_exercises`` wrote it, and this keeps it true. (If it fails after
you added or changed an exercise: run that tool, then `make execute NB=...`.)"""

import json
from pathlib import Path

import nbformat
import pytest
from notebook_exercises import NOTEBOOK_DIR, exercises

from nnlib.course import exercises as ex
from tools import tag_exercises

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def tags(cells) -> dict[int, tuple[str, str]]:
    return {
        i: (t["exercise"], t["part"])
        for i, c in enumerate(cells)
        if (t := ex.tag(c)) and t.get("part") != ex.PROGRESS
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_exercise_cell_carries_its_tag_and_no_other_cell_does(path):
    cells = json.loads(path.read_text())["cells"]
    assert tags(cells) == ex.discover(cells), "run `python -m tools.tag_exercises`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_each_check_cell_is_tagged_with_the_exercise_it_checks(path):
    found = exercises(path)
    assert found and len({e.id for e in found}) == len(found)
    for exercise in found:
        assert exercise.id.split(".")[0] == str(int(path.name[:2])), exercise.id
        assert exercise.stored_output.startswith(f"… Exercise {exercise.id} "), exercise.id
        assert exercise.stub.startswith(f"# Exercise {exercise.id}")
        assert exercise.solution


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_the_notebook_ends_with_its_progress_cell_and_the_tool_changes_nothing(path):
    nb = nbformat.read(path, as_version=4)
    assert not tag_exercises.tag_notebook(nb), "run `python -m tools.tag_exercises`"
    progress = [c for c in nb.cells if ex.tag(c).get("part") == ex.PROGRESS]
    assert len(progress) == 1
    n = len(exercises(path))
    assert f"You have solved 0 of {n} exercises in this notebook" in ex.stored_output(progress[0])


def learner_edits(cells):
    """A learner's way with cells: the stub's comment deleted, cells added and moved."""
    cells = [dict(c, metadata=dict(c["metadata"])) for c in cells]
    for c in cells:
        if ex.tag(c).get("part") == "stub":
            c["source"] = ex.source(c).split("\n", 1)[1]  # no "# Exercise N.k" line any more
    cells.insert(3, {"cell_type": "code", "metadata": {}, "source": "# my notes", "outputs": []})
    cells.reverse()
    return cells


def test_an_exercise_is_found_however_its_cells_are_edited_and_moved():
    path = NOTEBOOK_DIR / "04_forward_pass.ipynb"
    nb = json.loads(path.read_text())
    before = {e.id: e.check for e in exercises(path)}
    nb["cells"] = learner_edits(nb["cells"])
    after = {e.id: e.check for e in ex.exercises(nb, path.name)}
    assert after == before and len(after) == 4


def test_the_tool_tags_a_notebook_it_has_not_seen_and_a_moved_exercise(tmp_path: Path):
    nb = nbformat.read(NOTEBOOK_DIR / "04_forward_pass.ipynb", as_version=4)
    for cell in nb.cells:
        cell.metadata.pop(ex.KEY, None)
    nb.cells = [c for c in nb.cells if "progress.report(" not in ex.source(c)]
    assert tag_exercises.tag_notebook(nb)
    assert not tag_exercises.tag_notebook(nb)  # idempotent
    assert tags(nb.cells) == ex.discover(nb.cells) and len(ex.discover(nb.cells)) == 16
    progress = [i for i, c in enumerate(nb.cells) if ex.tag(c).get("part") == ex.PROGRESS]
    ci = [i for i, c in enumerate(nb.cells) if ex.source(c).startswith("## Checks (for CI)")]
    assert progress == [ci[0] - 1]
    # an exercise removed changes the progress cell's code and clears its stale output
    nb.cells[progress[0]].outputs = [nbformat.v4.new_output("stream", text="old")]
    nb.cells = [c for c in nb.cells if ex.tag(c).get("exercise") != "4.4"]
    assert tag_exercises.tag_notebook(nb)
    cell = next(c for c in nb.cells if ex.tag(c).get("part") == ex.PROGRESS)
    assert cell.outputs == [] and "4.3" in cell.source and "4.4" not in cell.source


def test_a_check_call_is_read_from_its_cell():
    assert ex.check_call("check.forward(forward)") == ("forward", "forward")
    assert ex.check_call("x = 1\ncheck.confusion_and_scores(confusion, scores)") == (
        "confusion_and_scores",
        "confusion, scores",
    )
    assert ex.check_call("check.capstone(train, x[:10], seed=0)") == (
        "capstone",
        "train, x[:10], seed=0",
    )
    for bad in ("print('✓ solved')", "check.forward(lambda x: x)", "forward(forward)", "("):
        with pytest.raises(ex.NotebookError, match="expected a check cell"):
            ex.check_call(bad)
