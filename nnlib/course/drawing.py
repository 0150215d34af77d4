"""From a drawing to what the network reads: a digit made the way MNIST's digits were made.

A drawing is a list of **strokes**, one per touch of the pen; a stroke is the list of
points the pen passed through, in canvas coordinates: ``x`` to the right, ``y`` down,
in canvas pixels, as a browser reports them. A stroke of one point is a dot.

The network was trained on MNIST, whose digits were made from NIST's black-and-white
scans in three steps (LeCun et al., http://yann.lecun.com/exdb/mnist/): "size
normalized to fit in a 20x20 pixel box while preserving their aspect ratio" (the
resampling leaves grey levels at the edges: anti-aliasing), then "centered in a 28x28
image by computing the center of mass of the pixels, and translating the image so as
to position this point at the center of the 28x28 field". A drawing has to go through
the same steps, or the network sees something unlike anything it learned from:

    render      strokes              ->  (280, 280) ink in [0, 1]   a thick round pen
    crop        (280, 280)           ->  (h, w)                     the ink's bounding box
    fit_box     (h, w)               ->  (h', w'), max(h', w') = 20 by area averaging
    centre      (h', w')             ->  (28, 28)                   centre of mass at the centre
    quantize    (28, 28) in [0, 1]   ->  (28, 28) float32, k / 255  as preprocessing.scale gives

``preprocess`` runs them all; ``steps`` keeps every stage, to look at. Ink is 1 (dark on
the page, high values), paper is 0, as in MNIST after ``preprocessing.scale``.
NumPy only: no imaging library.
"""

import json
from importlib import resources

import numpy as np

from nnlib import preprocessing

CANVAS = 280  #: the side of the drawing canvas, in canvas pixels (10 per MNIST pixel)
BRUSH = 24.0  #: the pen's diameter, in canvas pixels: about 2 MNIST pixels once scaled
BOX = 20  #: the digit is scaled to fit a BOX x BOX box (MNIST's 20 x 20)
SIDE = 28  #: ... and placed in a SIDE x SIDE image (MNIST's 28 x 28)
EMPTY = "the canvas is empty: draw a digit first"


def as_strokes(strokes) -> list[np.ndarray]:
    """The strokes as a list of float arrays of shape (P, 2), one row (x, y) per point.

    Accepts any nesting of lists, tuples or arrays: ``[[(x, y), (x, y), ...], ...]``.
    A stroke with no points is dropped. Raises ValueError, in one line, on anything
    else: a stroke that is not a list of (x, y) pairs, or a coordinate that is not a
    finite number.
    """
    if isinstance(strokes, str | bytes | dict) or not hasattr(strokes, "__iter__"):
        raise ValueError(
            f"strokes must be a list of strokes, each a list of (x, y) points; got {strokes!r:.60}"
        )
    out = []
    for k, stroke in enumerate(strokes):
        try:
            points = np.asarray(stroke, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"stroke {k} must be a list of (x, y) pairs of numbers, got {stroke!r:.60}"
            ) from None
        if points.size == 0:
            continue
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(
                f"stroke {k} must be a list of (x, y) pairs, got an array of shape {points.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(points).all(axis=1))
        if bad.size:
            raise ValueError(f"stroke {k}, point {bad[0]}: {points[bad[0]].tolist()} is not finite")
        out.append(points)
    return out


def _segment_distance(px, py, a, b):
    """Distance from the points (px, py) to the segment from a to b (each (x, y))."""
    d = b - a
    length2 = float(d @ d)
    if length2 == 0.0:  # a dot
        return np.hypot(px - a[0], py - a[1])
    t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / length2, 0.0, 1.0)
    return np.hypot(px - (a[0] + t * d[0]), py - (a[1] + t * d[1]))


def render(strokes, size: int = CANVAS, brush: float = BRUSH) -> np.ndarray:
    """Draw the strokes with a round pen of diameter ``brush``: a (size, size) image in [0, 1].

    Pixel (i, j) is the square [j, j+1) x [i, i+1) of the canvas, so row i is y and
    column j is x. A pixel whose centre lies within ``brush / 2`` of a stroke (the
    stroke's segments, with round ends and joins) is ink; along the edge of the pen the
    ink fades linearly over one pixel, ``clip(brush/2 + 1/2 - distance, 0, 1)``: a
    cheap anti-aliasing that covers about the right fraction of each edge pixel. Where
    strokes cross, the darker ink wins. Ink beyond the canvas's edge is lost.
    """
    radius = brush / 2
    image = np.zeros((size, size))
    reach = radius + 1  # beyond this distance from a segment, no ink at all
    for stroke in as_strokes(strokes):
        ends = zip(stroke, stroke[1:], strict=False) if len(stroke) > 1 else [(stroke[0],) * 2]
        for a, b in ends:
            # Only the pixels near this segment can get ink from it: a small window.
            top = max(int(np.floor(min(a[1], b[1]) - reach)), 0)
            bottom = min(int(np.ceil(max(a[1], b[1]) + reach)), size)
            left = max(int(np.floor(min(a[0], b[0]) - reach)), 0)
            right = min(int(np.ceil(max(a[0], b[0]) + reach)), size)
            if top >= bottom or left >= right:
                continue
            py, px = np.mgrid[top:bottom, left:right] + 0.5  # pixel centres, (rows, cols)
            ink = np.clip(radius + 0.5 - _segment_distance(px, py, a, b), 0.0, 1.0)
            window = image[top:bottom, left:right]
            np.maximum(window, ink, out=window)
    return image


def bounding_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """The smallest box holding all the ink (values > 0): ``(top, bottom, left, right)``,
    bottom and right exclusive, so ``image[top:bottom, left:right]`` is the ink.
    Raises ValueError("the canvas is empty: draw a digit first") if there is no ink."""
    image = np.asarray(image)
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    if rows.size == 0:
        raise ValueError(EMPTY)
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def crop(image: np.ndarray) -> np.ndarray:
    """The ink's bounding box cut out of ``image``: (H, W) -> (h, w), h <= H, w <= W."""
    top, bottom, left, right = bounding_box(image)
    return np.asarray(image)[top:bottom, left:right]


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """The (n_out, n_in) matrix that resamples a row of n_in pixels to n_out pixels.

    Lay both rows over the same stretch, of length n_in: input pixel j covers
    [j, j+1), output pixel i covers [i s, (i+1) s) with s = n_in / n_out. Output pixel
    i is the average of the input over its stretch, so its weight on input pixel j is
    the length of the overlap of the two intervals divided by s. Every row sums to 1,
    so a uniform row stays uniform and no ink is made or lost; a pixel cut by an
    output pixel's edge is shared between the two, which is what leaves grey levels
    along the edges of a stroke (anti-aliasing).
    """
    s = n_in / n_out
    start = np.arange(n_out)[:, None] * s  # (n_out, 1): where each output pixel starts
    j = np.arange(n_in)[None, :]  # (1, n_in)
    overlap = np.clip(np.minimum(start + s, j + 1) - np.maximum(start, j), 0.0, None)
    return overlap / s


def fit_size(height: int, width: int, box: int = BOX) -> tuple[int, int]:
    """The size (h', w') of an h x w image scaled to fit a box x box box, keeping its
    aspect ratio: the longer side becomes ``box``, the other ``round(box * short / long)``
    and at least 1. E.g. (181, 64) -> (20, 7): a tall thin "1" stays tall and thin."""
    scale = box / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def fit_box(image: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale ``image`` (h, w) to ``fit_size(h, w, box)`` by averaging areas.

    With Ry = area_weights(h, h') of shape (h', h) and Rx = area_weights(w, w') of
    shape (w', w), the scaled image is Ry @ image @ Rx.T, shapes
    (h', h) @ (h, w) @ (w, w') = (h', w'): first every column is resampled, then every
    row. Ink stays in [0, 1].
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(f"expected a non-empty 2-D image, got shape {image.shape}")
    h, w = fit_size(*image.shape, box)
    return area_weights(image.shape[0], h) @ image @ area_weights(image.shape[1], w).T


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """The ink's centre of mass (row, column), in pixel indices:

        row = sum_ij i * x_ij / sum_ij x_ij,    column = sum_ij j * x_ij / sum_ij x_ij,

    the average position of the ink, each pixel weighted by how dark it is.
    Raises ValueError on an image with no ink."""
    image = np.asarray(image, dtype=float)
    mass = image.sum()
    if mass <= 0:
        raise ValueError(EMPTY)
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows / mass), float(image.sum(axis=0) @ cols / mass)


def centre(image: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Place ``image`` (h, w), h and w at most ``side``, in a blank (side, side) image so
    that its centre of mass lands on (side / 2, side / 2), to the nearest pixel: within
    half a pixel, as in MNIST, whose digits have their centre of mass at (14, 14) on
    average (notebook 11 measures it).

    The image is moved by whole pixels: its top-left corner goes to
    ``round(side / 2 - centre_of_mass)``. A digit so lopsided that this would push ink
    over the edge is moved only as far as it fits.
    """
    image = np.asarray(image, dtype=float)
    h, w = image.shape
    if h > side or w > side:
        raise ValueError(f"an image of shape {image.shape} does not fit in {side} x {side}")
    row, col = centre_of_mass(image)
    top = min(max(round(side / 2 - row), 0), side - h)
    left = min(max(round(side / 2 - col), 0), side - w)
    out = np.zeros((side, side))
    out[top : top + h, left : left + w] = image
    return out


def shift(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Move images (..., H, W) by whole pixels: ``rows`` down and ``cols`` to the right
    (negative: up, left). Paper (0) comes in at the edges; ink moved past an edge is lost.
    Same shape. ``shift(x, 3, 0)`` is every digit of x, three pixels lower."""
    images = np.asarray(images)
    h, w = images.shape[-2:]
    out = np.zeros_like(images)
    if abs(rows) < h and abs(cols) < w:
        out[..., max(rows, 0) : h + min(rows, 0), max(cols, 0) : w + min(cols, 0)] = images[
            ..., max(-rows, 0) : h + min(-rows, 0), max(-cols, 0) : w + min(-cols, 0)
        ]
    return out


def quantize(image: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] -> what training feeds the network: MNIST's bytes (0..255, rounded),
    then ``preprocessing.scale``: float32 values k / 255, dark ink high. Same shape."""
    image = np.asarray(image, dtype=float)
    return preprocessing.scale(np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8))


def steps(strokes, size: int = CANVAS, brush: float = BRUSH) -> dict[str, np.ndarray]:
    """Every stage of ``preprocess``, named with its shape: {"drawn 280x280": ..., ...}.

    The last one, "centred 28x28", is what the network reads (float32 in [0, 1]).
    Raises ValueError("the canvas is empty: draw a digit first") when there is no ink.
    """
    drawn = render(strokes, size, brush)
    cropped = crop(drawn)
    scaled = fit_box(cropped)
    centred = quantize(centre(scaled))
    stages = {"drawn": drawn, "cropped": cropped, "scaled": scaled, "centred": centred}
    return {f"{name} {a.shape[0]}x{a.shape[1]}": a for name, a in stages.items()}


def preprocess(strokes, size: int = CANVAS, brush: float = BRUSH) -> np.ndarray:
    """Strokes -> the (28, 28) float32 image in [0, 1] the network reads, made like MNIST's
    digits: render, crop, fit in 20 x 20, centre by mass in 28 x 28, quantize. Flatten it
    (``preprocessing.flatten(image[None])``, shape (1, 784)) to feed a network.
    Raises ValueError("the canvas is empty: draw a digit first") when there is no ink."""
    return list(steps(strokes, size, brush).values())[-1]


def sample_drawings() -> list[dict]:
    """The course's sample drawings: [{"digit": 3, "strokes": [...], "note": ...}, ...].

    Drawn for this course as stroke lists on a 280 x 280 canvas (not taken from MNIST),
    some of them small or off-centre on purpose, to show what preprocessing undoes.
    """
    text = resources.files("nnlib.course").joinpath("sample_drawings.json").read_text()
    return json.loads(text)["drawings"]
