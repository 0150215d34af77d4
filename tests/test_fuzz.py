"""Fuzzing: random model files and random degenerate arrays.

Every property asks for one of two outcomes: a correct result, or nnlib's own error
(``ModelFileError`` from ``load``; ``ValueError``/``TypeError`` from the array
functions) with a one-line message. Any other exception fails the test, and so
does a ``load`` that needs more memory than the file's own arrays justify.

The example counts are fixed and the examples derandomized, so the suite is the
same on every run and takes a few seconds.
"""

import json
import os
import subprocess
import sys
import tracemalloc
import warnings

import modelfiles
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nnlib import activations, evaluate, fit, losses, metrics, mlp, optimizers, persistence
from nnlib import preprocessing as pre
from nnlib.errors import ModelFileError
from nnlib.layers import ActivationLayer, Dense, Dropout
from nnlib.network import Network


def fuzz(examples: int):
    """A fixed number of derandomized examples, no deadline, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def load_or_refuse(path):
    """``persistence.load(path)``: a Network, or None after a proper one-line ModelFileError."""
    try:
        return persistence.load(path)
    except ModelFileError as e:
        message = str(e)
        assert message.startswith(f"{path}: ") and "\n" not in message, message
        return None


def assert_loaded_as_written(net, meta, arrays):
    """A file that loads gives the network it describes, with exactly its arrays."""
    assert [layer.config()["type"] for layer in net.layers] == [c["type"] for c in meta["layers"]]
    assert net.loss.name == meta["loss"] and net.dtype == np.dtype(meta["dtype"])
    for p, a in zip(net.params, arrays.values(), strict=True):
        assert p.tobytes() == a.astype(p.dtype).tobytes()


# --- random JSON ---------------------------------------------------------------------------

NAMES = sorted(activations.ACTIVATIONS) + sorted(losses.LOSSES) + ["float32", "float64"]
KEYS = ["format", "version", "layers", "loss", "dtype", "type", "n_in", "n_out", "name", "p"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(0, 10),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(NAMES + ["dense", "activation", "dropout", "nnlib-network"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=20,
)
sizes = st.one_of(
    st.integers(1, 6),
    st.integers(-2, 10**12),
    st.sampled_from([10**8, 5000, 2**63]),
    json_values,
)
layers = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("dense"), "n_in": sizes, "n_out": sizes},
        optional={"bias": json_values},
    ),
    st.fixed_dictionaries(
        {"type": st.just("activation"), "name": st.sampled_from(NAMES) | json_values},
        optional={"alpha": st.floats(-1, 2) | json_values},
    ),
    st.fixed_dictionaries({"type": st.just("dropout"), "p": st.floats(-1, 2) | json_values}),
    json_values,
)
architectures = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "format": st.just("nnlib-network") | json_values,
            "version": st.just(1) | json_values,
            "layers": st.lists(layers, max_size=6) | json_values,
            "loss": st.sampled_from(sorted(losses.LOSSES)) | json_values,
            "dtype": st.sampled_from(["float32", "float64"]) | json_values,
        },
        optional={"extra": json_values},
    ),
)


@st.composite
def valid_architectures(draw) -> dict:
    """A random architecture as save writes it: dense layers, activations, dropout."""
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    layers = []
    for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
        layers.append({"type": "dense", "n_in": n_in, "n_out": n_out})
        name = draw(st.sampled_from([None, *sorted(activations.ACTIVATIONS)]))
        if name is not None:
            layers.append({"type": "activation", "name": name})
        if name == "leaky_relu":
            layers[-1]["alpha"] = draw(st.floats(0, 1, exclude_min=True, exclude_max=True))
        if draw(st.booleans()):
            layers.append({"type": "dropout", "p": draw(st.floats(0, 1, exclude_max=True))})
    loss = draw(st.sampled_from(sorted(losses.LOSSES)))
    dtype = draw(st.sampled_from(persistence.DTYPES))
    return {"format": "nnlib-network", "version": 1, "layers": layers, "loss": loss, "dtype": dtype}


@st.composite
def mutated_architectures(draw) -> tuple[dict, dict]:
    """(a valid architecture with one field set to a random value or removed, the original)."""
    original = draw(valid_architectures())
    meta = json.loads(json.dumps(original))
    target = draw(st.sampled_from([meta, *meta["layers"]]))
    key = draw(st.sampled_from([*sorted(target), "extra"]))
    if draw(st.booleans()):
        target.pop(key, None)
    else:
        target[key] = draw(sizes if key in ("n_in", "n_out") else json_values)
    return meta, original


def arrays_for(meta) -> dict[str, np.ndarray]:
    """Arrays that fit ``meta`` when it is valid and small; two tiny arrays otherwise."""
    try:
        shapes = persistence.check_architecture(meta)
    except ModelFileError:
        shapes = []
    if not shapes or sum(int(np.prod(s)) for s in shapes) > 10_000:
        return {"param_0": np.ones((2, 2), np.float32), "param_1": np.ones(2, np.float32)}
    return modelfiles.params(shapes, dtype=meta["dtype"])


@fuzz(120)
@given(metas=architectures.map(lambda meta: (meta, meta)) | mutated_architectures())
def test_random_architectures_load_or_are_refused(folder, metas):
    """Random JSON, and valid architectures with one field changed; the arrays fit the
    architecture before its change, so a change of a size must be caught by a header."""
    meta, before = metas
    arrays = arrays_for(before)
    path = modelfiles.write_model(folder / "random.npz", meta, arrays)
    net = load_or_refuse(path)
    event("loaded" if net is not None else "refused")
    if net is not None:
        assert_loaded_as_written(net, meta, arrays)


@fuzz(60)
@given(
    text=st.text(alphabet='[]{}",:0123456789 \\tnulraefsx', max_size=400)
    | st.tuples(st.integers(1, 30_000), st.sampled_from(["[", '{"a": ', '[{"layers": '])).map(
        lambda t: t[0] * t[1]
    )
)
def test_random_json_text_is_refused_without_a_traceback(folder, text):
    assert load_or_refuse(modelfiles.write_model(folder / "text.npz", text)) is None


# --- random .npy headers -------------------------------------------------------------------

descrs = st.one_of(
    st.sampled_from(["<f4", ">f4", "<f8", ">f8", "<f2", "|O", "<U5", "<c8", "|b1", "<i4", "|V8"]),
    st.sampled_from(["<M8[D]", "S3", "<f4\x00", "", "<f16"]),
    st.lists(st.tuples(st.text("ab", min_size=1, max_size=2), st.sampled_from(["<f4", "<i2"])),
             min_size=1, max_size=3),
)  # fmt: skip
shapes = st.lists(st.integers(0, 8) | st.integers(-5, 2**62) | st.just(10**8), max_size=4)


@fuzz(120)
@given(
    member=st.sampled_from(["architecture", "param_0", "param_1", "param_2", "param_3"]),
    descr=descrs,
    shape=shapes,
    fortran=st.booleans(),
    version=st.sampled_from([(1, 0), (2, 0), (3, 0), (1, 1)]),
    data=st.integers(0, 400),
    text=st.none()
    | st.text(alphabet="{}[]()'\":,-+0123456789 .ejxyTrueFalsNn<>|\\", max_size=600)
    | st.integers(1, 900).map(lambda n: "-" * n + "1")
    | st.integers(1, 900).map(lambda n: "(" * n),
)
def test_random_array_headers_are_refused_from_the_header(
    folder, member, descr, shape, fortran, version, data, text
):
    """Headers that lie about dtype, shape or order, or are no Python dict at all."""
    if text is None:
        header = modelfiles.npy_header(descr, shape, fortran, version)
    else:
        header = modelfiles.npy_header_text(text, version)
    files = {"architecture.npy": modelfiles.architecture_member(modelfiles.ARCHITECTURE)}
    files.update({f"{k}.npy": modelfiles.npy(v) for k, v in modelfiles.params().items()})
    files[f"{member}.npy"] = header + bytes(data)
    path = modelfiles.write(folder / "header.npz", files)
    size = os.path.getsize(path)
    tracemalloc.start()
    try:
        net = load_or_refuse(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * size + 512 * 1024  # a header declaring 10^18 elements allocates nothing
    event("loaded" if net is not None else "refused")
    if net is not None:  # the random header happened to be exactly right: zeros follow it
        assert not net.params[int(member.removeprefix("param_"))].any()


# --- random bytes --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_file(folder):
    return persistence.save(mlp([6, 5, 4], activation="leaky_relu", rng=0), folder / "v.npz")


@fuzz(100)
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=4),
    cut=st.none() | st.integers(0, 10**6),
    insert=st.binary(max_size=8),
)
def test_damaged_bytes_load_or_are_refused(folder, valid_file, flips, cut, insert):
    """A valid file with bytes flipped, then cut short or with bytes inserted: zipfile's
    own checks (sizes, names, CRC-32) and ours must leave only ModelFileError."""
    data = bytearray(valid_file.read_bytes())
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        position = cut % len(data)
        data[position:position] = insert
        if not insert:
            del data[position:]
    path = folder / "damaged.npz"
    path.write_bytes(bytes(data))
    event("loaded" if load_or_refuse(path) is not None else "refused")


# --- valid files: round trips and memory ---------------------------------------------------


@st.composite
def networks(draw):
    """A random valid network: dense layers with activations and dropout between them."""
    dtype = draw(st.sampled_from(persistence.DTYPES))
    widths = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32)))
    layers = []
    for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
        layers.append(Dense(n_in, n_out, rng=rng, dtype=dtype, init="normal"))
        name = draw(st.sampled_from([None, *sorted(activations.ACTIVATIONS)]))
        if name == "leaky_relu":
            alpha = draw(st.floats(0, 1, exclude_min=True, exclude_max=True))
            layers.append(ActivationLayer(activations.LeakyReLU(alpha)))
        elif name is not None:
            layers.append(ActivationLayer(name))
        if draw(st.booleans()):
            layers.append(Dropout(draw(st.floats(0, 1, exclude_max=True)), rng=rng))
    return Network(layers, draw(st.sampled_from(sorted(losses.LOSSES))))


@fuzz(40)
@given(net=networks())
def test_random_networks_round_trip_bit_identically(folder, net):
    """save then load: the same layers, the same bits, in memory 4x the file at most."""
    path = persistence.save(net, folder / "round.npz")
    size = os.path.getsize(path)
    tracemalloc.start()
    try:
        loaded = persistence.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [layer.config() for layer in loaded.layers] == [layer.config() for layer in net.layers]
    assert repr(loaded) == repr(net)
    for p, q in zip(net.params, loaded.params, strict=True):
        assert p.dtype == q.dtype and p.tobytes() == q.tobytes()
    assert peak < 5 * size + 512 * 1024


def test_memory_of_a_real_model_is_a_small_multiple_of_its_file(folder):
    """784-800-800-10 (5 MB): the network's weights, its gradients, and the arrays read."""
    path = persistence.save(mlp([784, 800, 800, 10], rng=0), folder / "big.npz")
    tracemalloc.start()
    try:
        persistence.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * os.path.getsize(path) + 512 * 1024


# --- the command line ----------------------------------------------------------------------


def hostile_files(folder) -> list:
    """One random hostile file of each family above, from a fixed seed."""
    rng = np.random.default_rng(15)
    damaged = bytearray(persistence.save(mlp([6, 5, 4], rng=0), folder / "cli.npz").read_bytes())
    for position in rng.integers(0, len(damaged), 8):
        damaged[position] ^= 0xFF
    (folder / "cli-bytes.npz").write_bytes(bytes(damaged))
    text = "".join(rng.choice(list('[]{}",:01 '), 3000))
    huge = modelfiles.npy_header("<f4", (int(rng.integers(2**40, 2**50)), 5)) + bytes(64)
    meta = modelfiles.architecture()
    meta["layers"][1]["name"] = rng.choice(list("abc"), 5).tolist()
    return [
        folder / "cli-bytes.npz",
        modelfiles.write_model(folder / "cli-text.npz", text),
        modelfiles.write_model(folder / "cli-huge.npz", **{"param_0.npy": huge}),
        modelfiles.write_model(folder / "cli-name.npz", meta),
    ]


def test_hostile_files_are_one_line_errors_from_the_command_line(folder):
    """``python -m nnlib evaluate FILE``: exit 1, one line on stderr, no traceback."""
    paths = hostile_files(folder)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NNLIB_")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "nnlib", "evaluate", str(path)],
            env={**environment, "NNLIB_OFFLINE": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    for path, process in zip(paths, processes, strict=True):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 1 and out == "", err
        assert err.startswith(f"nnlib: error: {path}: ") and err.count("\n") == 1, err
        assert "Traceback" not in err


# --- random degenerate arrays --------------------------------------------------------------

VALUES = [0, 1, 2, -1, 0.5, 0.25, 3, 9, 12, np.nan, np.inf, -np.inf]
DTYPES = [np.float32, np.float64, np.float16, np.int64, np.uint8, np.int8, np.bool_,
          np.complex128, object, "<U3"]  # fmt: skip


@st.composite
def arrays(draw, shape=None, dtypes=(), values=()):
    """A small array: usually (3 times in 4) of ``shape``, of one of ``dtypes`` and with
    entries from ``values`` when these are given, otherwise of any of DTYPES with any
    of VALUES (NaN and infinity too), in any shape up to 3-D, possibly empty."""

    def usual() -> bool:
        return draw(st.integers(0, 3)) > 0

    if shape is None or not usual():
        shape = tuple(draw(st.integers(0, 5)) for _ in range(draw(st.integers(0, 3))))
    dtype = draw(st.sampled_from(dtypes if dtypes and usual() else DTYPES))
    entries = draw(st.lists(st.sampled_from(values if values and usual() else VALUES), min_size=1))
    base = np.resize(np.array(entries[:8], dtype=np.float64), shape)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore")  # NaN cast to an integer type
        return np.asarray(base.astype(dtype))


@st.composite
def one_hot_rows(draw, n, k):
    """One-hot rows (n, k) of a random dtype, sometimes with one entry changed."""
    rows = np.eye(k)[draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))]
    if draw(st.booleans()):
        rows[draw(st.integers(0, n - 1)), draw(st.integers(0, k - 1))] = draw(
            st.sampled_from(VALUES)
        )
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore")  # NaN cast to an integer type
        return rows.astype(draw(st.sampled_from([np.float32, np.float64, np.int64, bool, object])))


# The documented contracts, written out again here independently of nnlib.validation.


def valid_inputs(x, n_in) -> bool:
    """(N, n_in) finite floats, N >= 1."""
    return (
        x.dtype.kind == "f"
        and x.ndim == 2
        and x.shape[1] == n_in
        and x.size > 0
        and bool(np.isfinite(x).all())
    )


def valid_targets(y, k) -> bool:
    """Integer labels in 0..k-1, or rows (N, k) of numbers in [0, 1] summing to 1."""
    if y.size == 0:
        return False
    if y.ndim == 1:
        return y.dtype.kind in "iu" and bool(((y >= 0) & (y < k)).all())
    if y.ndim == 2 and y.dtype.kind in "iuf" and y.shape[1] == k and np.isfinite(y).all():
        inside = bool(((y >= 0) & (y <= 1)).all())
        return inside and bool((np.abs(y.sum(axis=1, dtype=np.float64) - 1) <= 1e-3).all())
    return False


def outcome(call):
    """The result of ``call()``, or the ValueError/TypeError it raised (one line)."""
    try:
        return call()
    except (ValueError, TypeError) as e:
        assert "\n" not in str(e), str(e)
        return e


@fuzz(120)
@given(
    x=arrays((6, 3), [np.float32, np.float64, np.float16], [0, 0.5, -1, 2]),
    y=arrays((6,), [np.int64, np.uint8], [0, 1]) | one_hot_rows(6, 2),
    call=st.integers(0, 2),
)
def test_fit_evaluate_predict_take_good_arrays_and_refuse_the_rest(x, y, call):
    net = mlp([3, 4, 2], rng=0)
    valid = valid_inputs(x, 3) and (call == 2 or (valid_targets(y, 2) and len(y) == len(x)))
    result = outcome(
        [
            lambda: fit(net, x, y, optimizer=optimizers.SGD(0.1), epochs=1, batch_size=4,
                        verbose=False),
            lambda: evaluate(net, x, y),
            lambda: net.predict(x),
        ][call]
    )  # fmt: skip
    event(f"call {call} valid {valid}")
    assert isinstance(result, Exception) != valid, (x, y, result)
    if call == 0 and valid:
        assert np.isfinite(result["loss"]).all() and np.isfinite(net.flat_params).all()
    elif call == 1 and valid:
        assert np.isfinite(result[0]) and 0 <= result[1] <= 1
    elif call == 2 and valid:
        assert result.shape == (len(x),) and set(result.tolist()) <= {0, 1}


def valid_labels(y) -> bool:
    """Integer labels >= 0, at least one."""
    return y.ndim == 1 and y.dtype.kind in "iu" and y.size > 0 and bool((y >= 0).all())


@fuzz(100)
@given(
    y_true=arrays((5,), [np.int64, np.uint8], [0, 1, 2, 3]),
    y_pred=arrays((5,), [np.int64, np.uint8], [0, 1, 2, 3]),
    k=st.none() | st.integers(0, 6),
)
def test_metrics_take_good_labels_and_refuse_the_rest(y_true, y_pred, k):
    valid = valid_labels(y_true) and valid_labels(y_pred) and len(y_true) == len(y_pred)
    if valid and k is not None:
        valid = k >= 1 and max(y_true.max(), y_pred.max()) < k
    accuracy = outcome(lambda: metrics.accuracy(y_true, y_pred))
    cm = outcome(lambda: metrics.confusion_matrix(y_true, y_pred, num_classes=k))
    event(f"valid {valid}")
    assert isinstance(cm, Exception) != valid, (y_true, y_pred, k, cm)
    if valid:
        assert accuracy == np.mean(y_true.astype(int) == y_pred.astype(int))
        assert (
            cm.to_numpy().sum() == len(y_true) and np.trace(cm.to_numpy()) / len(y_true) == accuracy
        )


@fuzz(150)
@given(
    a=arrays((6, 2), [np.uint8, np.float32, np.int64], [0, 1, 2, 3, 0.5]) | one_hot_rows(6, 3),
    b=arrays((6,), [np.int64], [0, 1, 2]),
    k=st.integers(0, 6),
    call=st.integers(0, 7),
)
def test_preprocessing_takes_good_arrays_and_refuses_the_rest(a, b, k, call):
    finite = a.dtype.kind in "iu" or (a.dtype.kind == "f" and bool(np.isfinite(a).all()))
    numbers = a.dtype.kind in "iuf" and a.size > 0 and finite
    calls = {
        0: (lambda: pre.scale(a), a.dtype == np.uint8 and a.ndim >= 1 and a.size > 0),
        1: (lambda: pre.flatten(a), numbers and a.ndim >= 2),
        2: (lambda: pre.Standardizer().fit_transform(a), numbers and a.ndim >= 2),
        3: (lambda: pre.one_hot(a, k), a.ndim == 1 and a.dtype.kind in "iu" and k >= 1
            and bool(((a >= 0) & (a < k)).all())),
        4: (lambda: pre.one_hot_decode(a), a.dtype.kind in "iuf" and finite and a.ndim == 2
            and a.shape[1] > 0),
        5: (lambda: pre.train_val_split(a, b, 1), numbers and a.ndim >= 1 and b.ndim >= 1
            and b.dtype.kind in "iuf" and b.size > 0 and len(a) == len(b) and len(a) > 1
            and (b.dtype.kind != "f" or bool(np.isfinite(b).all()))),
        6: (lambda: list(pre.minibatches(a, b, 2, shuffle=False)), a.dtype.kind in "iuf"
            and b.dtype.kind in "iuf" and a.ndim >= 1 and b.ndim >= 1 and a.size > 0
            and b.size > 0 and len(a) == len(b)),
        7: (lambda: pre.one_hot_decode(a, strict=True), False),
    }  # fmt: skip
    call_, valid = calls[call]
    event(f"call {call} valid {valid}")
    result = outcome(call_)
    if call == 7:  # strict decoding: a valid result only for one-hot rows
        if not isinstance(result, Exception):
            assert ((a == 0) | (a == 1)).all() and (a.sum(axis=1) == 1).all()
        return
    assert isinstance(result, Exception) != valid, (a, b, k, call, result)
    if call == 0 and valid:
        assert result.dtype == np.float32 and result.min() >= 0 and result.max() <= 1
    if call == 3 and valid:
        assert np.array_equal(result.argmax(axis=1), a) if len(a) else result.shape == (0, k)
