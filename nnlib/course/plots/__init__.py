"""Plots: every figure the course draws, in one style.

Each function draws one new figure with matplotlib and returns it; a notebook
displays it, a script can call ``fig.savefig("name.png")``. Nothing calls
``plt.show()``. Images are square grayscale pictures, given as (N, 28, 28) or
flattened as (N, 784); any square side works.

Where to find a figure:

    style      the course's one style (``STYLE``, the Okabe-Ito palette, ``use_style``)
    images     digits and pictures: grids, mistakes, hidden units, pixel maps, a drawing
    charts     numbers: training curves, spreads over seeds, confusion matrix, bars, lines
    diagrams   a network's layers and computational graphs, drawn by code

Every name is also here, so a notebook writes ``plots.training_curves(...)``.
"""

from nnlib.course.plots.charts import (
    activation_curves,
    bar_chart,
    confusion_heatmap,
    histogram,
    histograms_on_curve,
    ladder_chart,
    layer_histograms,
    line_plot,
    loglog_plot,
    softmax_bars,
    spread_curves,
    training_curves,
)
from nnlib.course.plots.diagrams import (
    BACKWARD_COLOR,
    FORWARD_COLOR,
    NEURON_EDGES,
    NEURON_NODES,
    backprop_graph,
    network_diagram,
    neuron_graph,
)
from nnlib.course.plots.images import (
    digit_grid,
    digit_probabilities,
    drawing_steps,
    hidden_units,
    image_maps,
    misclassified_gallery,
    one_hot_matrix,
    probability_bars,
)
from nnlib.course.plots.style import (
    LINESTYLES,
    MARKERS,
    MAX_IMAGES,
    PALETTE,
    STYLE,
    series_style,
    styled,
    use_style,
)

__all__ = [
    "BACKWARD_COLOR",
    "FORWARD_COLOR",
    "LINESTYLES",
    "MARKERS",
    "MAX_IMAGES",
    "NEURON_EDGES",
    "NEURON_NODES",
    "PALETTE",
    "STYLE",
    "activation_curves",
    "backprop_graph",
    "bar_chart",
    "confusion_heatmap",
    "digit_grid",
    "digit_probabilities",
    "drawing_steps",
    "hidden_units",
    "histogram",
    "histograms_on_curve",
    "image_maps",
    "ladder_chart",
    "layer_histograms",
    "line_plot",
    "loglog_plot",
    "misclassified_gallery",
    "network_diagram",
    "neuron_graph",
    "one_hot_matrix",
    "probability_bars",
    "series_style",
    "softmax_bars",
    "spread_curves",
    "styled",
    "training_curves",
    "use_style",
]
