"""Draw a digit and watch the network read it: a Jupyter widget (notebook 11).

    pad = DigitCanvas(net)      # show it: the last line of a cell, or display(pad)

The learner draws on a canvas with mouse, pen or finger; each stroke goes to Python,
which preprocesses the drawing the way MNIST's digits were made (``nnlib.course.drawing``),
runs the network and sends its ten probabilities back to a bar chart beside the
canvas, with the 28 x 28 image the network read. The messages, all through the
widget's synced traits:

    browser -> Python   strokes         [[[x, y], ...], ...]: canvas pixels, one list per
                                        stroke; sent when a stroke ends, and every 0.2 s
                                        while one is being drawn
    Python -> browser   probabilities   ten floats, or [] when there is nothing to read
                        pixels          784 ints 0..255: what the network read
                        message         "reads 7 (93.1%)", or why there is nothing to read

The front end is the small ES module ``ESM`` below: plain DOM and a 2-D canvas, no
build step, nothing loaded from the network. ``anywidget`` carries it to JupyterLab,
Notebook 7, VS Code and Colab; it is the one optional dependency of nnlib, installed by
``pip install "nnlib-course[widget]"``, and only this module imports it.

``load_best_network`` loads (or trains, the first time) the network the notebook uses,
showing training progress in a display that ends as one fixed line, so the notebook's
stored output is the same either way.
"""

try:
    import anywidget
    import traitlets
except ImportError:  # pragma: no cover - tested in a subprocess
    raise ImportError(
        "nnlib.course.widget needs anywidget, which nnlib does not install by default: "
        'pip install "nnlib-course[widget]"'
    ) from None

import numpy as np

from nnlib import preprocessing
from nnlib.course import drawing
from nnlib.course.recipes import load_best_network  # noqa: F401 - notebook 11 imports it from here

#: What the widget says before anything is drawn (and after Clear).
PROMPT = "draw a digit with your mouse, pen or finger"

ESM = r"""
const SEND_EVERY_MS = 200;  // while a stroke is drawn, send it this often
const LABEL_PX = 16;  // the height kept free above the tallest bar for its percentage

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function render({ model, el }) {
  const size = model.get("size");
  const root = element("div", "nnlib-digit", el);
  const left = element("div", "nnlib-digit-left", root);
  const canvas = element("canvas", "nnlib-digit-canvas", left);
  canvas.setAttribute("aria-label", "drawing canvas: draw a digit");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(size * ratio);
  canvas.style.width = canvas.style.height = size + "px";
  const ctx = canvas.getContext("2d");
  const buttons = element("div", "nnlib-digit-buttons", left);
  const clear = element("button", "nnlib-digit-clear", buttons, "Clear");
  const message = element("div", "nnlib-digit-message", left);

  const right = element("div", "nnlib-digit-right", root);
  element("div", "nnlib-digit-caption", right, "what the network reads (28 x 28)");
  const preview = element("canvas", "nnlib-digit-preview", right);
  preview.width = preview.height = 28;
  const previewCtx = preview.getContext("2d");
  element("div", "nnlib-digit-caption", right, "probability of each digit");
  const chart = element("div", "nnlib-digit-chart", right);
  const bars = [];
  for (let k = 0; k < 10; k++) {
    const column = element("div", "nnlib-digit-column", chart);
    column.dataset.digit = String(k);
    const track = element("div", "nnlib-digit-track", column);
    const value = element("div", "nnlib-digit-value", track, "");  // just above the bar
    const bar = element("div", "nnlib-digit-bar", track);
    element("div", "nnlib-digit-label", column, String(k));
    bars.push({ column, value, bar });
  }

  let strokes = model.get("strokes").map((s) => s.slice());
  let current = null;  // the stroke being drawn, if any
  let lastSent = 0;

  function paint() {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = ctx.fillStyle = "#000000";
    ctx.lineWidth = model.get("brush");
    ctx.lineCap = ctx.lineJoin = "round";
    for (const stroke of strokes) {
      if (stroke.length === 1) {
        ctx.beginPath();
        ctx.arc(stroke[0][0], stroke[0][1], model.get("brush") / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(stroke[0][0], stroke[0][1]);
      for (const [x, y] of stroke.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  }

  function send() {
    lastSent = performance.now();
    model.set("strokes", strokes.map((s) => s.slice()));
    model.save_changes();
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    const round = (v) => Math.round(v * 10) / 10;
    return [round(((event.clientX - box.left) * size) / box.width),
            round(((event.clientY - box.top) * size) / box.height)];
  }

  function down(event) {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    paint();
  }

  function move(event) {
    if (!current) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) {
      const p = point(e);
      const last = current[current.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 1.5) current.push(p);
    }
    paint();
    if (performance.now() - lastSent > SEND_EVERY_MS) send();
  }

  function up(event) {
    if (!current) return;
    current = null;
    send();
  }

  function clearAll() {
    strokes = [];
    current = null;
    paint();
    send();
  }

  function showStrokes() {
    if (current) return;  // the learner is drawing: the canvas is ahead of the model
    strokes = model.get("strokes").map((s) => s.slice());
    paint();
  }

  function showReading() {
    const p = model.get("probabilities");
    const best = p.length ? p.indexOf(Math.max(...p)) : -1;
    root.dataset.prediction = best >= 0 ? String(best) : "";
    bars.forEach(({ column, value, bar }, k) => {
      const q = p.length ? p[k] : 0;
      bar.style.height = `calc((100% - ${LABEL_PX}px) * ${q.toFixed(4)})`;  // room for the label
      column.classList.toggle("nnlib-digit-best", k === best);
      column.title = p.length ? `${k}: ${(100 * q).toFixed(1)}%` : String(k);
      value.textContent = k === best ? (100 * q).toFixed(0) + "%" : "";
    });
    message.textContent = model.get("message");
  }

  function showPixels() {
    const pixels = model.get("pixels");
    const image = previewCtx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels.length ? 255 - pixels[i] : 255;  // ink is dark
      image.data.set([v, v, v, 255], 4 * i);
    }
    previewCtx.putImageData(image, 0, 0);
  }

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("lostpointercapture", up);
  clear.addEventListener("click", clearAll);
  model.on("change:strokes", showStrokes);
  model.on("change:probabilities", showReading);
  model.on("change:message", showReading);
  model.on("change:pixels", showPixels);
  paint();
  showReading();
  showPixels();
  return () => {
    model.off("change:strokes", showStrokes);
    model.off("change:probabilities", showReading);
    model.off("change:message", showReading);
    model.off("change:pixels", showPixels);
  };
}

export default { render };
"""

CSS = """
.nnlib-digit { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px;
  color: var(--jp-ui-font-color1, #222); }
.nnlib-digit-canvas { border: 2px solid #888; border-radius: 4px; background: #fff;
  touch-action: none; user-select: none; -webkit-user-select: none; cursor: crosshair; }
.nnlib-digit-buttons { margin-top: 6px; }
.nnlib-digit-clear { font-size: 13px; padding: 3px 14px; cursor: pointer; }
.nnlib-digit-message { margin-top: 6px; min-height: 1.3em; font-weight: bold; }
.nnlib-digit-caption { margin: 4px 0; color: var(--jp-ui-font-color2, #555); }
.nnlib-digit-preview { width: 84px; height: 84px; image-rendering: pixelated;
  border: 1px solid #888; background: #fff; }
.nnlib-digit-chart { display: flex; gap: 4px; height: 170px; padding-top: 4px; }
.nnlib-digit-column { display: flex; flex-direction: column; align-items: center; width: 22px; }
.nnlib-digit-track { flex: 1; width: 100%; display: flex; flex-direction: column;
  justify-content: flex-end; align-items: center; border-bottom: 1px solid #888; }
.nnlib-digit-value { font-size: 11px; line-height: 16px; white-space: nowrap; }
.nnlib-digit-bar { width: 100%; height: 0; background: #0072B2; }
.nnlib-digit-best .nnlib-digit-bar { background: repeating-linear-gradient(
  45deg, #E69F00 0 5px, #b77c00 5px 7px); }
.nnlib-digit-label { margin-top: 2px; }
.nnlib-digit-best .nnlib-digit-label { font-weight: bold; }
"""


class DigitCanvas(anywidget.AnyWidget):
    """A canvas to draw a digit on, and what ``network`` reads in it, live.

    ``network`` is anything with ``predict_proba(x)`` taking (N, 784) rows in [0, 1]
    and giving (N, 10) probabilities, like an nnlib ``Network``. ``strokes`` (optional)
    starts the canvas with a drawing: a list of strokes, each a list of (x, y) points in
    canvas pixels (see ``nnlib.course.drawing``). After the learner draws, ``pad.strokes`` holds
    the drawing, ``pad.image`` the (28, 28) image the network read, ``pad.probabilities``
    the ten probabilities and ``pad.prediction`` the digit read (None when empty).
    """

    _esm = ESM
    _css = CSS
    strokes = traitlets.List().tag(sync=True)
    probabilities = traitlets.List().tag(sync=True)
    pixels = traitlets.List().tag(sync=True)
    message = traitlets.Unicode(PROMPT).tag(sync=True)
    size = traitlets.Int(drawing.CANVAS).tag(sync=True)
    brush = traitlets.Float(drawing.BRUSH).tag(sync=True)

    def __init__(self, network, strokes=(), **kwargs):
        if not callable(getattr(network, "predict_proba", None)):
            raise TypeError(
                f"DigitCanvas needs a network with predict_proba(x), got {type(network).__name__}"
            )
        self.network = network
        self.image = None
        super().__init__(**kwargs)
        self.observe(self._read, names=["strokes", "size", "brush"])
        self.strokes = [p.tolist() for p in drawing.as_strokes(strokes)]

    def _read(self, change=None) -> None:
        """Preprocess the strokes, run the network, and send the result to the browser.

        The reading changes as one: observers run, and the browser hears, only once
        image, pixels, probabilities and message all describe the same drawing."""
        with self.hold_sync(), self.hold_trait_notifications():
            try:
                if not self.strokes:
                    raise ValueError(PROMPT)
                image = drawing.preprocess(self.strokes, self.size, self.brush)
            except ValueError as err:
                self.image, self.probabilities, self.pixels = None, [], []
                self.message = str(err)
                return
            p = self.network.predict_proba(preprocessing.flatten(image[None]))[0]
            self.image = image
            self.pixels = np.round(image * 255).astype(int).ravel().tolist()
            self.probabilities = [float(q) for q in p]
            self.message = f"reads {self.prediction} ({max(p):.1%})"

    @property
    def prediction(self) -> int | None:
        """The digit the network reads, or None when there is nothing to read."""
        return int(np.argmax(self.probabilities)) if self.probabilities else None

    def clear(self) -> None:
        """Wipe the canvas (as its Clear button does)."""
        self.strokes = []

    def __repr__(self) -> str:
        """A text that depends on the drawing only: "DigitCanvas: 2 strokes, reads 7 (93.1%)"."""
        n = len(self.strokes)
        return f"DigitCanvas: {n} stroke{'' if n == 1 else 's'}, {self.message}"
