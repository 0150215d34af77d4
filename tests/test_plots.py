import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # draw off-screen: no windows during tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import same_color  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib.course import plots  # noqa: E402

RNG = np.random.default_rng(0)
IMAGES = RNG.random((12, 784))
LABELS = np.arange(12) % 10


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def history(epochs=4, validation=True):
    e = np.arange(1, epochs + 1)
    val = 1.2 / e if validation else np.full(epochs, np.nan)
    return pd.DataFrame(
        {
            "epoch": e,
            "loss": 1 / e,
            "accuracy": 1 - 0.1 / e,
            "val_loss": val,
            "val_accuracy": 1 - val / 10,
            "seconds": 0.5,
        }
    )


def confusion():
    names = pd.Index([0, 1, 2], name="true"), pd.Index([0, 1, 2], name="predicted")
    return pd.DataFrame([[2, 1, 0], [0, 1, 1], [1, 0, 3]], index=names[0], columns=names[1])


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def titles(fig):
    return [ax.get_title() for ax in image_axes(fig)]


def assert_labelled(fig):
    """A Figure; plotting axes have x and y labels and a title (or the figure a suptitle);
    image cells (axes off) have a title each."""
    assert isinstance(fig, Figure)
    suptitle = fig.get_suptitle()
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        if ax.axison:
            assert ax.get_xlabel() and ax.get_ylabel()
            assert ax.get_title() or suptitle
        elif ax.images:
            assert ax.get_title()
    assert suptitle or any(ax.get_title() for ax in fig.axes)


ALL_FIGURES = {
    "digit_grid": lambda: plots.digit_grid(IMAGES, LABELS, LABELS[::-1]),
    "gallery": lambda: plots.misclassified_gallery(
        IMAGES, LABELS, LABELS[::-1], RNG.dirichlet(np.ones(12), 12)
    ),
    "gallery_no_mistakes": lambda: plots.misclassified_gallery(IMAGES, LABELS, LABELS, np.eye(12)),
    "hidden_units": lambda: plots.hidden_units(RNG.normal(size=(784, 6))),
    "training_curves": lambda: plots.training_curves(history()),
    "confusion_heatmap": lambda: plots.confusion_heatmap(confusion()),
    "line_plot": lambda: plots.line_plot([1, 2], {"a": [3, 4]}, "x", "y", "t"),
    "bar_chart": lambda: plots.bar_chart({"a": 1, "b": 2}, "class", "count", "balance"),
    "histogram": lambda: plots.histogram(IMAGES),
    "activation_curves": lambda: plots.activation_curves({"tanh": np.tanh}),
}


@pytest.mark.parametrize("name", ALL_FIGURES)
def test_every_figure_is_returned_and_labelled(name):
    assert_labelled(ALL_FIGURES[name]())


def test_digit_grid_accepts_flat_and_square_images():
    for images in (IMAGES, IMAGES.reshape(12, 28, 28)):
        fig = plots.digit_grid(images, LABELS, cols=5, title="Some digits")
        assert titles(fig) == [str(k) for k in LABELS]
        assert image_axes(fig)[0].images[0].get_array().shape == (28, 28)
        assert fig.get_suptitle() == "Some digits"
    assert len(image_axes(plots.digit_grid(IMAGES, n=3))) == 3


def test_digit_grid_marks_wrong_predictions_in_red():
    fig = plots.digit_grid(IMAGES[:3], labels=[0, 1, 2], predictions=[0, 1, 7])
    assert titles(fig) == ["true 0 / pred 0", "true 1 / pred 1", "true 2 / pred 7"]
    colors = [ax.title.get_color() for ax in image_axes(fig)]
    assert [same_color(c, "red") for c in colors] == [False, False, True]


def test_digit_grid_uses_class_names():
    names = ["cat", "dog", "Ankle boot"]
    fig = plots.digit_grid(IMAGES[:3], [0, 1, 2], [0, 0, 1], class_names=names)
    assert titles(fig) == [
        "true cat / pred cat",
        "true dog / pred cat",
        "true Ankle boot\npred dog",
    ]
    assert titles(plots.digit_grid(IMAGES[:2])) == ["#0", "#1"]


@pytest.mark.parametrize(
    ("images", "match"),
    [
        (np.zeros((3, 783)), "not a square"),
        (np.zeros((3, 28, 27)), "shape"),
        (np.zeros(784), "shape"),
        (np.zeros((0, 784)), "empty"),
    ],
)
def test_digit_grid_rejects_bad_images(images, match):
    with pytest.raises(ValueError, match=match):
        plots.digit_grid(images)


def test_digit_grid_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels must have shape"):
        plots.digit_grid(IMAGES, labels=LABELS[:5])
    with pytest.raises(ValueError, match="predictions must have shape"):
        plots.digit_grid(IMAGES, LABELS, predictions=LABELS[:5])
    with pytest.raises(ValueError, match="n must be at least 1"):
        plots.digit_grid(IMAGES, n=0)


def test_gallery_shows_only_mistakes_most_confident_first():
    y_true = np.array([0, 1, 2, 3, 4, 5])
    y_pred = np.array([0, 7, 2, 9, 4, 8])
    probabilities = np.full((6, 10), 0.01)
    probabilities[[1, 3, 5], [7, 9, 8]] = [0.60, 0.90, 0.75]
    fig = plots.misclassified_gallery(IMAGES[:6], y_true, y_pred, probabilities)
    assert titles(fig) == [
        "true 3 / pred 9 (90%)",
        "true 5 / pred 8 (75%)",
        "true 1 / pred 7 (60%)",
    ]
    assert "3 of 3" in fig.get_suptitle()
    fig = plots.misclassified_gallery(IMAGES[:6], y_true, y_pred, probabilities, n=2)
    assert len(image_axes(fig)) == 2


def test_gallery_without_mistakes_says_so():
    fig = plots.misclassified_gallery(IMAGES, LABELS, LABELS, np.eye(12))
    assert isinstance(fig, Figure)
    assert not image_axes(fig)
    assert "No mistakes" in fig.axes[0].texts[0].get_text()


def test_gallery_rejects_bad_shapes():
    probabilities = np.full((12, 10), 0.1)
    with pytest.raises(ValueError, match="y_pred must have shape"):
        plots.misclassified_gallery(IMAGES, LABELS, LABELS[:3], probabilities)
    with pytest.raises(ValueError, match="probabilities must have shape"):
        plots.misclassified_gallery(IMAGES, LABELS, LABELS, probabilities[:, 0])
    with pytest.raises(ValueError, match="only 5 columns"):
        plots.misclassified_gallery(IMAGES, LABELS, LABELS, probabilities[:, :5])


def test_hidden_units_draws_each_column_on_a_symmetric_diverging_scale():
    W = RNG.normal(size=(784, 6))
    fig = plots.hidden_units(W, n=4)
    assert titles(fig) == ["unit 0", "unit 1", "unit 2", "unit 3"]
    image = image_axes(fig)[2].images[0]
    np.testing.assert_array_equal(image.get_array(), W[:, 2].reshape(28, 28))
    limit = np.abs(W[:, 2]).max()
    assert image.get_clim() == (-limit, limit)
    assert image.get_cmap().name == "RdBu_r"


@pytest.mark.parametrize("W", [np.zeros((783, 4)), np.zeros(784), np.zeros((4, 784, 1))])
def test_hidden_units_rejects_bad_shapes(W):
    with pytest.raises(ValueError, match="W"):
        plots.hidden_units(W)


def test_training_curves_draws_train_and_validation():
    fig = plots.training_curves(history(), title="MLP")
    loss_ax, acc_ax = fig.axes
    assert fig.get_suptitle() == "MLP"
    assert (loss_ax.get_ylabel(), acc_ax.get_ylabel()) == ("loss", "accuracy")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["train", "validation"]
    np.testing.assert_allclose(loss_ax.lines[1].get_ydata(), history()["val_loss"])


def test_training_curves_names_the_held_out_data():
    run = history()
    assert fig_labels(plots.training_curves(run, held_out="test")) == ["train", "test"]
    run.attrs["validation_label"] = "test (once)"
    assert fig_labels(plots.training_curves(run)) == ["train", "test (once)"]


def fig_labels(fig):
    return [t.get_text() for t in fig.legends[0].get_texts()]


def test_training_curves_skips_nan_validation():
    fig = plots.training_curves(history(validation=False))
    for ax in fig.axes:
        assert [line.get_label() for line in ax.lines] == ["train"]


def test_training_curves_overlays_runs_one_colour_each():
    runs = {"SGD": history(), "Adam": history(validation=False)}
    loss_ax, _ = plots.training_curves(runs).axes
    lines = {line.get_label(): line for line in loss_ax.lines}
    assert list(lines) == ["SGD train", "SGD validation", "Adam train"]
    assert same_color(lines["SGD train"].get_color(), lines["SGD validation"].get_color())
    assert not same_color(lines["SGD train"].get_color(), lines["Adam train"].get_color())
    assert (lines["SGD train"].get_linestyle(), lines["SGD validation"].get_linestyle()) == (
        "-",
        "--",
    )


def test_training_curves_rejects_bad_histories():
    with pytest.raises(ValueError, match="no histories"):
        plots.training_curves({})
    with pytest.raises(ValueError, match="missing columns"):
        plots.training_curves(history().drop(columns="accuracy"))


def test_confusion_heatmap_annotates_counts_with_contrasting_text():
    fig = plots.confusion_heatmap(confusion())
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the matrix and its colorbar
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted", "true")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    texts = {(t.get_position()[1], t.get_position()[0]): t for t in ax.texts}  # (row, col)
    assert [texts[(i, i)].get_text() for i in range(3)] == ["2", "1", "3"]
    assert same_color(texts[(2, 2)].get_color(), "white")  # the darkest cell
    assert same_color(texts[(0, 2)].get_color(), "black")


def test_confusion_heatmap_normalize_shows_row_fractions():
    ax = plots.confusion_heatmap(confusion(), normalize=True).axes[0]
    assert [t.get_text() for t in ax.texts[:3]] == ["0.67", "0.33", "0.00"]


def test_confusion_heatmap_rejects_non_square():
    with pytest.raises(ValueError, match="square"):
        plots.confusion_heatmap(confusion().iloc[:2])


def test_line_plot_one_line_per_series_and_log_x():
    fig = plots.line_plot(
        [0.01, 0.1, 1], {"SGD": [1, 2, 3], "Adam": [3, 2, 1]}, "lr", "acc", "t", logx=True
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["SGD", "Adam"]
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="'SGD'"):
        plots.line_plot([1, 2, 3], {"SGD": [1, 2]}, "lr", "acc", "t")


def test_bar_chart_accepts_dict_and_series():
    for values in ({"a": 3, "b": 5}, pd.Series([3, 5], index=["a", "b"])):
        ax = plots.bar_chart(values, "class", "count", "Class balance").axes[0]
        assert [p.get_height() for p in ax.patches] == [3, 5]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="empty"):
        plots.bar_chart({}, "class", "count", "t")


def test_histogram_flattens_and_optionally_logs():
    ax = plots.histogram(IMAGES, bins=10, log=True).axes[0]
    assert sum(p.get_height() for p in ax.patches) == IMAGES.size
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "count"
    with pytest.raises(ValueError, match="empty"):
        plots.histogram([])


def test_activation_curves_plots_each_function():
    fig = plots.activation_curves({"tanh": np.tanh, "ReLU": lambda z: np.maximum(z, 0)})
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["tanh", "ReLU"]
    with pytest.raises(ValueError, match="elementwise"):
        plots.activation_curves({"sum": np.sum})


def seed_runs():
    rows = [
        {
            "optimizer": name,
            "seed": seed,
            "epoch": e,
            "val_accuracy": base + 0.01 * e + 0.002 * seed,
        }
        for name, base in (("SGD", 0.9), ("Adam", 0.95))
        for seed in range(3)
        for e in (1, 2, 3)
    ]
    return pd.DataFrame(rows)


def test_spread_curves_draws_the_mean_and_a_one_sd_band_per_setting():
    fig = plots.spread_curves(seed_runs(), "epoch", "val_accuracy", "optimizer", "Optimizers")
    assert_labelled(fig)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["SGD (mean of 3)", "Adam (mean of 3)"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.912, 0.922, 0.932])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(0.912 - 0.002) and band.max() == pytest.approx(0.932 + 0.002)
    assert ax.lines[0].get_marker() != ax.lines[1].get_marker()
    with pytest.raises(ValueError, match="missing columns"):
        plots.spread_curves(seed_runs(), "epoch", "loss", "optimizer", "t")


def test_error_bars_on_lines_and_bars():
    fig = plots.line_plot([1, 2], {"a": [3, 4], "b": [1, 2]}, "x", "y", "t", errors={"a": [1, 1]})
    (ax,) = fig.axes
    assert len(ax.containers) == 1  # one errorbar container, for "a" only
    fig = plots.bar_chart({"a": 1, "b": 2}, "k", "v", "t", errors={"a": 0.1, "b": 0.2})
    bars = [c for c in fig.axes[0].containers if type(c).__name__ == "BarContainer"]
    assert bars[0].errorbar is not None
    with pytest.raises(ValueError, match="errors"):
        plots.line_plot([1, 2], {"a": [3, 4]}, "x", "y", "t", errors={"a": [1]})


def test_every_series_differs_in_colour_line_style_and_marker():
    styles = [plots.series_style(i) for i in range(len(plots.PALETTE))]
    for key in ("color", "marker"):
        assert len({str(s[key]) for s in styles}) == len(styles)
    assert len({str(s["linestyle"]) for s in styles}) == len(styles)


def test_figures_use_the_course_style_whatever_the_session_defaults():
    with plt.rc_context({"font.size": 6, "figure.dpi": 50}):
        fig = plots.histogram(IMAGES)
    assert fig.dpi == plots.STYLE["figure.dpi"]
    assert fig.axes[0].xaxis.label.get_fontsize() == plots.STYLE["axes.labelsize"]


# Diagrams and the figures of notebooks 04 and 05


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def small_network():
    """A 2-2-2 sigmoid network's numbers for one example (made up, but consistent)."""
    W1, W2 = np.array([[0.5, -0.4], [0.3, 0.8]]), np.array([[0.7, -0.6], [-0.2, 0.9]])
    a1, a2 = np.array([0.68, 0.47]), np.array([0.59, 0.55])
    d1, d2 = np.array([-0.033, 0.036]), np.array([-0.098, 0.137])
    return {
        "x": np.array([1.0, 0.5]),
        "weights": [W1, W2],
        "activations": [a1, a2],
        "deltas": [d1, d2],
        "weight_grads": [np.outer([1.0, 0.5], d1), np.outer(a1, d2)],
        "target": np.array([1.0, 0.0]),
        "cost": 0.236,
    }


NEURON = {"x": 1.5, "w": 0.8, "b": -0.5, "y": 0.0, "z": 0.7, "a": 0.6682, "C": 0.2232}
NEURON_GRADS = {"w": 0.2222, "b": 0.1481, "z": 0.1481, "a": 0.6682}

DIAGRAMS = {
    "softmax_bars": lambda: plots.softmax_bars([1.0, 2.0, 0.0], [0.25, 0.7, 0.05]),
    "loglog_plot": lambda: plots.loglog_plot([1e-3, 1e-2], {"a": [1, 10]}, "ε", "error", "t"),
    "network_diagram": lambda: plots.network_diagram([784, 30, 10]),
    "neuron_graph": lambda: plots.neuron_graph(NEURON, NEURON_GRADS),
    "backprop_graph": lambda: plots.backprop_graph(**small_network()),
}


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_new_figure_is_returned_and_labelled(name):
    assert_labelled(DIAGRAMS[name]())


def test_softmax_bars_draws_logits_beside_probabilities():
    fig = plots.softmax_bars([1.0, 2.0, 0.0], [0.25, 0.7, 0.05], title="Softmax")
    left, right = fig.axes
    assert [p.get_height() for p in left.patches] == [1.0, 2.0, 0.0]
    assert [p.get_height() for p in right.patches] == [0.25, 0.7, 0.05]
    assert fig.get_suptitle() == "Softmax"
    with pytest.raises(ValueError, match="same shape"):
        plots.softmax_bars([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="sum to 1"):
        plots.softmax_bars([1.0, 2.0], [0.5, 0.6])


def test_loglog_plot_has_two_log_axes_and_rejects_what_they_cannot_show():
    ax = plots.loglog_plot([1e-3, 1e-2], {"a": [1, 10], "b": [2, 3]}, "ε", "err", "t").axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    with pytest.raises(ValueError, match="<= 0"):
        plots.loglog_plot([1, 2], {"a": [0, 1]}, "x", "y", "t")
    with pytest.raises(ValueError, match="positive"):
        plots.loglog_plot([0, 2], {"a": [1, 1]}, "x", "y", "t")
    with pytest.raises(ValueError, match=r"ys\['a'\] has shape"):
        plots.loglog_plot([1, 2], {"a": [1]}, "x", "y", "t")


def circles(fig):
    return [p for p in fig.axes[0].patches if type(p).__name__ == "Circle"]


def test_network_diagram_draws_one_line_per_drawn_weight():
    fig = plots.network_diagram([3, 4, 2], names=["in", "mid", "out"], title="Small")
    (ax,) = fig.axes
    assert len(circles(fig)) == 3 + 4 + 2
    assert len(ax.lines) == 3 * 4 + 4 * 2
    assert ax.get_title() == "Small"
    assert {"in", "mid", "out", "3 units", "W1 (3, 4)\nb1 (4,)"} <= set(texts(fig))
    assert "⋮" not in texts(fig)


def test_network_diagram_draws_a_big_layer_as_a_few_nodes_and_an_ellipsis():
    fig = plots.network_diagram([784, 30, 10], max_nodes=6)
    assert len(circles(fig)) == 3 * 6 - 3  # each layer: 4 nodes, an ellipsis, the last node
    assert len(fig.axes[0].lines) == 5 * 5 * 2
    assert texts(fig).count("⋮") == 3
    assert {"input", "hidden 1", "output", "784 units", "W2 (30, 10)\nb2 (10,)"} <= set(texts(fig))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"sizes": [784]}, "at least two"),
        ({"sizes": [784, 0, 10]}, "positive"),
        ({"sizes": [[784, 30]]}, "at least two"),
        ({"sizes": [4, 3], "names": ["one"]}, "names has 1"),
        ({"sizes": [4, 3], "max_nodes": 2}, "max_nodes"),
    ],
)
def test_network_diagram_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        plots.network_diagram(**args)


def test_neuron_graph_writes_each_value_and_gradient_on_its_node():
    fig = plots.neuron_graph(NEURON, NEURON_GRADS)
    shown = texts(fig)
    for name, value in NEURON.items():
        assert f"{name} = {value:.4f}" in shown
    for name, grad in NEURON_GRADS.items():
        assert f"∂C/∂{name} = {grad:.4f}" in shown
    assert "∂C/∂C = 1.0000" in shown and "∂C/∂x = " not in " ".join(shown)
    patches = [type(p).__name__ for p in fig.axes[0].patches]
    assert patches.count("FancyBboxPatch") == 7  # x, w, b, y, z, a, C
    assert patches.count("FancyArrowPatch") == 6 + 4  # forward edges, and the way back
    assert "∂C/∂x = 3.0000" in texts(plots.neuron_graph(NEURON, {**NEURON_GRADS, "x": 3.0}))


def test_neuron_graph_rejects_missing_or_bad_numbers():
    with pytest.raises(ValueError, match="missing \\['C'"):
        plots.neuron_graph({k: v for k, v in NEURON.items() if k != "C"}, NEURON_GRADS)
    with pytest.raises(ValueError, match="grads\\['z'\\]"):
        plots.neuron_graph(NEURON, {k: v for k, v in NEURON_GRADS.items() if k != "z"})
    with pytest.raises(ValueError, match="one finite number"):
        plots.neuron_graph({**NEURON, "a": np.nan}, NEURON_GRADS)
    with pytest.raises(ValueError, match="one finite number"):
        plots.neuron_graph({**NEURON, "w": [0.8, 0.1]}, NEURON_GRADS)


def test_backprop_graph_draws_every_weight_with_its_value_and_gradient():
    net = small_network()
    fig = plots.backprop_graph(**net)
    (ax,) = fig.axes
    assert len(ax.lines) == 2 * 2 + 2 * 2  # one line per weight
    assert len(circles(fig)) == 2 + 2 + 2
    shown = texts(fig)
    for W, dW in zip(net["weights"], net["weight_grads"], strict=True):
        for w, g in zip(W.ravel(), dW.ravel(), strict=True):
            assert f"w = {w:.2f}" in shown and f"∂C/∂w = {g:.4f}" in shown
    for a, d in zip(net["activations"], net["deltas"], strict=True):
        assert {f"a = {v:.4f}" for v in a} <= set(shown)
        assert {f"δ = {v:.4f}" for v in d} <= set(shown)
    assert {"x = 1.0000", "x = 0.5000", "C = 0.2360", "y = (1, 0)"} <= set(shown)


def test_backprop_graph_accepts_rows_of_one_example():
    net = small_network()
    rows = {k: net[k][None, :] for k in ("x", "target")}
    assert len(plots.backprop_graph(**{**net, **rows}).axes[0].lines) == 8


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"deltas": [np.zeros(2)]}, "one entry per layer"),
        ({"x": np.zeros((2, 2))}, "one example"),
        ({"x": np.zeros(3)}, "W1 must have shape \\(3, n1\\)"),
        ({"weight_grads": [np.zeros((2, 2)), np.zeros((2, 3))]}, "dW2 must have the shape"),
        ({"activations": [np.zeros(2), np.zeros(3)]}, "a2 must have shape \\(2,\\)"),
        ({"target": np.array([1.0, np.nan])}, "NaN"),
        ({"cost": [1.0, 2.0]}, "one finite number"),
    ],
)
def test_backprop_graph_rejects_bad_input(change, match):
    with pytest.raises(ValueError, match=match):
        plots.backprop_graph(**{**small_network(), **change})


def test_backprop_graph_refuses_layers_too_wide_to_annotate():
    W = np.zeros((2, 5))
    with pytest.raises(ValueError, match="network_diagram"):
        plots.backprop_graph(np.ones(2), [W], [np.zeros(5)], [np.zeros(5)], [W], np.zeros(5), 0.0)


def test_figures_keep_the_interactive_mode_a_backend_sets_as_it_loads(tmp_path):
    # Jupyter's inline backend turns interactive mode on when pyplot loads it; if that
    # happened inside the style context, leaving the context would turn it off, and a
    # notebook would show its first figure only.
    (tmp_path / "loud_backend.py").write_text(
        "import matplotlib\n"
        "from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas  # noqa\n"
        "matplotlib.interactive(True)\n"
    )
    script = (
        "import matplotlib\nfrom nnlib.course import plots\nplots.histogram([1, 2])\n"
        "print(matplotlib.is_interactive())"
    )
    env = {**os.environ, "MPLBACKEND": "module://loud_backend", "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


def test_image_maps_draws_each_image_with_a_colour_bar():
    fig = plots.image_maps({"mean": IMAGES[0], "std": IMAGES[1].reshape(28, 28)}, "Stats", "ink")
    assert_labelled(fig)
    maps = image_axes(fig)
    assert [ax.get_title() for ax in maps] == ["mean", "std"]
    assert len(fig.axes) == 4  # two maps, two colour bars
    np.testing.assert_array_equal(maps[0].images[0].get_array(), IMAGES[0].reshape(28, 28))
    with pytest.raises(ValueError, match="empty"):
        plots.image_maps({}, "t", "ink")
    with pytest.raises(ValueError, match="square"):
        plots.image_maps({"odd": np.zeros(783)}, "t", "ink")


def test_histograms_on_curve_overlays_the_curve_on_each_histogram():
    values = {"small": RNG.normal(0, 1, 500), "large": RNG.normal(0, 90, 500)}
    fig = plots.histograms_on_curve(values, np.tanh, "Inputs", "z", "tanh(z)")
    assert_labelled(fig)
    small, large = (ax for ax in fig.axes if ax.patches)
    assert small.get_xlim()[1] >= 8 and large.get_xlim()[1] >= np.abs(values["large"]).max()
    twins = [ax for ax in fig.axes if ax.lines]
    assert len(twins) == 2 and twins[0].get_ylabel() == "tanh(z)"
    np.testing.assert_allclose(
        twins[0].lines[0].get_ydata(), np.tanh(twins[0].lines[0].get_xdata())
    )
    with pytest.raises(ValueError, match="empty"):
        plots.histograms_on_curve({"none": []}, np.tanh, "t", "z", "f")


def test_probability_bars_marks_the_true_class_by_colour_and_hatch():
    p = {"sure": np.eye(10)[3], "unsure": np.full(10, 0.1)}
    fig = plots.probability_bars(p, 3, "Guesses", notes={"sure": "loss 0"})
    assert_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "sure\nloss 0" and fig.axes[1].get_title() == "unsure"
    assert [bar.get_hatch() for bar in ax.patches[2:5]] == [None, "//", None]
    assert not same_color(ax.patches[3].get_facecolor(), ax.patches[2].get_facecolor())
    if hasattr(ax.patches[3], "get_hatchcolor"):  # the hatch must show on the green bar
        assert same_color(ax.patches[3].get_hatchcolor(), "black")
    with pytest.raises(ValueError, match="true_class 10"):
        plots.probability_bars(p, 10, "t")


def test_one_hot_matrix_draws_one_cell_per_entry():
    Y = np.eye(4)[[2, 0, 3]]
    fig = plots.one_hot_matrix(Y, ["a", "b", "c"], title="Targets")
    assert_labelled(fig)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), Y)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="row_labels"):
        plots.one_hot_matrix(Y, ["a"])
    with pytest.raises(ValueError, match=r"\(N, K\)"):
        plots.one_hot_matrix(np.zeros(4))


def test_drawing_keeps_settings_the_backend_makes_meanwhile():
    # Jupyter's inline backend switches interactive mode on when the first figure is drawn;
    # a figure function that restored every setting afterwards would switch it off again,
    # and no later figure in the notebook would be shown.
    @plots.styled
    def draw():
        plt.rcParams["interactive"] = True  # what the backend does, lazily
        return plt.figure()

    with plt.rc_context({"interactive": False, "font.size": 7}):
        draw()
        assert plt.rcParams["interactive"] is True
        assert plt.rcParams["font.size"] == 7  # the course style is undone


def test_drawing_steps_shows_each_stage_with_the_box_and_the_centre():
    drawn = np.zeros((40, 40))
    drawn[5:20, 8:12] = 1
    stages = {
        "drawn 40x40": drawn,
        "cropped 15x4": drawn[5:20, 8:12],
        "centred 28x28": RNG.random((28, 28)),
    }
    fig = plots.drawing_steps(stages)
    assert_labelled(fig)
    assert [ax.get_title() for ax in fig.axes] == list(stages)
    (box,) = fig.axes[0].patches  # the ink's bounding box
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (7.5, 4.5, 4, 15)
    (centre,) = fig.axes[-1].lines
    assert (centre.get_xdata()[0], centre.get_ydata()[0], centre.get_marker()) == (14, 14, "+")
    with pytest.raises(ValueError, match="2-D image"):
        plots.drawing_steps({"bad": np.zeros(3)})
    with pytest.raises(ValueError, match="empty"):
        plots.drawing_steps({})


def test_digit_probabilities_puts_each_image_above_its_bars():
    probabilities = np.full((3, 10), 0.02)
    probabilities[[0, 1, 2], [7, 1, 3]] = 0.82
    fig = plots.digit_probabilities(IMAGES[:3], probabilities, cols=2)
    assert_labelled(fig)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles == ["reads 7 (82%)", "reads 1 (82%)", "reads 3 (82%)"]
    bars = [ax for ax in fig.axes if ax.containers]
    assert len(bars) == 3 and len(bars[0].patches) == 10
    best = bars[0].patches[7]
    assert best.get_hatch() == "//" and not same_color(best.get_facecolor(), "#0072B2")
    assert [t.get_text() for t in bars[0].texts] == ["82%"]
    with pytest.raises(ValueError, match="one row per image"):
        plots.digit_probabilities(IMAGES[:3], probabilities[:2])
    with pytest.raises(ValueError, match="titles"):
        plots.digit_probabilities(IMAGES[:3], probabilities, titles=["a"])


def layer_signals(depth=3, scale=1.0):
    rng = np.random.default_rng(depth)
    return {
        "a": [rng.random((20, 5)) for _ in range(depth)],
        "dW": [scale * 10.0**-i * rng.normal(size=(5, 5)) for i in range(depth)],
    }


def test_layer_histograms_one_step_histogram_per_layer_activations_above_gradients():
    signals = layer_signals()
    signals["dW"][0][0, 0] = 0.0  # a zero gradient has no logarithm: left out
    fig = plots.layer_histograms({"at init": signals, "trained": layer_signals(scale=2)}, "Inside")
    assert_labelled(fig)
    axes = np.array(fig.axes).reshape(2, 2)
    assert [ax.get_title() for ax in axes[0]] == ["at init", "trained"]
    assert axes[0, 0].get_xlabel() == "activation"
    assert axes[1, 0].get_xlabel() == "log10 |dC/dW|"
    for ax in axes.flat:
        assert len(ax.patches) == 3  # one step histogram per hidden layer
        assert len({str(p.get_edgecolor()) for p in ax.patches}) == 3
        assert len({str(p.get_linestyle()) for p in ax.patches}) == 3
    # each histogram is a fraction of its layer's values: its bars add up to 1
    counts, _ = np.histogram(np.log10(np.abs(signals["dW"][0][signals["dW"][0] != 0])), 40)
    assert counts.sum() == 24
    heights = axes[1, 0].patches[0].get_xy()[:, 1]
    assert heights.max() <= 1 and heights.max() > 0
    assert axes[1, 0].get_xlim() == axes[1, 1].get_xlim()  # a row shares its x axis
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["layer 1", "layer 2", "layer 3"]


def test_layer_histograms_rejects_bad_columns():
    with pytest.raises(ValueError, match="empty"):
        plots.layer_histograms({}, "t")
    with pytest.raises(ValueError, match="missing"):
        plots.layer_histograms({"x": {"a": [np.ones(3)]}}, "t")
    with pytest.raises(ValueError, match="one 'a' and one 'dW'"):
        plots.layer_histograms({"x": {"a": [np.ones(3)], "dW": []}}, "t")
    with pytest.raises(ValueError, match="has 2 layers, not 3"):
        plots.layer_histograms({"x": layer_signals(3), "y": layer_signals(2)}, "t")


def test_a_figure_leaves_interactive_mode_as_drawing_it_left_it():
    # Jupyter switches interactive mode on while the first figure is drawn (it picks the
    # inline backend then); the course style must not switch it off again afterwards,
    # or Jupyter would show no later figure.
    @plots.styled
    def draw():
        plt.interactive(True)
        return plt.figure()

    was = plt.isinteractive()
    try:
        plt.interactive(False)
        draw()
        assert plt.isinteractive()
    finally:
        plt.interactive(was)


def test_spread_curves_puts_its_legend_below_the_plot_where_it_hides_no_curve():
    fig = plots.spread_curves(seed_runs(), "epoch", "val_accuracy", "optimizer", "Optimizers")
    assert fig.axes[0].get_legend() is None
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["SGD (mean of 3)", "Adam (mean of 3)"]
    assert legend.get_title().get_text() == "band: ± 1 sd"


def ladder_runs():
    """Three rungs of a ladder on three seeds, as recipes.read_csv gives them."""
    errors = {1: [1000, 1000, 1000], 2: [400, 410, 390], 3: [100, 90, 110]}
    return pd.DataFrame(
        [
            {
                "rung": rung,
                "name": name,
                "seed": seed,
                "val_errors": e,
                "val_accuracy": 1 - e / 5000,
            }  # fmt: skip
            for rung, name in [(1, "mean"), (2, "softmax"), (3, "network")]
            for seed, e in enumerate(errors[rung])
        ]
    )


def test_ladder_chart_draws_errors_per_rung_with_error_bars_and_labels():
    fig = plots.ladder_chart(ladder_runs(), title="Ladder")
    assert_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylim()[0] > ax.get_ylim()[1]  # fewer errors higher
    (bars,) = ax.containers
    np.testing.assert_allclose(bars.lines[0].get_ydata(), [1000, 400, 100])
    segments = bars.lines[2][0].get_segments()
    np.testing.assert_allclose([s[:, 1] for s in segments[1:]], [[390, 410], [90, 110]])
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["80.00%\n1,000 errors", "92.00%\n400 errors", "98.00%\n100 errors"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1. mean", "2. softmax", "3. network"]
    assert "of 5,000" in ax.get_ylabel() and "mean ± 1 sd of 3 seeds" in [
        t.get_text() for t in ax.get_legend().get_texts()
    ]
    (right,) = ax.child_axes  # the secondary axis: accuracy
    assert right.get_ylabel() == "validation accuracy"
    assert [t.get_text() for t in right.get_yticklabels()] == ["80%", "90%", "95%", "97%", "98%"]


def test_ladder_chart_refuses_a_table_without_the_ladder_columns():
    with pytest.raises(ValueError, match="missing columns"):
        plots.ladder_chart(ladder_runs().drop(columns="val_errors"))
    with pytest.raises(ValueError, match="empty"):
        plots.ladder_chart(ladder_runs().iloc[:0])


def test_a_backend_that_turns_interactive_mode_on_at_the_first_figure_keeps_it_on(monkeypatch):
    """Jupyter's inline backend switches interactive mode on when it draws the session's first
    figure, inside the course style; leaving the style must not switch it off, or no later
    figure of the notebook is shown."""
    figure = plt.figure

    def inline_backend_figure(*args, **kwargs):
        plt.interactive(True)
        return figure(*args, **kwargs)

    monkeypatch.setattr(plt, "figure", inline_backend_figure)
    with plt.rc_context({"interactive": False}):
        plots.histogram(IMAGES)
        assert plt.isinteractive()
    assert not plt.isinteractive()
