"""Saving and loading trained networks as a single ``.npz`` file.

The file holds plain arrays only: ``architecture`` (a JSON string describing the
layers, loss and dtype) and ``param_0``, ``param_1``, ... in ``Network.params``
order. It is loaded with ``allow_pickle=False``, so a model file someone sends
you is data and can never run code. Saving writes a temporary file next to the
target and renames it into place, so a crash never leaves half a model behind.
"""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nnlib.errors import ModelFileError
from nnlib.network import Network, describe, from_config

FORMAT = "nnlib-network"
VERSION = 1


def save(net: Network, path) -> Path:
    """Write ``net`` (architecture and weights) to ``path`` atomically; return the path."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"model files end in .npz, got {path.name!r}")
    meta = {"format": FORMAT, "version": VERSION, **describe(net)}
    arrays = {f"param_{i}": p for i, p in enumerate(net.params)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, architecture=np.array(json.dumps(meta)), **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(path) -> Network:
    """Read a network saved by ``save``, checking that every array fits the architecture."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            files = {name: f[name] for name in f.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: not a readable .npz model file ({e})") from None
    try:
        meta = json.loads(str(files.pop("architecture")))
    except (KeyError, json.JSONDecodeError):
        raise ModelFileError(f"{path}: no valid 'architecture' entry; not an nnlib model") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nnlib model (format {meta.get('format')!r})")
    if meta.get("version") != VERSION:
        raise ModelFileError(
            f"{path}: model format version {meta.get('version')}, expected {VERSION}"
        )
    try:
        net = from_config(meta)
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFileError(f"{path}: invalid architecture ({e})") from None
    if len(files) != len(net.params):
        raise ModelFileError(
            f"{path}: expected {len(net.params)} parameter arrays, found {len(files)}"
        )
    for i, p in enumerate(net.params):
        a = files.get(f"param_{i}")
        if a is None or a.shape != p.shape or a.dtype != p.dtype:
            got = "nothing" if a is None else f"{a.dtype} {a.shape}"
            raise ModelFileError(f"{path}: param_{i} should be {p.dtype} {p.shape}, got {got}")
        if not np.isfinite(a).all():
            raise ModelFileError(f"{path}: param_{i} contains NaN or infinity")
        p[...] = a
    return net
