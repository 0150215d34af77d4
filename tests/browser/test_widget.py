"""The drawing widget in a real browser: JupyterLab 4 and Notebook 7, headless Chromium,
a stroke drawn with the mouse. Checks that the strokes Python received are the ones drawn, that a
prediction came back and that the bar chart shows it; saves a screenshot of the widget
to _build/screenshots/widget.png (Notebook 7's to widget-nb7.png).

`make test-site` runs it with the website's browser test (Debian's Chromium, from the
`chromium` fixture in tests/browser/conftest.py).
"""

import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from nnlib.course import drawing

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "_build" / "screenshots" / "widget.png"
#: The stroke the test draws, in canvas pixels: a 7, top bar then the slanted leg.
STROKE = [(70, 60), (200, 62), (150, 150), (115, 230)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, every: float = 0.2):
    """Poll ``condition()`` until it returns something true; return that, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def notebook_source(received: Path) -> str:
    """One cell: a DigitCanvas on a small throwaway network, which writes to ``received``
    whatever it was sent and what it read, every time it reads."""
    return f"""\
import json

import nnlib
from nnlib.course.widget import DigitCanvas

net = nnlib.mlp([784, 16, 10], rng=0)  # untrained: any prediction will do
pad = DigitCanvas(net)


def record(change=None):
    state = {{k: getattr(pad, k) for k in ("strokes", "probabilities", "pixels", "message")}}
    with open({str(received)!r}, "w") as f:
        json.dump({{**state, "prediction": pad.prediction}}, f)


pad.observe(record, names=["probabilities", "message"])
pad"""


#: The front ends: how to start each, and where it opens a notebook.
FRONT_ENDS = {
    "jupyterlab": (
        ["lab", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        "/lab/tree/widget.ipynb",
    ),
    "notebook7": (["notebook"], "/notebooks/widget.ipynb"),
}  # fmt: skip


@pytest.fixture(scope="module", params=list(FRONT_ENDS))
def lab(request, tmp_path_factory):
    """JupyterLab (or Notebook 7) on a free localhost port, no token, serving a temporary
    folder that holds widget.ipynb; yields (url of the notebook, folder)."""
    command, path = FRONT_ENDS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    received = folder / "received.json"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(notebook_source(received))]
    nbformat.write(nb, folder / "widget.ipynb")
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_CONFIG_DIR": str(folder / ".jupyter-config"),
        "JUPYTERLAB_SETTINGS_DIR": str(folder / ".lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(folder / ".lab-workspaces"),
    }
    log = open(folder / "lab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", *command, "--no-browser", "--allow-root",
         f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={folder}"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                return response.status == 200
        except OSError:
            return server.poll() is not None and pytest.fail(
                f"JupyterLab exited: {(folder / 'lab.log').read_text()[-2000:]}"
            )

    try:
        wait_for(up, 90, f"{request.param} to start")
        yield url + path, folder
    finally:
        server.terminate()  # it shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def page(chromium, lab):
    """A page of the session's headless Chromium, in a fresh context, with widget.ipynb open."""
    url, _ = lab
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(url)
        # Run the cell once the kernel is idle: a Shift+Enter pressed while it is still
        # starting only moves to the next cell. If the widget does not show, run it again.
        from playwright.sync_api import TimeoutError as Timeout

        for attempt in range(3):
            page.wait_for_selector("[data-status='idle']", timeout=60_000)
            page.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_selector(".nnlib-digit-canvas", timeout=30_000)
                break
            except Timeout:
                if attempt == 2:
                    raise
        yield page
    finally:
        context.close()


def read(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "received.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def distance_to_polyline(point, polyline) -> float:
    def segment(p, a, b):
        ax, ay, bx, by, px, py = *a, *b, *p
        length2 = (bx - ax) ** 2 + (by - ay) ** 2
        t = max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length2))
        return math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)))

    return min(segment(point, a, b) for a, b in zip(polyline, polyline[1:], strict=False))


def test_a_stroke_drawn_in_the_browser_is_read_in_python_and_shown(lab, page, request):
    _, folder = lab
    start = time.monotonic()
    canvas = page.locator(".nnlib-digit-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = box["width"] / drawing.CANVAS  # CSS pixels per canvas pixel (1 unless zoomed)
    at = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in STROKE]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=12)
    page.mouse.up()

    def final():
        state = read(folder)
        done = state and len(state["strokes"]) == 1 and state["probabilities"]
        return done and math.dist(state["strokes"][0][-1], STROKE[-1]) < 2 and state

    wait_for(final, 30, "Python to read the finished stroke")
    # Updates sent while drawing may still be in flight: wait until Python's latest
    # reading and what the page shows agree, then check that reading.
    root = page.locator(".nnlib-digit")
    message = page.locator(".nnlib-digit-message")

    def settled():
        state = final()
        shown = root.get_attribute("data-prediction"), message.inner_text()
        return state and shown == (str(state["prediction"]), state["message"]) and state

    state = wait_for(settled, 10, "the page to show Python's last reading")
    (received,) = state["strokes"]
    assert math.dist(received[0], STROKE[0]) < 2 and math.dist(received[-1], STROKE[-1]) < 2
    assert len(received) >= 20  # the points along the way, not just the ends
    assert max(distance_to_polyline(p, STROKE) for p in received) < 2  # all on the stroke drawn

    # Python read exactly what arrived, and sent back a reading.
    image = drawing.preprocess([received])
    assert state["pixels"] == [round(v * 255) for v in image.ravel().tolist()]
    assert len(state["probabilities"]) == 10 and abs(sum(state["probabilities"]) - 1) < 1e-5
    best = state["prediction"]
    assert state["message"] == f"reads {best} ({max(state['probabilities']):.1%})"

    # The bar chart shows that reading.
    column = page.locator(f".nnlib-digit-column[data-digit='{best}']")
    assert "nnlib-digit-best" in column.get_attribute("class")
    assert column.get_attribute("title") == f"{best}: {100 * max(state['probabilities']):.1f}%"
    bar, track = (
        column.locator(f".nnlib-digit-{part}").bounding_box() for part in ("bar", "track")
    )
    tallest = track["height"] - 16 - 1  # less the label above the bar and the axis line
    assert bar["height"] == pytest.approx(max(state["probabilities"]) * tallest, abs=1.5)
    seen = page.locator(".nnlib-digit-preview").evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data)"
    )
    assert [255 - v for v in seen[::4]] == state["pixels"]  # the 28 x 28 preview, ink dark
    print(f"drawn and read back in {time.monotonic() - start:.1f} s: {state['message']}")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOT if "jupyterlab" in request.node.name else SCREENSHOT.with_stem("widget-nb7")
    root.screenshot(path=str(shot))
    assert shot.stat().st_size > 5000


def test_clear_empties_the_canvas_in_python_too(lab, page):
    _, folder = lab
    page.locator(".nnlib-digit-clear").click()

    def cleared():
        state = read(folder)
        return state and state["strokes"] == [] and state["probabilities"] == [] and state

    state = wait_for(cleared, 30, "Python to see the canvas cleared")
    assert state["message"].startswith("draw a digit")
    root = page.locator(".nnlib-digit")
    wait_for(lambda: root.get_attribute("data-prediction") == "", 10, "the bars to reset")
    blank = page.locator(".nnlib-digit-canvas").evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
        ".every(v => v === 255)"
    )
    assert blank
