"""Plots: every figure the course draws, in one style.

Each function draws one new figure with matplotlib and returns it; a notebook
displays it, a script can call ``fig.savefig("name.png")``. Nothing calls
``plt.show()``. Images are square grayscale pictures, given as (N, 28, 28) or
flattened as (N, 784); any square side works.

The style (``STYLE``) is the course's: fonts readable at a glance, the Okabe-Ito
palette, which colour-blind readers can tell apart, with a line style and a marker
for each colour too, so no series depends on colour alone, and a resolution that
looks sharp on GitHub. Every function here draws in it; ``use_style()`` makes it the
default for a notebook's own figures as well.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter

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
        with plt.style.context(STYLE):
            fig = draw(*args, **kwargs)
            interactive = plt.isinteractive()
        # Leaving the style restores every setting as it was, "interactive" too. But Jupyter's
        # inline backend switches interactive mode on when the session's first figure is
        # drawn, here inside the style: switched off again, no later figure would be shown.
        plt.interactive(interactive)
        return fig

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
def training_curves(history, title="Training curves", held_out=None) -> plt.Figure:
    """Loss and accuracy against epoch, side by side, for training and held-out data.

    ``history`` is the DataFrame ``fit`` returns (columns epoch, loss, accuracy,
    val_loss, val_accuracy, ...), or a dict {label: history} to compare runs: each run
    its own colour and marker, training solid, held-out data dashed. ``held_out`` names
    the held-out data in the legend; by default the name ``fit`` recorded
    (``history.attrs["validation_label"]``, usually "validation"). All-NaN held-out
    columns are skipped. The legend sits below the plots, where it hides no curve.
    """
    runs = {"": history} if isinstance(history, pd.DataFrame) else dict(history)
    if not runs:
        raise ValueError("no histories to plot")
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
    for i, (label, run) in enumerate(runs.items()):
        missing = {"epoch", "loss", "accuracy"} - set(getattr(run, "columns", []))
        if missing:
            raise ValueError(f"history {label!r} is missing columns {sorted(missing)}")
        name = held_out or run.attrs.get("validation_label", "validation")
        style = {**series_style(i), "markevery": max(1, len(run) // 10)}
        for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
            ax.plot(
                run["epoch"],
                run[metric],
                **{**style, "linestyle": "-"},
                label=f"{label} train".strip(),
            )
            val = run.get(f"val_{metric}")
            if val is not None and val.notna().any():
                ax.plot(
                    run["epoch"],
                    val,
                    **{**style, "linestyle": "--", "markerfacecolor": "white"},
                    label=f"{label} {name}".strip(),
                )
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
    acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    handles, labels = loss_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4))
    fig.suptitle(title)
    return fig


@styled
def spread_curves(
    runs: pd.DataFrame, x: str, y: str, by: str, title: str, xlabel=None, ylabel=None
) -> plt.Figure:
    """The mean of ``y`` over seeds against ``x``, one line per value of ``by``, with a band
    of plus or minus one standard deviation: is one setting better than another, or is the
    gap within the scatter from seed to seed?

    ``runs`` has one row per (``by``, seed, ``x``), e.g. the histories of several runs
    stacked with a column naming each run's setting (see ``nnlib.experiments``).
    """
    missing = {x, y, by} - set(runs.columns)
    if missing:
        raise ValueError(f"runs is missing columns {sorted(missing)}")
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for i, (name, group) in enumerate(runs.groupby(by, sort=False)):
        stats = group.groupby(x)[y].agg(["mean", "std", "count"])
        style = series_style(i)
        n = int(stats["count"].min())
        ax.plot(stats.index, stats["mean"], **style, label=f"{name} (mean of {n})")
        sd = stats["std"].fillna(0)
        ax.fill_between(
            stats.index, stats["mean"] - sd, stats["mean"] + sd, color=style["color"], alpha=0.18
        )
    ax.set(xlabel=xlabel or x, ylabel=ylabel or y, title=title)
    if np.issubdtype(runs[x].dtype, np.integer):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="best", title="band: ± 1 sd")
    return fig


@styled
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
    fig, ax = plt.subplots(figsize=(0.6 * k + 2.8, 0.6 * k + 1.6), layout="constrained")
    image = ax.imshow(values, cmap="Blues", vmin=0)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="fraction of true class" if normalize else "count")
    for (i, j), v in np.ndenumerate(values):
        text = f"{v:.2f}" if normalize else f"{v:.0f}"
        color = "white" if v > values.max() / 2 else "black"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=9)
    long_names = max(len(str(c)) for c in cm.columns) > 3
    ax.set_xticks(range(k), [str(c) for c in cm.columns], rotation=45 if long_names else 0)
    ax.set_yticks(range(k), [str(c) for c in cm.index])
    ax.set(xlabel=cm.columns.name or "predicted", ylabel=cm.index.name or "true", title=title)
    return fig


@styled
def line_plot(x, ys: dict, xlabel, ylabel, title, logx=False, errors=None) -> plt.Figure:
    """One line per entry of ``ys`` ({label: y}, each y of the same length as ``x``).

    ``errors`` ({label: e}, optional) draws error bars of plus or minus ``e`` around
    each point, e.g. the standard deviation over seeds.
    """
    x = np.asarray(x)
    fig, ax = plt.subplots(figsize=(6.5, 4.3), layout="constrained")
    for i, (label, y) in enumerate(ys.items()):
        y = np.asarray(y)
        if y.shape != x.shape:
            raise ValueError(f"ys[{label!r}] has shape {y.shape}, but x has shape {x.shape}")
        error = None if errors is None or label not in errors else np.asarray(errors[label])
        if error is not None and error.shape != x.shape:
            raise ValueError(f"errors[{label!r}] has shape {error.shape}, expected {x.shape}")
        if error is None:
            ax.plot(x, y, **series_style(i), label=label)
        else:
            ax.errorbar(x, y, yerr=error, **series_style(i), capsize=4, label=label)
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(loc="best")
    return fig


@styled
def bar_chart(values, xlabel, ylabel, title, errors=None, fmt="{:g}") -> plt.Figure:
    """One bar per entry of ``values`` (a dict or Series {name: height}), heights on top.

    ``errors`` (same keys, optional) draws an error bar of plus or minus each on its bar.
    """
    values = pd.Series(values)
    if values.empty:
        raise ValueError("values is empty: nothing to draw")
    yerr = None if errors is None else pd.Series(errors).reindex(values.index).to_numpy()
    fig, ax = plt.subplots(figsize=(max(4.5, 0.7 * len(values) + 1.5), 4.3), layout="constrained")
    bars = ax.bar(
        [str(k) for k in values.index],
        values.to_numpy(),
        yerr=yerr,
        capsize=5,
        color=PALETTE[1],
        edgecolor="black",
    )
    ax.bar_label(bars, fmt=fmt, fontsize=10, padding=3)
    ax.grid(axis="x", visible=False)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return fig


@styled
def histogram(
    values, bins=50, xlabel="pixel intensity", ylabel="count", title="Pixel intensities", log=False
) -> plt.Figure:
    """A histogram of all the numbers in ``values`` (any shape; it is flattened).

    ``log=True`` puts counts on a log scale: MNIST pixels are mostly 0.
    """
    values = np.ravel(values)
    if values.size == 0:
        raise ValueError("values is empty: nothing to draw")
    fig, ax = plt.subplots(figsize=(6.5, 4.3), layout="constrained")
    ax.hist(values, bins=bins, log=log, color=PALETTE[1], edgecolor="white", linewidth=0.5)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return fig


@styled
def activation_curves(functions: dict, z=None, title="Activation functions") -> plt.Figure:
    """Each function {name: f} applied elementwise to ``z`` (default: 201 points in [-5, 5])."""
    z = np.linspace(-5, 5, 201) if z is None else np.asarray(z, dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 4.3), layout="constrained")
    ax.axhline(0, color="gray", lw=0.8)
    ax.axvline(0, color="gray", lw=0.8)
    for i, (name, f) in enumerate(functions.items()):
        a = np.asarray(f(z))
        if a.shape != z.shape:
            raise ValueError(f"{name}(z) has shape {a.shape}, expected {z.shape} (elementwise)")
        ax.plot(z, a, **{**series_style(i), "marker": None}, label=name)
    ax.set(xlabel="z", ylabel="activation", title=title)
    ax.legend(loc="best")
    return fig


@styled
def ladder_chart(runs: pd.DataFrame, title="The ladder, one change per rung") -> plt.Figure:
    """Validation errors per rung of the ladder, mean ± 1 sd over the seeds, on a log scale
    (the validation accuracy on the right-hand axis), each point labelled with its mean
    accuracy and error count.

    ``runs`` has one row per run with the columns rung, name, seed, val_accuracy and
    val_errors (``recipes.read_csv``, notebook 10). On a log scale every rung that removes
    the same fraction of the remaining errors climbs by the same height.
    """
    missing = {"rung", "name", "seed", "val_accuracy", "val_errors"} - set(runs.columns)
    if missing:
        raise ValueError(f"runs is missing columns {sorted(missing)}")
    if runs.empty:
        raise ValueError("runs is empty: nothing to draw")
    rungs = runs.groupby("rung", sort=True)
    stats = rungs["val_errors"].agg(["mean", "std", "count"]).astype(float)
    accuracy = rungs["val_accuracy"].mean()
    names = rungs["name"].first()
    # errors = total * (1 - accuracy), whatever the size of the validation set
    total = float(np.median(runs["val_errors"] / (1 - runs["val_accuracy"]).clip(lower=1e-12)))
    x = np.arange(len(stats))
    fig, ax = plt.subplots(figsize=(9, 5.2), layout="constrained")
    ax.errorbar(
        x,
        stats["mean"].to_numpy(float),
        yerr=stats["std"].fillna(0).to_numpy(float),
        color=PALETTE[1],
        marker="o",
        capsize=5,
        label=f"mean ± 1 sd of {int(stats['count'].min())} seeds",
    )
    for xi, errors, acc in zip(x, stats["mean"], accuracy, strict=True):
        ax.annotate(
            f"{acc:.2%}\n{errors:,.0f} errors",
            (xi, errors),
            xytext=(6, -6),
            textcoords="offset points",
            va="top",
            fontsize=9,
        )
    ax.set_yscale("log")
    sd = stats["std"].fillna(0)
    low, high = 0.7 * (stats["mean"] - sd).min(), 1.6 * (stats["mean"] + sd).max()
    ticks = [t for t in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if low <= t <= high]
    ax.set_yticks(ticks, [f"{t:,}" for t in ticks])
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(high, low)  # fewer errors higher up: the ladder climbs
    ax.set_xticks(x, [f"{rung}. {name}" for rung, name in names.items()], rotation=30, ha="right")
    ax.set_xlim(-0.5, len(x) - 0.1)
    ax.grid(axis="x", visible=False)
    ax.set(
        xlabel="rung (each adds one change to the one before)",
        ylabel=f"validation errors of {total:,.0f} (log scale)",
        title=title,
    )
    right = ax.secondary_yaxis(
        "right", functions=(lambda e: 100 * (1 - e / total), lambda a: total * (1 - a / 100))
    )
    percents = (50, 80, 90, 95, 97, 98, 99, 99.5)
    right.set_yticks([t for t in percents if low <= total * (1 - t / 100) <= high])
    right.yaxis.set_major_formatter(FuncFormatter(lambda t, _: f"{t:g}%"))
    right.yaxis.set_minor_formatter(NullFormatter())
    right.set_ylabel("validation accuracy")
    ax.legend(loc="lower right")
    return fig
