"""Strict means strict: the stored notebooks are what a clean top-to-bottom run saves,
and the nbval sanitizer masks timings and rates, nothing else."""

import json
import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
SANITIZE = NOTEBOOK_DIR / "sanitize.cfg"

#: What a masked text must look like, whole: a duration or a rate.
TIMING_OR_RATE = re.compile(r"[\d,]+(\.\d+)? ?(s|ms|µs|s/epoch|images/s|GFLOP/s)")
#: Texts a sanitizer must leave alone: results, shapes, settings.
NOT_TIMINGS = [
    "loss 0.4632", "acc 97.24%", "val_acc 98.70%", "(60000, 784)", "epoch 3/10",
    "784-128-10", "lr=0.1", "1.2e-10", "p = 0.5", "seed 0", "0.5", "12 of 20 mistakes",
    "test accuracy 86.53%", "3 seeds", "mean ± sd 0.21",
]  # fmt: skip
REPLACEMENTS = {"<seconds>", "<rate>"}


def notebook_problems(nb: dict) -> list[str]:
    """What keeps a stored notebook from being a clean top-to-bottom run."""
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    problems = []
    for i, cell in enumerate(code):
        if not "".join(cell["source"]).strip():
            problems.append(f"code cell {i} is empty")
        if cell.get("execution_count") is None:
            problems.append(f"code cell {i} was never executed")
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"code cell {i} stores an error output ({output['ename']})")
    counts = [cell.get("execution_count") for cell in code]
    if None not in counts and counts != list(range(1, len(code) + 1)):
        problems.append(f"execution counts {counts} are not 1..{len(code)} in order")
    return problems


def output_texts(nb: dict) -> list[str]:
    """Every text a notebook's outputs show (streams, plain text, HTML)."""
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if "text" in output:
                texts.append("".join(output["text"]))
            for mime in ("text/plain", "text/html"):
                if mime in output.get("data", {}):
                    texts.append("".join(output["data"][mime]))
    return texts


def sanitizer_problems(config: str, texts: list[str]) -> list[str]:
    """What a sanitize file masks besides timings and rates, checked on ``texts``."""
    problems = []
    for regex, replacement in get_sanitize_patterns(config):
        if replacement not in REPLACEMENTS:
            problems.append(f"{regex!r} replaces with {replacement!r}, not one of {REPLACEMENTS}")
        for text in NOT_TIMINGS:
            if re.search(regex, text):
                problems.append(f"{regex!r} masks {text!r}, which is not a timing")
        for text in texts:
            for match in re.finditer(regex, text):
                if not TIMING_OR_RATE.fullmatch(match.group()):
                    problems.append(f"{regex!r} masks {match.group()!r} in a stored output")
    return problems


#: A test set passed to ``fit`` as the data it validates on, after every epoch.
TEST_AS_VALIDATION = re.compile(r"validation_data\s*=\s*\(?\s*\w*test", re.IGNORECASE)


def cells_validating_on_test(nb: dict) -> list[int]:
    """The code cells (by index) that hand a test set to ``fit`` as its validation data."""
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    return [i for i, cell in enumerate(code) if TEST_AS_VALIDATION.search("".join(cell["source"]))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_chooses_anything_on_the_test_set(path):
    """Every choice is made on a validation split; the test set is evaluated once, at the end."""
    assert cells_validating_on_test(json.loads(path.read_text())) == []


@pytest.mark.parametrize(
    "source",
    ["fit(net, x, y, validation_data=(x_test, y_test))", "validation_data = (X_TEST, y)",
     "fit(..., validation_data=test_set)"],
)  # fmt: skip
def test_the_test_set_scan_can_fail(source):
    nb = {"cells": [{"cell_type": "code", "source": [source]}]}
    assert cells_validating_on_test(nb) == [0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_notebook_is_a_clean_top_to_bottom_run(path):
    assert notebook_problems(json.loads(path.read_text())) == []


def test_the_sanitizer_masks_only_timings_and_rates():
    texts = [t for path in NOTEBOOKS for t in output_texts(json.loads(path.read_text()))]
    assert sanitizer_problems(SANITIZE.read_text(), texts) == []


def test_the_sanitizer_is_used_on_real_timings():
    texts = [t for path in NOTEBOOKS for t in output_texts(json.loads(path.read_text()))]
    for regex, _ in get_sanitize_patterns(SANITIZE.read_text()):
        assert any(re.search(regex, t) for t in texts), f"{regex!r} masks nothing: remove it"


def code_cell(count, outputs=()):
    return {"cell_type": "code", "source": ["x = 1"], "execution_count": count, "outputs": outputs}


@pytest.mark.parametrize(
    "cells, problem",
    [
        ([code_cell(1), code_cell(None)], "code cell 1 was never executed"),
        ([code_cell(2), code_cell(1)], "are not 1..2 in order"),
        ([code_cell(1), code_cell(3)], "are not 1..2 in order"),
        ([code_cell(1, [{"output_type": "error", "ename": "ValueError"}])], "error output"),
        ([{**code_cell(1), "source": [" \n"]}], "code cell 0 is empty"),
    ],
)
def test_the_notebook_check_can_fail(cells, problem):
    assert any(problem in p for p in notebook_problems({"cells": cells}))


@pytest.mark.parametrize(
    "config",
    [
        "[numbers]\nregex: \\d+\\.\\d+\nreplace: <seconds>\n",  # masks every decimal
        "[accuracy]\nregex: \\d+\\.\\d+%\nreplace: <seconds>\n",  # masks accuracies
        "[timings]\nregex: \\b\\d+(\\.\\d+)? ?s\\b\nreplace: <anything>\n",  # a new placeholder
    ],
)
def test_the_sanitizer_check_can_fail(config):
    assert sanitizer_problems(config, ["loss 0.4632  acc 97.24%  1.2s"]) != []
