import numpy as np
import pytest

from nnlib import evaluate, fit, mlp, optimizers
from nnlib.preprocessing import minibatches
from nnlib.training import HISTORY_COLUMNS


def blobs(n=600, k=3, d=8, seed=0):
    """A small classification problem: k Gaussian clusters in d dimensions."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(k, d))
    y = rng.integers(0, k, n)
    x = (centers[y] + rng.normal(size=(n, d))).astype(np.float32)
    return x, y


def train(seed=0, epochs=3, **kwargs):
    x, y = blobs()
    net = mlp([8, 16, 3], rng=seed, dropout=0.1)
    opt = optimizers.Adam(lr=0.01)
    history = fit(
        net, x, y, optimizer=opt, epochs=epochs, batch_size=32, rng=seed, verbose=False, **kwargs
    )
    return net, history


def test_training_reduces_the_loss_and_learns():
    x, y = blobs()
    net = mlp([8, 16, 3], rng=0)
    before, _ = evaluate(net, x, y)
    history = fit(net, x, y, optimizer=optimizers.SGD(lr=0.1), epochs=5, verbose=False)
    after, acc = evaluate(net, x, y)
    assert after < before / 2
    assert acc > 0.9
    assert history["loss"].is_monotonic_decreasing


def test_history_frame():
    x, y = blobs(seed=1)
    _, history = train(epochs=2, validation_data=(x, y))
    assert list(history.columns) == HISTORY_COLUMNS
    assert history["epoch"].tolist() == [1, 2]
    assert history[["loss", "accuracy", "val_loss", "val_accuracy"]].notna().all().all()
    assert (history["seconds"] > 0).all()
    _, history = train(epochs=1)
    assert history["val_loss"].isna().all()


def test_same_seed_gives_bitwise_identical_weights():
    a, ha = train(seed=5)
    b, hb = train(seed=5)
    for p, q in zip(a.params, b.params, strict=True):
        assert p.tobytes() == q.tobytes()
    assert ha["loss"].tolist() == hb["loss"].tolist()
    c, _ = train(seed=6)
    assert not np.array_equal(a.params[0], c.params[0])


def test_progress_lines_and_quiet(capsys):
    x, y = blobs()
    fit(
        mlp([8, 3], rng=0), x, y, optimizer=optimizers.SGD(lr=0.1), epochs=2, validation_data=(x, y)
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2") and "val_acc" in lines[1]
    fit(mlp([8, 3], rng=0), x, y, optimizer=optimizers.SGD(lr=0.1), epochs=1, verbose=False)
    assert capsys.readouterr().out == ""


def test_learning_rate_schedule_sets_the_rate_each_epoch():
    x, y = blobs()
    opt = optimizers.SGD(lr=1.0)
    fit(
        mlp([8, 3], rng=0),
        x,
        y,
        optimizer=opt,
        epochs=3,
        verbose=False,
        lr_schedule=lambda epoch: 0.1 / epoch,
    )
    assert opt.lr == pytest.approx(0.1 / 3)


def test_one_hot_targets_work_like_labels():
    x, y = blobs()
    a, b = mlp([8, 3], rng=0), mlp([8, 3], rng=0)
    fit(a, x, y, optimizer=optimizers.SGD(lr=0.1), epochs=1, verbose=False)
    fit(
        b,
        x,
        np.eye(3, dtype=np.float32)[y],
        optimizer=optimizers.SGD(lr=0.1),
        epochs=1,
        verbose=False,
    )
    np.testing.assert_array_equal(a.params[0], b.params[0])


def test_bad_training_data_is_rejected():
    x, y = blobs()
    net = mlp([8, 3], rng=0)
    opt = optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match="rows"):
        fit(net, x, y[:-1], optimizer=opt, verbose=False)
    with pytest.raises(ValueError, match="out of range|expected labels|in 0"):
        fit(net, x, y + 5, optimizer=opt, verbose=False)
    x_nan = x.copy()
    x_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fit(net, x_nan, y, optimizer=opt, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(net, x, y, optimizer=opt, epochs=0, verbose=False)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-3])
def test_fit_is_the_textbook_loop(weight_decay):
    """fit (flat vector, or arrays one by one with weight decay) = the loop written out."""
    x, y = blobs(300)
    a, b = mlp([8, 8, 3], rng=0), mlp([8, 8, 3], rng=0)
    opt_a, opt_b = optimizers.Adam(0.01, weight_decay=weight_decay), optimizers.Adam(0.01)
    fit(a, x, y, optimizer=opt_a, epochs=2, batch_size=32, rng=5, verbose=False)
    rng, targets = np.random.default_rng(5), np.eye(3, dtype=np.float32)[y]
    for _ in range(2):
        for xb, yb in minibatches(x, targets, 32, rng=rng):
            b.gradient(xb, yb)
            for w, g in zip(b.params, b.grads, strict=True):
                if w.ndim > 1:
                    g += np.float32(weight_decay) * w
            opt_b.step(b.params, b.grads)
    for pa, pb in zip(a.params, b.params, strict=True):
        np.testing.assert_allclose(pa, pb, rtol=1e-5, atol=1e-6)


def test_fit_records_what_the_held_out_data_is():
    x = np.random.default_rng(0).random((20, 4), dtype=np.float32)
    y = np.arange(20) % 3
    net = mlp([4, 5, 3], rng=0)
    history = fit(net, x, y, optimizer=optimizers.SGD(0.1), epochs=1, verbose=False,
                  validation_data=(x, y), validation_label="test (once)")  # fmt: skip
    assert history.attrs["validation_label"] == "test (once)"
    plain = fit(net, x, y, optimizer=optimizers.SGD(0.1), epochs=1, verbose=False)
    assert plain.attrs["validation_label"] == "validation"
