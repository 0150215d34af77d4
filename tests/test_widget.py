"""nnlib.course.widget: the drawing widget's Python side, its text, and the best network loaded
with the same output whether it was on disk or trained just now."""

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import nnlib
from nnlib import persistence, preprocessing
from nnlib.course import drawing, recipes, widget

SEVEN = [[(30, 30), (120, 28), (70, 150)]]


@pytest.fixture(scope="module")
def net():
    return nnlib.mlp([784, 16, 10], rng=0)


def test_a_new_canvas_asks_for_a_digit(net):
    pad = widget.DigitCanvas(net)
    assert repr(pad) == "DigitCanvas: 0 strokes, draw a digit with your mouse, pen or finger"
    assert (pad.prediction, pad.image, pad.probabilities, pad.pixels) == (None, None, [], [])


def test_strokes_are_read_as_soon_as_they_arrive(net):
    pad = widget.DigitCanvas(net)
    pad.set_state({"strokes": SEVEN})  # what a message from the browser does
    image = drawing.preprocess(SEVEN)
    p = net.predict_proba(preprocessing.flatten(image[None]))[0]
    np.testing.assert_array_equal(pad.image, image)
    np.testing.assert_allclose(pad.probabilities, p)
    assert pad.prediction == p.argmax() and pad.pixels == np.round(image * 255).ravel().tolist()
    assert repr(pad) == f"DigitCanvas: 1 stroke, reads {p.argmax()} ({p.max():.1%})"


def test_the_text_repr_is_stable_and_the_view_is_a_separate_mimetype(net):
    strokes = drawing.sample_drawings()[4]["strokes"]
    first, second = widget.DigitCanvas(net, strokes), widget.DigitCanvas(net, strokes)
    data, _ = first._repr_mimebundle_()
    assert data["text/plain"] == repr(second)  # no model id, no memory address
    assert re.fullmatch(r"DigitCanvas: 2 strokes, reads \d \(\d+\.\d%\)", data["text/plain"])
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == first.model_id
    assert first.model_id != second.model_id  # which is why nbval skips that mimetype


def test_clear_and_an_empty_drawing(net):
    pad = widget.DigitCanvas(net, SEVEN)
    pad.strokes = [[(-50, -50)]]  # a dot off the canvas: no ink
    assert repr(pad) == "DigitCanvas: 1 stroke, the canvas is empty: draw a digit first"
    assert pad.probabilities == [] and pad.prediction is None
    pad.strokes = SEVEN
    pad.clear()
    assert pad.strokes == [] and pad.message == widget.PROMPT and pad.pixels == []


def test_an_observer_sees_a_whole_reading_never_half_of_one(net):
    """Observers of any part of the reading (the browser test records them to a file)
    run after all of it has changed: never new probabilities beside an old message."""
    pad = widget.DigitCanvas(net)
    seen = []

    def whole(change):
        seen.append(change.name)
        if p := pad.probabilities:
            assert pad.message == f"reads {int(np.argmax(p))} ({max(p):.1%})"
            assert len(pad.pixels) == 784 and pad.image is not None
        else:
            assert not pad.message.startswith("reads") and pad.pixels == []

    pad.observe(whole, names=["probabilities", "pixels", "message"])
    pad.strokes = SEVEN
    pad.clear()
    pad.strokes = [[(-50, -50)]]
    pad.strokes = SEVEN
    assert seen.count("message") == 4 and seen.count("probabilities") == 3


def test_the_pen_and_canvas_size_are_shared_with_the_browser(net):
    pad = widget.DigitCanvas(net, SEVEN)
    assert (pad.size, pad.brush) == (drawing.CANVAS, drawing.BRUSH)
    pad.brush = 8.0
    np.testing.assert_array_equal(pad.image, drawing.preprocess(SEVEN, brush=8.0))
    synced = pad.get_state()
    assert {"strokes", "probabilities", "pixels", "message", "size", "brush"} <= set(synced)


def test_a_network_is_required():
    with pytest.raises(TypeError, match="needs a network with predict_proba"):
        widget.DigitCanvas("a network")
    with pytest.raises(ValueError, match="stroke 0"):
        widget.DigitCanvas(nnlib.mlp([784, 10], rng=0), strokes=[[(1, 2, 3)]])


def test_the_front_end_is_self_contained():
    esm, css = widget.ESM, widget.CSS
    assert "export default" in esm
    assert not re.search(r"^\s*import\b|\bimport\(|https?://|fetch\(", esm, re.M)  # no network
    for event in ("pointerdown", "pointermove", "pointerup", "pointercancel"):
        assert f'"{event}"' in esm
    assert 'lineCap = ctx.lineJoin = "round"' in esm and "Clear" in esm
    assert "touch-action: none" in css


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_without_anywidget_the_error_says_how_to_install_it():
    result = run_python("""
        import sys
        sys.modules["anywidget"] = None  # as if it were not installed
        import nnlib.course.widget
    """)
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "ImportError: nnlib.course.widget needs anywidget, which nnlib does not install by "
        'default: pip install "nnlib-course[widget]"'
    )


def test_nnlib_itself_does_not_need_anywidget():
    result = run_python("""
        import sys
        sys.modules["anywidget"] = None
        from nnlib import training
        from nnlib.course import drawing, plots, recipes
        from nnlib.course.checks import your_own_digit
        print(drawing.preprocess([[(10, 10), (60, 90)]]).shape)
    """)
    assert result.stdout.strip() == "(28, 28)", result.stderr


# --- the best network: the same output from the model cache and from training ---------

TINY = replace(recipes.BEST, sizes=(784, 16, 10), epochs=2, batch_size=50)


def tiny_split():
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 784), dtype=np.float32), rng.integers(0, 10, 300)
    return {"x_train": x[:200], "y_train": y[:200], "x_val": x[200:], "y_val": y[200:]}


class FakeHandle:
    """Records what a notebook display would show: the first content and every update."""

    def __init__(self, shown):
        self.shown = [shown]

    def update(self, obj):
        self.shown.append(obj)


def test_load_best_network_ends_on_the_same_line_either_way(cache, monkeypatch, capsys):
    from IPython import display

    handles = []

    def fake_display(obj, display_id=None):
        assert display_id is True
        handles.append(FakeHandle(obj.data))
        return handles[-1]

    class Text:  # stands in for IPython's Pretty: keeps the text
        def __init__(self, data):
            self.data = data

    monkeypatch.setattr(display, "display", fake_display)
    monkeypatch.setattr(display, "Pretty", Text)
    monkeypatch.setattr(recipes, "BEST", TINY)
    monkeypatch.setattr(recipes, "mnist_split", lambda data_dir=None: tiny_split())
    line = "the best network (recipes.BEST), seed 0: mnist-best-seed0.npz"

    trained = widget.load_best_network(0)  # no file yet: trains, saves
    shown = [handles[0].shown[0]] + [u.data for u in handles[0].shown[1:]]
    assert shown[0] == shown[-1] == line
    assert any("epoch 1/2" in s for s in shown[1:-1]) and any("epoch 2/2" in s for s in shown)
    assert capsys.readouterr().out == ""  # progress went to the display only
    assert recipes.best_path(0).exists()
    history = recipes.best_history(0)  # kept beside the model, without timings
    assert list(history["epoch"]) == [1, 2] and "seconds" not in history

    loaded = widget.load_best_network(0)  # now read from the file
    assert handles[1].shown == [line]  # no progress: nothing to update
    x = tiny_split()["x_val"]
    np.testing.assert_array_equal(trained.predict_proba(x), loaded.predict_proba(x))


# The same, end to end: a notebook executed as `make execute` does (nbclient), then
# checked as CI does (pytest --nbval), with the model file there and not there.

NOTEBOOK_CELLS = [
    """\
from dataclasses import replace
import numpy as np
from nnlib.course import recipes
rng = np.random.default_rng(0)
x, y = rng.random((300, 784), dtype=np.float32), rng.integers(0, 10, 300)
split = {"x_train": x[:200], "y_train": y[:200], "x_val": x[200:], "y_val": y[200:]}
recipes.BEST = replace(recipes.BEST, sizes=(784, 16, 10), epochs=2, batch_size=50)
recipes.mnist_split = lambda data_dir=None: split""",
    """\
from nnlib.course.widget import DigitCanvas, load_best_network
net = load_best_network(0)""",
    "print(net.predict_proba(x[:2]).round(6))",
    f"DigitCanvas(net, strokes={SEVEN!r})",
]


def execute(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300, record_timing=False).execute()
    nbformat.write(nb, path)
    return nb


def compared(nb) -> list:
    """What nbval compares of each cell's outputs (no metadata, no widget views)."""
    view = "application/vnd.jupyter.widget-view+json"
    return [
        [
            {
                **{k: v for k, v in o.items() if k not in ("metadata", "execution_count", "data")},
                **{k: v for k, v in o.get("data", {}).items() if k != view},
            }  # fmt: skip
            for o in cell.outputs
        ]
        for cell in nb.cells
    ]


def nbval(path: Path) -> subprocess.CompletedProcess:
    (path.parent / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p",
         "no:cacheprovider", "-q", "-c", str(path.parent / "pytest.ini"), str(path)],
        capture_output=True, text=True, timeout=300, cwd=path.parent,
    )  # fmt: skip


def test_a_notebook_stores_and_checks_the_same_output_from_file_or_training(
    cache, monkeypatch, tmp_path
):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in NOTEBOOK_CELLS]
    trained, loaded = tmp_path / "trained.ipynb", tmp_path / "loaded.ipynb"
    nbformat.write(nb, trained)
    nbformat.write(nb, loaded)
    model = cache / "models" / "mnist-best-seed0.npz"

    stored_trained = execute(trained)  # no model file: the network is trained
    assert model.exists()
    stored_loaded = execute(loaded)  # the file is there: it is read
    assert compared(stored_trained) == compared(stored_loaded)
    assert compared(stored_loaded)[1] == [
        {"output_type": "display_data", "text/plain": (
            "the best network (recipes.BEST), seed 0: mnist-best-seed0.npz")}
    ]  # fmt: skip
    assert "DigitCanvas: 1 stroke, reads" in json.dumps(compared(stored_loaded)[3])

    # With the file there, nbval sees what nbclient stored (no updates to ignore): the
    # outputs just compared. Without it, nbval sees the display as first shown:
    persistence.load(model)  # (a real model file)
    model.unlink()
    result = nbval(loaded)  # stored from the file, checked while training
    assert result.returncode == 0, result.stdout[-3000:]
    assert model.exists() and "4 passed" in result.stdout
