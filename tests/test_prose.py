"""Prose that cannot go stale: every number a notebook's markdown quotes is in its outputs.

A sentence such as "263 of the 10,000 test digits are wrong" is true only as long as
the code still computes 263. So every number in a notebook's markdown (outside code,
math and links) of three or more digits, or with a decimal point or a percent sign, must
appear among that notebook's stored outputs (``tests/test_notebooks.py`` keeps those
honest, and CI recomputes them), as it is or as the rounding of a number shown there
(98.4% for an output of 98.43%). A number that is not computed (a fact about MNIST, a
year, a setting the text chooses) is listed in ``NOT_COMPUTED`` with the notebook.
Where the number may differ on the learner's machine (Colab runs its own NumPy), the
sentence belongs in the code's printed output, where it says what the learner got.
"""

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from test_notebooks import output_texts

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))

#: A number as prose writes it: 263, 10,000, 0.25, 98.43%, 1e-5 (signs are not part of it).
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:e[-+]?\d+)?( ?%)?(?![\w])")
#: What the check skips in markdown: fenced code, inline code, math, links' targets, HTML
#: tags, a network's layer sizes (784-128-10: a setting the text names) and references to
#: the course's parts ("exercise 6.1", "exercises 4.1, 5.2 and 6.1", "section 3").
SKIPPED = re.compile(
    r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|<[^>]+>|https?://\S+|SHA-256"
    r"|(?<![\w.])\d+(?:[-–]\d+){2,}(?![\w.])"
    r"|\b(?:[Ee]xercises?|[Ss]ections?|[Cc]hapters?|[Nn]otebooks?) \d+(?:\.\d+)?"
    r"(?:(?:, | and |, and )\d+\.\d+)*",
    re.S,
)

#: Numbers the prose states that no code computes, per notebook (a fact, a choice, a
#: date, a section number), each with why.
NOT_COMPUTED: dict[str, dict[str, str]] = {
    "01_loading_mnist": {
        "1998": "the year MNIST and LeCun et al.'s paper appeared",
        "2012": "the year of Ciresan et al.'s paper",
        "784": "28 x 28 pixels, MNIST's format",
        "88%": "a linear classifier's accuracy, as LeCun et al. report it",
        "98%": "roughly what notebooks 06-08 measure (they print their own)",
        "256": "a 256-bit checksum (SHA-256)",
        "7.84": "10,000 x 784 pixels, in millions",
    },
    "02_normalization": {"1,000": "the batch size the text chooses"},
    "04_forward_pass": {"0.001": "the smallest logit scale the softmax check tries (its setting)"},
    "06_training": {
        "5,000": "50,000 / 10: updates per epoch at Nielsen's batch size (arithmetic)",
        "1,563": "50,000 / 32 rounded up: updates per epoch at batch size 32 (arithmetic)",
        "200": "1,000 digits x 2 epochs / 10 per step, the comparison's settings (arithmetic)",
        "95%": "Nielsen's accuracy after 30 epochs, as his chapter 1 reports it",
        "20,000": "2 epochs x 10,000 images (arithmetic)",
        "2017": "the year of Goyal et al.'s paper",
        "0.075": "0.3 x 0.5 x 0.5, the schedule's example in the task (arithmetic)",
    },
    "07_evaluation": {
        "128": "the hidden layer's size, a setting",
        "100": "10 x 10, the confusion matrix's cells",
        "2021": "the year of Northcutt, Athalye and Mueller's paper",
        "2012": "the year of Ciresan, Meier and Schmidhuber's paper",
        "2017": "the year of Guo, Pleiss, Sun and Weinberger's paper",
        "80%": "what calibration would mean for a confidence of 0.8 (the definition)",
        "0.01": "the threshold grid's step, a setting",
    },
    "08_improvements": {
        "60,000": "MNIST's training images",
        "1,000": "the probe set's and section 3's training set's size, settings",
        "1000": "the probe set's size, in the shape (1000, 100)",
        "2010": "the year of Glorot and Bengio's paper",
        "2013": "the year of Sutskever et al.'s paper",
        "2014": "the year of Srivastava et al.'s dropout paper",
        "2015": "the year of He et al.'s paper",
        "2.3": "ln 10, the cross-entropy of a uniform guess over 10 classes (arithmetic)",
        "256": "the hidden layers of a recipe tried outside this notebook",
        "97.90%": "seed 2 of the capstone's recipe after 6 epochs, measured outside the notebook",
        "98.02%": "seed 1 of the capstone's recipe after 8 epochs, measured outside the notebook",
    },
    "09_fashion_mnist": {
        "2017": "the year of Xiao, Rasul and Vollgraf's paper",
        "70,000": "Fashion-MNIST's size",
    },
    "10_the_ladder": {
        "60,000": "MNIST's training images",
        "18%": "1 - sqrt(2/3): the sd with n - 1 against n, for three seeds (arithmetic)",
    },
    "11_your_own_digit": {
        "784": "recipes.BEST's input size, 28 x 28",
        "800": "recipes.BEST's hidden layers",
        "5,000": "the validation split's size (recipes.mnist_split)",
        "10,000": "how many training digits the text checks",
        "280": "the canvas's size in pixels",
        "255": "a byte's largest value",
        "2,000": "how many validation digits the text moves",
        "181": "an example size in the exercise's statement",
    },
}


def markdown_numbers(text: str) -> list[str]:
    """The numbers ``text`` (markdown) quotes, as written, outside code, math and links."""
    text = SKIPPED.sub(" ", text)
    return [m.group(0).replace(" %", "%") for m in NUMBER.finditer(text) if _checked(m)]


def _checked(match: re.Match) -> bool:
    """Three or more digits, a decimal point, an exponent or a percent sign."""
    whole, fraction, percent = match.group(1), match.group(2), match.group(3)
    exponent = "e" in match.group(0)
    return len(whole.replace(",", "")) >= 3 or bool(fraction or percent or exponent)


def output_numbers(nb: dict) -> set[str]:
    """Every number the notebook's stored outputs show, as shown (without commas)."""
    return {_normal(m.group(0)) for t in output_texts(nb) for m in NUMBER.finditer(t)}


def _normal(number: str) -> str:
    return number.replace(",", "").replace(" ", "")


def _parse(number: str) -> tuple[Decimal, int, bool]:
    """(value, decimals shown, is a percentage) of a normalized number."""
    percent = number.endswith("%")
    value = Decimal(number.rstrip("%"))
    mantissa = number.rstrip("%").lower().partition("e")[0]
    return (
        value,
        -value.as_tuple().exponent if "e" in number.lower() else len(mantissa.partition(".")[2]),
        percent,
    )


def shown(number: str, outputs: set[str]) -> bool:
    """``number`` is among ``outputs``, or is the rounding (half up) of one of them: 98.4%
    of 98.43%, 81% of a fraction 0.8084, 714 of 7.143155e+02, 1.6 (points) of 1.62%."""
    want = _normal(number)
    if want in outputs:
        return True
    value, decimals, percent = _parse(want)
    step = Decimal(1).scaleb(-decimals)
    for got in outputs:
        got_value, got_decimals, got_percent = _parse(got)
        candidates = [(got_value, got_decimals)]
        if percent and not got_percent:  # a fraction shown, a percentage quoted
            candidates.append((got_value * 100, got_decimals - 2))
        for candidate, shown_decimals in candidates:
            if shown_decimals >= decimals and (
                candidate.quantize(step, rounding=ROUND_HALF_UP) == value
            ):
                return True
    return False


def unbacked(nb: dict, name: str) -> list[str]:
    """The numbers the markdown quotes that the outputs do not show (and are not listed)."""
    outputs = output_numbers(nb)
    allowed = set(NOT_COMPUTED.get(name, {}))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for number in markdown_numbers("".join(cell["source"])):
            if number not in allowed and not shown(number, outputs) and number not in found:
                found.append(number)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_the_prose_quotes_is_in_the_outputs(path):
    nb = json.loads(path.read_text())
    assert unbacked(nb, path.stem) == [], (
        "print these numbers where the prose quotes them, or list them in NOT_COMPUTED"
    )


def test_the_lists_name_real_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert set(NOT_COMPUTED) <= names


def test_the_check_catches_a_stale_number():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["It reads the 3 as a 9 (54.0%): 263 errors."]},
            {"cell_type": "code", "source": [], "outputs": [
                {"output_type": "stream", "text": ["p = 72.1%, 263 errors, acc 98.43%"]}]},
            {"cell_type": "markdown", "source": ["About 98.4% right, `123.4` and $0.25$."]},
        ]
    }  # fmt: skip
    assert unbacked(nb, "x") == ["54.0%"]


@pytest.mark.parametrize(
    "number, outputs, ok",
    [
        ("98.4%", {"98.43%"}, True), ("11.4%", {"11.35%"}, True), ("81%", {"0.8084"}, True),
        ("714", {"7.143155e+02"}, True), ("1.6", {"1.62%"}, True), ("10,000", {"10000"}, True),
        ("95%", {"0.9553"}, False), ("98.43%", {"98.4%"}, False), ("54.0%", {"72.1%"}, False),
        ("263", {"266"}, False), ("0.6", {"0.55"}, True), ("0.25", {"0.2"}, False),
    ],
)  # fmt: skip
def test_a_number_is_shown_as_it_is_or_rounded(number, outputs, ok):
    assert shown(number, outputs) == ok


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("263 of the 10,000 digits, 98.43% right, lr 0.5, 1e-5",
         ["263", "10,000", "98.43%", "0.5", "1e-5"]),
        ("3 seeds, 2 layers, notebook 08, step 12", []),
        ("see `x = 123.5`, $\\sigma = 0.25$, [link](https://a.b/1.23)", []),
        ("98.4 % of them", ["98.4%"]),
        ("a 784-128-10 network (784–100–10 too) with 128 units", ["128"]),
        ("exercise 6.1, Exercises 4.1, 5.2 and 6.1, section 3 on 1,000, loop of 6.1",
         ["1,000", "6.1"]),
        ("after 6.1 epochs, a section of 250", ["6.1", "250"]),
    ],
)  # fmt: skip
def test_markdown_numbers(text, numbers):
    assert markdown_numbers(text) == numbers
