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
    stacked with a column naming each run's setting (see ``nnlib.experiments``). The legend
    sits below the plot, where it hides no curve.
    """
    missing = {x, y, by} - set(runs.columns)
    if missing:
        raise ValueError(f"runs is missing columns {sorted(missing)}")
    settings = runs[by].nunique()
    rows = math.ceil(settings / 2)  # the legend below: two settings to a row
    fig, ax = plt.subplots(figsize=(7, 4.5 + 0.3 * rows), layout="constrained")
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
    handles, labels = ax.get_legend_handles_labels()
    legend = {"loc": "outside lower center", "ncols": min(len(labels), 2), "title": "band: ± 1 sd"}
    fig.legend(handles, labels, **legend)
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
def softmax_bars(logits, probabilities, title="From logits to probabilities") -> plt.Figure:
    """The logits of one example (K,) beside their softmax probabilities (K,), one bar
    per class: the largest logit gets the largest probability, and the probabilities,
    unlike the logits, are positive and sum to 1 (each bar is labelled with its value)."""
    logits = np.asarray(logits, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    if logits.ndim != 1 or logits.size == 0 or probabilities.shape != logits.shape:
        raise ValueError(
            "logits and probabilities must have the same shape (K,), one example, got "
            f"{logits.shape} and {probabilities.shape}"
        )
    if (probabilities < 0).any() or not np.isclose(probabilities.sum(), 1, atol=1e-6):
        raise ValueError(
            f"probabilities must be >= 0 and sum to 1, got a sum of {probabilities.sum():.6g}"
        )
    k = len(logits)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    panels = (
        (left, logits, "logit $z_k$", "Logits: any real numbers", PALETTE[1], "{:.1f}"),
        (
            right,
            probabilities,
            "softmax$(z)_k$",
            "Probabilities: positive, sum 1",
            PALETTE[2],
            "{:.2f}",
        ),
    )
    for ax, heights, ylabel, panel_title, color, fmt in panels:
        bars = ax.bar(range(k), heights, color=color, edgecolor="black")
        ax.bar_label(bars, fmt=fmt, fontsize=8, padding=2)
        ax.axhline(0, color="gray", lw=0.8)
        ax.grid(axis="x", visible=False)
        ax.set_xticks(range(k))
        ax.set(xlabel="class k", ylabel=ylabel, title=panel_title)
    fig.suptitle(title)
    return fig


@styled
def loglog_plot(x, ys: dict, xlabel, ylabel, title) -> plt.Figure:
    """Like ``line_plot``, with both axes logarithmic: a power law is a straight line.
    Every x and y must be positive."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size == 0 or (x <= 0).any():
        raise ValueError(f"x must be a non-empty 1-D array of positive numbers, got {x}")
    fig, ax = plt.subplots(figsize=(6.5, 4.3), layout="constrained")
    for i, (label, y) in enumerate(ys.items()):
        y = np.asarray(y, dtype=float)
        if y.shape != x.shape:
            raise ValueError(f"ys[{label!r}] has shape {y.shape}, but x has shape {x.shape}")
        if (y <= 0).any():
            raise ValueError(f"ys[{label!r}] has values <= 0, which a log axis cannot show")
        ax.plot(x, y, **series_style(i), label=label)
    ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(loc="best")
    return fig


# Diagrams: a network's layers, and computational graphs with the numbers of one example.
# Forward values are written in black, the backward pass's gradients in vermillion.
FORWARD_COLOR, BACKWARD_COLOR = PALETTE[0], PALETTE[4]


def _diagram(figsize, title):
    """A figure with one axes for a diagram: no frame or ticks, equal scales."""
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(title)
    return fig, ax


def _key(ax, x, y):
    """The colour key of a computational graph, as text at (x, y)."""
    ax.text(x, y, "black: forward pass (values)", color=FORWARD_COLOR, ha="right", fontsize=9)
    ax.text(
        x,
        y,
        "    red: backward pass (gradients ∂C/∂·)",
        color=BACKWARD_COLOR,
        ha="left",
        fontsize=9,
    )


def _arrow(ax, start, end, color=FORWARD_COLOR, dashed=False):
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=12,
            color=color,
            lw=1.3,
            linestyle="--" if dashed else "-",
            shrinkA=0,
            shrinkB=0,
            zorder=1,
        )
    )


def _layer_slots(n: int, max_nodes: int) -> tuple[list[int], int | None]:
    """The units of a layer of ``n`` to draw, and the slot of the ellipsis (or None):
    all of them, or the first ``max_nodes - 2``, an ellipsis, and the last."""
    if n <= max_nodes:
        return list(range(n)), None
    return [*range(max_nodes - 2), n - 1], max_nodes - 2


@styled
def network_diagram(sizes, names=None, title="A dense network", max_nodes=8) -> plt.Figure:
    """Layers as columns of nodes, every weight a line from a node to one in the next layer.

    ``sizes`` are the layer widths, input first (e.g. [784, 30, 10]); ``names`` labels each
    column (default: input, hidden 1, ..., output). A layer wider than ``max_nodes`` is
    drawn as its first ``max_nodes - 2`` nodes, an ellipsis and its last node. Each column
    is captioned with its width, each gap between columns with the shapes of W and b.
    """
    from matplotlib.patches import Circle

    sizes = [int(s) for s in sizes] if np.ndim(sizes) == 1 else None
    if not sizes or len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("sizes must list at least two positive layer widths, e.g. [784, 30, 10]")
    if max_nodes < 3:
        raise ValueError(f"max_nodes must be at least 3, got {max_nodes}")
    if names is None:
        hidden = [f"hidden {i}" for i in range(1, len(sizes) - 1)]
        names = ["input", *hidden, "output"] if len(sizes) > 2 else ["input", "output"]
    if len(names) != len(sizes):
        raise ValueError(f"names has {len(names)} entries, but there are {len(sizes)} layers")
    slots = [_layer_slots(n, max_nodes) for n in sizes]
    height = max(len(shown) + (gap is not None) for shown, gap in slots)
    step = 4.0  # between columns
    xlim, ylim = (
        (-1.6, step * (len(sizes) - 1) + 1.6),
        (-(height + 1) / 2 - 1.4, (height + 2.8) / 2),
    )
    inches = 0.5 * (ylim[1] - ylim[0])  # the figure's height; its width keeps the scales equal
    fig, ax = _diagram((inches * (xlim[1] - xlim[0]) / (ylim[1] - ylim[0]) + 0.4, inches), title)
    fills = [PALETTE[6], *[PALETTE[2]] * (len(sizes) - 2), PALETTE[3]]
    top, bottom = (height + 1) / 2, -(height + 1) / 2
    centres = []  # per layer: the (x, y) of each drawn node
    for i, (shown, gap) in enumerate(slots):
        count = len(shown) + (gap is not None)
        ys = [(count - 1) / 2 - s for s in range(count)]
        if gap is not None:
            ax.text(step * i, ys.pop(gap), "⋮", ha="center", va="center", fontsize=18)
        centres.append([(step * i, y) for y in ys])
        for x, y in centres[-1]:
            ax.add_patch(Circle((x, y), 0.22, facecolor=fills[i], edgecolor="black", zorder=2))
        ax.text(step * i, top, names[i], ha="center", va="bottom", fontweight="bold")
        ax.text(step * i, bottom, f"{sizes[i]:,} units", ha="center", va="top")
    for i in range(1, len(sizes)):
        for x0, y0 in centres[i - 1]:
            for x1, y1 in centres[i]:
                ax.plot([x0, x1], [y0, y1], color="0.55", lw=0.6, zorder=1)
        shapes = f"W{i} ({sizes[i - 1]:,}, {sizes[i]:,})\nb{i} ({sizes[i]:,},)"
        ax.text(step * (i - 0.5), bottom, shapes, ha="center", va="top", fontsize=9)
    ax.set(xlim=xlim, ylim=ylim)
    return fig


def _scalar(value, name: str) -> float:
    value = np.asarray(value, dtype=float)
    if value.size != 1 or not np.isfinite(value).all():
        raise ValueError(f"{name} must be one finite number, got {value!r}")
    return float(value.reshape(()))


#: The nodes of one neuron's computational graph: label and position.
NEURON_NODES = {
    "x": ("input", (0.0, 3.0)),
    "w": ("weight", (0.0, 1.5)),
    "b": ("bias", (0.0, 0.0)),
    "z": ("z = wx + b", (3.5, 1.5)),
    "a": ("a = σ(z)", (7.0, 1.5)),
    "y": ("target", (7.0, -0.3)),
    "C": ("C = ½(a − y)²", (10.5, 1.5)),
}
NEURON_EDGES = [("x", "z"), ("w", "z"), ("b", "z"), ("z", "a"), ("a", "C"), ("y", "C")]


@styled
def neuron_graph(values: dict, grads: dict, title="One neuron, forward and backward") -> plt.Figure:
    """The computational graph of one sigmoid neuron with the quadratic cost,
    z = wx + b, a = σ(z), C = ½(a − y)², for one example.

    ``values`` holds the forward pass's numbers for x, w, b, y, z, a and C; ``grads`` the
    backward pass's ∂C/∂w, ∂C/∂b, ∂C/∂z and ∂C/∂a (and ∂C/∂x, if given). Each node is a
    box with its value in black and its gradient in red; black arrows run forward,
    dashed red ones backward along the chain the gradient takes (∂C/∂C = 1 at the end).
    """
    from matplotlib.patches import FancyBboxPatch

    missing = [k for k in NEURON_NODES if k not in values] + [
        f"grads[{k!r}]" for k in ("w", "b", "z", "a") if k not in grads
    ]
    if missing:
        raise ValueError(f"neuron_graph needs values for x, w, b, y, z, a, C; missing {missing}")
    value = {k: _scalar(values[k], k) for k in NEURON_NODES}
    grad = {k: _scalar(g, f"grads[{k!r}]") for k, g in grads.items() if k in NEURON_NODES}
    grad["C"] = 1.0
    fig, ax = _diagram((11, 4.6), title)
    width, height = 2.3, 1.05
    for name, (label, (x, y)) in NEURON_NODES.items():
        box = FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.05",
            facecolor="white",
            edgecolor="black",
        )
        ax.add_patch(box)
        ax.text(x, y + 0.3, label, ha="center", va="center", fontsize=10, fontweight="bold")
        ax.text(
            x,
            y,
            f"{name} = {value[name]:.4f}",
            ha="center",
            va="center",
            color=FORWARD_COLOR,
            fontsize=10,
        )
        if name in grad:
            ax.text(
                x,
                y - 0.3,
                f"∂C/∂{name} = {grad[name]:.4f}",
                ha="center",
                va="center",
                color=BACKWARD_COLOR,
                fontsize=10,
            )
    for start, end in NEURON_EDGES:
        (x0, y0), (x1, y1) = NEURON_NODES[start][1], NEURON_NODES[end][1]
        if start == "y":  # from below, into the cost
            _arrow(ax, (x0 + width / 2, y0), (x1 - 0.4, y1 - height / 2 - 0.05))
            continue
        _arrow(
            ax,
            (x0 + width / 2 + 0.05, y0),
            (x1 - width / 2 - 0.05, y1 + 0.12 * (y0 > y1) - 0.12 * (y0 < y1)),
        )
    for start, end in [("C", "a"), ("a", "z"), ("z", "w"), ("z", "b")]:  # the way back
        (x0, y0), (x1, y1) = NEURON_NODES[start][1], NEURON_NODES[end][1]
        if y0 == y1:  # just below the forward arrow
            _arrow(
                ax,
                (x0 - width / 2 - 0.05, y0 - 0.35),
                (x1 + width / 2 + 0.05, y1 - 0.35),
                BACKWARD_COLOR,
                dashed=True,
            )
        else:  # beside the forward arrow, parallel to it, shifted down
            _arrow(
                ax,
                (x0 - width / 2 - 0.05, y0 - 0.45),
                (x1 + width / 2 + 0.05, y1 - 0.3),
                BACKWARD_COLOR,
                dashed=True,
            )
    _key(ax, 5.25, -1.5)
    ax.set(xlim=(-1.4, 11.9), ylim=(-1.8, 3.8))
    return fig


def _one_example(v, n: int | None, name: str) -> np.ndarray:
    """``v`` as a vector (n,): one example, given as (n,) or as a row (1, n)."""
    v = np.asarray(v, dtype=float)
    if v.ndim == 2 and v.shape[0] == 1:
        v = v[0]
    if v.ndim != 1 or (n is not None and v.size != n):
        expected = f"({n},)" if n is not None else "(n,)"
        raise ValueError(f"{name} must have shape {expected} (one example), got {v.shape}")
    if not np.isfinite(v).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return v


@styled
def backprop_graph(
    x,
    weights,
    activations,
    deltas,
    weight_grads,
    target,
    cost,
    title="A small network, forward and backward",
    max_units=3,
) -> plt.Figure:
    """The computational graph of a small dense network for one example, every number on it.

    ``x`` (n0,) is the input; for each layer l = 1..L, ``weights[l-1]`` is W_l
    (n_{l-1}, n_l) in nnlib's layout, ``activations[l-1]`` its output a_l (n_l,),
    ``deltas[l-1]`` its error δ_l = ∂C/∂z_l (n_l,), which for one example is also
    ∂C/∂b_l, and ``weight_grads[l-1]`` ∂C/∂W_l. ``target`` (n_L,) and ``cost`` feed the
    cost node. Each weight is one line, labelled with w (black) and ∂C/∂w (red); each
    unit shows a (black) above and δ (red) below. At most ``max_units`` units a layer.
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    layers = [weights, activations, deltas, weight_grads]
    if not weights or len({len(part) for part in layers}) != 1:
        raise ValueError(
            "weights, activations, deltas and weight_grads need one entry per layer; got "
            f"{[len(part) for part in layers]}"
        )
    x = _one_example(x, None, "x")
    sizes = [x.size]
    W, A, D, G = [], [], [], []
    for i, (w, a, d, g) in enumerate(zip(*layers, strict=True), start=1):
        w = np.asarray(w, dtype=float)
        if w.ndim != 2 or w.shape[0] != sizes[-1]:
            raise ValueError(f"W{i} must have shape ({sizes[-1]}, n{i}), got {w.shape}")
        g = np.asarray(g, dtype=float)
        if g.shape != w.shape:
            raise ValueError(f"dW{i} must have the shape of W{i}, {w.shape}, got {g.shape}")
        sizes.append(w.shape[1])
        A.append(_one_example(a, sizes[-1], f"a{i}"))
        D.append(_one_example(d, sizes[-1], f"delta{i}"))
        W.append(w)
        G.append(g)
    target = _one_example(target, sizes[-1], "target")
    cost = _scalar(cost, "cost")
    if max(sizes) > max_units:
        raise ValueError(
            f"layers of {sizes} units: at most {max_units} per layer can be annotated "
            "(draw a big network with network_diagram)"
        )
    gap, row = 4.2, 2.6
    height = max(sizes)
    fig, ax = _diagram((3.0 * len(sizes) + 2.5, 1.25 * height + 2.2), title)
    centres = [[(gap * i, ((n - 1) / 2 - j) * row) for j in range(n)] for i, n in enumerate(sizes)]
    for i in range(1, len(sizes)):  # the weights, each a line with its two numbers
        for j, (x0, y0) in enumerate(centres[i - 1]):
            for k, (x1, y1) in enumerate(centres[i]):
                ax.plot([x0, x1], [y0, y1], color="0.6", lw=1, zorder=1)
                t = 0.55 if y1 == y0 else 0.35  # clear of the crossings in the middle
                px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                box = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"}
                ax.text(
                    px,
                    py + 0.16,
                    f"w = {W[i - 1][j, k]:.2f}",
                    color=FORWARD_COLOR,
                    ha="center",
                    va="center",
                    fontsize=8,
                    bbox=box,
                    zorder=3,
                )
                ax.text(
                    px,
                    py - 0.16,
                    f"∂C/∂w = {G[i - 1][j, k]:.4f}",
                    color=BACKWARD_COLOR,
                    ha="center",
                    va="center",
                    fontsize=8,
                    bbox=box,
                    zorder=3,
                )
    for i, layer in enumerate(centres):
        for j, (cx, cy) in enumerate(layer):
            ax.add_patch(Circle((cx, cy), 0.38, facecolor="white", edgecolor="black", zorder=2))
            name = f"x{j + 1}" if i == 0 else f"a{i},{j + 1}"
            ax.text(cx, cy, name, ha="center", va="center", fontsize=9, zorder=3)
            above = f"x = {x[j]:.4f}" if i == 0 else f"a = {A[i - 1][j]:.4f}"
            ax.text(cx, cy + 0.5, above, ha="center", va="bottom", color=FORWARD_COLOR, fontsize=9)
            if i > 0:
                ax.text(
                    cx,
                    cy - 0.5,
                    f"δ = {D[i - 1][j]:.4f}",
                    ha="center",
                    va="top",
                    color=BACKWARD_COLOR,
                    fontsize=9,
                )
    cx = gap * (len(sizes) - 1) + 3.2  # the cost node, fed by every output unit
    ax.add_patch(
        FancyBboxPatch(
            (cx - 0.9, -0.55),
            1.8,
            1.1,
            boxstyle="round,pad=0.05",
            facecolor="white",
            edgecolor="black",
        )
    )
    ax.text(cx, 0.25, f"C = {cost:.4f}", ha="center", va="center", color=FORWARD_COLOR)
    ax.text(
        cx,
        -0.2,
        "y = (" + ", ".join(f"{v:g}" for v in target) + ")",
        ha="center",
        va="center",
        fontsize=9,
    )
    for x0, y0 in centres[-1]:
        _arrow(ax, (x0 + 0.4, y0), (cx - 0.95, 0.3 * np.sign(y0)))
    top = height / 2 * row
    names = ["input", *[f"layer {i}" for i in range(1, len(sizes) - 1)], "output"]
    for i, name in enumerate(names):
        ax.text(gap * i, top + 0.45, name, ha="center", va="bottom", fontweight="bold")
    _key(ax, cx / 2, -top - 0.6)
    ax.set(xlim=(-1.2, cx + 1.2), ylim=(-top - 0.9, top + 1.1))
    return fig


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
def histograms_on_curve(
    values: dict, curve, title: str, xlabel: str, curve_label: str, min_range=8.0, bins=60
) -> plt.Figure:
    """Where numbers land on a function: one panel per entry {name: values}, each a
    histogram of the values (density, left axis, blue) with ``curve`` drawn over the same
    range (right axis, vermillion), e.g. a layer's weighted inputs against the sigmoid.
    Each panel spans at least -min_range..min_range, where the curve can be seen to bend."""
    if not values:
        raise ValueError("values is empty: nothing to draw")
    n = len(values)
    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 3.8), squeeze=False, layout="constrained")
    for ax, (name, v) in zip(axes[0], values.items(), strict=True):
        v = np.ravel(v)
        if v.size == 0:
            raise ValueError(f"values[{name!r}] is empty: nothing to draw")
        limit = max(float(np.abs(v).max()), min_range)
        grid = np.linspace(-limit, limit, 400)
        ax.hist(v, bins=bins, range=(-limit, limit), density=True, color=PALETTE[1], alpha=0.6)
        ax.set(title=name, xlabel=xlabel, ylabel="density")
        twin = ax.twinx()
        twin.plot(grid, curve(grid), color=PALETTE[4])
        twin.set(xlabel=xlabel, ylabel=curve_label)  # the twin's x axis is the panel's own
        twin.yaxis.label.set_color(PALETTE[4])
        twin.grid(False)
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
    ``nnlib.drawing.steps(strokes)``, images of any (h, w) with ink 1 and paper 0.

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


@styled
def layer_histograms(columns: dict, title: str, bins: int = 40) -> plt.Figure:
    """Inside a network, layer by layer: the activations each hidden layer outputs (top
    row) and the size of the gradients of its weights, log10 |dC/dW| (bottom row).

    ``columns`` is {name: signals}, one column per network or moment (e.g. "sigmoid, at
    initialization"), each ``signals`` a dict with lists "a" and "dW" holding one array
    per hidden layer, as ``nnlib.network.layer_signals`` returns. Each layer is its own
    step histogram, as a fraction of its values (so layers of any size compare), in its
    own colour and line style. The gradient row shares its bins and x axis across the
    columns, so their sizes compare; each activation histogram spans its own column's
    range (sigmoid outputs lie in (0, 1), ReLU outputs reach further). Gradients that are
    exactly zero have no logarithm and are left out.
    """
    columns = dict(columns)
    if not columns:
        raise ValueError("columns is empty: nothing to draw")
    rows = {"a": ("activation", []), "dW": ("log10 |dC/dW|", [])}
    depth = None
    for name, signals in columns.items():
        missing = {"a", "dW"} - set(signals)
        if missing:
            raise ValueError(f"columns[{name!r}] is missing {sorted(missing)}")
        if len(signals["a"]) != len(signals["dW"]) or not signals["a"]:
            raise ValueError(f"columns[{name!r}] needs one 'a' and one 'dW' per hidden layer")
        if depth is not None and len(signals["a"]) != depth:
            raise ValueError(f"columns[{name!r}] has {len(signals['a'])} layers, not {depth}")
        depth = len(signals["a"])
        rows["a"][1].append([np.ravel(a).astype(float) for a in signals["a"]])
        grads = [np.abs(np.ravel(g)).astype(float) for g in signals["dW"]]
        rows["dW"][1].append([np.log10(g[g > 0]) for g in grads])
    fig, axes = plt.subplots(
        2, len(columns), figsize=(3.4 * len(columns) + 1, 6.6), squeeze=False, layout="constrained"
    )
    for r, (xlabel, per_column) in enumerate(rows.values()):
        shared = _bin_edges([v for layers in per_column for v in layers], bins)
        for c, (name, layers) in enumerate(zip(columns, per_column, strict=True)):
            ax = axes[r, c]
            edges = shared if r == 1 else _bin_edges(layers, bins)
            for i, v in enumerate(layers):
                style = series_style(i)
                ax.hist(
                    v,
                    bins=edges,
                    weights=np.full(v.size, 1 / max(v.size, 1)),
                    histtype="step",
                    linewidth=1.8,
                    color=style["color"],
                    linestyle=style["linestyle"],
                    label=f"layer {i + 1}",
                )
            ax.set(xlabel=xlabel, ylabel="fraction of values", title=name)
            if c and r == 1:
                ax.sharex(axes[r, 0])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=depth, title="hidden layer")
    fig.suptitle(title)
    return fig


def _bin_edges(arrays, bins: int) -> np.ndarray:
    """``bins`` equal bins spanning every value of ``arrays`` (a list of 1-D arrays)."""
    values = np.concatenate(arrays)
    low, high = (values.min(), values.max()) if values.size else (0.0, 1.0)
    return np.linspace(low, high if high > low else low + 1, bins + 1)


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
