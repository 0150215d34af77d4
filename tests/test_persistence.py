import zipfile

import numpy as np
import pytest

from nnlib import mlp, persistence
from nnlib.errors import ModelFileError


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
