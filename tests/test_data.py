"""nnlib.data: the IDX reader, mirrors with fallback, the verified cache, the real datasets."""

import gzip
import hashlib
import os
import socket
import stat
import struct
import urllib.request

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import data
from nnlib.errors import DataError

IDX_CODES = {
    np.uint8: 0x08,
    np.int8: 0x09,
    np.int16: 0x0B,
    np.int32: 0x0C,
    np.float32: 0x0D,
    np.float64: 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file holding ``array``: magic, type code, ndim, dims, big-endian elements."""
    header = bytes([0, 0, IDX_CODES[array.dtype.type], array.ndim])
    dims = struct.pack(f">{array.ndim}I", *array.shape)
    return header + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()


def payload_sha256(path) -> str:
    return hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()


# --- reading IDX files ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", list(IDX_CODES))
@pytest.mark.parametrize("compress", [False, True])
def test_reads_every_element_type_raw_and_gzip(tmp_path, dtype, compress):
    array = (np.arange(24) - 5).astype(dtype).reshape(2, 3, 4)
    raw = idx_bytes(array)
    path = tmp_path / "a.idx"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    result = data.read_idx(path)
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    assert result.shape == (2, 3, 4)
    np.testing.assert_array_equal(result, array)
    result[0, 0, 0] = 1  # a writable array of its own


def test_one_dimensional_and_empty_arrays(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.array([7, 0, 9], dtype=np.uint8)))
    np.testing.assert_array_equal(data.read_idx(path), [7, 0, 9])
    path.write_bytes(idx_bytes(np.zeros((0, 28, 28), dtype=np.uint8)))
    assert data.read_idx(path).shape == (0, 28, 28)


def test_gzip_is_recognised_by_its_magic_bytes_not_the_file_name(tmp_path):
    raw = idx_bytes(np.arange(6, dtype=np.int16))
    (tmp_path / "really-gzip.idx").write_bytes(gzip.compress(raw))
    (tmp_path / "really-raw.gz").write_bytes(raw)
    for name in ("really-gzip.idx", "really-raw.gz"):
        np.testing.assert_array_equal(data.read_idx(tmp_path / name), np.arange(6))


GOOD = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"expected an IDX header of at least 4 bytes, got 0"),
        (b"\x00\x00\x08", r"at least 4 bytes, got 3"),
        (b"\x01\x00" + GOOD[2:], r"expected magic 00 00, got 01 00"),
        (GOOD[:2] + b"\x0a" + GOOD[3:], r"unknown IDX element type 0A"),
        (GOOD[:4] + GOOD[4:8], r"header declares 2 dimensions"),
        (GOOD[:3] + b"\x00", r"header declares 0 dimensions"),
        (GOOD[:-1], r"truncated: .* expected 6 payload bytes, got 5"),
        (GOOD + b"\x00", r"has extra bytes: .* expected 6 payload bytes, got 7"),
        (gzip.compress(GOOD)[:-9], r"corrupt or truncated gzip"),
        (gzip.compress(GOOD)[:-4] + b"\xff\xff\xff\xff", r"corrupt or truncated gzip"),
        (b"\x1f\x8b" + b"\x00" * 20, r"corrupt or truncated gzip"),
    ],
    ids=[
        "empty",
        "short-header",
        "bad-magic",
        "unknown-type",
        "missing-dims",
        "zero-dims",
        "payload-short",
        "payload-long",
        "truncated-gzip",
        "bad-gzip-trailer",
        "garbage-gzip",
    ],
)
def test_broken_files_raise_data_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "broken-file.gz"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        data.read_idx(path)
    assert str(info.value).startswith(f"{path}: ")


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"missing\.gz: cannot read"):
        data.read_idx(tmp_path / "missing.gz")


def test_parse_idx_names_what_it_was_given():
    with pytest.raises(DataError, match=r"^http://x/y\.gz: truncated"):
        data.parse_idx(GOOD[:-2], "http://x/y.gz")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    array=hnp.arrays(
        st.sampled_from([np.uint8, np.int16, np.float32]),
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6),
    ),
    compress=st.booleans(),
)
def test_write_then_read_round_trips_exactly(tmp_path, array, compress):
    path = tmp_path / "round-trip"
    path.write_bytes(gzip.compress(idx_bytes(array)) if compress else idx_bytes(array))
    result = data.read_idx(path)
    assert result.dtype == array.dtype and result.shape == array.shape
    assert result.tobytes() == array.tobytes()  # bit for bit, NaNs included


# --- mirrors and the cache, on a tiny fake dataset served from file:// folders ------------

TINY = {
    "train_images": np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4),
    "train_labels": np.array([0, 1, 2], dtype=np.uint8),
    "test_images": np.full((2, 4, 4), 255, dtype=np.uint8),
    "test_labels": np.array([2, 0], dtype=np.uint8),
}


def tiny_dataset(*mirrors, local_dirs=()) -> data.Dataset:
    """TINY as a Dataset whose built-in mirrors are the given folders or URLs."""
    files = {
        role: data.FileSpec(f"tiny-{role}", hashlib.sha256(idx_bytes(a)).hexdigest(), a.shape)
        for role, a in TINY.items()
    }
    urls = tuple(m if isinstance(m, str) else m.as_uri() for m in mirrors)
    return data.Dataset("tiny", files, urls, tuple(str(d) for d in local_dirs))


def mirror(folder, broken: dict[str, bytes] | None = None):
    """Serve TINY's .gz files from ``folder``, with ``broken`` contents for some roles."""
    folder.mkdir(parents=True, exist_ok=True)
    for role, array in TINY.items():
        content = (broken or {}).get(role, gzip.compress(idx_bytes(array)))
        (folder / f"tiny-{role}.gz").write_bytes(content)
    return folder


def assert_tiny(arrays):
    for got, want in zip(arrays, TINY.values(), strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def assert_cache_is_clean(folder):
    """Exactly TINY's four verified files, and no temporary or partial files."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"tiny-{r}.gz" for r in TINY)
    for role, array in TINY.items():
        digest = hashlib.sha256(idx_bytes(array)).hexdigest()
        assert payload_sha256(folder / f"tiny-{role}.gz") == digest


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The URLs nnlib.data opens, in order (the downloads still happen)."""
    urls = []
    real_urlopen = urllib.request.urlopen

    def urlopen(url, timeout):
        urls.append(url)
        return real_urlopen(url, timeout=timeout)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return urls


def test_downloads_once_then_loads_from_the_cache(cache, tmp_path):
    source = mirror(tmp_path / "m1")
    dataset = tiny_dataset(source)
    assert_tiny(data.load(dataset))
    assert_cache_is_clean(cache / "tiny")
    for path in source.iterdir():
        path.unlink()  # the mirror is gone: the cache must do
    paths = data.fetch(dataset)
    assert paths == {role: cache / "tiny" / f"tiny-{role}.gz" for role in TINY}
    assert_tiny(data.load(dataset))


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_cached_files_get_the_mode_the_umask_gives(cache, tmp_path, umask):
    dataset = tiny_dataset(mirror(tmp_path / "m1"))
    old = os.umask(umask)
    try:
        paths = data.fetch(dataset)
    finally:
        os.umask(old)
    assert {stat.S_IMODE(p.stat().st_mode) for p in paths.values()} == {0o666 & ~umask}


def file_dataset(content: bytes, *mirrors) -> data.Dataset:
    """One file kept as it is (a model, say), verified by the SHA-256 of ``content``."""
    spec = data.FileSpec("model.npz", hashlib.sha256(content).hexdigest(), ())
    return data.Dataset("files", {"model": spec}, tuple(m.as_uri() for m in mirrors))


def test_fetch_file_downloads_verifies_and_caches_a_file_as_it_is(cache, tmp_path):
    content = b"not gzip, not IDX: any bytes"
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.npz").write_bytes(b"a truncated download")
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "model.npz").write_bytes(content)
    dataset = file_dataset(content, tmp_path / "bad", tmp_path / "good")
    path = data.fetch_file(dataset, "model")
    assert path == cache / "files" / "model.npz" and path.read_bytes() == content
    (tmp_path / "good" / "model.npz").unlink()  # the cache must do now
    assert data.fetch_file(dataset, "model").read_bytes() == content
    path.write_bytes(b"damaged")  # a bad cached copy is not used, and nothing verifies
    with pytest.raises(DataError, match="bad/model.npz: SHA-256 mismatch"):
        data.fetch_file(dataset, "model")
    assert list((cache / "files").iterdir()) == []


def test_falls_back_when_the_first_mirror_lacks_the_files(cache, tmp_path):
    (tmp_path / "empty").mkdir()
    assert_tiny(data.load(tiny_dataset(tmp_path / "empty", mirror(tmp_path / "m2"))))
    assert_cache_is_clean(cache / "tiny")


@pytest.mark.parametrize(
    "bad",
    [
        gzip.compress(idx_bytes(TINY["train_images"] + 1)),  # valid IDX, wrong checksum
        gzip.compress(idx_bytes(TINY["train_images"]))[:-20],  # truncated gzip
        idx_bytes(TINY["train_images"])[:-1],  # uncompressed and one byte short
    ],
    ids=["checksum", "truncated-gzip", "short-raw"],
)
def test_a_corrupt_download_is_rejected_and_never_cached(cache, tmp_path, bad):
    corrupt = mirror(tmp_path / "corrupt", broken={"train_images": bad})
    with pytest.raises(DataError, match="tiny-train_images.gz") as info:
        data.load(tiny_dataset(corrupt))
    assert corrupt.as_uri() in str(info.value)
    assert not (cache / "tiny").exists() or not any((cache / "tiny").iterdir())

    assert_tiny(data.load(tiny_dataset(corrupt, mirror(tmp_path / "good"))))
    assert_cache_is_clean(cache / "tiny")


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated gzip
        lambda b: gzip.compress(idx_bytes(TINY["train_images"] // 2)),  # wrong checksum
        lambda b: b"",
    ],
    ids=["truncated", "checksum", "empty"],
)
def test_a_corrupt_cached_file_is_fetched_again(cache, tmp_path, damage):
    dataset = tiny_dataset(mirror(tmp_path / "m1"))
    paths = data.fetch(dataset)
    path = paths["train_images"]
    path.write_bytes(damage(path.read_bytes()))
    assert_tiny(data.load(dataset))
    assert_cache_is_clean(cache / "tiny")


def test_a_corrupt_cached_file_is_removed_even_when_no_mirror_works(cache, tmp_path):
    source = mirror(tmp_path / "m1")
    paths = data.fetch(tiny_dataset(source))
    paths["train_images"].write_bytes(b"garbage")
    with pytest.raises(DataError):
        data.load(tiny_dataset(tmp_path / "nowhere"))
    assert not paths["train_images"].exists()


def test_when_every_mirror_fails_the_error_names_each_one(cache, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    corrupt = mirror(tmp_path / "corrupt", broken={"train_images": b"\x1f\x8b junk"})
    monkeypatch.setenv("NNLIB_TINY_MIRRORS", (tmp_path / "env").as_uri())
    dataset = tiny_dataset(tmp_path / "empty", corrupt, "http://localhost:9/")
    with pytest.raises(DataError) as info:
        data.load(dataset)
    message = str(info.value)
    assert message.startswith("could not download tiny-train_images.gz from any of 4 mirrors")
    urls = [f"{base}tiny-train_images.gz" for base in data.mirror_urls(dataset)]
    assert [message.index(url) for url in urls] == sorted(message.index(url) for url in urls)
    assert message.count("No such file or directory") == 2
    assert "corrupt or truncated gzip" in message
    assert message.endswith("Set NNLIB_TINY_MIRRORS to a URL or folder that has the files.")


def test_nnlib_mirrors_are_tried_before_the_built_in_ones(cache, tmp_path, monkeypatch, opened):
    good = mirror(tmp_path / "env")
    dataset = tiny_dataset(mirror(tmp_path / "builtin"))
    monkeypatch.setenv("NNLIB_TINY_MIRRORS", f"file:///nonexistent {good.as_uri()}")  # no slash
    assert data.mirror_urls(dataset) == [
        "file:///nonexistent/",
        good.as_uri() + "/",
        (tmp_path / "builtin").as_uri() + "/",
    ]
    assert_tiny(data.load(dataset))
    assert all(not url.startswith((tmp_path / "builtin").as_uri()) for url in opened)
    assert len(opened) == 8  # the dead mirror, then the good one, for each of 4 files


def test_a_plain_folder_works_as_a_mirror(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("NNLIB_TINY_MIRRORS", str(mirror(tmp_path / "m")))
    assert_tiny(data.load(tiny_dataset("file:///nonexistent/")))


def test_each_dataset_reads_only_its_own_mirrors_variable(cache, monkeypatch):
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", "file:///mnist-folder/")
    monkeypatch.setenv("NNLIB_OFFLINE", "1")
    assert data.mirror_urls(data.MNIST) == ["file:///mnist-folder/"]
    assert "file:///mnist-folder/" not in data.mirror_urls(data.FASHION_MNIST)
    assert data.mirrors_variable(data.FASHION_MNIST) == "NNLIB_FASHION_MNIST_MIRRORS"


def test_the_old_shared_variable_is_refused_with_a_hint(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("NNLIB_MIRRORS", str(tmp_path))
    with pytest.raises(DataError, match=r"^NNLIB_MIRRORS is not read any more.*_MNIST_MIRRORS"):
        data.load(tiny_dataset(mirror(tmp_path / "m")))


def test_a_warm_cache_needs_no_mirrors(cache, tmp_path, monkeypatch):
    data.load(tiny_dataset(mirror(tmp_path / "m")))
    monkeypatch.setenv("NNLIB_MIRRORS", str(tmp_path))  # would be refused at a download
    assert_tiny(data.load(tiny_dataset("file:///nonexistent/")))


def test_local_dirs_come_after_nnlib_mirrors_and_before_the_network(cache, tmp_path, monkeypatch):
    local = mirror(tmp_path / "local")
    monkeypatch.setenv("NNLIB_TINY_MIRRORS", "file:///env/")
    dataset = tiny_dataset("https://example.invalid/", local_dirs=[local, tmp_path / "absent"])
    assert data.mirror_urls(dataset) == [
        "file:///env/",
        local.as_uri() + "/",
        "https://example.invalid/",
    ]
    monkeypatch.setenv("NNLIB_OFFLINE", "1")
    assert data.mirror_urls(dataset) == ["file:///env/", local.as_uri() + "/"]
    assert_tiny(data.load(dataset))


def test_offline_with_no_mirrors_says_so(cache, monkeypatch):
    monkeypatch.setenv("NNLIB_OFFLINE", "1")
    with pytest.raises(DataError, match="no mirrors to try"):
        data.load(tiny_dataset("https://example.invalid/"))


def test_a_host_that_does_not_answer_times_out_and_is_not_asked_again(
    cache, tmp_path, monkeypatch, opened
):
    silent = socket.socket()  # accepts connections (the backlog) but never replies
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    monkeypatch.setattr(data, "TIMEOUT", 0.2)
    host = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    with silent:
        assert_tiny(data.load(tiny_dataset(host, mirror(tmp_path / "good"))))
        assert sum(url.startswith(host) for url in opened) == 1  # once, not once per file
        with pytest.raises(DataError, match=r"tiny-train_images\.gz: timed out"):
            data.load(tiny_dataset(host), data_dir=tmp_path / "other")


def test_data_dir_resolution(cache, tmp_path, monkeypatch):
    assert data.data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert data.data_dir() == cache  # from $NNLIB_DATA_DIR
    monkeypatch.delenv("NNLIB_DATA_DIR")
    repo = tmp_path.resolve() / "repo"
    (repo / "nnlib").mkdir(parents=True)
    monkeypatch.setattr(data, "__file__", str(repo / "nnlib" / "data.py"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.data_dir() == tmp_path / "home" / ".cache" / "nnlib"  # an installed package
    (repo / "data").mkdir()
    (repo / "pyproject.toml").touch()
    assert data.data_dir() == repo / "data"  # a checkout of the course
    assert data.cache_folder(data.MNIST) == repo / "data" / "mnist"


def test_load_by_name():
    with pytest.raises(ValueError, match=r"unknown dataset 'emnist', expected one of"):
        data.load("emnist")


# --- the real datasets, through the same download-and-verify path --------------------------


def load_real(name, mirrors, tmp_path_factory):
    """Load a real dataset into an empty cache from local mirrors only; return it and its folder."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNLIB_DATA_DIR", str(cache))
        mp.setenv(data.mirrors_variable(data.DATASETS[name]), mirrors)
        mp.setenv("NNLIB_OFFLINE", "1")
        return data.load(name), cache / name


@pytest.fixture(scope="module")
def mnist(mnist_dir, tmp_path_factory):
    return load_real("mnist", mnist_dir.as_uri(), tmp_path_factory)


@pytest.fixture(scope="module")
def fashion_mnist(fashion_mnist_dir, tmp_path_factory):
    return load_real("fashion-mnist", fashion_mnist_dir.as_uri(), tmp_path_factory)


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_real_dataset_shapes_dtypes_and_pixels(request, name):
    (x_train, y_train, x_test, y_test), _ = request.getfixturevalue(name)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 255
    assert x_test.min() == 0 and x_test.max() == 255


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_real_dataset_cache_holds_verified_files(request, name):
    _, folder = request.getfixturevalue(name)
    dataset = data.DATASETS[folder.name]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{spec.filename}.gz" for spec in dataset.files.values()
    )
    for spec in dataset.files.values():
        assert payload_sha256(folder / f"{spec.filename}.gz") == spec.sha256


def test_mnist_labels(mnist):
    (_, y_train, _, y_test), _ = mnist
    train, test = np.bincount(y_train, minlength=10), np.bincount(y_test, minlength=10)
    assert len(train) == len(test) == 10 and train.min() > 5000 and test.min() > 800
    assert train[1] == 6742 and test[1] == 1135
    assert train.sum() == 60000 and test.sum() == 10000


def test_fashion_mnist_labels_are_balanced(fashion_mnist):
    (_, y_train, _, y_test), _ = fashion_mnist
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert len(data.FASHION_MNIST_CLASSES) == 10
    assert data.FASHION_MNIST_CLASSES[9] == "Ankle boot"
