"""Notebook 11's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.course import drawing
from nnlib.course.checks import your_own_digit as check


def right_centre(image):
    image = np.asarray(image, dtype=float)
    i, j = np.indices(image.shape)
    return (i * image).sum() / image.sum(), (j * image).sum() / image.sum()


def inked(image):
    return np.indices(image.shape)[:, image > 0]


CENTRE_MISTAKES = {
    "it is (column, row)": lambda x: right_centre(x)[::-1],
    "without weighting them": lambda x: tuple(inked(x).mean(axis=1)),
    "forgot to divide by the total ink": lambda x: tuple(np.array(right_centre(x)) * x.sum()),
    "divided by the number of pixels": lambda x: tuple(
        np.array(right_centre(x)) * x.sum() / x.size
    ),
    "counted rows and columns from 1": lambda x: tuple(np.array(right_centre(x)) + 1),
    "centre of the ink's bounding box": lambda x: tuple(
        (inked(x).min(axis=1) + inked(x).max(axis=1)) / 2
    ),
    "the centre of the image, whatever the ink": lambda x: (
        (x.shape[0] - 1) / 2,
        (x.shape[1] - 1) / 2,
    ),
    "return two numbers (row, column)": lambda x: "the middle",
    "your lambda raised AttributeError": lambda x: x.centre_of_mass(),
}


def test_the_right_centre_of_mass_passes():
    assert check.centre_of_mass(right_centre).solved
    assert check.centre_of_mass(drawing.centre_of_mass).solved
    assert check.centre_of_mass(lambda x: np.array(right_centre(x))).solved  # an array is fine


@pytest.mark.parametrize("hint", CENTRE_MISTAKES)
def test_a_typical_centre_of_mass_mistake_gets_its_hint(hint):
    feedback = check.centre_of_mass(CENTRE_MISTAKES[hint])
    assert not feedback.solved
    assert hint in feedback.message, feedback


def right_size(height, width, box=20):
    scale = box / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


SIZE_MISTAKES = {
    "both sides stretched to the box": lambda h, w, box=20: (box, box),
    "you scaled the shorter side": lambda h, w, box=20: (
        round(h * box / min(h, w)),
        round(w * box / min(h, w)),
    ),
    "you truncated": lambda h, w, box=20: (
        max(1, int(h * box / max(h, w))),
        max(1, int(w * box / max(h, w))),
    ),
    "you returned (width, height)": lambda h, w, box=20: right_size(h, w, box)[::-1],
    "cannot be 0 pixels wide": lambda h, w, box=20: (
        round(h * box / max(h, w)),
        round(w * box / max(h, w)),
    ),
    "round the scaled sides": lambda h, w, box=20: (h * box / max(h, w), w * box / max(h, w)),
    "return two numbers": lambda h, w, box=20: 20,
    "the size is (20, 7)": lambda h, w, box=20: (20, 8),
}


def test_the_right_size_passes():
    assert check.fit_size(right_size).solved
    assert check.fit_size(drawing.fit_size).solved


@pytest.mark.parametrize("hint", SIZE_MISTAKES)
def test_a_typical_fit_size_mistake_gets_its_hint(hint):
    feedback = check.fit_size(SIZE_MISTAKES[hint])
    assert not feedback.solved
    assert hint in feedback.message, feedback


def test_unfinished_stubs_are_not_solved_yet():
    assert check.centre_of_mass(lambda image: None).status == "not solved yet"
    assert check.fit_size(lambda h, w, box=20: None).status == "not solved yet"
