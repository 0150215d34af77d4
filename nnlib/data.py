"""MNIST and Fashion-MNIST: the IDX file format, download mirrors, checksums and a local cache.

The IDX format
--------------
Both datasets come as four IDX files (training/test images/labels). An IDX file is a
small header followed by the numbers of one array:

    bytes 0-1     00 00        magic: always zero
    byte  2       type code    08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64
    byte  3       ndim         the number of dimensions
    4 * ndim      dims         the size of each dimension, a big-endian int32
    the rest      payload      the elements, big-endian, in row-major (C) order

MNIST's training images start ``00 00 08 03  00 00 EA 60  00 00 00 1C  00 00 00 1C``:
uint8, 3 dimensions, 60000 x 28 x 28, then 60000 * 28 * 28 bytes of pixels. The files are
distributed gzip-compressed; gzip data is recognised by its first two bytes, 1F 8B.

Download and cache
------------------
``load_mnist()`` returns the arrays, downloading the files once into a cache folder
(see ``data_dir``). Every file is checked against the SHA-256 of its *decompressed*
payload, both when it is downloaded and each time it is loaded, so a corrupt or truncated
file is never used: a bad cached file is fetched again, and a download is written to the
cache only once it has been verified. Environment variables:

    NNLIB_DATA_DIR               the cache folder
    NNLIB_MNIST_MIRRORS          base URLs tried before MNIST's built-in mirrors, separated
                                 by whitespace, e.g. ``file:///home/me/mnist/`` (a plain
                                 folder path works too)
    NNLIB_FASHION_MNIST_MIRRORS  the same for Fashion-MNIST
    NNLIB_OFFLINE=1              never contact the built-in network mirrors

A mirror override names its dataset, so a folder of MNIST files is never asked for
Fashion-MNIST's (same file names, other contents: a checksum mismatch at best).
"""

import gzip
import hashlib
import math
import os
import struct
import urllib.request
import zlib
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from socket import gaierror
from urllib.error import HTTPError, URLError

import numpy as np

from nnlib import files
from nnlib.errors import DataError

#: Seconds to wait for a mirror to connect or to send the next chunk, so a dead host fails fast.
TIMEOUT = 10

#: IDX element type code -> the big-endian NumPy dtype of the payload.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the decompressed bytes of an IDX file into an array in native byte order.

    Checks the magic bytes, the element type code, that the header is complete, and
    that the payload has exactly prod(dims) * itemsize bytes. ``name`` (a file or URL)
    starts every error message. Raises ``DataError``.
    """
    if len(data) < 4:
        raise DataError(f"{name}: expected an IDX header of at least 4 bytes, got {len(data)}")
    if data[:2] != b"\x00\x00":
        raise DataError(f"{name}: not an IDX file: expected magic 00 00, got {data[:2].hex(' ')}")
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"{c:02X}" for c in IDX_DTYPES)
        raise DataError(f"{name}: unknown IDX element type {code:02X}, expected one of {known}")
    header_size = 4 + 4 * ndim
    if ndim == 0 or len(data) < header_size:
        raise DataError(
            f"{name}: header declares {ndim} dimensions, expected 1 or more "
            f"and {header_size} header bytes, got {ndim} and {len(data)} bytes in all"
        )
    shape = struct.unpack_from(f">{ndim}I", data, 4)
    dtype = IDX_DTYPES[code]
    expected, got = math.prod(shape) * dtype.itemsize, len(data) - header_size
    if got != expected:
        problem = "truncated" if got < expected else "has extra bytes"
        raise DataError(
            f"{name}: {problem}: header says shape {shape} of {dtype.name}, "
            f"expected {expected} payload bytes, got {got}"
        )
    array = np.frombuffer(data, dtype, count=math.prod(shape), offset=header_size)
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file, raw or gzip-compressed, into an array (see ``parse_idx``)."""
    return parse_idx(_decompress(_read(Path(path)), str(path)), str(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from err


def _decompress(data: bytes, name: str) -> bytes:
    """Gunzip ``data`` if it starts with the gzip magic bytes 1F 8B; else return it as it is."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise DataError(f"{name}: corrupt or truncated gzip data ({err})") from err


@dataclass(frozen=True)
class FileSpec:
    """One IDX file: its name without ``.gz``, the SHA-256 of its decompressed bytes, its shape."""

    filename: str
    sha256: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Dataset:
    """A downloadable dataset: its files by role, its mirrors (base URLs), local folders.

    ``local_dirs`` are folders that may already hold the ``.gz`` files (a system
    package, say); they are tried as ``file://`` mirrors before the network.
    """

    name: str
    files: dict[str, FileSpec]
    mirrors: tuple[str, ...]
    local_dirs: tuple[str, ...] = ()


#: The roles of a dataset's files, in the order ``load`` returns them.
ROLES = ("train_images", "train_labels", "test_images", "test_labels")

Splits = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _mnist_files(train_images: str, train_labels: str, test_images: str, test_labels: str):
    """The four files of MNIST and Fashion-MNIST (same names and shapes), given their SHA-256."""
    return {
        "train_images": FileSpec("train-images-idx3-ubyte", train_images, (60000, 28, 28)),
        "train_labels": FileSpec("train-labels-idx1-ubyte", train_labels, (60000,)),
        "test_images": FileSpec("t10k-images-idx3-ubyte", test_images, (10000, 28, 28)),
        "test_labels": FileSpec("t10k-labels-idx1-ubyte", test_labels, (10000,)),
    }


MNIST = Dataset(
    name="mnist",
    files=_mnist_files(
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
)

FASHION_MNIST = Dataset(
    name="fashion-mnist",
    files=_mnist_files(
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    local_dirs=("/usr/share/datasets/fashion-mnist",),  # Debian's dataset-fashion-mnist
)

DATASETS = {dataset.name: dataset for dataset in (MNIST, FASHION_MNIST)}

#: Fashion-MNIST's class names, indexed by label.
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def data_dir(override: str | Path | None = None) -> Path:
    """The cache folder: ``override``, else $NNLIB_DATA_DIR, else the course repo's ``data/``
    folder (in a checkout or editable install), else ``~/.cache/nnlib``."""
    if override is not None:
        return Path(override).expanduser()
    if env := os.environ.get("NNLIB_DATA_DIR"):
        return Path(env).expanduser()
    repo = Path(__file__).resolve().parent.parent
    if (repo / "data").is_dir() and (repo / "pyproject.toml").is_file():
        return repo / "data"
    return Path.home() / ".cache" / "nnlib"


def cache_folder(dataset: Dataset, override: str | Path | None = None) -> Path:
    """Where ``dataset``'s files are cached: ``<data_dir>/<dataset name>/<filename>.gz``."""
    return data_dir(override) / dataset.name


def mirrors_variable(dataset: Dataset) -> str:
    """The environment variable with extra mirrors for ``dataset``, e.g. NNLIB_MNIST_MIRRORS."""
    return f"NNLIB_{dataset.name.upper().replace('-', '_')}_MIRRORS"


def mirror_urls(dataset: Dataset) -> list[str]:
    """The base URLs to try, in order: the dataset's own $NNLIB_<NAME>_MIRRORS, existing
    ``local_dirs``, then the built-in mirrors (left out when $NNLIB_OFFLINE is set).
    Each ends with a slash."""
    if "NNLIB_MIRRORS" in os.environ:
        raise DataError(
            "NNLIB_MIRRORS is not read any more, because it sent every dataset to the same "
            f"folder: set {mirrors_variable(MNIST)} or {mirrors_variable(FASHION_MNIST)} instead"
        )
    env = os.environ.get(mirrors_variable(dataset), "").split()
    urls = [url if "://" in url else Path(url).resolve().as_uri() for url in env]
    urls += [Path(d).resolve().as_uri() for d in dataset.local_dirs if Path(d).is_dir()]
    if os.environ.get("NNLIB_OFFLINE", "") in ("", "0"):
        urls += dataset.mirrors
    return [url if url.endswith("/") else url + "/" for url in urls]


def fetch_file(dataset: Dataset, role: str, data_dir: str | Path | None = None) -> Path:
    """Make sure the file ``dataset.files[role]`` is cached as it is, unpacked by nothing
    (a model, say): its SHA-256 is that of the whole file. Downloaded from the dataset's
    mirrors (``mirror_urls``) if the cache lacks it or holds a copy that does not verify;
    written to the cache only once verified. Returns its path in ``cache_folder``."""
    spec = dataset.files[role]
    path = cache_folder(dataset, data_dir) / spec.filename
    if path.exists():
        try:
            _verified_file(_read(path), spec, str(path))
            return path
        except DataError:
            path.unlink(missing_ok=True)  # corrupt or stale: fetch it again
    _download(spec, path, mirror_urls(dataset), set(), mirrors_variable(dataset), _verified_file)
    return path


def _verified_file(raw: bytes, spec: FileSpec, name: str) -> bytes:
    """``raw`` if its SHA-256 is ``spec``'s (a file kept as it is downloaded)."""
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise DataError(f"{name}: SHA-256 mismatch: expected {spec.sha256}, got {digest}")
    return raw


def fetch(dataset: Dataset, data_dir: str | Path | None = None) -> dict[str, Path]:
    """Make sure every file of ``dataset`` is cached and verified; return the paths by role."""
    _fetch_arrays(dataset, data_dir)
    folder = cache_folder(dataset, data_dir)
    return {role: folder / f"{spec.filename}.gz" for role, spec in dataset.files.items()}


def load(dataset: str | Dataset, data_dir: str | Path | None = None) -> Splits:
    """``(x_train, y_train, x_test, y_test)`` of a dataset given by name or ``Dataset``."""
    if isinstance(dataset, str):
        if dataset not in DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}, expected one of {sorted(DATASETS)}")
        dataset = DATASETS[dataset]
    arrays = _fetch_arrays(dataset, data_dir)
    return tuple(arrays[role] for role in ROLES)


def load_mnist(data_dir: str | Path | None = None) -> Splits:
    """MNIST as ``(x_train, y_train, x_test, y_test)``, all uint8: images (60000, 28, 28) and
    (10000, 28, 28) with pixels 0..255 (0 is background), labels (60000,) and (10000,), 0..9."""
    return load(MNIST, data_dir)


def load_fashion_mnist(data_dir: str | Path | None = None) -> Splits:
    """Fashion-MNIST, shaped like MNIST; label k is ``FASHION_MNIST_CLASSES[k]``."""
    return load(FASHION_MNIST, data_dir)


def _fetch_arrays(dataset: Dataset, data_dir: str | Path | None) -> dict[str, np.ndarray]:
    folder = cache_folder(dataset, data_dir)
    mirrors = None  # looked up at the first download: a warm cache needs none
    unreachable: set[str] = set()  # mirrors whose host did not answer: not asked again
    arrays = {}
    for role, spec in dataset.files.items():
        path = folder / f"{spec.filename}.gz"
        if path.exists():
            try:
                arrays[role] = _verified(_read(path), spec, str(path))
                continue
            except DataError:
                path.unlink(missing_ok=True)  # corrupt or stale: fetch it again
        mirrors = mirror_urls(dataset) if mirrors is None else mirrors
        variable = mirrors_variable(dataset)
        arrays[role] = _download(spec, path, mirrors, unreachable, variable, _verified)
    return arrays


def _verified(raw: bytes, spec: FileSpec, name: str) -> np.ndarray:
    """Decompress and parse ``raw``; check its payload SHA-256 and shape against ``spec``."""
    payload = _decompress(raw, name)
    digest = hashlib.sha256(payload).hexdigest()
    if digest != spec.sha256:
        raise DataError(f"{name}: payload SHA-256 mismatch: expected {spec.sha256}, got {digest}")
    array = parse_idx(payload, name)
    if array.shape != spec.shape:
        raise DataError(f"{name}: expected shape {spec.shape}, got {array.shape}")
    return array


def _download(
    spec: FileSpec, path: Path, mirrors: list[str], unreachable: set[str], variable: str, verify
):
    """Try each mirror in turn for the file ``path`` names; cache the first download that
    ``verify(raw, spec, url)`` accepts, and return what it returns (``verify`` raises
    ``DataError`` otherwise). ``variable`` names the environment variable that adds
    mirrors, for the error message."""
    failures = []
    for base in mirrors:
        url = f"{base}{path.name}"
        if base in unreachable:
            failures.append(f"{url}: skipped, the host did not answer before")
            continue
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                raw = response.read()
            result = verify(raw, spec, url)
        except DataError as err:  # the message already names the URL
            failures.append(str(err))
            continue
        except (OSError, ValueError, HTTPException) as err:  # URLError is an OSError
            reason = err.reason if isinstance(err, URLError) else err
            if isinstance(reason, TimeoutError | ConnectionError | gaierror):
                unreachable.add(base)
            failures.append(f"{url}: {_describe(err)}")
            continue
        _write_atomically(path, raw)
        return result
    tried = "; ".join(failures) if failures else "no mirrors to try (NNLIB_OFFLINE is set)"
    raise DataError(
        f"could not download {path.name} from any of {len(mirrors)} mirrors: {tried}. "
        f"Set {variable} to a URL or folder that has the files."
    )


def _describe(err: Exception) -> str:
    """A short reason for a failed download, e.g. 'HTTP 404 Not Found' or 'timed out'."""
    if isinstance(err, HTTPError):
        return f"HTTP {err.code} {err.reason}"
    reason = err.reason if isinstance(err, URLError) else err
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place
    (``files.write_atomically``): the cache only ever holds complete files."""
    try:
        files.write_atomically(path, lambda f: f.write(data))
    except OSError as err:
        raise DataError(f"{path}: cannot write to the cache: {err.strerror or err}") from err
