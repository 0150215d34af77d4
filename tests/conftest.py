"""Shared fixtures: the real datasets on this machine, and a clean NNLIB_* environment."""

from pathlib import Path

import pytest

#: The course's offline copy of MNIST, next to the repo as ``../shared/data/mnist``.
MNIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
#: Debian's dataset-fashion-mnist package.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    """Forget the user's NNLIB_* settings and cache into an empty folder, which is returned."""
    for name in ("NNLIB_DATA_DIR", "NNLIB_MIRRORS", "NNLIB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "cache"
    monkeypatch.setenv("NNLIB_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder of MNIST's four .gz files (the test is skipped without it)."""
    if not MNIST_DIR.is_dir():
        pytest.skip(f"no MNIST copy at {MNIST_DIR}")
    return MNIST_DIR


@pytest.fixture(scope="session")
def fashion_mnist_dir() -> Path:
    """The folder of Fashion-MNIST's four .gz files (the test is skipped without it)."""
    if not FASHION_MNIST_DIR.is_dir():
        pytest.skip(f"no Fashion-MNIST at {FASHION_MNIST_DIR} (apt install dataset-fashion-mnist)")
    return FASHION_MNIST_DIR
