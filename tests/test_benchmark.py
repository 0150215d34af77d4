"""The speed benchmark's harness: it runs, its output is well formed, and its NumPy
reference loop computes what nnlib computes. No timing is ever asserted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import report
from benchmarks.configs import CONFIGS
from benchmarks.reference_numpy import ReferenceMLP, with_ones
from benchmarks.workload import EpochOrders, build_nnlib_network
from nnlib import fit, optimizers

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_reference_loop_matches_nnlib(name):
    """Same weights, same minibatch order: the hand-fused loop and nnlib agree to rounding."""
    config = CONFIGS[name]
    rng = np.random.default_rng(1)
    x = rng.random((300, 784), dtype=np.float32)
    y = rng.integers(0, 10, 300)
    net = build_nnlib_network(config, seed=3)
    reference = ReferenceMLP(config, net.params)
    lr = 0.5 if config.optimizer == "sgd" else config.optimizer_args["lr"]
    optimizer = optimizers.get(config.optimizer, **{**config.optimizer_args, "lr": lr})
    for epoch in range(2):
        fit(net, x, y, optimizer=optimizer, epochs=1, batch_size=config.batch_size,
            rng=np.random.default_rng(epoch), verbose=False)  # fmt: skip
        order = EpochOrders(epoch, len(x)).next_order()
        reference.train_epoch(with_ones(x), y, np.eye(10, dtype=np.float32)[y], order, lr)
    for ours, theirs in zip(net.params, reference.params, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(reference.predict(x), net.predict(x))


def test_quick_run_writes_json_markdown_and_chart(tmp_path, mnist_dir):
    out = tmp_path / "results"
    env = dict(os.environ, NNLIB_MNIST_MIRRORS=mnist_dir.as_uri() + "/")
    env["NNLIB_DATA_DIR"] = str(tmp_path / "cache")
    command = [sys.executable, "-m", "benchmarks.run", "--quick", "--examples", "2000"]
    command += ["--systems", "nnlib,reference", "--configs", "nielsen,modern", "--threads", "1"]
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    results = json.loads((out / "results.json").read_text())
    assert {"meta", "machine", "configs", "roofline", "runs", "race", "summary"} <= set(results)
    assert results["meta"]["args"]["threads"] == 1
    runs = results["runs"]
    assert {(r["config"], r["system"]) for r in runs} == {
        (c, s) for c in ("nielsen", "modern") for s in ("nnlib", "reference")
    }
    for run in runs:
        assert run["status"] == "ok", run
        assert run["examples"] == 2000 and len(run["epochs"]) == 1
        assert 0 <= run["epochs"][0]["test_accuracy"] <= 1
        assert run["peak_rss_bytes"] > 0 and run["inference_images_per_second"] > 0
    assert [r["status"] for r in results["race"]] == ["ok"]  # nnlib's recipe; no torch here

    summary = results["summary"]
    assert summary["roofline"]["square_2048_gflops"] > 0
    row = summary["timing"]["modern"]["nnlib"]
    for key in ("median_seconds", "min_seconds", "ms_per_step", "test_accuracy",
                "peak_rss_bytes", "ratio_to_reference", "effective_gflops",
                "fraction_of_square_matmul", "inference_images_per_second"):  # fmt: skip
        assert row[key] is not None, key
    assert "ratio_to_torch" not in row
    goals = {t["target"]: t for t in summary["targets"]}
    assert goals["modern: nnlib / PyTorch s/epoch"]["ok"] is None  # not measured without torch

    table = (out / "results.md").read_text()
    assert "| config | system | s/epoch median |" in table
    for config in ("nielsen", "modern"):
        assert f"| {config} | nnlib |" in table
        assert f"| {config} | NumPy reference loop |" in table
    assert "## Targets" in table and "## Time to 98% test accuracy" in table
    assert (out / "ratios.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_handles_missing_and_failed_runs(tmp_path):
    """A run with nothing measured still gives a report (everything 'not measured')."""
    results = {
        "meta": {
            "command": "python -m benchmarks.run",
            "started": "now",
            "wall_seconds": 1.0,
            "git_commit": None,
            "git_dirty": False,
            "load_average_before": None,
            "target_accuracy": 0.98,
            "args": {"quick": True, "examples": 10, "rounds": 1, "epochs": 1, "threads": 1},
        },
        "machine": {
            "cpu": "cpu",
            "logical_cores": 1,
            "cores_available": 1,
            "memory_bytes": None,
            "python": "3",
            "numpy": "2",
            "numpy_blas": {},
            "torch": None,
            "scikit-learn": None,
        },
        "unavailable": {"nielsen": {"sklearn": "no quadratic loss"}},
        "roofline": [{"status": "error", "reason": "boom"}],
        "runs": [{"system": "nnlib", "config": "wide", "status": "error", "reason": "boom"}],
        "race": [],
    }
    paths = report.write(results, tmp_path)
    table = paths["markdown"].read_text()
    assert "failed: nnlib on wide: boom" in table and "no quadratic loss" in table
    assert all(t["ok"] is None for t in json.loads(paths["json"].read_text())["summary"]["targets"])


def test_step_profile_accounts_for_every_part():
    """profile_step times every layer's forward and backward, the loss, the update and the
    bookkeeping of each step, and trains exactly what fit trains."""
    from benchmarks import profile_step
    from benchmarks.workload import Data

    rng = np.random.default_rng(0)
    data = Data(
        rng.random((205, 784), dtype=np.float32),
        rng.integers(0, 10, 205),
        rng.random((5, 784), dtype=np.float32),
        rng.integers(0, 10, 5),
    )
    parts, steps, net = profile_step.profile_nnlib(CONFIGS["nielsen"], data)
    assert steps == 21  # 20 full minibatches of 10 and one of 5
    _, fitted = profile_step.time_fit(CONFIGS["nielsen"], data)
    for ours, fits in zip(net.params, fitted.params, strict=True):
        np.testing.assert_array_equal(ours, fits)
    layers = ["Dense(784, 30)", "Sigmoid()", "Dense(30, 10)", "Sigmoid()"]
    expected = {f"forward  {i}: {name}" for i, name in enumerate(layers)}
    expected |= {f"backward {i}: {name}" for i, name in enumerate(layers)}
    expected |= {"minibatch (shuffled gather)", "loss: Quadratic", "running loss and accuracy"}
    expected |= {"update: SGD (flat vector)"}
    assert set(parts) == expected and all(s > 0 for s in parts.values())
    table = profile_step.report(CONFIGS["nielsen"], data)
    assert "| **nnlib, parts added up** |" in table and "nnlib.fit / reference:" in table
