"""The course's recipes: the ladder from a classifier that learns nothing to the best network.

A recipe is a network and how to train it, as plain data. ``LADDER`` climbs from the
nearest class mean to the course's best network, one change per rung (``changes``
lists exactly which settings each rung alters). ``BEST``, the top rung, is the network
notebook 08 trains and notebook 11 reads handwriting with (``best_network`` trains it
once and keeps it in the model cache).

    python -m nnlib ladder      trains every rung on three seeds (``run_ladder``) and
                                writes nnlib/course/ladder.csv (``write_csv``) and the
                                README's table (``write_readme``): the numbers the
                                course publishes, the same to the last digit on every
                                x86-64 CPU (the command pins NumPy's kernels first)

The table ships inside the package (``read_csv()`` reads it), and so does the best
network's training history; the network itself (5 MB) is downloaded, verified, from
the course's release the first time it is needed (``best_network``), so a notebook on
a fresh machine (Colab) needs nothing from the repository.

Every choice here was made on the validation split (``mnist_split``: the first 5,000
images of a seeded shuffle of the 60,000 training images), never on the test set. The
test set is evaluated once per seed, for the top rung only.
"""

import contextlib
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import pandas as pd

from nnlib import data, files, optimizers, persistence, preprocessing
from nnlib.course.experiments import summary
from nnlib.errors import DataError
from nnlib.network import Network, mlp
from nnlib.training import evaluate, fit


@dataclass(frozen=True)
class Recipe:
    """A network (``sizes``, activations, loss, initialization, dropout) and its training
    (optimizer, learning rate decayed by ``lr_decay`` per epoch, batch size, epochs).
    ``kind='nearest_mean'`` is the rung below learning: no network at all."""

    name: str  # a short label: the rung's change, as the table and the figure show it
    change: str  # what this rung changes, in one line
    sizes: tuple[int, ...] = (784, 30, 10)
    activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "normal"
    dropout: float = 0.0
    optimizer: str = "sgd"
    lr: float = 3.0
    lr_decay: float = 1.0
    batch_size: int = 10
    epochs: int = 30
    kind: str = "network"

    def network(self, seed: int) -> Network:
        """The untrained network, its weights (and dropout masks) drawn with ``seed``."""
        return mlp(
            self.sizes,
            activation=self.activation,
            output=self.output,
            loss=self.loss,
            init=self.init,
            dropout=self.dropout,
            rng=seed,
        )

    def describe(self) -> str:
        """The whole recipe in one line: what the CSV's ``recipe`` column records."""
        if self.kind == "nearest_mean":
            return "nearest class mean, Euclidean distance; no training"
        sizes = "-".join(map(str, self.sizes))
        hidden = f"{self.activation} hidden, " if len(self.sizes) > 2 else ""
        dropout = f", dropout {self.dropout:g}" if self.dropout else ""
        decay = f" x{self.lr_decay:g}/epoch" if self.lr_decay != 1 else ""
        return (
            f"{sizes}, {hidden}{self.output} output, {self.loss} loss, {self.init} init{dropout}; "
            f"{self.optimizer} lr {self.lr:g}{decay}, batch {self.batch_size}, "
            f"{self.epochs} epoch{'s' * (self.epochs != 1)}"
        )


def changes(before: Recipe, after: Recipe) -> str:
    """The settings in which ``after`` differs from ``before``, e.g. 'init normal -> he'."""
    if before.kind != after.kind:
        return f"{before.kind} -> {after.kind}"
    skip = {"name", "change", "kind"}
    return "; ".join(
        f"{f.name} {_show(getattr(before, f.name))} -> {_show(getattr(after, f.name))}"
        for f in fields(Recipe)
        if f.name not in skip and getattr(before, f.name) != getattr(after, f.name)
    )


def _show(value) -> str:
    if isinstance(value, tuple):
        return "-".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


# The rungs, each the one before with one change (``changes`` lists the settings). Every
# learning rate, schedule and epoch count was chosen on the validation split of
# ``mnist_split``, seeds 0-2 (notebook 10 says why each change helps). Where a change alters
# the size of the gradients (loss, activation, optimizer, width), the learning rate was
# re-tuned: each change is measured at its own best rate.
_NEAREST = Recipe(
    "nearest class mean",
    "no learning: predict the digit whose mean training image is closest",
    kind="nearest_mean",
)
# lr 0.5 swings between 84% and 91% from epoch to epoch; 0.01-0.02 settle near 92%.
_SOFTMAX = Recipe(
    "softmax regression",
    "learn one layer of weights: 784-10, softmax output, cross-entropy, SGD",
    sizes=(784, 10), output="softmax", loss="cross_entropy", init="he", lr=0.02, epochs=10,
)  # fmt: skip
_NIELSEN = Recipe(
    "Nielsen's network",
    "a hidden layer of 30 sigmoid units, trained as in Nielsen's chapter 1: sigmoid output, "
    "quadratic loss, N(0, 1) weights and biases, SGD lr 3.0, 30 epochs",
)  # every setting is Recipe's default: sizes (784, 30, 10), sigmoid, mse, normal, ...
_SCALED = replace(
    _NIELSEN, name="better initialization", change="weights N(0, 1/n_in) instead of N(0, 1)",
    init="normal_scaled",
)  # fmt: skip
# Softmax output beat Nielsen's sigmoid output with cross-entropy (chapter 3) on validation;
# lr 0.05 beat 0.1 and 0.5.
_CROSS = replace(
    _SCALED, name="cross-entropy",
    change="softmax output with cross-entropy instead of sigmoid output with quadratic loss",
    output="softmax", loss="cross_entropy", lr=0.05,
)  # fmt: skip
# lr 0.05 and 0.02 tie; 0.1 is worse.
_RELU = replace(
    _CROSS, name="ReLU + He", change="ReLU hidden units with He initialization instead of sigmoid",
    activation="relu", init="he",
)  # fmt: skip
# With 30 hidden units Adam cannot add much accuracy; what it adds is speed: 20 epochs of
# 430 steps instead of 30 of 5,500. Decay 0.9 over 20 epochs beat 0.8 over 10 or 15.
_ADAM = replace(
    _RELU, name="Adam + schedule",
    change="Adam instead of SGD, learning rate decayed by 0.9 per epoch, minibatches of 128, "
    "20 epochs",
    optimizer="adam", lr=0.005, lr_decay=0.9, batch_size=128, epochs=20,
)  # fmt: skip
# For the wide network lr 0.002 and 0.005 tie without dropout; with dropout 0.002 wins.
_WIDE = replace(
    _ADAM, name="width",
    change="two hidden layers of 800 units instead of one of 30 (Adam's rate re-tuned)",
    sizes=(784, 800, 800, 10), lr=0.002,
)  # fmt: skip
# Dropout needs the 20 epochs: over 10 epochs (decay 0.8) or 15 (decay 0.85) it gained
# nothing on validation, while the network without it gains nothing from the extra epochs.
BEST = replace(
    _WIDE, name="dropout", change="dropout 0.3 after each hidden layer", dropout=0.3
)  # fmt: skip

LADDER = [_NEAREST, _SOFTMAX, _NIELSEN, _SCALED, _CROSS, _RELU, _ADAM, _WIDE, BEST]


def rungs(ladder: list[Recipe] | None = None) -> pd.DataFrame:
    """The ladder as a table, one row per rung: its name, its change in words, the exact
    settings it changes from the rung below (``changes``) and the whole recipe."""
    ladder = LADDER if ladder is None else ladder
    steps = zip(ladder, ladder[1:], strict=False)
    settings = ["(the first rung)"] + [changes(a, b) for a, b in steps]
    return pd.DataFrame(
        {
            "name": [r.name for r in ladder],
            "change": [r.change for r in ladder],
            "settings changed": settings,
            "recipe": [r.describe() for r in ladder],
        },
        index=pd.RangeIndex(1, len(ladder) + 1, name="rung"),
    )


def mnist_split(data_dir=None) -> dict[str, np.ndarray]:
    """MNIST for the recipes: 55,000 training and 5,000 validation images (a shuffle with
    seed 0, the same for every recipe and seed), and the 10,000 test images. Images are
    float32 rows in [0, 1]; labels int64."""
    x_train, y_train, x_test, y_test = data.load_mnist(data_dir)
    x_train, x_test = (preprocessing.scale(preprocessing.flatten(x)) for x in (x_train, x_test))
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    x_train, y_train, x_val, y_val = preprocessing.train_val_split(x_train, y_train, 5000, rng=0)
    return {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
            "x_test": x_test, "y_test": y_test}  # fmt: skip


class NearestMean:
    """Predicts the class whose mean training image is closest (Euclidean distance)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, num_classes: int = 10):
        self.means = np.stack([x[y == k].mean(axis=0) for k in range(num_classes)])

    def predict(self, x: np.ndarray) -> np.ndarray:
        # ||x - m||^2 = ||x||^2 - 2 x.m + ||m||^2; ||x||^2 is the same for every class.
        return np.argmin(-2 * x @ self.means.T + (self.means**2).sum(axis=1), axis=1)


def train(recipe: Recipe, seed: int, split: dict, verbose: bool = False):
    """Train ``recipe`` with ``seed`` on ``split`` (see ``mnist_split``): (model, history).

    The history is ``fit``'s, validated on the split's validation images; the nearest
    mean classifier has none (an empty DataFrame).
    """
    if recipe.kind == "nearest_mean":
        return NearestMean(split["x_train"], split["y_train"]), pd.DataFrame()
    net = recipe.network(seed)
    optimizer = optimizers.get(recipe.optimizer, lr=recipe.lr)
    history = fit(
        net,
        split["x_train"],
        split["y_train"],
        optimizer=optimizer,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        rng=seed,
        validation_data=(split["x_val"], split["y_val"]),
        lr_schedule=lambda epoch: recipe.lr * recipe.lr_decay ** (epoch - 1),
        verbose=verbose,
    )
    return net, history


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """The fraction of ``x`` that ``model`` (a network or NearestMean) classifies right."""
    if isinstance(model, Network):
        return evaluate(model, x, y)[1]
    return float(np.mean(model.predict(x) == y))


# ----------------------------------------------------------------------------------------
# The ladder's table: every rung on every seed (python -m nnlib ladder)

#: The columns of the ladder's table (``LADDER_CSV``). Training times are not among them:
#: they differ from run to run, and the file must be the same wherever it is regenerated.
COLUMNS = ["rung", "name", "change", "recipe", "seed", "val_accuracy", "val_errors",
           "test_accuracy", "test_errors"]  # fmt: skip
#: What ``--quick`` trains on: the first 2,000 training images, one epoch per rung.
QUICK_TRAIN_SIZE = 2000


def quick(recipe: Recipe) -> Recipe:
    """``recipe`` cut to one epoch (``python -m nnlib ladder --quick``, for the tests)."""
    return replace(recipe, epochs=1)


def run_ladder(
    seeds: Iterable[int] = (0, 1, 2),
    *,
    split: dict | None = None,
    quick_run: bool = False,
    data_dir=None,
    progress: Callable[[str], None] | None = print,
) -> pd.DataFrame:
    """Train every rung of ``LADDER`` with every seed: one row per run, ``COLUMNS`` and
    ``seconds`` (the training time). Validation accuracy and errors (of 5,000) for every
    run; the test set (errors of 10,000) only for the top rung, once per seed.

    ``quick_run`` trains each rung for one epoch on ``QUICK_TRAIN_SIZE`` images (a test
    that the machinery works, not a result). ``progress`` gets one line per run.
    """
    seeds = list(seeds)
    split = dict(split or mnist_split(data_dir))
    ladder = LADDER
    if quick_run:
        split["x_train"] = split["x_train"][:QUICK_TRAIN_SIZE]
        split["y_train"] = split["y_train"][:QUICK_TRAIN_SIZE]
        ladder = [quick(recipe) for recipe in LADDER]
    rows = []
    for rung, recipe in enumerate(ladder, start=1):
        top = rung == len(ladder)
        for seed in seeds:
            start = time.perf_counter()
            model, _ = train(recipe, seed, split)
            seconds = time.perf_counter() - start
            row = {"rung": rung, "name": recipe.name, "change": recipe.change,
                   "recipe": recipe.describe(), "seed": seed}  # fmt: skip
            row.update(_scores(model, split["x_val"], split["y_val"], "val"))
            row.update(
                _scores(model, split["x_test"], split["y_test"], "test")
                if top
                else {"test_accuracy": np.nan, "test_errors": pd.NA}
            )
            row["seconds"] = seconds
            rows.append(row)
            if progress is not None:
                progress(_progress_line(row, len(ladder), len(split["y_val"])))
    return as_table(pd.DataFrame(rows))


def _scores(model, x, y, prefix: str) -> dict:
    correct = round(accuracy(model, x, y) * len(y))
    return {f"{prefix}_accuracy": correct / len(y), f"{prefix}_errors": len(y) - correct}


def _progress_line(row: dict, rungs: int, n_val: int) -> str:
    line = (
        f"rung {row['rung']}/{rungs} {row['name']:<21} seed {row['seed']}: "
        f"val {row['val_accuracy']:.2%} ({row['val_errors']} errors of {n_val:,})"
    )
    if not pd.isna(row["test_errors"]):
        line += f", test {row['test_accuracy']:.2%} ({row['test_errors']} errors)"
    return f"{line}  {row['seconds']:.1f} s"


def as_table(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with the ladder's column types (test errors are missing below the top rung)."""
    runs = runs.astype({"rung": int, "seed": int, "val_accuracy": float, "val_errors": int,
                        "test_accuracy": float, "test_errors": "Int64"})  # fmt: skip
    return runs


#: The ladder's published runs, package data beside this module (``read_csv()``).
LADDER_CSV = "ladder.csv"


def published_csv_path() -> Path:
    """Where ``python -m nnlib ladder`` writes the published table: this package's
    ``LADDER_CSV`` (in a checkout or an editable install, nnlib/course/ladder.csv)."""
    return Path(__file__).with_name(LADDER_CSV)


def write_csv(runs: pd.DataFrame, path) -> Path:
    """Write the ``COLUMNS`` of ``runs`` to ``path`` as CSV, atomically: a temporary file in
    the same folder, renamed over ``path`` only once complete."""
    text = runs[COLUMNS].to_csv(index=False, lineterminator="\n")
    return files.write_atomically(path, lambda f: f.write(text.encode("utf-8")))


def read_csv(path=None) -> pd.DataFrame:
    """The ladder's runs as ``write_csv`` wrote them to ``path``; by default the table the
    course publishes, shipped with the package (``LADDER_CSV``)."""
    if path is None:
        with (resources.files(__package__) / LADDER_CSV).open("rb") as f:
            return read_csv(f)
    runs = pd.read_csv(path, dtype={"test_errors": "Int64"})
    missing = set(COLUMNS) - set(runs.columns)
    if missing:
        name = Path(getattr(path, "name", str(path))).name
        raise ValueError(f"{name} is not a ladder table: it lacks {sorted(missing)}")
    return as_table(runs[COLUMNS])


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per rung: its name and change, the validation accuracy and errors (of
    5,000) as "mean ± sd" over the seeds (``experiments.summary``), the test accuracy
    and errors (of 10,000) where measured (the top rung), and the number of seeds."""
    out = runs.groupby("rung", sort=True)[["name", "change"]].first()
    columns = {"val_accuracy": "{:.2%}", "val_errors": "{:.0f}",
               "test_accuracy": "{:.2%}", "test_errors": "{:.0f}"}  # fmt: skip
    for metric, fmt in columns.items():
        measured = runs.dropna(subset=[metric]).astype({metric: float})
        stats = summary(measured, "rung", metric, fmt)
        out[metric] = stats["mean ± sd"].reindex(out.index).fillna("")
    out["seeds"] = runs.groupby("rung")["seed"].nunique()
    return out


README_START, README_END = "<!-- ladder:start -->", "<!-- ladder:end -->"


def readme_table(runs: pd.DataFrame) -> str:
    """The README's table of the ladder (markdown), from ``runs``."""
    rows = table(runs)
    seeds = rows["seeds"].max()
    lines = [
        f"| rung | change | validation accuracy ({seeds} seeds) | test accuracy |",
        "| ---: | --- | ---: | ---: |",
    ]
    for rung, row in rows.iterrows():
        lines.append(
            f"| {rung} | **{row['name']}**: {row['change']} | {row['val_accuracy']} "
            f"| {row['test_accuracy']} |"
        )
    return "\n".join(lines)


def _readme_block(text: str, name: str = "README") -> tuple[int, int]:
    """Where the ladder's table sits in ``text``: the span of its lines starting with '|'
    between the markers."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{name} has no {README_START} ... {README_END} block")
    block = text[start:end]
    first = block.find("\n|")
    if first < 0:
        return end, end  # no table yet: it goes just before the end marker
    first += 1
    last = first
    while last < len(block) and block.startswith("|", last):
        last = block.find("\n", last) + 1 or len(block)
    return start + first, start + last


def readme_table_in(text: str, name: str = "README") -> str:
    """The ladder's table as the README (``text``) holds it."""
    first, last = _readme_block(text, name)
    return text[first:last].rstrip("\n")


def write_readme(path, runs: pd.DataFrame) -> Path:
    """Rewrite the table between the ladder markers of the README at ``path`` from ``runs``,
    leaving every other line as it is."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    first, last = _readme_block(text, path.name)
    path.write_text(text[:first] + readme_table(runs) + "\n" + text[last:], encoding="utf-8")
    return path


#: The NumPy the published numbers were computed with (requirements.txt pins it): another
#: version may compute some functions differently in their last bits.
PUBLISHED_NUMPY = "2.4.6"


def pinned_or_why_not() -> str | None:
    """None when this process computes the ladder's published numbers to the last digit:
    the published NumPy (``PUBLISHED_NUMPY``) running the pinned kernels on a supported
    CPU; otherwise why not (one line)."""
    from nnlib.course import reproducible

    reason = reproducible.unsupported_reason()
    if reason:
        return reason
    if np.__version__ != PUBLISHED_NUMPY:
        return f"this is NumPy {np.__version__}, the published numbers come from {PUBLISHED_NUMPY}"
    live = reproducible.status()
    if live != reproducible.pinned_status():
        return (
            f"NumPy runs {reproducible.describe(live)}, not the pinned "
            f"{reproducible.describe(reproducible.pinned_status())}"
        )
    return None


# ----------------------------------------------------------------------------------------
# The best network, trained once and kept


def best_path(seed: int = 0, data_dir=None) -> Path:
    """Where the best network trained with ``seed`` is kept: ``<data dir>/models/``.
    Its training history is kept beside it (``best_history``)."""
    return Path(data.data_dir(data_dir)) / "models" / f"mnist-best-seed{seed}.npz"


def _history_path(seed: int, data_dir) -> Path:
    return best_path(seed, data_dir).with_suffix(".history.csv")


#: The SHA-256 of each best network the course's release publishes, by seed: the file
#: ``python -m nnlib ladder``'s machine, or any pinned one, trains (``persistence.save``
#: writes equal networks as equal bytes). Its history ships in the package beside this
#: module. Retrain the best network after changing ``BEST``, and put the new digest here.
BEST_SHA256 = {0: "4fa76525f5394487fb567493fad4579b8cbb5e2eea5cca1305454f37397d11e2"}
#: The recipe those files were trained with.
_PUBLISHED = BEST


def release_url() -> str | None:
    """Where the course's release keeps its files (the best network), e.g.
    https://github.com/OWNER/NAME/releases/download/v0.2.0/, from the installed package's
    metadata (pyproject.toml's Repository and version); None if it is not installed."""
    try:
        meta = metadata.metadata("nnlib-course")
    except metadata.PackageNotFoundError:
        return None
    urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL") or [])
    if "Repository" not in urls:
        return None
    return f"{urls['Repository'].rstrip('/')}/releases/download/v{meta['Version']}/"


def released_models() -> data.Dataset:
    """The published best networks as a dataset ``nnlib.data`` downloads and verifies:
    cached in ``<data dir>/models`` (``best_path``), mirrors from $NNLIB_MODELS_MIRRORS
    (a folder or file:// URL holding the .npz files), then the release (``release_url``)."""
    files = {
        f"seed{seed}": data.FileSpec(best_path(seed, ".").name, sha256, ())
        for seed, sha256 in BEST_SHA256.items()
    }
    url = release_url()
    return data.Dataset(name="models", files=files, mirrors=(url,) if url else ())


def best_network(seed: int = 0, data_dir=None, verbose: bool = True) -> Network:
    """The course's best network (``BEST``) trained with ``seed``: read from the model
    cache (``best_path``) if it is there; otherwise downloaded, verified, from the course's
    release (``released_models``: 5 MB, seconds) if it publishes this seed; otherwise
    trained (minutes; a progress line per epoch). Either way it is saved there, with its
    history, for next time, and it is the same network to the last bit: training is
    seeded, the notebooks pin NumPy's kernels, and the release's file is what a pinned
    machine trains."""
    path, history_path = best_path(seed, data_dir), _history_path(seed, data_dir)
    if path.exists() and history_path.exists():
        return persistence.load(path)
    if BEST == _PUBLISHED and seed in BEST_SHA256:
        try:
            data.fetch_file(released_models(), f"seed{seed}", data_dir)
        except DataError as err:
            if verbose:
                print(f"the published network could not be downloaded, so it is trained: {err}")
        else:
            history = resources.files(__package__) / history_path.name
            history_path.write_bytes(history.read_bytes())
            if verbose:
                print(f"downloaded and verified the published network: {path.name}")
            return persistence.load(path)
    if verbose:
        print(f"training the best network ({BEST.describe()}), seed {seed}")
    net, history = train(BEST, seed, mnist_split(data_dir), verbose=verbose)
    path.parent.mkdir(parents=True, exist_ok=True)
    history.drop(columns="seconds").to_csv(history_path, index=False)  # no timing kept
    persistence.save(net, path)  # last: a model file always has its history beside it
    return net


def best_history(seed: int = 0, data_dir=None) -> pd.DataFrame:
    """The per-epoch history (``fit``'s, without the timings) of ``best_network(seed)``,
    which must have been trained or read first."""
    path = _history_path(seed, data_dir)
    if not path.exists():
        raise FileNotFoundError(f"no history at {path.name}: call best_network({seed}) first")
    history = pd.read_csv(path)
    history.attrs["validation_label"] = "validation"
    return history


class _Progress(io.TextIOBase):
    """A text stream that shows what is written to it in a display: the heading, then
    the lines so far (``handle.update``, which redraws the display in place)."""

    def __init__(self, handle, heading: str, make):
        self.handle, self.heading, self.make, self.text = handle, heading, make, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        self.handle.update(self.make(f"{self.heading}\n{self.text.rstrip()}"))
        return len(text)


def load_best_network(seed: int = 0, data_dir=None) -> Network:
    """``best_network(seed)`` for a notebook: the same network, and the same output
    whether it was read from the model cache or trained just now.

    It displays one line naming the network and its file. If the network has to be
    trained first (about two minutes on a laptop), the progress lines appear under
    that line as training goes, and when it is done the display is put back to the
    one line. So the output a notebook stores is that line either way: Jupyter stores
    a display as it was last updated, and ``pytest --nbval`` compares the display as
    first shown (it ignores updates). Outside IPython, progress is printed as usual.
    """
    from IPython.display import Pretty, display

    line = f"the best network (recipes.BEST), seed {seed}: {best_path(seed, data_dir).name}"
    handle = display(Pretty(line), display_id=True)
    if handle is None:  # not in IPython: display() printed the line
        return best_network(seed, data_dir)
    progress = _Progress(handle, line, Pretty)
    with contextlib.redirect_stdout(progress):
        net = best_network(seed, data_dir)
    if progress.text:  # it was trained: back to the one line
        handle.update(Pretty(line))
    return net
