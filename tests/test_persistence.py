import itertools
import json
import os
import stat
import time
import tracemalloc
import zipfile

import modelfiles
import numpy as np
import pytest
from modelfiles import (
    ISSUE_CASES,
    architecture,
    issue_file,
    npy,
    npy_header,
    params,
    write,
    write_model,
)

from nnlib import activations, losses, mlp, persistence
from nnlib.errors import ModelFileError
from nnlib.layers import ActivationLayer, Dense, Dropout
from nnlib.network import Network


@pytest.fixture
def net():
    return mlp([6, 5, 4], activation="leaky_relu", dropout=0.25, rng=0)


def test_round_trip(tmp_path, net):
    path = persistence.save(net, tmp_path / "model.npz")
    loaded = persistence.load(path)
    assert repr(loaded) == repr(net)
    for p, q in zip(net.params, loaded.params, strict=True):
        np.testing.assert_array_equal(p, q)
    x = np.random.default_rng(0).normal(size=(3, 6)).astype(np.float32)
    np.testing.assert_array_equal(net.predict_proba(x), loaded.predict_proba(x))
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left


def test_float64_round_trip(tmp_path):
    net = mlp([3, 2], output="sigmoid", loss="mse", rng=0, dtype=np.float64)
    loaded = persistence.load(persistence.save(net, tmp_path / "m.npz"))
    assert loaded.dtype == np.float64 and loaded.loss.name == "mse"


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        persistence.load(tmp_path / "nope.npz")


def test_truncated_file(tmp_path, net):
    path = persistence.save(net, tmp_path / "model.npz")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ModelFileError, match="not a readable"):
        persistence.load(path)


def test_not_an_nnlib_model(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(ModelFileError, match="not an nnlib model"):
        persistence.load(path)


def test_pickled_content_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, architecture=np.array([{"format": "nnlib-network"}], dtype=object))
    with pytest.raises(ModelFileError):
        persistence.load(path)


def test_wrong_shape_is_named(tmp_path, net):
    path = persistence.save(net, tmp_path / "model.npz")
    with np.load(path) as f:
        arrays = dict(f)
    arrays["param_2"] = np.zeros((4, 4), np.float32)
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match=r"param_2 should be float32 \(5, 4\)"):
        persistence.load(path)


def test_corrupted_member(tmp_path, net):
    path = persistence.save(net, tmp_path / "model.npz")
    with np.load(path) as f:
        arrays = dict(f)
    arrays["param_0"][0, 0] = np.nan
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match="NaN"):
        persistence.load(path)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("architecture.npy", b"garbage")
    with pytest.raises(ModelFileError):
        persistence.load(path)


def test_save_refuses_other_suffixes(tmp_path, net):
    with pytest.raises(ValueError, match=".npz"):
        persistence.save(net, tmp_path / "model.pkl")


def test_failed_save_leaves_nothing_behind(tmp_path, net, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        persistence.save(net, tmp_path / "model.npz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_saved_model_gets_the_mode_the_umask_gives(tmp_path, net, umask):
    """Like any file the user creates (the temporary file it is renamed from is 0600)."""
    old = os.umask(umask)
    try:
        path = persistence.save(net, tmp_path / "model.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_equal_networks_are_saved_as_equal_bytes(tmp_path, net, monkeypatch):
    """What lets the course verify a published model by its SHA-256."""
    first = persistence.save(net, tmp_path / "a.npz").read_bytes()
    monkeypatch.setattr(time, "time", lambda: 1e9)  # another day: no clock in the file
    again = persistence.save(persistence.load(tmp_path / "a.npz"), tmp_path / "b.npz")
    assert again.read_bytes() == first


# --- hostile model files -----------------------------------------------------------------------
# Each file is written by hand (tests/modelfiles.py); load must refuse it with one line,
# "<path>: <what was expected, what came>", before it allocates anything large.


def refused(path, fragment) -> str:
    """Load ``path``, expecting a one-line ModelFileError that contains ``fragment``."""
    with pytest.raises(ModelFileError) as info:
        persistence.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert fragment in message, message
    return message


def test_a_hand_written_valid_file_loads(tmp_path):
    arrays = params()
    net = persistence.load(write_model(tmp_path / "m.npz", arrays=arrays))
    for p, a in zip(net.params, arrays.values(), strict=True):
        np.testing.assert_array_equal(p, a)


@pytest.mark.parametrize("case", ISSUE_CASES)
def test_the_issue_cases_are_one_line_model_file_errors(tmp_path, case):
    refused(issue_file(tmp_path, case), ISSUE_CASES[case][1])


def test_a_huge_layer_fails_fast_without_allocating(tmp_path):
    path = issue_file(tmp_path, "1e8-by-1e8-layer")
    tracemalloc.start()
    start = time.perf_counter()
    refused(path, "parameters in all")
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 0.1 and peak < 1_000_000


def test_arrays_are_checked_against_the_architecture_before_it_is_built(tmp_path):
    """5000 x 5000 is allowed (25 million parameters), but the file holds 6 x 5 arrays."""
    meta = architecture()
    meta["layers"] = [{"type": "dense", "n_in": 5000, "n_out": 5000}]
    lying = npy_header("<f4", (5000, 5000)) + bytes(120)  # the right header, 120 bytes of data
    cases = {
        "small": ({"param_0": npy(np.zeros((6, 5), np.float32))}, "should be float32 (5000, 5000)"),
        "lying": ({"param_0": lying}, "param_0 should be float32 (5000, 5000), 100,000,000 bytes"),
    }
    for name, (members, fragment) in cases.items():
        members = {f"{k}.npy": v for k, v in {**members, "param_1": npy(np.zeros(5000))}.items()}
        path = write_model(tmp_path / f"{name}.npz", meta, {}, **members)
        tracemalloc.start()
        refused(path, fragment)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 1_000_000


def broken(**changes):
    """The valid architecture with top-level keys changed (to KeyError: removed), or with
    layer ``i`` replaced for a keyword ``layer<i>``."""
    meta = architecture()
    for key, value in changes.items():
        if key.removeprefix("layer").isdigit():
            meta["layers"][int(key.removeprefix("layer"))] = value
        elif value is KeyError:
            del meta[key]
        else:
            meta[key] = value
    return meta


@pytest.mark.parametrize(
    ("meta", "fragment"),
    [
        ('{"format": "nnlib-network", "format": 1}', "not valid JSON (key 'format' appears twice)"),
        ('{"format": NaN}', "not valid JSON (NaN is not a number JSON allows)"),
        ("[1, 2", "architecture: not valid JSON (Expecting"),
        ("x" * 100_001, "expected at most 100,000 characters of JSON, got 100,001"),
        (broken(format="keras"), "not an nnlib model: expected format 'nnlib-network', got a str"),
        (broken(format=KeyError), "not an nnlib model: expected format 'nnlib-network', got noth"),
        (broken(version=True), "expected model format version 1, got a boolean true"),
        (broken(version=2), "expected model format version 1, got a number 2"),
        (broken(bias=0), "architecture: expected the keys dtype, format, layers, loss, version, "
                         "got the unexpected key 'bias'"),
        (broken(loss=KeyError), "architecture: expected the keys dtype, format, layers, loss, "
                                "version; 'loss' is missing"),
        (broken(dtype="float16"), "dtype: expected 'float32' or 'float64', got a string \"float1"),
        (broken(loss="hinge"), "loss: expected one of ['cross_entropy', 'mse', "),
        (broken(layers=[]), "layers: expected a list of 1 to 1000 layers, got 0 layers"),
        (broken(layers={"0": {}}), "layers: expected a list of 1 to 1000 layers, got an object"),
        (broken(layers=[{"type": "activation", "name": "relu"}] * 1001), "got 1001 layers"),
        (broken(layers=[{"type": "activation", "name": "relu"}]), "expected at least one dense"),
        (broken(layer0={"type": "conv"}), "layers[0].type: expected one of ['activation', 'dense', "
                                          "'dropout'], got a string \"conv\""),
        (broken(layer0={"n_in": 6, "n_out": 5}), "layers[0].type: expected one of ['activation', "
                                                 "'dense', 'dropout'], got nothing"),
        (broken(layer0={"type": "dense", "n_in": 6.0, "n_out": 5}),
         "layers[0].n_in: expected a positive integer, got a number 6.0"),
        (broken(layer0={"type": "dense", "n_in": True, "n_out": 5}),
         "layers[0].n_in: expected a positive integer, got a boolean true"),
        (broken(layer0={"type": "dense", "n_in": 6, "n_out": -5}),
         "layers[0].n_out: expected a positive integer, got a number -5"),
        (broken(layer0={"type": "dense", "n_in": 6, "n_out": "5"}),
         "layers[0].n_out: expected a positive integer, got a string \"5\""),
        (broken(layer0={"type": "dense", "n_in": 6, "n_out": 5, "bias": False}),
         "layers[0]: expected the keys n_in, n_out, type, got the unexpected key 'bias'"),
        (broken(layer2={"type": "dense", "n_in": 7, "n_out": 4}),
         "layers[2].n_in: expected 5 (the n_out of layers[0]), got 7"),
        (broken(layer1={"type": "activation", "name": "swish"}), "layers[1].name: expected one of"),
        (broken(layer1={"type": "activation", "name": "leaky_relu"}),
         "layers[1]: expected the keys alpha, name, type; 'alpha' is missing"),
        (broken(layer1={"type": "activation", "name": "relu", "alpha": 0.1}),
         "layers[1]: expected the keys name, type, got the unexpected key 'alpha'"),
        (broken(layer1={"type": "activation", "name": "leaky_relu", "alpha": 1.5}),
         "layers[1].alpha: expected a number in (0, 1), got a number 1.5"),
        (json.dumps(broken(layer1={"type": "activation", "name": "leaky_relu", "alpha": 0.5}))
         .replace("0.5", "1e999"),
         "layers[1].alpha: expected a number in (0, 1), got a number Infinity"),
        (broken(layer1={"type": "dropout", "p": 1}), "layers[1].p: expected a number in [0, 1)"),
        (broken(layer1={"type": "dropout", "p": None}), "layers[1].p: expected a number in [0, 1), "
                                                        "got null"),
    ],
)  # fmt: skip
def test_every_field_is_checked(tmp_path, meta, fragment):
    refused(write_model(tmp_path / "m.npz", meta), fragment)


def members(**changes):
    """Valid members, with some replaced (bytes), removed (None) or added."""
    result = {"architecture.npy": modelfiles.architecture_member(architecture())}
    result.update({f"{k}.npy": npy(v) for k, v in params().items()})
    for name, data in changes.items():
        if data is None:
            del result[f"{name}.npy"]
        else:
            result[f"{name}.npy"] = data
    return result


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        (members(param_3=None), "expected 4 parameter arrays, param_3.npy is missing"),
        (members(param_4=npy(np.zeros(3))), "got an unexpected member 'param_4.npy'"),
        (members(param_0=npy(np.zeros((6, 5)))), "param_0 should be float32 (6, 5), got float64"),
        (members(param_0=npy(np.zeros((5, 6), np.float32))), "got float32 (5, 6)"),
        (members(param_1=npy(np.zeros(5, np.int32))), "param_1 should be float32 (5,), got int32"),
        (members(param_1=npy_header("|O", (5,)) + bytes(40)), "param_1 should be float32 (5,), "
                                                               "got object (5,)"),
        (members(param_0=npy_header("<f4", (6, 5), fortran_order=True) + bytes(120)),
         "param_0 is stored in Fortran order; expected C order"),
        (members(param_0=bytes(100)), "param_0 should be float32 (6, 5), 120 bytes, but its "
                                      "member has 100 bytes"),
        (members(param_0=npy_header("<f4", (6, 5)) + bytes(2000)), "member has 2,128 bytes"),
        (members(param_0=npy_header("<f4", (6, 5)) + bytes(110)),
         "param_0: its header promises 120 bytes of data after 128 header bytes, the member "
         "holds 110"),
        (members(param_1=npy_header("<f4", (5,)) + bytes(21)),
         "param_1: its header promises 20 bytes of data after 128 header bytes, the member holds"),
        (members(param_0=b"\x93NUMPY\x03\x00" + bytes(200)), "param_0: not a .npy array (format "
                                                             "version (3, 0)"),
        (members(param_0=b"PK" + bytes(200)), "param_0: not a .npy array (the magic string"),
        (members(param_1=npy_header("<f4", (5,))[:10] + b"-" * 900 + b"1" + bytes(20)),
         "param_1: not a .npy array"),
        (members(architecture=npy(np.zeros(3))), "architecture should be a JSON string (unicode, "
                                                 "shape ()), got float64 (3,)"),
        (members(architecture=npy(np.array(["{}", "{}"]))), "got <U2 (2,)"),
        ({"weights.npy": npy(np.zeros(3))}, "no 'architecture' entry; not an nnlib model "
                                            "(members: weights.npy)"),
        ([*members().items(), ("param_0.npy", npy(np.zeros((6, 5), np.float32)))],
         "expected each member once, got 'param_0.npy' twice"),
    ],
)  # fmt: skip
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_every_member_is_checked(tmp_path, files, fragment):
    refused(write(tmp_path / "m.npz", files), fragment)


def test_nan_weights_are_refused(tmp_path):
    arrays = params()
    arrays["param_2"][1, 3] = np.inf
    refused(write_model(tmp_path / "m.npz", arrays=arrays), "param_2 must be finite, got inf at")


def test_compressed_members_are_refused(tmp_path):
    path = write(tmp_path / "m.npz", members(), compression=zipfile.ZIP_DEFLATED)
    refused(path, "member 'architecture.npy' is compressed (method 8); expected arrays stored")


def test_a_corrupted_byte_fails_the_crc(tmp_path):
    path = write(tmp_path / "m.npz", members())
    data = bytearray(path.read_bytes())
    data[data.index(npy(params()["param_0"])[128:136])] ^= 0xFF
    path.write_bytes(bytes(data))
    refused(path, "not a readable .npz model file (Bad CRC-32")


def test_big_endian_arrays_load(tmp_path):
    arrays = {k: v.astype(">f4") for k, v in params().items()}
    net = persistence.load(write_model(tmp_path / "m.npz", arrays=arrays))
    np.testing.assert_array_equal(net.params[2], arrays["param_2"])


def test_a_folder_is_not_a_model_file(tmp_path):
    refused(tmp_path, "expected a model file, got a directory")


def all_kinds_of_networks():
    """One network per activation, loss and dtype, with dropout and leaky ReLU's alpha."""
    rng = np.random.default_rng(0)
    names = sorted(activations.ACTIVATIONS)
    for name, loss, dtype in itertools.product(names, sorted(losses.LOSSES), persistence.DTYPES):
        activation = activations.LeakyReLU(0.1 + 0.2 / 3) if name == "leaky_relu" else name
        layers = [Dense(4, 3, rng=rng, dtype=dtype), ActivationLayer(activation),
                  Dropout(0.3 + 0.1 / 7, rng=rng), Dense(3, 2, rng=rng, dtype=dtype)]  # fmt: skip
        yield Network(layers, loss)


@pytest.mark.parametrize("net", list(all_kinds_of_networks()), ids=repr)
def test_every_combination_round_trips_bit_identically(tmp_path, net):
    loaded = persistence.load(persistence.save(net, tmp_path / "m.npz"))
    assert repr(loaded) == repr(net) and loaded.dtype == net.dtype
    assert [layer.config() for layer in loaded.layers] == [layer.config() for layer in net.layers]
    for p, q in zip(net.params, loaded.params, strict=True):
        assert p.dtype == q.dtype and p.tobytes() == q.tobytes()


def test_the_largest_architecture_fits_the_text_limit(tmp_path):
    """MAX_LAYERS layers, each as long as save writes them, still load."""
    alpha = activations.LeakyReLU(0.1 + 0.2 / 3)
    layers = [Dense(1, 1, rng=0)]
    while len(layers) < persistence.MAX_LAYERS:
        layers.append(ActivationLayer(alpha) if len(layers) % 2 else Dropout(0.3 + 0.1 / 7, rng=0))
    net = Network(layers, "mse")
    assert len(json.dumps(persistence.check_network(net))) < persistence.MAX_ARCHITECTURE_CHARS
    assert len(persistence.load(persistence.save(net, tmp_path / "m.npz")).layers) == 1000


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: mlp([3, 2], rng=0, dtype=np.float16), "dtype: expected 'float32' or 'float64'"),
        (lambda: Network([Dense(2, 2, rng=0)] * 1001, "mse"), "got 1001 layers"),
        (
            lambda: Network([Dense(2, 3, rng=0), Dense(2, 2, rng=0)], "mse"),
            "layers[1].n_in: expected 3",
        ),
    ],
)
def test_save_refuses_what_load_would_refuse(tmp_path, make, fragment):
    with pytest.raises(ValueError, match=r"^this network cannot be saved: ") as info:
        persistence.save(make(), tmp_path / "m.npz")
    assert fragment in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_nan_weights(tmp_path, net):
    net.params[1][2] = np.nan
    with pytest.raises(ValueError, match="cannot be saved: param_1 must be finite, got nan at"):
        persistence.save(net, tmp_path / "m.npz")
