"""Saving and loading trained networks as a single ``.npz`` file.

The file is a zip archive of ``.npy`` arrays, written by ``numpy.savez``:

    architecture.npy   a JSON string (shape (), unicode) describing the network, e.g.
                       {"format": "nnlib-network", "version": 1,
                        "layers": [{"type": "dense", "n_in": 784, "n_out": 30},
                                   {"type": "activation", "name": "sigmoid"}, ...],
                        "loss": "mse", "dtype": "float32"}
    param_0.npy, ...   the parameter arrays in ``Network.params`` order (W1, b1, W2, ...)

Saving writes a temporary file next to the target and renames it into place, so a
crash never leaves half a model behind.

A model file someone sends you is data, never code, and ``load`` trusts nothing in it.
It reads the archive itself, member by member, and refuses the file, with a one-line
``ModelFileError`` naming the file, before building anything that costs memory:

1. the JSON text: at most ``MAX_ARCHITECTURE_CHARS`` characters, nested at most
   ``MAX_NESTING`` levels (counted by a scan, before ``json`` parses it);
2. the architecture, field by field, against what ``save`` writes: known layer,
   activation and loss names, positive sizes, each dense layer's n_in equal to the
   previous one's n_out, at most ``MAX_LAYERS`` layers and ``MAX_PARAMETERS`` numbers;
3. every array's ``.npy`` header (dtype, shape, C order) against the shapes that
   architecture implies, and its byte count against the header, without reading
   the data: an array declaring 10^16 elements is refused from its 128-byte header;
4. only then the network is built and filled from the arrays, which must be finite.

The archive must hold exactly those members, stored uncompressed as ``save``
writes them. Pickles are never read (``.npy`` object arrays are refused).
"""

import json
import math
import struct
import zipfile
from pathlib import Path

import numpy as np

from nnlib import activations, files, losses, validation
from nnlib.errors import ModelFileError
from nnlib.network import Network, describe, from_config

FORMAT = "nnlib-network"
VERSION = 1

#: Limits no network of the course comes near (its largest has 1.3 million parameters).
MAX_LAYERS = 1000
MAX_PARAMETERS = 100_000_000  # 400 MB as float32
MAX_ARCHITECTURE_CHARS = 100_000  # MAX_LAYERS layers take at most 80,000
MAX_NESTING = 8  # save writes 3 levels: {"layers": [{...}]}
MAX_NPY_HEADER = 1024  # bytes before an array's data; numpy writes 128

DTYPES = ("float32", "float64")
KEYS = {"format", "version", "layers", "loss", "dtype"}
LAYER_KEYS = {
    "dense": {"type", "n_in", "n_out"},
    "activation": {"type", "name"},
    "dropout": {"type", "p"},
}

_MISSING = object()  # a key absent from a JSON object

# The zip flags a plain member may have: 0x8 (sizes after the data), 0x800 (UTF-8 name).
ZIP_FLAGS = 0x808

# What reading a damaged zip archive can raise (zipfile checks sizes, names and CRCs).
_ZIP_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    struct.error,
    NotImplementedError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
)


def save(net: Network, path) -> Path:
    """Write ``net`` (architecture and weights) to ``path`` atomically; return the path.

    Refuses (``ValueError``) a network ``load`` could not read back: more than
    ``MAX_LAYERS`` layers or ``MAX_PARAMETERS`` parameters, a dtype other than
    float32/float64, NaN or infinity in a weight.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"model files end in .npz, got {path.name!r}")
    meta = check_network(net)
    arrays = {f"param_{i}": p for i, p in enumerate(net.params)}
    # np.savez writes every member with the same fixed date: equal networks give
    # byte-identical files, so a model can be verified by its SHA-256 (recipes.BEST_SHA256).
    architecture = np.array(json.dumps(meta))
    files.write_atomically(path, lambda f: np.savez(f, architecture=architecture, **arrays))
    return path


def check_network(net: Network) -> dict:
    """The architecture ``save`` writes for ``net``, checked as ``load`` will check it.

    Raises ``ValueError`` (one line) when ``load`` could not read the file back.
    """
    meta = {"format": FORMAT, "version": VERSION, **describe(net)}
    try:
        shapes = check_architecture(meta)
        dtype = np.dtype(meta["dtype"])
        for i, (p, shape) in enumerate(zip(net.params, shapes, strict=True)):
            if p.shape != shape or p.dtype != dtype:
                raise ModelFileError(
                    f"param_{i} should be {dtype} {shape}, got {p.dtype} {p.shape}"
                )
            validation.finite(p, f"param_{i}")
    except (ModelFileError, ValueError) as e:
        raise ValueError(f"this network cannot be saved: {e}") from None
    return meta


def load(path) -> Network:
    """Read a network saved by ``save``, checking everything in the file before using it.

    Raises ``ModelFileError`` with one line, ``<path>: <what was expected, what came>``.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such model file")
    if not path.is_file():
        got = "a directory" if path.is_dir() else "a device, pipe or socket"
        raise ModelFileError(f"{path}: expected a model file, got {got}")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive)
    except ModelFileError as e:
        raise ModelFileError(f"{path}: {e}") from None
    except _ZIP_ERRORS as e:
        raise ModelFileError(
            f"{path}: not a readable .npz model file ({validation.one_line(e)})"
        ) from None


def _read(archive: zipfile.ZipFile) -> Network:
    """Steps 1-4 of the module docstring, on an open archive."""
    members = _members(archive)
    if "architecture.npy" not in members:
        names = validation.one_line(", ".join(sorted(members)) or "none", 60)
        raise ModelFileError(f"no 'architecture' entry; not an nnlib model (members: {names})")
    info = members.pop("architecture.npy")
    offset, _, dtype = _header(archive, info, None)
    meta = parse_architecture(_text(_data(archive, info, offset), dtype))
    shapes = check_architecture(meta)
    dtype = np.dtype(meta["dtype"])
    names = [f"param_{i}.npy" for i in range(len(shapes))]
    unexpected = sorted(set(members) - set(names))
    if unexpected:
        raise ModelFileError(
            f"expected the members architecture.npy and param_0.npy .. {names[-1]}, "
            f"got an unexpected member {validation.one_line(repr(unexpected[0]), 60)}"
        )
    for name in names:
        if name not in members:
            raise ModelFileError(f"expected {len(names)} parameter arrays, {name} is missing")
    # Every header before any data: nothing is allocated for a file that lies about sizes.
    layouts = [
        _header(archive, members[name], (shape, dtype))
        for name, shape in zip(names, shapes, strict=True)
    ]
    net = from_config(meta)
    for name, p, (offset, shape, file_dtype) in zip(names, net.params, layouts, strict=True):
        array = np.frombuffer(_data(archive, members[name], offset), file_dtype).reshape(shape)
        try:
            p[...] = validation.finite(array, name.removesuffix(".npy"))
        except ValueError as e:
            raise ModelFileError(str(e)) from None
    return net


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by name: each once, stored uncompressed, not encrypted."""
    infos = archive.infolist()
    if len(infos) > 2 * MAX_LAYERS + 1:
        raise ModelFileError(f"expected at most {2 * MAX_LAYERS + 1} members, got {len(infos)}")
    members = {}
    for info in infos:
        name = validation.one_line(repr(info.filename), 60)
        if info.filename in members:
            raise ModelFileError(f"expected each member once, got {name} twice")
        if info.flag_bits & ~ZIP_FLAGS:
            raise ModelFileError(
                f"member {name} has zip flags {info.flag_bits:#x} (encryption, patches...); "
                "expected plain arrays"
            )
        if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
            raise ModelFileError(
                f"member {name} is compressed (method {info.compress_type}); "
                "expected arrays stored uncompressed, as save writes them"
            )
        members[info.filename] = info
    return members


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, expected) -> tuple:
    """Read and check the ``.npy`` header of a member; return (data offset, shape, dtype).

    ``expected`` is (shape, dtype) for a parameter array, None for the architecture's
    JSON string. The member's size (``info.file_size``, from the zip directory) must be
    exactly header + data, checked before the header is read and again after: the
    data itself is not read here.
    """
    name = info.filename.removesuffix(".npy")
    if expected is not None:
        need = math.prod(expected[0]) * expected[1].itemsize
        if not need < info.file_size <= need + MAX_NPY_HEADER:
            raise ModelFileError(
                f"{name} should be {expected[1]} {expected[0]}, {need:,} bytes, "
                f"but its member has {info.file_size:,} bytes"
            )
    elif info.file_size > MAX_NPY_HEADER + 4 * MAX_ARCHITECTURE_CHARS:
        raise ModelFileError(
            f"architecture: expected at most {MAX_ARCHITECTURE_CHARS:,} characters of JSON, "
            f"got a member of {info.file_size:,} bytes"
        )
    with archive.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"format version {version}, expected (1, 0) or (2, 0)")
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran_order, dtype = read_header(f, max_header_size=MAX_NPY_HEADER)
            offset = f.tell()
        except zipfile.BadZipFile:  # a bad CRC: the whole archive is damaged
            raise
        except Exception as e:  # numpy's header parser: ValueError, SyntaxError, TokenError...
            raise ModelFileError(f"{name}: not a .npy array ({validation.one_line(e)})") from None
    got = f"{dtype} {shape}"
    if expected is None:
        if dtype.kind != "U" or shape != ():
            raise ModelFileError(
                f"architecture should be a JSON string (unicode, shape ()), got {got}"
            )
        need = dtype.itemsize
    else:
        # either byte order: a file written on a big-endian machine is fine
        if shape != expected[0] or dtype.kind != "f" or dtype.newbyteorder("=") != expected[1]:
            raise ModelFileError(f"{name} should be {expected[1]} {expected[0]}, got {got}")
        need = math.prod(shape) * dtype.itemsize
    if fortran_order and len(shape) > 1:
        raise ModelFileError(f"{name} is stored in Fortran order; expected C order")
    if info.file_size != offset + need:
        raise ModelFileError(
            f"{name}: its header promises {need:,} bytes of data after {offset} header bytes, "
            f"the member holds {info.file_size - offset:,}"
        )
    return offset, shape, dtype


def _data(archive: zipfile.ZipFile, info: zipfile.ZipInfo, offset: int) -> memoryview:
    """The bytes of a member after its ``.npy`` header (zipfile checks their CRC).

    The member is read in one piece and the header skipped with a view, so its data
    is in memory once, not twice.
    """
    with archive.open(info) as f:
        return memoryview(f.read(info.file_size))[offset:]


def _text(data: memoryview, dtype: np.dtype) -> str:
    """A NumPy unicode scalar's bytes (UTF-32, NUL-padded) as a str."""
    try:
        return (
            bytes(data).decode("utf-32-be" if dtype.str[0] == ">" else "utf-32-le").rstrip("\x00")
        )
    except UnicodeDecodeError as e:
        raise ModelFileError(f"architecture: not valid text ({validation.one_line(e)})") from None


def parse_architecture(text: str):
    """The JSON ``text`` as Python objects, once its length and nesting are known to be sane.

    ``json`` recurses once per level of nesting, so 100,000 nested brackets would
    exhaust Python's stack: ``json_depth`` counts them first, without recursion.
    NaN, Infinity and repeated keys are refused (``save`` never writes them).
    """
    if len(text) > MAX_ARCHITECTURE_CHARS:
        raise ModelFileError(
            f"architecture: expected at most {MAX_ARCHITECTURE_CHARS:,} characters of JSON, "
            f"got {len(text):,}"
        )
    if json_depth(text, MAX_NESTING) > MAX_NESTING:
        raise ModelFileError(
            f"architecture: expected JSON nested at most {MAX_NESTING} levels deep, got more"
        )
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except ValueError as e:  # JSONDecodeError, a repeated key, a 5000-digit number
        raise ModelFileError(f"architecture: not valid JSON ({validation.one_line(e)})") from None


def json_depth(text: str, limit: int) -> int:
    """How deeply ``[`` and ``{`` nest in JSON ``text`` (the scan stops past ``limit``).

    Brackets inside strings do not count: a string runs from a quote to the next
    quote not escaped by a backslash. One loop and a counter: any input is safe.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def _object(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object as a dict, refusing a key given twice (``json`` would keep the last)."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"key {validation.one_line(repr(key), 40)} appears twice")
        seen.add(key)
    return dict(pairs)


def _constant(name: str):
    """Refuse NaN, Infinity and -Infinity, which Python's json accepts but JSON does not."""
    raise ValueError(f"{name} is not a number JSON allows")


def check_architecture(meta) -> list[tuple[int, ...]]:
    """Check a parsed architecture, field by field, against what ``save`` writes.

    Returns the shapes of the parameter arrays it needs, in ``Network.params`` order;
    raises ``ModelFileError`` naming the first field that is wrong.
    """
    if not isinstance(meta, dict):
        raise ModelFileError(f"architecture: expected a JSON object, got {_show(meta)}")
    if meta.get("format", _MISSING) != FORMAT:
        raise ModelFileError(
            f"not an nnlib model: expected format {FORMAT!r}, "
            f"got {_show(meta.get('format', _MISSING))}"
        )
    version = meta.get("version", _MISSING)
    if type(version) is not int or version != VERSION:
        raise ModelFileError(f"expected model format version {VERSION}, got {_show(version)}")
    _keys(meta, KEYS, "architecture")
    if not isinstance(meta["dtype"], str) or meta["dtype"] not in DTYPES:
        raise ModelFileError(f"dtype: expected 'float32' or 'float64', got {_show(meta['dtype'])}")
    if not isinstance(meta["loss"], str) or meta["loss"] not in losses.LOSSES:
        raise ModelFileError(
            f"loss: expected one of {sorted(losses.LOSSES)}, got {_show(meta['loss'])}"
        )
    layers = meta["layers"]
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        got = f"{len(layers)} layers" if isinstance(layers, list) else _show(layers)
        raise ModelFileError(f"layers: expected a list of 1 to {MAX_LAYERS} layers, got {got}")
    shapes, total, previous = [], 0, None  # previous: (index, n_out) of the last dense layer
    for i, layer in enumerate(layers):
        where = f"layers[{i}]"
        if not isinstance(layer, dict):
            raise ModelFileError(
                f'{where}: expected an object like {{"type": "dense", ...}}, got {_show(layer)}'
            )
        kind = layer.get("type", _MISSING)
        if not isinstance(kind, str) or kind not in LAYER_KEYS:
            raise ModelFileError(
                f"{where}.type: expected one of {sorted(LAYER_KEYS)}, got {_show(kind)}"
            )
        leaky = kind == "activation" and layer.get("name") == "leaky_relu"
        _keys(layer, LAYER_KEYS[kind] | ({"alpha"} if leaky else set()), where)
        if kind == "dense":
            n_in, n_out = _size(layer, "n_in", where), _size(layer, "n_out", where)
            if previous is not None and n_in != previous[1]:
                raise ModelFileError(
                    f"{where}.n_in: expected {previous[1]} (the n_out of layers[{previous[0]}]), "
                    f"got {n_in}"
                )
            total += n_in * n_out + n_out
            if total > MAX_PARAMETERS:
                raise ModelFileError(
                    f"layers: expected at most {MAX_PARAMETERS:,} parameters in all, "
                    f"got {total:,} up to {where}"
                )
            shapes += [(n_in, n_out), (n_out,)]
            previous = (i, n_out)
        elif kind == "activation":
            name = layer["name"]
            if not isinstance(name, str) or name not in activations.ACTIVATIONS:
                raise ModelFileError(
                    f"{where}.name: expected one of {sorted(activations.ACTIVATIONS)}, "
                    f"got {_show(name)}"
                )
            if leaky:
                _fraction(layer, "alpha", where, open_low=True)
        else:
            _fraction(layer, "p", where, open_low=False)
    if not shapes:
        raise ModelFileError("layers: expected at least one dense layer, got none")
    return shapes


def _keys(obj: dict, keys: set, where: str) -> None:
    """Refuse a missing or an unexpected key in a JSON object."""
    expected = ", ".join(sorted(keys))
    for key in sorted(keys - obj.keys()):
        raise ModelFileError(f"{where}: expected the keys {expected}; {key!r} is missing")
    for key in sorted(obj.keys() - keys):
        key = validation.one_line(repr(key), 40)
        raise ModelFileError(f"{where}: expected the keys {expected}, got the unexpected key {key}")


def _size(layer: dict, key: str, where: str) -> int:
    """A layer width: a positive JSON integer (not 5.0, not true)."""
    value = layer[key]
    if type(value) is not int or value < 1:
        raise ModelFileError(f"{where}.{key}: expected a positive integer, got {_show(value)}")
    return value


def _fraction(layer: dict, key: str, where: str, open_low: bool) -> float:
    """A number in (0, 1) (``open_low``) or [0, 1): leaky ReLU's alpha, dropout's p."""
    value = layer[key]
    number = type(value) in (int, float)
    if not (number and (0 < value < 1 if open_low else 0 <= value < 1)):
        interval = "(0, 1)" if open_low else "[0, 1)"
        raise ModelFileError(f"{where}.{key}: expected a number in {interval}, got {_show(value)}")
    return value


def _show(value) -> str:
    """A JSON value for a message: 'a list [1, 2]', 'a string "relu"', 'nothing' (missing)."""
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "null"
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    kind = kinds.get(type(value), "a number")
    return f"{kind} {validation.one_line(json.dumps(value), 50)}"
