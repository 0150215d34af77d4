"""The recipes, the ladder's table, the README's copy of it and `python -m nnlib ladder`."""

import hashlib
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nnlib import cli, files
from nnlib.course import recipes, reproducible
from nnlib.course.recipes import BEST, LADDER, Recipe

REPO = Path(__file__).resolve().parents[1]
CSV = REPO / "nnlib" / "course" / "ladder.csv"
README = REPO / "README.md"


# ---- the rungs -------------------------------------------------------------------------


def test_each_rung_changes_something_and_the_best_network_is_the_top():
    assert len(LADDER) == 9 and LADDER[-1] is BEST
    assert len({r.name for r in LADDER}) == len(LADDER)
    for before, after in zip(LADDER[1:], LADDER[2:], strict=False):
        assert recipes.changes(before, after), f"{after.name} changes nothing"
    assert recipes.changes(LADDER[2], LADDER[3]) == "init normal -> normal_scaled"
    assert recipes.changes(LADDER[7], BEST) == "dropout 0 -> 0.3"
    assert recipes.changes(LADDER[0], LADDER[1]) == "nearest_mean -> network"


def test_rungs_lists_each_change_exactly():
    table = recipes.rungs()
    assert list(table.index) == list(range(1, 10)) and table.index.name == "rung"
    assert list(table["name"]) == [r.name for r in LADDER]
    assert table.loc[1, "settings changed"] == "(the first rung)"
    assert table.loc[4, "settings changed"] == "init normal -> normal_scaled"
    assert table.loc[9, "recipe"] == BEST.describe()


def test_nielsens_rung_is_exactly_his_chapter_1_network():
    nielsen = next(r for r in LADDER if r.name == "Nielsen's network")
    assert (nielsen.sizes, nielsen.activation, nielsen.output) == (
        (784, 30, 10),
        "sigmoid",
        "sigmoid",
    )
    assert (nielsen.loss, nielsen.init, nielsen.dropout) == ("mse", "normal", 0.0)
    assert (nielsen.optimizer, nielsen.lr, nielsen.lr_decay) == ("sgd", 3.0, 1.0)
    assert (nielsen.batch_size, nielsen.epochs) == (10, 30)
    assert nielsen.describe() == (
        "784-30-10, sigmoid hidden, sigmoid output, mse loss, normal init; "
        "sgd lr 3, batch 10, 30 epochs"
    )


def test_the_best_network_is_the_course_recipe():
    assert (BEST.sizes, BEST.activation, BEST.output, BEST.init) == (
        (784, 800, 800, 10), "relu", "softmax", "he")  # fmt: skip
    assert (BEST.dropout, BEST.optimizer, BEST.lr, BEST.lr_decay) == (0.3, "adam", 0.002, 0.9)
    assert (BEST.batch_size, BEST.epochs) == (128, 20)
    net = BEST.network(seed=0)
    assert [p.shape for p in net.params[::2]] == [(784, 800), (800, 800), (800, 10)]
    assert "Dropout(p=0.3)" in repr(net)


def test_best_path_is_in_the_model_cache(tmp_path):
    assert recipes.best_path(1, tmp_path) == tmp_path / "models" / "mnist-best-seed1.npz"


def test_nearest_mean_predicts_the_class_of_the_closest_mean():
    rng = np.random.default_rng(0)
    x = rng.random((200, 6)).astype(np.float32)
    y = np.arange(200) % 10
    model = recipes.NearestMean(x, y)
    assert model.means.shape == (10, 6)
    np.testing.assert_allclose(model.means[3], x[y == 3].mean(axis=0))
    queries = rng.random((50, 6)).astype(np.float32)
    brute = np.array([np.argmin([np.linalg.norm(q - m) for m in model.means]) for q in queries])
    np.testing.assert_array_equal(model.predict(queries), brute)
    assert recipes.accuracy(model, model.means, np.arange(10)) == 1.0


def tiny_split(n=300, seed=0):
    """A split shaped like mnist_split's, of random 'images' (no data files needed)."""
    rng = np.random.default_rng(seed)

    def part(m):
        return rng.random((m, 784), dtype=np.float32), rng.integers(0, 10, m)

    (x_train, y_train), (x_val, y_val), (x_test, y_test) = part(n), part(50), part(40)
    y_train[:10] = np.arange(10)  # every class present
    return dict(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, x_test=x_test,
                y_test=y_test)  # fmt: skip


def test_train_gives_a_model_and_its_history():
    split = tiny_split()
    small = replace(LADDER[5], epochs=2)
    net, history = recipes.train(small, 0, split)
    assert list(history["epoch"]) == [1, 2] and history["val_accuracy"].notna().all()
    again, _ = recipes.train(small, 0, split)
    np.testing.assert_array_equal(net.flat_params, again.flat_params)  # same seed, same net
    model, history = recipes.train(LADDER[0], 0, split)
    assert isinstance(model, recipes.NearestMean) and history.empty


# ---- the ladder's table ----------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_runs():
    """The whole ladder, quick, on two seeds of a tiny random split."""
    return recipes.run_ladder([0, 1], split=tiny_split(), quick_run=True, progress=None)


def test_run_ladder_measures_every_rung_on_every_seed_and_tests_only_the_top(quick_runs):
    runs = quick_runs
    assert list(runs.columns) == [*recipes.COLUMNS, "seconds"]
    assert list(runs["rung"]) == [r for r in range(1, 10) for _ in range(2)]
    assert list(runs["seed"]) == [0, 1] * 9
    assert list(runs["name"].unique()) == [r.name for r in LADDER]
    assert (runs["val_errors"] == np.round((1 - runs["val_accuracy"]) * 50)).all()
    top = runs["rung"] == 9
    assert runs.loc[top, "test_errors"].notna().all() and runs.loc[~top, "test_errors"].isna().all()
    assert runs.loc[~top, "test_accuracy"].isna().all()
    assert (runs.loc[top, "recipe"] == recipes.quick(BEST).describe()).all()


def test_progress_is_one_line_per_run():
    lines = []
    recipes.run_ladder([3], split=tiny_split(), quick_run=True, progress=lines.append)
    assert len(lines) == 9
    assert lines[0].startswith("rung 1/9 nearest class mean") and "seed 3: val " in lines[0]
    assert "errors of 50)" in lines[0] and "test" in lines[-1] and "test" not in lines[-2]


def test_the_csv_round_trips_bit_for_bit(quick_runs, tmp_path):
    path = recipes.write_csv(quick_runs, tmp_path / "ladder.csv")
    text = path.read_text()
    assert text.splitlines()[0] == ",".join(recipes.COLUMNS)  # no seconds: they never repeat
    runs = recipes.read_csv(path)
    pd.testing.assert_frame_equal(runs, quick_runs[recipes.COLUMNS])
    recipes.write_csv(runs, path)
    assert path.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["ladder.csv"]  # no temporary file left


def test_a_failed_write_leaves_the_old_csv_in_place(quick_runs, tmp_path, monkeypatch):
    path = tmp_path / "ladder.csv"
    path.write_text("the old table\n")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        recipes.write_csv(quick_runs, path)
    assert path.read_text() == "the old table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ladder.csv"]


def test_read_csv_refuses_another_table(tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="other.csv is not a ladder table"):
        recipes.read_csv(tmp_path / "other.csv")


def test_the_table_has_mean_and_sd_per_rung_and_the_test_only_on_top():
    runs = pd.DataFrame({
        "rung": [1, 1, 1, 2, 2, 2], "name": ["a"] * 3 + ["b"] * 3, "change": ["x"] * 3 + ["y"] * 3,
        "seed": [0, 1, 2] * 2, "val_accuracy": [0.9, 0.9, 0.9, 0.95, 0.96, 0.97],
        "val_errors": [500, 500, 500, 250, 200, 150],
        "test_accuracy": [np.nan] * 3 + [0.98, 0.98, 0.99],
        "test_errors": pd.array([None] * 3 + [200, 200, 100], dtype="Int64"),
    })  # fmt: skip
    table = recipes.table(runs)
    assert list(table["val_accuracy"]) == ["90.00% ± 0.00%", "96.00% ± 1.00%"]
    assert list(table["val_errors"]) == ["500 ± 0", "200 ± 50"]
    assert list(table["test_accuracy"]) == ["", "98.33% ± 0.58%"]
    assert list(table["seeds"]) == [3, 3]
    markdown = recipes.readme_table(runs)
    assert markdown.splitlines()[0].startswith("| rung | change | validation accuracy (3 seeds)")
    assert markdown.splitlines()[-1] == "| 2 | **b**: y | 96.00% ± 1.00% | 98.33% ± 0.58% |"


def test_write_readme_replaces_the_table_and_keeps_the_prose(quick_runs, tmp_path):
    readme = tmp_path / "README.md"
    before = f"# Title\n\n## Results\n\n{recipes.README_START}\nSome prose.\n\n"
    after = f"\nA closing line.\n{recipes.README_END}\n\nMore results.\n"
    readme.write_text(before + "| an old | table |\n| --- | --- |\n" + after)
    recipes.write_readme(readme, quick_runs)
    text = readme.read_text()
    assert text == before + recipes.readme_table(quick_runs) + "\n" + after
    assert recipes.readme_table_in(text) == recipes.readme_table(quick_runs)
    recipes.write_readme(readme, quick_runs.assign(val_accuracy=0.5))  # a new table replaces it
    assert "50.00% ± 0.00%" in readme.read_text() and readme.read_text().count("| rung |") == 1
    recipes.write_readme(readme, quick_runs)
    assert readme.read_text() == text


def test_write_readme_puts_a_first_table_at_the_end_of_the_block(quick_runs, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"{recipes.README_START}\nProse.\n{recipes.README_END}\n")
    recipes.write_readme(readme, quick_runs)
    table = recipes.readme_table(quick_runs)
    assert readme.read_text() == f"{recipes.README_START}\nProse.\n{table}\n{recipes.README_END}\n"
    (tmp_path / "OTHER.md").write_text("# no markers\n")
    with pytest.raises(ValueError, match="OTHER.md has no <!-- ladder:start -->"):
        recipes.write_readme(tmp_path / "OTHER.md", quick_runs)


# ---- the published numbers -------------------------------------------------------------


def test_the_published_csv_is_the_ladder_of_today():
    """nnlib/course/ladder.csv was made by today's LADDER: rerun `python -m nnlib ladder`
    after changing a recipe."""
    runs = recipes.read_csv(CSV)
    assert list(runs["rung"].unique()) == list(range(1, len(LADDER) + 1))
    assert runs.groupby("rung")["seed"].apply(list).tolist() == [[0, 1, 2]] * len(LADDER)
    for rung, recipe in enumerate(LADDER, start=1):
        rows = runs[runs["rung"] == rung]
        assert set(rows["name"]) == {recipe.name} and set(rows["change"]) == {recipe.change}
        assert set(rows["recipe"]) == {recipe.describe()}, f"rung {rung} is stale: rerun the ladder"
    assert (runs["val_errors"] == np.round((1 - runs["val_accuracy"]) * 5000)).all()
    top = runs["rung"] == len(LADDER)
    assert runs.loc[top, "test_errors"].notna().all() and runs.loc[~top, "test_errors"].isna().all()
    assert (
        runs.loc[top, "test_errors"] == np.round((1 - runs.loc[top, "test_accuracy"]) * 1e4)
    ).all()


def test_the_readme_table_is_the_csvs():
    """The README's ladder table is what `python -m nnlib ladder` writes from the CSV."""
    text = README.read_text()
    assert recipes.readme_table_in(text) == recipes.readme_table(recipes.read_csv(CSV))


# ---- the command -----------------------------------------------------------------------


def ladder(*args, cwd, **env):
    """``python -m nnlib ladder *args``, offline, with extra ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NNLIB_", "NPY_"))}
    environment = {k: v for k, v in environment.items() if not k.startswith("OPENBLAS_")}
    environment.update(NNLIB_OFFLINE="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "nnlib", "ladder", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


PINNABLE = pytest.mark.skipif(
    reproducible.unsupported_reason() is not None, reason="the pin needs Linux x86-64 with AVX2"
)


@PINNABLE
def test_the_quick_ladder_command_pins_and_writes_the_same_file_everywhere(
    mnist_dir, tmp_path, capsys
):
    """On another CPU's kernels (an older OpenBLAS core, no AVX2 loops in NumPy), the
    command pins them before NumPy loads and writes the file this process writes."""
    data_dir = str(mnist_dir.parent)
    elsewhere = ladder("--quick", "--seeds", "0", "--data-dir", data_dir, cwd=tmp_path,
                       OPENBLAS_CORETYPE="Sandybridge", OPENBLAS_NUM_THREADS="2",
                       NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR")  # fmt: skip
    assert elsewhere.returncode == 0, elsewhere.stderr
    lines = elsewhere.stdout.splitlines()
    assert lines[0].startswith("the ladder: 9 rungs x 1 seeds, quick (1 epoch, 2,000 images)")
    assert ("NOT COMPARABLE" in lines[0]) == (recipes.pinned_or_why_not() is not None)
    assert len([line for line in lines if line.startswith("rung ")]) == 9
    assert lines[-1].startswith("wrote ladder-quick.csv (9 runs, ")  # not the published CSV
    here = tmp_path / "here.csv"
    argv = ["ladder", "--quick", "--seeds", "0", "--data-dir", data_dir, "--out", str(here)]
    assert cli.main(argv) == 0
    assert (tmp_path / "ladder-quick.csv").read_bytes() == here.read_bytes()
    assert "wrote the ladder's table" not in capsys.readouterr().out


@PINNABLE
def test_the_command_explains_unpinned_kernels_and_stops(tmp_path):
    result = ladder(cwd=tmp_path, NNLIB_UNPINNED="1", OPENBLAS_NUM_THREADS="2")
    assert result.returncode == 1 and result.stdout == ""
    assert "(run as `python -m nnlib ladder`, which pins them)" in result.stderr
    assert "cannot be promised: " in result.stderr and "Run with --anyway" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seeds", ["", "a,b", "-1", "0,0"])
def test_bad_seeds_are_usage_errors(seeds, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["ladder", "--seeds", seeds])
    assert info.value.code == 2 and "--seeds" in capsys.readouterr().err


def test_the_published_file_updates_the_readme_above_it(tmp_path, monkeypatch, quick_runs):
    """Writing the published table (not --quick) rewrites the README's table too: the
    first README.md with the markers above the CSV."""
    (tmp_path / "nnlib" / "course").mkdir(parents=True)
    (tmp_path / "nnlib" / "README.md").write_text("# no markers\n")
    readme = tmp_path / "README.md"
    readme.write_text(f"{recipes.README_START}\n{recipes.README_END}\n")
    published = tmp_path / "nnlib" / "course" / "ladder.csv"
    monkeypatch.setattr(recipes, "published_csv_path", lambda: published)
    monkeypatch.setattr(recipes, "pinned_or_why_not", lambda: None)
    monkeypatch.setattr(recipes, "run_ladder", lambda seeds, **kwargs: quick_runs)
    assert cli.main(["ladder", "--seeds", "0,1"]) == 0
    assert recipes.read_csv(published).equals(quick_runs[recipes.COLUMNS])
    assert recipes.readme_table_in(readme.read_text()) == recipes.readme_table(quick_runs)


def test_the_published_table_ships_with_the_package():
    """Notebook 10 reads it on Colab, where there is no repository: package data."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "ladder.csv" in pyproject["tool"]["setuptools"]["package-data"]["nnlib.course"]
    assert recipes.read_csv().equals(recipes.read_csv(CSV))
    assert recipes.published_csv_path() == CSV


def test_the_published_numpy_is_the_pinned_one():
    pins = dict(re.findall(r"^([\w-]+)==(\S+)", (REPO / "requirements.txt").read_text(), re.M))
    assert pins["numpy"] == recipes.PUBLISHED_NUMPY


def test_where_the_numbers_are_not_comparable_the_command_explains_and_stops(
    tmp_path, monkeypatch, capsys, quick_runs
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(recipes, "pinned_or_why_not", lambda: "this is NumPy 2.0.2")
    monkeypatch.setattr(recipes, "run_ladder", lambda seeds, **kwargs: quick_runs)
    assert cli.main(["ladder"]) == 1
    err = capsys.readouterr().err
    assert "cannot be promised: this is NumPy 2.0.2." in err and "--anyway" in err
    assert list(tmp_path.iterdir()) == []
    assert cli.main(["ladder", "--anyway"]) == 0  # runs, and says its numbers are apart
    out = capsys.readouterr().out
    assert "NOT COMPARABLE with the published numbers: this is NumPy 2.0.2" in out
    assert [p.name for p in tmp_path.iterdir()] == ["ladder-not-comparable.csv"]
    assert "README" not in out


def test_recipe_is_plain_data():
    assert Recipe("a", "b") == Recipe("a", "b")
    assert recipes.quick(BEST).epochs == 1 and recipes.quick(BEST).sizes == BEST.sizes


# ---- the best network, published with the release --------------------------------------


@pytest.fixture
def published_model() -> Path:
    """The best network (seed 0) as `make models` trains it into the course's cache."""
    path = recipes.best_path(0, REPO / "data")
    if not path.is_file():
        pytest.skip(f"{path} is not trained yet: run `make models` first")
    return path


def test_the_published_digest_is_what_the_pinned_recipe_trains(published_model):
    """`make models` (CI trains it afresh, pinned) gives the very bytes the release
    publishes, and the history shipped in the package is that training's."""
    assert hashlib.sha256(published_model.read_bytes()).hexdigest() == recipes.BEST_SHA256[0]
    shipped = REPO / "nnlib" / "course" / "mnist-best-seed0.history.csv"
    assert shipped.read_bytes() == published_model.with_suffix(".history.csv").read_bytes()


def test_a_fresh_machine_downloads_the_network_instead_of_training(
    published_model, cache, tmp_path, monkeypatch, capsys
):
    mirror = tmp_path / "release"
    mirror.mkdir()
    (mirror / published_model.name).write_bytes(b"a damaged copy")
    other = tmp_path / "other"
    other.mkdir()
    (other / published_model.name).write_bytes(published_model.read_bytes())
    monkeypatch.setenv("NNLIB_MODELS_MIRRORS", f"{mirror.as_uri()} {other}")
    monkeypatch.setenv("NNLIB_OFFLINE", "1")
    monkeypatch.setattr(recipes, "train", lambda *a, **k: pytest.fail("trained, not downloaded"))
    net = recipes.best_network(0)
    assert capsys.readouterr().out == "downloaded and verified the published network: " \
        "mnist-best-seed0.npz\n"  # fmt: skip
    assert recipes.best_path(0).read_bytes() == published_model.read_bytes()
    assert recipes.best_history(0).equals(recipes.best_history(0, REPO / "data"))
    assert [p.shape for p in net.params] == [
        (784, 800),
        (800,),
        (800, 800),
        (800,),
        (800, 10),
        (10,),
    ]


def test_without_a_verified_download_the_network_is_trained(cache, tmp_path, monkeypatch, capsys):
    mirror = tmp_path / "release"
    mirror.mkdir()
    (mirror / "mnist-best-seed0.npz").write_bytes(b"not the published network")
    monkeypatch.setenv("NNLIB_MODELS_MIRRORS", str(mirror))
    monkeypatch.setenv("NNLIB_OFFLINE", "1")
    tiny = replace(BEST, sizes=(784, 4, 10), epochs=1)
    net = tiny.network(0)
    history = pd.DataFrame({"epoch": [1], "seconds": [0.1]})
    monkeypatch.setattr(recipes, "train", lambda recipe, seed, split, verbose: (net, history))
    monkeypatch.setattr(recipes, "mnist_split", lambda data_dir=None: {})
    recipes.best_network(0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("the published network could not be downloaded, so it is trained: ")
    assert "SHA-256 mismatch" in out[0] and out[1].startswith("training the best network")
    assert recipes.best_path(0).is_file() and list(recipes.best_history(0)) == ["epoch"]


def test_the_release_url_comes_from_the_installed_metadata():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    repository = pyproject["urls"]["Repository"]
    expected = f"{repository}/releases/download/v{pyproject['version']}/"
    assert recipes.release_url() == expected
    assert recipes.released_models().mirrors == (expected,)
