"""Diagrams drawn by code: a dense network's layers, and computational graphs carrying
one example's numbers forward (black) and its gradients backward (vermillion).
"""

import matplotlib.pyplot as plt
import numpy as np

from nnlib.course.plots.style import (
    PALETTE,
    styled,
)

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
