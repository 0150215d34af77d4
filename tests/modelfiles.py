"""Model files written by hand, broken on purpose, for the persistence tests.

A model file is a zip archive of ``.npy`` members (see ``nnlib.persistence``); these
helpers write any members, including ``.npy`` headers that lie about their data.
"""

import copy
import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np

#: A valid 6-5-4 architecture, as ``save`` writes it for ``mlp([6, 5, 4], activation="relu")``.
ARCHITECTURE = {
    "format": "nnlib-network",
    "version": 1,
    "layers": [
        {"type": "dense", "n_in": 6, "n_out": 5},
        {"type": "activation", "name": "relu"},
        {"type": "dense", "n_in": 5, "n_out": 4},
    ],
    "loss": "softmax_cross_entropy",
    "dtype": "float32",
}
#: Arrays that fit it: W1, b1, W2, b2.
SHAPES = [(6, 5), (5,), (5, 4), (4,)]


def architecture() -> dict:
    """A fresh copy of ``ARCHITECTURE`` to break."""
    return copy.deepcopy(ARCHITECTURE)


def params(shapes=SHAPES, dtype=np.float32, seed=0) -> dict[str, np.ndarray]:
    """Random finite arrays of ``shapes``, named param_0, param_1, ..."""
    rng = np.random.default_rng(seed)
    return {f"param_{i}": rng.normal(size=s).astype(dtype) for i, s in enumerate(shapes)}


def npy(array) -> bytes:
    """The ``.npy`` bytes numpy writes for ``array`` (never a pickle)."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def npy_header(descr, shape, fortran_order=False, version=(1, 0)) -> bytes:
    """A ``.npy`` header claiming ``descr`` and ``shape``, whatever data follows it."""
    header = repr({"descr": descr, "fortran_order": fortran_order, "shape": tuple(shape)})
    return npy_header_text(header, version)


def npy_header_text(text: str, version=(1, 0)) -> bytes:
    """A ``.npy`` header whose dictionary is ``text``, padded as numpy pads it."""
    size = "<H" if version == (1, 0) else "<I"
    prefix = len(np.lib.format.MAGIC_PREFIX) + 2 + struct.calcsize(size)
    text += " " * (-(prefix + len(text) + 1) % 64) + "\n"
    magic = np.lib.format.MAGIC_PREFIX + bytes(version)
    return magic + struct.pack(size, len(text)) + text.encode("latin-1")


def architecture_member(meta) -> bytes:
    """The architecture member: ``meta`` as JSON (a str is used as the JSON text itself)."""
    return npy(np.array(meta if isinstance(meta, str) else json.dumps(meta)))


def write(path, members, compression=zipfile.ZIP_STORED) -> Path:
    """A zip archive of ``members``: (name, bytes) pairs or a dict; repeated names are kept."""
    pairs = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in pairs:
            archive.writestr(name, data)
    return Path(path)


def write_model(path, meta=None, arrays=None, **extra) -> Path:
    """A model file with architecture ``meta`` and parameter ``arrays`` (default: valid ones)."""
    meta = ARCHITECTURE if meta is None else meta
    arrays = params() if arrays is None else arrays
    members = {"architecture.npy": architecture_member(meta)}
    members.update({f"{name}.npy": npy(a) for name, a in arrays.items()})
    members.update(extra)
    return write(path, members)


#: The hand-written cases of the issue: (how to break the architecture, message fragment).
ISSUE_CASES = {
    "architecture-is-a-list": (
        lambda meta: [meta],
        'architecture: expected a JSON object, got a list [{"format": "nnlib-network"',
    ),
    "layer-is-a-string": (
        lambda meta: {**meta, "layers": [meta["layers"][0], "relu", meta["layers"][2]]},
        'layers[1]: expected an object like {"type": "dense", ...}, got a string "relu"',
    ),
    "name-is-a-list": (
        lambda meta: {**meta, "layers": [meta["layers"][0],
                                         {"type": "activation", "name": ["relu"]},
                                         meta["layers"][2]]},
        "layers[1].name: expected one of ['leaky_relu', 'relu', 'sigmoid', 'softmax', 'tanh'], "
        'got a list ["relu"]',
    ),
    "nested-10000-deep": (
        lambda meta: "[" * 10_000 + "]" * 10_000,
        "architecture: expected JSON nested at most 8 levels deep, got more",
    ),
    "1e8-by-1e8-layer": (
        lambda meta: {**meta, "layers": [{"type": "dense", "n_in": 10**8, "n_out": 10**8}]},
        "layers: expected at most 100,000,000 parameters in all, got 10,000,000,100,000,000",
    ),
}  # fmt: skip


def issue_file(folder, case) -> Path:
    """The model file of one of ``ISSUE_CASES``, in ``folder``."""
    meta = ISSUE_CASES[case][0](architecture())
    arrays = {"param_0": np.zeros((2, 2), np.float32), "param_1": np.zeros(2, np.float32)}
    return write_model(folder / f"{case}.npz", meta, arrays if case == "1e8-by-1e8-layer" else None)
