import matplotlib

matplotlib.use("Agg")  # draw off-screen: no windows during tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import same_color  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib import plots  # noqa: E402

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
