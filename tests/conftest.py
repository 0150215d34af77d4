"""Shared fixtures: the datasets `make data` cached, and a clean NNLIB_* environment."""

import os
from pathlib import Path

import pytest

from nnlib import data


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    """Forget the user's NNLIB_* data settings and cache into an empty folder, which is returned."""
    for name in list(os.environ):
        if name in ("NNLIB_DATA_DIR", "NNLIB_OFFLINE") or name.endswith("MIRRORS"):
            monkeypatch.delenv(name)
    folder = tmp_path / "cache"
    monkeypatch.setenv("NNLIB_DATA_DIR", str(folder))
    return folder


def cached_dataset(dataset: data.Dataset) -> Path:
    """The cache folder holding ``dataset``'s four .gz files, as `make data` leaves it.

    The tests use it as a local mirror, so they run the real download-and-verify path
    without a network. Without the files the test is skipped, saying how to get them.
    """
    folder = data.cache_folder(dataset)
    missing = [
        s.filename for s in dataset.files.values() if not (folder / f"{s.filename}.gz").is_file()
    ]
    if missing:
        pytest.skip(
            f"{dataset.name} is not downloaded yet ({folder} lacks {missing[0]}.gz): "
            f"run `make data` or `python -m nnlib download --dataset {dataset.name}` first"
        )
    return folder


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder of MNIST's four .gz files in the course's cache."""
    return cached_dataset(data.MNIST)


@pytest.fixture(scope="session")
def fashion_mnist_dir() -> Path:
    """The folder of Fashion-MNIST's four .gz files in the course's cache."""
    return cached_dataset(data.FASHION_MNIST)
