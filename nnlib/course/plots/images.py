"""Figures of images: digit grids, misclassified digits, hidden units' weights, pixel
maps, one-hot targets, a drawing's steps to an MNIST digit and what the network reads.

Images are square grayscale pictures, given as (N, 28, 28) or flattened as (N, 784).
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import PercentFormatter

from nnlib.course.plots.style import (
    PALETTE,
    _as_images,
    _as_labels,
    _count,
    _name,
    styled,
)


def _image_grid(images, titles, title, cols=10, colors=None, diverging=False) -> plt.Figure:
    """Draw (N, side, side) images in rows of ``cols``, each with its own small title."""
    n = len(images)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(1.5 * cols, 1.6 * rows + 0.5), squeeze=False, layout="constrained"
    )
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= n:
            continue
        if diverging:  # white is 0, red positive, blue negative; same scale either side
            limit = np.abs(images[i]).max() or 1.0
            ax.imshow(images[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            ax.imshow(images[i], cmap="gray_r")
        text = titles[i] if len(titles[i]) <= 22 else titles[i].replace(" / ", "\n")  # fit cell
        ax.set_title(text, fontsize=8, color=colors[i] if colors else "black")
    fig.suptitle(title)
    return fig


@styled
def digit_grid(
    images, labels=None, predictions=None, n=None, cols=10, title="Digits", class_names=None
) -> plt.Figure:
    """The first ``n`` images (default: all, at most 100), in gray_r (ink is dark).

    ``labels`` and ``predictions`` have shape (N,). Each image is titled with its
    label, "true 3 / pred 5" when both are given (in red when wrong), or its index.
    """
    images = _as_images(images)
    n = _count(n, len(images))
    if labels is not None:
        labels = _as_labels(labels, len(images), "labels")
    if predictions is not None:
        predictions = _as_labels(predictions, len(images), "predictions")
    titles, colors = [], []
    for i in range(n):
        true = _name(labels[i], class_names) if labels is not None else None
        pred = _name(predictions[i], class_names) if predictions is not None else None
        if true is not None and pred is not None:
            titles.append(f"true {true} / pred {pred}")
            colors.append("black" if labels[i] == predictions[i] else "red")
        else:
            titles.append(true or (pred and f"pred {pred}") or f"#{i}")  # the index if no labels
            colors.append("black")
    return _image_grid(images[:n], titles, title, cols, colors)


@styled
def misclassified_gallery(
    images,
    y_true,
    y_pred,
    probabilities,
    n=20,
    cols=10,
    class_names=None,
    title="Misclassified",
) -> plt.Figure:
    """The ``n`` most confident mistakes, titled "true 4 / pred 9 (87%)".

    ``y_true`` and ``y_pred`` have shape (N,); ``probabilities`` (N, K) gives the
    confidence of each predicted class. Without mistakes the figure says so.
    """
    images = _as_images(images)
    y_true = _as_labels(y_true, len(images), "y_true")
    y_pred = _as_labels(y_pred, len(images), "y_pred")
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 2 or len(probabilities) != len(images):
        raise ValueError(
            f"probabilities must have shape ({len(images)}, K), got {probabilities.shape}"
        )
    if y_pred.size and y_pred.max() >= probabilities.shape[1]:
        raise ValueError(
            f"y_pred has class {y_pred.max()}, but probabilities has only "
            f"{probabilities.shape[1]} columns"
        )
    wrong = np.flatnonzero(y_true != y_pred)
    if wrong.size == 0:
        fig, ax = plt.subplots(figsize=(5, 1.5), layout="constrained")
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No mistakes: all {len(images)} predictions are right", ha="center")
        fig.suptitle(title)
        return fig
    confidence = probabilities[wrong, y_pred[wrong]]
    order = np.argsort(-confidence, kind="stable")[: _count(n, wrong.size)]
    shown, confidence = wrong[order], confidence[order]
    titles = [
        f"true {_name(y_true[i], class_names)} / pred {_name(y_pred[i], class_names)} ({c:.0%})"
        for i, c in zip(shown, confidence, strict=True)
    ]
    heading = f"{title}: {len(shown)} of {wrong.size} mistakes, most confident first"
    return _image_grid(images[shown], titles, heading, cols)


@styled
def hidden_units(W, n=None, cols=10, title="Hidden unit weights") -> plt.Figure:
    """What each hidden unit looks for: column j of W (784, H) drawn as a 28x28 image.

    Red pixels push the unit's input up, blue pixels push it down (RdBu_r, with
    white at 0 and a symmetric scale per image). Shows the first ``n`` units
    (default: all, at most 100).
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W must have shape (784, H) like Dense weights, got {W.shape}")
    images = _as_images(W.T, name="W columns")
    n = _count(n, len(images))
    return _image_grid(images[:n], [f"unit {j}" for j in range(n)], title, cols, diverging=True)


@styled
def image_maps(images: dict, title: str, colorbar_label: str, cmap="viridis") -> plt.Figure:
    """Each entry {name: image} as a heatmap with its own colour bar, side by side: e.g. the
    per-pixel mean and standard deviation of a set of images. An image is (side, side) or
    flat (side * side,)."""
    if not images:
        raise ValueError("images is empty: nothing to draw")
    n = len(images)
    fig, axes = plt.subplots(1, n, figsize=(5 * n, 4), squeeze=False, layout="constrained")
    for ax, (name, image) in zip(axes[0], images.items(), strict=True):
        image = _as_images(np.asarray(image)[None], name=f"images[{name!r}]")[0]
        shown = ax.imshow(image, cmap=cmap)
        ax.grid(False)
        fig.colorbar(shown, ax=ax, label=colorbar_label)
        ax.set(title=name, xlabel="column", ylabel="row")
    fig.suptitle(title)
    return fig


@styled
def probability_bars(probabilities: dict, true_class: int, title: str, notes=None) -> plt.Figure:
    """One small bar chart per entry {name: p} (K probabilities each), side by side on a
    shared axis; the bar of ``true_class`` is green and hatched, the others blue. ``notes``
    ({name: text}, optional) adds a line under each panel's title, e.g. its losses."""
    if not probabilities:
        raise ValueError("probabilities is empty: nothing to draw")
    n = len(probabilities)
    fig, axes = plt.subplots(
        1, n, figsize=(2.5 * n, 3.2), sharey=True, squeeze=False, layout="constrained"
    )
    for ax, (name, p) in zip(axes[0], probabilities.items(), strict=True):
        p = np.ravel(np.asarray(p, dtype=float))
        if not 0 <= true_class < len(p):
            raise ValueError(f"true_class {true_class} is not a class of {len(p)}")
        bars = ax.bar(range(len(p)), p, color=PALETTE[1], edgecolor="black", linewidth=0.5)
        bars[true_class].set(facecolor=PALETTE[3], hatch="//", edgecolor="black")
        note = f"\n{notes[name]}" if notes and name in notes else ""
        ax.set_title(f"{name}{note}", fontsize=10)
        ax.set(xlabel="class", ylabel="probability", xticks=range(len(p)), ylim=(0, 1.05))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", visible=False)
    fig.suptitle(title)
    return fig


@styled
def one_hot_matrix(Y, row_labels=None, title="One-hot targets") -> plt.Figure:
    """A matrix Y (N, K), e.g. one-hot targets, as a grid of cells: dark is 1, white 0.
    Row n is example n, column k class k; ``row_labels`` (N strings) name the rows."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or Y.size == 0:
        raise ValueError(f"Y must be a non-empty (N, K) matrix, got shape {Y.shape}")
    n, k = Y.shape
    if row_labels is not None and len(row_labels) != n:
        raise ValueError(f"row_labels must have {n} entries, one per row, got {len(row_labels)}")
    fig, ax = plt.subplots(figsize=(0.35 * k + 2.8, 0.3 * n + 1.4), layout="constrained")
    ax.imshow(Y, cmap="gray_r", vmin=0, vmax=1, aspect="auto")
    ax.grid(False)
    ax.set_xticks(range(k))
    ax.set_yticks(range(n), list(row_labels) if row_labels is not None else range(n))
    ax.set_xticks(np.arange(-0.5, k), minor=True)
    ax.set_yticks(np.arange(-0.5, n), minor=True)
    ax.grid(which="minor", color="lightgray")
    ax.tick_params(which="minor", length=0)
    ax.set(xlabel="class k (column)", ylabel="example n (row)", title=title)
    return fig


@styled
def drawing_steps(stages: dict, title="From a drawing to what the network reads") -> plt.Figure:
    """Each stage of preparing a drawing, side by side: ``stages`` is {name: image}, e.g.
    ``nnlib.course.drawing.steps(strokes)``, images of any (h, w) with ink 1 and paper 0.

    Every panel is drawn at the same size whatever its pixel count, titled with its
    name, its edges ticked with its width and height. On the first panel a dashed box
    marks the ink's bounding box; on the last a "+" marks the image's centre
    (side / 2, side / 2), where the ink's centre of mass is put.
    """
    if not stages:
        raise ValueError("stages is empty: nothing to draw")
    images = {name: np.asarray(image, dtype=float) for name, image in stages.items()}
    for name, image in images.items():
        if image.ndim != 2 or image.size == 0:
            raise ValueError(f"stage {name!r} must be a 2-D image, got shape {image.shape}")
    fig, axes = plt.subplots(
        1, len(images), figsize=(2.6 * len(images), 3.1), squeeze=False, layout="constrained"
    )
    for ax, (name, image) in zip(axes[0], images.items(), strict=True):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        h, w = image.shape  # ticks on the image's edges: its size in pixels
        ax.set_xticks([-0.5, w - 0.5], [0, w])
        ax.set_yticks([-0.5, h - 0.5], [0, h])
        ax.tick_params(labelsize=9)
        ax.spines[["top", "right"]].set_visible(True)  # frame the whole image
        ax.grid(False)
        ax.set_xlabel("x (pixels)", fontsize=10)
        ax.set_ylabel("y (pixels)", fontsize=10)
        ax.set_title(name, fontsize=11)
    first, last = images[next(iter(images))], images[name]
    rows, cols = np.flatnonzero(first.any(axis=1)), np.flatnonzero(first.any(axis=0))
    if rows.size:
        box = plt.Rectangle(
            (cols[0] - 0.5, rows[0] - 0.5),
            cols[-1] - cols[0] + 1,
            rows[-1] - rows[0] + 1,
            fill=False,
            edgecolor=PALETTE[4],
            linestyle="--",
            linewidth=1.5,
        )
        axes[0, 0].add_patch(box)
    h, w = last.shape
    axes[0, -1].plot(w / 2, h / 2, marker="+", color=PALETTE[4], markersize=14, mew=2)
    fig.suptitle(title)
    return fig


@styled
def digit_probabilities(
    images, probabilities, titles=None, cols=5, title="What the network reads"
) -> plt.Figure:
    """Each image (N, 28, 28) or (N, 784), framed, above a bar chart of its ten
    probabilities (N, 10), ``cols`` images to a row. The most probable digit's bar is orange and
    hatched, with its percentage on top. ``titles`` (N strings) name the images;
    by default "reads 7 (93%)"."""
    images = _as_images(images)
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 2 or len(probabilities) != len(images):
        raise ValueError(
            f"probabilities must have shape ({len(images)}, K), one row per image, "
            f"got {probabilities.shape}"
        )
    best = probabilities.argmax(axis=1)
    if titles is None:
        titles = [f"reads {k} ({p[k]:.0%})" for k, p in zip(best, probabilities, strict=True)]
    titles = _as_labels(titles, len(images), "titles")
    n, k = len(images), probabilities.shape[1]
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        2 * rows,
        cols,
        figsize=(2.7 * cols, 4.4 * rows + 0.4),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"height_ratios": [1, 0.9] * rows},
    )
    for i in range(rows * cols):
        image_ax, bar_ax = axes[2 * (i // cols), i % cols], axes[2 * (i // cols) + 1, i % cols]
        image_ax.set_axis_off()
        if i >= n:
            bar_ax.set_axis_off()
            continue
        image_ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1)
        side = images.shape[1]  # a thin frame: where the digit sits in its image
        image_ax.add_patch(plt.Rectangle((-0.5, -0.5), side, side, fill=False, ec="0.6", lw=0.8))
        image_ax.set_title(str(titles[i]), fontsize=11)
        colors = [PALETTE[2] if j == best[i] else PALETTE[1] for j in range(k)]
        bars = bar_ax.bar(range(k), probabilities[i], color=colors, edgecolor="black", lw=0.6)
        bars[best[i]].set_hatch("//")
        top = probabilities[i, best[i]]
        bar_ax.text(best[i], top + 0.03, f"{top:.0%}", ha="center", va="bottom", fontsize=9)
        bar_ax.set_ylim(0, 1.18)
        bar_ax.set_xticks(range(k))
        bar_ax.tick_params(labelsize=8)
        bar_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        bar_ax.set_yticks([0, 0.5, 1])
        bar_ax.grid(axis="x", visible=False)
        bar_ax.set_xlabel("digit", fontsize=9)
        bar_ax.set_ylabel("probability", fontsize=9)
    fig.suptitle(title)
    return fig
