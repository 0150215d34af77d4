"""nnlib.course.drawing: a drawing becomes a digit the way MNIST's digits were made."""

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import preprocessing
from nnlib.course import drawing

SEVEN = [[(30, 30), (120, 28), (70, 150)]]  # a 7, small, in the top-left corner
TALL_ONE = [[(140, 20), (141, 260)]]  # a 1: one long vertical stroke


def ink_box(image, threshold=0.0):
    """(height, width) of the bounding box of the pixels above ``threshold``."""
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_the_output_is_what_training_feeds_the_network():
    image = drawing.preprocess(SEVEN)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() == 0.0 and image.max() == 1.0  # paper 0, the pen's core full ink
    as_bytes = np.round(image * 255).astype(np.uint8)
    np.testing.assert_array_equal(image, preprocessing.scale(as_bytes))  # exactly k / 255


@pytest.mark.parametrize(
    "corner",
    [(0, 0), (150, 0), (0, 120), (150, 120), (75, 60)],
    ids=["top left", "top right", "bottom left", "bottom right", "middle"],
)
def test_a_digit_drawn_in_a_corner_comes_out_centred(corner):
    strokes = [[(x + corner[0], y + corner[1]) for x, y in s] for s in SEVEN]
    image = drawing.preprocess(strokes)
    row, col = drawing.centre_of_mass(image)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5, (row, col)


def test_where_the_digit_was_drawn_does_not_matter():
    moved = [[(x + 130, y + 100) for x, y in s] for s in SEVEN]
    np.testing.assert_array_equal(drawing.preprocess(SEVEN), drawing.preprocess(moved))


@pytest.mark.parametrize(
    "strokes",
    [
        [[(5, 5), (275, 275)], [(275, 5), (5, 275)]],  # huge: corner to corner
        [[(100, 100), (103, 101)]],  # tiny: a dash of 3 pixels
        [[(200, 200)]],  # a dot
        [[(50, 60), (60, 90), (55, 100)]],  # small
    ],
    ids=["huge", "tiny", "dot", "small"],
)
def test_any_size_is_scaled_to_fit_the_20_pixel_box(strokes):
    height, width = ink_box(drawing.preprocess(strokes))
    assert abs(max(height, width) - 20) <= 1 and min(height, width) <= 21


def test_the_aspect_ratio_is_kept():
    height, width = ink_box(drawing.preprocess(TALL_ONE))
    assert abs(height - 20) <= 1 and width <= 3  # 264 x 24 on the canvas -> 20 x 2
    wide = [[(20, 140), (260, 141)]]
    height, width = ink_box(drawing.preprocess(wide))
    assert abs(width - 20) <= 1 and height <= 3
    assert drawing.fit_size(264, 24) == (20, 2) and drawing.fit_size(24, 264) == (2, 20)


def test_anti_aliasing_leaves_grey_levels_along_the_edges():
    image = drawing.preprocess([[(30, 30), (250, 200)]])  # a slanted line
    grey = (image > 0) & (image < 1)
    assert grey.sum() >= 10
    assert len(np.unique(image[grey])) >= 5  # not one grey, a range of them
    canvas = drawing.render([[(30, 30), (250, 200)]])
    assert ((canvas > 0) & (canvas < 1)).any()  # the pen's edge is soft already


@pytest.mark.parametrize(
    "strokes",
    [[], [[]], [[], []], [[(-100, -100)]], [[(400, 50), (500, 60)]], np.zeros((0, 2))],
    ids=["no strokes", "an empty stroke", "empty strokes", "off the canvas", "far off", "array"],
)
def test_an_empty_canvas_is_a_clear_one_line_error(strokes):
    with pytest.raises(ValueError, match=r"^the canvas is empty: draw a digit first$"):
        drawing.preprocess(strokes)


def test_a_pen_of_no_width_and_a_stroke_of_no_length_leave_no_ink():
    with pytest.raises(ValueError, match="the canvas is empty"):
        drawing.preprocess([[(100.5, 100.5)]], brush=-2)


@pytest.mark.parametrize(
    "strokes, message",
    [
        ("a 7", "strokes must be a list of strokes"),
        (7, "strokes must be a list of strokes"),
        ({"x": 1}, "strokes must be a list of strokes"),
        ([[(1, 2, 3)]], r"stroke 0 must be a list of \(x, y\) pairs, got an array of shape"),
        ([[(1, 2)], [1, 2]], r"stroke 1 must be a list of \(x, y\) pairs"),
        ([[(1, 2)], [(1, "a")]], r"stroke 1 must be a list of \(x, y\) pairs of numbers"),
        ([[(1, 2), (3, np.nan)]], r"stroke 0, point 1: \[3.0, nan\] is not finite"),
        ([[(1, 2), [3]]], r"stroke 0 must be a list of \(x, y\) pairs of numbers"),
    ],
)
def test_malformed_strokes_are_a_clear_one_line_error(strokes, message):
    with pytest.raises(ValueError, match=message) as error:
        drawing.preprocess(strokes)
    assert "\n" not in str(error.value)


def test_the_pen_is_round_and_as_wide_as_the_brush():
    dot = drawing.render([[(140, 140)]], brush=40)
    assert dot.sum() == pytest.approx(math.pi * 20**2, rel=0.02)  # a disc of radius 20
    line = drawing.render([[(40, 100.5), (240, 100.5)]], brush=20)
    assert line[:, 140].sum() == pytest.approx(20, abs=0.5)  # 20 pixels across
    assert line[100, 30] == 1 and line[100, 29] == 0  # a round end, 10 pixels past the point


def test_bounding_box_and_crop():
    image = np.zeros((10, 12))
    image[2:5, 3:9] = 0.5
    assert drawing.bounding_box(image) == (2, 5, 3, 9)
    assert drawing.crop(image).shape == (3, 6)


@pytest.mark.parametrize("n_in, n_out", [(10, 5), (7, 3), (3, 7), (280, 20), (20, 20)])
def test_area_weights_average_without_making_or_losing_ink(n_in, n_out):
    R = drawing.area_weights(n_in, n_out)
    assert R.shape == (n_out, n_in) and (R >= 0).all()
    np.testing.assert_allclose(R.sum(axis=1), 1)  # each output pixel is an average
    np.testing.assert_allclose(R.sum(axis=0), n_out / n_in)  # each input pixel counted once
    if n_in == n_out:
        np.testing.assert_allclose(R, np.eye(n_in))


def test_area_weights_share_a_pixel_cut_by_an_edge():
    halves = np.array([[1, 1, 0.5, 0, 0], [0, 0, 0.5, 1, 1]]) / 2.5  # pixel 2 is cut in two
    np.testing.assert_allclose(drawing.area_weights(5, 2), halves)


def test_fit_box_keeps_the_mean_ink():
    image = np.random.default_rng(0).random((120, 75))
    scaled = drawing.fit_box(image)
    assert scaled.shape == (20, 12)  # 20 * 75 / 120 = 12.5, rounded to even
    assert scaled.mean() == pytest.approx(image.mean(), rel=0.03)
    with pytest.raises(ValueError, match="non-empty 2-D image"):
        drawing.fit_box(np.zeros((0, 3)))


def test_centre_of_mass():
    image = np.zeros((5, 7))
    image[1, 2], image[3, 6] = 1.0, 3.0
    assert drawing.centre_of_mass(image) == pytest.approx((2.5, 5.0))
    with pytest.raises(ValueError, match="the canvas is empty"):
        drawing.centre_of_mass(np.zeros((3, 3)))


def test_centre_moves_a_lopsided_image_only_as_far_as_it_fits():
    image = np.zeros((20, 20))
    image[19, :] = 1  # all the ink on the bottom row
    out = drawing.centre(image)
    assert out.sum() == image.sum()  # nothing cut off
    assert out[19].sum() == 20  # moved up only as far as the top edge allows
    with pytest.raises(ValueError, match="does not fit"):
        drawing.centre(np.ones((29, 3)))


def test_shift_moves_whole_pixels_and_brings_in_paper():
    images = np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4) + 1
    down = drawing.shift(images, 1, 0)
    np.testing.assert_array_equal(down[:, 1:], images[:, :-1])
    assert (down[:, 0] == 0).all()
    left = drawing.shift(images, 0, -2)
    np.testing.assert_array_equal(left[:, :, :2], images[:, :, 2:])
    assert (drawing.shift(images, 4, 0) == 0).all()
    np.testing.assert_array_equal(drawing.shift(images, 0, 0), images)


def test_steps_name_every_stage_with_its_shape():
    stages = drawing.steps(SEVEN)
    assert list(stages) == ["drawn 280x280", "cropped 146x114", "scaled 20x16", "centred 28x28"]
    np.testing.assert_array_equal(stages["centred 28x28"], drawing.preprocess(SEVEN))


def test_the_sample_drawings_are_ten_digits_and_ship_with_the_package():
    samples = drawing.sample_drawings()
    assert [s["digit"] for s in samples] == list(range(10))
    for sample in samples:
        assert sample["note"] and drawing.as_strokes(sample["strokes"])
        assert drawing.preprocess(sample["strokes"]).shape == (28, 28)
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "sample_drawings.json" in pyproject["tool"]["setuptools"]["package-data"]["nnlib.course"]


points = st.tuples(st.floats(0, 280), st.floats(0, 280))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(points, min_size=1, max_size=8), min_size=1, max_size=4))
def test_any_drawing_on_the_canvas_becomes_a_28_by_28_digit(strokes):
    image = drawing.preprocess(strokes)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1 and image.max() > 0
    assert max(ink_box(image)) <= 21
