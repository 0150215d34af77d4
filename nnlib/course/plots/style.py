"""The course's one figure style, and the input checks every figure shares.

Fonts readable at a glance, the Okabe-Ito palette, which colour-blind readers can tell
apart, with a line style and a marker for each colour too, so no series depends on
colour alone, and a resolution that looks sharp on GitHub. Every figure in
``nnlib.course.plots`` draws in it (``@styled``); ``use_style()`` makes it the default
for a notebook's own figures as well.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

MAX_IMAGES = 100  # the default cap on how many images a grid shows


#: Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion, purple,
#: sky blue, yellow), black first for a single series.
PALETTE = ["#000000", "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]


LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2))]


MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


STYLE = {
    "figure.dpi": 120,
    "savefig.dpi": 150,
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10.5,
    "figure.titlesize": 14,
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.framealpha": 0.9,
    "lines.linewidth": 2,
    "lines.markersize": 6,
    "image.cmap": "gray_r",
}


def use_style() -> None:
    """Make the course's style matplotlib's default in this session (the notebooks call it)."""
    plt.rcParams.update(STYLE)


def styled(draw):
    """Draw the figure of ``draw`` in the course's style, whatever the session's defaults."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        # Restore only the style's own settings afterwards, not every rcParam as
        # plt.style.context would: Jupyter's inline backend switches interactive mode on
        # when the first figure is drawn, and undoing that hides every later figure.
        saved = {key: plt.rcParams[key] for key in STYLE}
        plt.rcParams.update(STYLE)
        try:
            return draw(*args, **kwargs)
        finally:
            plt.rcParams.update(saved)

    return wrapper


def series_style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th series of a figure (all three differ)."""
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def _as_images(images, name="images") -> np.ndarray:
    """(N, side, side) or (N, side * side) -> (N, side, side), as floats."""
    images = np.asarray(images, dtype=float)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(
                f"{name}: {images.shape[1]} pixels per image is not a square (like 784 = 28 x 28)"
            )
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or images.shape[1] != images.shape[2]:
        raise ValueError(f"{name} must have shape (N, 28, 28) or (N, 784), got {images.shape}")
    if len(images) == 0:
        raise ValueError(f"{name} is empty: nothing to draw")
    return images


def _as_labels(values, n: int, name: str) -> np.ndarray:
    """A 1-D array of length ``n`` (one entry per image)."""
    values = np.asarray(values)
    if values.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one per image, got {values.shape}")
    return values


def _count(n, total: int) -> int:
    """How many images to show: ``n``, or by default all (at most MAX_IMAGES)."""
    if n is not None and n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    return min(total, n or MAX_IMAGES)


def _name(k, class_names) -> str:
    return str(class_names[k]) if class_names is not None else str(k)
