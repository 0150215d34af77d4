"""The command line: ``python -m nnlib download``, exit codes and one-line errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from modelfiles import ISSUE_CASES, issue_file

from nnlib import cli, data
from nnlib.errors import DataError
from nnlib.training import HISTORY_COLUMNS


def run(*args, cwd, **env):
    """``python -m nnlib *args`` with only local mirrors (NNLIB_OFFLINE=1) and extra ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NNLIB_")}
    environment.update(NNLIB_OFFLINE="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "nnlib", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_download_from_a_local_mirror(mnist_dir, tmp_path):
    result = run(
        "download", "--data-dir", "cache", cwd=tmp_path, NNLIB_MNIST_MIRRORS=mnist_dir.as_uri()
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    folder = tmp_path / "cache" / "mnist"
    lines = result.stdout.splitlines()
    assert lines[0] == f"mnist: 4 files verified in {folder}"
    for spec in data.MNIST.files.values():
        assert (folder / f"{spec.filename}.gz").is_file()
        assert any(line.split()[0] == f"{spec.filename}.gz" for line in lines[1:])


def test_a_failed_download_is_one_line_on_stderr(tmp_path):
    result = run(
        "download", cwd=tmp_path, NNLIB_MNIST_MIRRORS="file:///nonexistent", NNLIB_DATA_DIR="."
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("nnlib: error: could not download train-images-idx3-ubyte.gz")
    assert "file:///nonexistent/train-images-idx3-ubyte.gz: No such file" in result.stderr


def test_a_bad_option_is_a_usage_error(tmp_path):
    result = run("download", "--dataset", "cifar", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'cifar'" in result.stderr and "Traceback" not in result.stderr


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_errors_are_flattened_to_one_line(monkeypatch, capsys):
    def fail(dataset, data_dir):
        raise DataError("could not download:\n  mirror 1: gone\n  mirror 2: gone")

    monkeypatch.setattr(data, "fetch", fail)
    assert cli.main(["download"]) == 1
    assert capsys.readouterr().err == (
        "nnlib: error: could not download: mirror 1: gone mirror 2: gone\n"
    )


def test_ctrl_c_exits_130_quietly(monkeypatch, capsys):
    def interrupted(dataset, data_dir):
        raise KeyboardInterrupt

    monkeypatch.setattr(data, "fetch", interrupted)
    assert cli.main(["download", "--dataset", "fashion-mnist"]) == 130
    assert capsys.readouterr() == ("", "")


@pytest.fixture
def mnist(cache, mnist_dir, monkeypatch):
    """Real MNIST through the download path, cached in a temporary folder."""
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", mnist_dir.as_uri())
    monkeypatch.setenv("NNLIB_OFFLINE", "1")
    return cache


def test_train_and_evaluate_end_to_end(mnist, tmp_path, capsys):
    model, report = tmp_path / "model.npz", tmp_path / "train.json"
    argv = ["train", "--train-size", "2000", "--hidden", "32,16", "--epochs", "2",
            "--optimizer", "adam", "--lr", "0.003", "--val-size", "0.1",
            "--save", str(model), "--json", str(report)]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("mnist: training 784-32-16-10 on 1,800 examples")
    assert out[1].startswith("epoch 1/2") and out[2].startswith("epoch 2/2")
    assert out[3].startswith("test accuracy ")
    assert out[4] == f"saved the trained network to {model}"
    result = json.loads(report.read_text())
    assert set(result) == {"config", "history", "test_accuracy", "test_loss", "train_seconds"}
    assert result["config"]["hidden"] == [32, 16] and result["config"]["optimizer"] == "adam"
    assert [set(row) for row in result["history"]] == [set(HISTORY_COLUMNS)] * 2
    assert 0.7 < result["test_accuracy"] <= 1
    assert result["train_seconds"] == pytest.approx(sum(r["seconds"] for r in result["history"]))

    evaluation = tmp_path / "eval.json"
    assert cli.main(["evaluate", str(model), "--json", str(evaluation)]) == 0
    out = capsys.readouterr().out
    assert "confusion matrix" in out and "per-class metrics" in out
    result_eval = json.loads(evaluation.read_text())
    assert result_eval["test_accuracy"] == pytest.approx(result["test_accuracy"])
    assert np.array(result_eval["confusion_matrix"]).sum() == 10_000
    assert len(result_eval["per_class"]) == 10


def test_quiet_training_prints_only_the_result(mnist, capsys):
    argv = ["train", "--train-size", "500", "--hidden", "8", "--epochs", "1", "--quiet",
            "--activation", "sigmoid", "--output", "sigmoid", "--loss", "mse",
            "--init", "normal_scaled", "--lr", "3.0", "--batch-size", "10"]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("test accuracy")
    assert out[1] == "saved no model (pass --save PATH.npz to keep the trained network)"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--lr", "-1"], "learning rate must be positive"),
        (["train", "--hidden", "12,x"], "--hidden takes positive integers"),
        (["train", "--dropout", "1.5"], "dropout probability"),
        (["train", "--epochs", "0"], "epochs and batch_size must be >= 1"),
        (["evaluate", "missing.npz"], "no such model file"),
        (["evaluate", "."], ".: expected a model file, got a directory"),
        (["train", "--hidden", "100000000"], "--hidden: expected at most 100,000,000 parameters"),
        (["train", "--hidden", ",".join(["2"] * 600), "--save", "m.npz"],
         "this network cannot be saved: layers: expected a list of 1 to 1000 layers, got 1201"),
    ],
)  # fmt: skip
def test_user_errors_are_one_line(mnist, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main([*argv, "--train-size", "100"] if argv[0] == "train" else argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("nnlib: error: ")


def test_a_damaged_model_file_is_one_line(mnist, tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    assert cli.main(["evaluate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable .npz model file" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--optimizer", "lbfgs"],
        ["train", "--dtype", "float16"],
        ["train", "--val-size", "2.5"],
        ["train", "--epochs", "many"],
    ],
)
def test_bad_flag_values_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--batch-size", "0"], "--batch-size: epochs and batch_size must be >= 1, got 0"),
        (["--lr", "nan"], "--lr: learning rate must be positive and finite, got nan"),
        (["--lr", "inf"], "--lr: learning rate must be positive and finite, got inf"),
        (["--lr-decay", "0"], "--lr-decay: must be positive and finite, got 0.0"),
        (["--momentum", "1"], r"--momentum: momentum must be in [0, 1), got 1.0"),
        (["--weight-decay", "-1"], "--weight-decay: must be >= 0, got -1.0"),
        (["--dropout", "-0.1"], "--dropout: dropout probability must be in [0, 1), got -0.1"),
        (["--train-size", "-5"], "--train-size: must be >= 0 (0 means all), got -5"),
        (["--seed", "-1"], "--seed: must be >= 0, got -1"),
    ],
)
def test_numeric_options_are_checked_before_any_data_is_loaded(cache, capsys, argv, message):
    # ``cache`` is an empty folder and there is no mirror: loading data would fail differently
    assert cli.main(["train", *argv]) == 1
    assert capsys.readouterr().err == f"nnlib: error: {message}\n"


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_a_val_size_that_is_no_count_or_fraction_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--val-size", value])
    assert info.value.code == 2
    assert "expected a count or a fraction" in capsys.readouterr().err


def test_type_errors_are_one_line_too(monkeypatch, capsys):
    def fail(dataset, data_dir):
        raise TypeError("expected an int seed,\n got 'x'")

    monkeypatch.setattr(data, "fetch", fail)
    assert cli.main(["download"]) == 1
    assert capsys.readouterr().err == "nnlib: error: expected an int seed, got 'x'\n"


def run_many(argvs, cwd):
    """``python -m nnlib`` once per argv, all at the same time: [(returncode, stdout, stderr)]."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NNLIB_")}
    environment["NNLIB_OFFLINE"] = "1"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "nnlib", *argv],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        results.append((process.returncode, out, err))
    return results


def test_the_issue_model_files_are_one_line_errors_from_the_command_line(tmp_path):
    paths = [issue_file(tmp_path, case) for case in ISSUE_CASES]
    results = run_many([["evaluate", path.name] for path in paths], cwd=tmp_path)
    for path, (status, out, err), (_, fragment) in zip(
        paths, results, ISSUE_CASES.values(), strict=True
    ):
        assert status == 1 and out == "" and "Traceback" not in err
        assert err.count("\n") == 1 and err.startswith(f"nnlib: error: {path.name}: "), err
        assert fragment in err
