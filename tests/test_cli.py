"""The command line: ``python -m nnlib download``, exit codes and one-line errors."""

import os
import subprocess
import sys

import pytest

from nnlib import cli, data
from nnlib.errors import DataError


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
    result = run("download", "--data-dir", "cache", cwd=tmp_path, NNLIB_MIRRORS=mnist_dir.as_uri())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    folder = tmp_path / "cache" / "mnist"
    lines = result.stdout.splitlines()
    assert lines[0] == f"mnist: 4 files verified in {folder}"
    for spec in data.MNIST.files.values():
        assert (folder / f"{spec.filename}.gz").is_file()
        assert any(line.split()[0] == f"{spec.filename}.gz" for line in lines[1:])


def test_a_failed_download_is_one_line_on_stderr(tmp_path):
    result = run("download", cwd=tmp_path, NNLIB_MIRRORS="file:///nonexistent", NNLIB_DATA_DIR=".")
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
