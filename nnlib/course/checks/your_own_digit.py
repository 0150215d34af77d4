"""Checks for the exercises of notebook 11, draw your own digit."""

import numpy as np

from nnlib.course import drawing
from nnlib.course.checks import Feedback, Hint, answer, cases, expect_array, reveal, run

__all__ = ["centre_of_mass", "fit_size", "reveal"]


def _ink(rng: np.random.Generator) -> np.ndarray:
    """A random (h, w) image, h != w, with ink of several grey levels in a box that leaves
    margins of paper (zeros) of different widths on opposite sides."""
    h, w = rng.choice(np.arange(8, 29), size=2, replace=False)
    top, bottom = rng.choice(4, size=2, replace=False)
    left, right = rng.choice(4, size=2, replace=False)
    image = np.zeros((h, w))
    inner = image[top : h - bottom, left : w - right]
    inner[:] = rng.random(inner.shape) * (rng.random(inner.shape) < 0.5)
    inner[[0, -1], :] = inner[:, [0, -1]] = 0  # the box's edges...
    inner[0, 0] = inner[-1, -1] = 1.0  # ... touched by ink in two corners
    return image


def centre_of_mass(centre_of_mass_fn) -> Feedback:
    """Exercise 11.1: ``centre_of_mass_fn(image)``, the ink's centre of mass (row, column).

    ``image`` has shape (h, w), ink >= 0. The answer is two numbers,
    row = sum_ij i x_ij / sum_ij x_ij and column = sum_ij j x_ij / sum_ij x_ij,
    with i, j the row and column indices (from 0).
    """

    def attempt():
        for rng in cases(seed=1101):
            image = _ink(rng)
            right = np.array(drawing.centre_of_mass(image))
            got = answer(centre_of_mass_fn, image.copy())
            i, j = np.indices(image.shape)
            mass, inked = image.sum(), image > 0
            mistakes = {
                "it is (column, row); the first number is the row (down the image), "
                "the second the column (across)": right[::-1],
                "you averaged the positions of the inked pixels without weighting them: "
                "a grey pixel must count less than a black one (weight each index by x_ij)": [
                    i[inked].mean(),
                    j[inked].mean(),
                ],
                "you forgot to divide by the total ink, sum_ij x_ij": right * mass,
                "you divided by the number of pixels; divide by the total ink, sum_ij x_ij": (
                    right * mass / image.size
                ),
                "you counted rows and columns from 1; NumPy's indices start at 0": right + 1,
                "that is the centre of the ink's bounding box; the centre of mass weights "
                "every position by its ink": [
                    (i[inked].min() + i[inked].max()) / 2,
                    (j[inked].min() + j[inked].max()) / 2,
                ],
                "that is the centre of the image, whatever the ink; weight every position "
                "by its ink": [(image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2],
            }
            try:
                got = np.asarray(got, dtype=float).ravel()
            except (TypeError, ValueError):
                raise Hint(f"return two numbers (row, column), got {got!r}") from None
            expect_array("(row, column)", got, right, mistakes)
        return "5 random images of ink agree with nnlib.course.drawing.centre_of_mass"

    return run("Exercise 11.1 (the centre of mass)", attempt)


#: (height, width) cases for exercise 11.2: tall, wide, square, tiny, rounding up, slivers
#: lying and standing.
SIZES = [(181, 64), (64, 181), (100, 39), (123, 123), (7, 5), (3, 500), (500, 3), (240, 155)]


def fit_size(fit_size_fn) -> Feedback:
    """Exercise 11.2: ``fit_size_fn(height, width, box=20)``, the size (h', w') of an
    image scaled to fit a box x box box with its aspect ratio kept: the longer side
    becomes ``box``, the shorter ``round(box * short / long)``, at least 1."""

    def attempt():
        for h, w in SIZES:
            box = 20
            right = drawing.fit_size(h, w, box)
            got = answer(fit_size_fn, h, w, box)
            try:
                got_h, got_w = (float(v) for v in got)
            except (TypeError, ValueError):
                raise Hint(f"return two numbers (new height, new width), got {got!r}") from None
            got = (got_h, got_w)
            if got == right:
                continue
            s = box / max(h, w)
            if got == right[::-1]:
                raise Hint(f"for {h} x {w} you returned (width, height) = {got}; return (h', w')")
            if got == (box, box):
                raise Hint(
                    f"for {h} x {w} you returned {box} x {box}: both sides stretched to the box, "
                    "so the aspect ratio is lost (a thin 1 becomes a square blob). Scale both "
                    "sides by the same factor, box / (longer side)"
                )
            shorter = box / min(h, w)
            if np.allclose(got, (h * shorter, w * shorter), atol=0.5):
                raise Hint(
                    f"for {h} x {w} you scaled the shorter side to {box}, so the longer one is "
                    f"{max(got):g} and sticks out of the box; scale the longer side to {box}"
                )
            truncated = tuple(max(1, int(np.floor(side * s + 1e-9))) for side in (h, w))
            if got == truncated:
                raise Hint(
                    f"for {h} x {w} you truncated {box} * {min(h, w)} / {max(h, w)} = "
                    f"{min(h, w) * s:.2f} to {int(min(h, w) * s)}; round it to the nearest pixel"
                )
            if got == (round(h * s), round(w * s)):
                raise Hint(
                    f"for {h} x {w} a side became {min(got):g} pixels; an image cannot be 0 "
                    "pixels wide: keep every side at least 1"
                )
            if np.allclose(got, (h * s, w * s)):
                raise Hint(
                    f"for {h} x {w} you returned {got}: pixels come in whole numbers, "
                    "round the scaled sides"
                )
            raise Hint(f"for {h} x {w} (box {box}) the size is {right}, you returned {got}")
        return f"{len(SIZES)} sizes agree, tall, wide, square, tiny and sliver-thin"

    return run("Exercise 11.2 (fitting the 20 x 20 box)", attempt)
