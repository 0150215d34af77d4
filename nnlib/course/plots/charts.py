"""Charts of numbers: training curves (one seed or a spread over seeds), the confusion
matrix, line, bar and log-log plots, histograms, activation functions, softmax bars,
layer-by-layer histograms and the ladder.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter

from nnlib.course.plots.style import (
    PALETTE,
    series_style,
    styled,
)


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
    stacked with a column naming each run's setting (see ``nnlib.course.experiments``). The legend
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
