"""Plots: every figure the course draws.

Each function draws one new figure with matplotlib and returns it; a notebook
displays it, a script can call ``fig.savefig("name.png")``. Nothing calls
``plt.show()``. Images are square grayscale pictures, given as (N, 28, 28) or
flattened as (N, 784); any square side works.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, PercentFormatter

MAX_IMAGES = 100  # the default cap on how many images a grid shows


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


def training_curves(history, title="Training curves") -> plt.Figure:
    """Loss and accuracy against epoch, side by side, for training and validation.

    ``history`` is the DataFrame ``fit`` returns (columns epoch, loss, accuracy,
    val_loss, val_accuracy, ...), or a dict {label: history} to compare runs: one
    colour per run, training solid, validation dashed. All-NaN validation is skipped.
    """
    runs = {"": history} if isinstance(history, pd.DataFrame) else dict(history)
    if not runs:
        raise ValueError("no histories to plot")
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for i, (label, run) in enumerate(runs.items()):
        color = f"C{i}"  # the i-th colour of matplotlib's default cycle
        missing = {"epoch", "loss", "accuracy"} - set(getattr(run, "columns", []))
        if missing:
            raise ValueError(f"history {label!r} is missing columns {sorted(missing)}")
        for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
            ax.plot(run["epoch"], run[metric], color=color, label=f"{label} train".strip())
            val = run.get(f"val_{metric}")
            if val is not None and val.notna().any():
                ax.plot(run["epoch"], val, "--", color=color, label=f"{label} validation".strip())
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
        ax.legend()
    acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    fig.suptitle(title)
    return fig


def confusion_heatmap(cm, title="Confusion matrix", normalize=False) -> plt.Figure:
    """The confusion matrix (K, K) as coloured cells with the count written in each.

    ``cm`` is a DataFrame from ``metrics.confusion_matrix``: rows are true
    classes, columns predicted. ``normalize=True`` shows each row as fractions
    of that true class (the diagonal is then the per-class recall).
    """
    cm = cm if isinstance(cm, pd.DataFrame) else pd.DataFrame(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.empty:
        raise ValueError(f"cm must be a square (K, K) confusion matrix, got shape {cm.shape}")
    values = cm.to_numpy(dtype=float)
    if normalize:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    k = len(values)
    fig, ax = plt.subplots(figsize=(0.55 * k + 2.5, 0.55 * k + 1.5), layout="constrained")
    image = ax.imshow(values, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, label="fraction of true class" if normalize else "count")
    for (i, j), v in np.ndenumerate(values):
        text = f"{v:.2f}" if normalize else f"{v:.0f}"
        color = "white" if v > values.max() / 2 else "black"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    long_names = max(len(str(c)) for c in cm.columns) > 3
    ax.set_xticks(range(k), [str(c) for c in cm.columns], rotation=45 if long_names else 0)
    ax.set_yticks(range(k), [str(c) for c in cm.index])
    ax.set(xlabel=cm.columns.name or "predicted", ylabel=cm.index.name or "true", title=title)
    return fig


def line_plot(x, ys: dict, xlabel, ylabel, title, logx=False) -> plt.Figure:
    """One line per entry of ``ys`` ({label: y}, each y of the same length as ``x``)."""
    x = np.asarray(x)
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for label, y in ys.items():
        y = np.asarray(y)
        if y.shape != x.shape:
            raise ValueError(f"ys[{label!r}] has shape {y.shape}, but x has shape {x.shape}")
        ax.plot(x, y, "o-", label=label)
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def bar_chart(values, xlabel, ylabel, title) -> plt.Figure:
    """One bar per entry of ``values`` (a dict or Series {name: height}), heights on top."""
    values = pd.Series(values)
    if values.empty:
        raise ValueError("values is empty: nothing to draw")
    fig, ax = plt.subplots(figsize=(max(4, 0.6 * len(values) + 1), 4), layout="constrained")
    bars = ax.bar([str(k) for k in values.index], values.to_numpy())
    ax.bar_label(bars, fmt="{:g}", fontsize=8)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return fig


def histogram(
    values, bins=50, xlabel="pixel intensity", ylabel="count", title="Pixel intensities", log=False
) -> plt.Figure:
    """A histogram of all the numbers in ``values`` (any shape; it is flattened).

    ``log=True`` puts counts on a log scale: MNIST pixels are mostly 0.
    """
    values = np.ravel(values)
    if values.size == 0:
        raise ValueError("values is empty: nothing to draw")
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.hist(values, bins=bins, log=log)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return fig


def activation_curves(functions: dict, z=None, title="Activation functions") -> plt.Figure:
    """Each function {name: f} applied elementwise to ``z`` (default: 201 points in [-5, 5])."""
    z = np.linspace(-5, 5, 201) if z is None else np.asarray(z, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    for name, f in functions.items():
        a = np.asarray(f(z))
        if a.shape != z.shape:
            raise ValueError(f"{name}(z) has shape {a.shape}, expected {z.shape} (elementwise)")
        ax.plot(z, a, label=name)
    ax.set(xlabel="z", ylabel="activation", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
