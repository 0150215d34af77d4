"""The command line: ``python -m nnlib COMMAND`` (or ``nnlib COMMAND`` once installed).

    nnlib download [--dataset {mnist,fashion-mnist}] [--data-dir DIR]
    nnlib train    [--hidden N ...] [--activation ...] [--optimizer ...] [--epochs N] ...
    nnlib evaluate MODEL.npz [--dataset ...] [--json PATH]
    nnlib ladder   [--seeds 0,1,2] [--out PATH] [--quick] [--anyway]
    nnlib progress [NOTEBOOK ...] [--timeout S]
    nnlib grade    DIR [--csv FILE] [--timeout S] [--jobs N] [--course DIR]

``nnlib COMMAND --help`` lists every option.

Each command is a function ``_cmd_<name>(args) -> exit status`` plus a few lines in
``build_parser`` that declare its options and attach it with ``set_defaults(func=...)``.
``main`` parses the arguments, runs the command, and reports the errors a user can fix
(a missing file, a bad value, a failed download, a damaged or hostile model file) as
one line instead of a traceback: ``nnlib: error: <message>``, exit status 1.
"""

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nnlib import data, initializers, metrics, optimizers, persistence, preprocessing
from nnlib.errors import NnlibError
from nnlib.network import OUTPUTS, mlp
from nnlib.training import evaluate, fit


def _cmd_download(args: argparse.Namespace) -> int:
    """Fetch and verify a dataset, then say where its files are cached."""
    dataset = data.DATASETS[args.dataset]
    paths = data.fetch(dataset, args.data_dir)
    folder = data.cache_folder(dataset, args.data_dir).resolve()
    print(f"{dataset.name}: {len(paths)} files verified in {folder}")
    for path in paths.values():
        print(f"  {path.name}  {path.stat().st_size:,} bytes")
    return 0


def _hidden_sizes(values: list[str]) -> list[int]:
    """``--hidden 128 --hidden 64`` or ``--hidden 128,64`` -> [128, 64]."""
    try:
        sizes = [int(v) for value in values for v in value.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--hidden takes positive integers, got {values}") from None
    if any(s < 1 for s in sizes):
        raise ValueError(f"--hidden takes positive integers, got {sizes}")
    return sizes


def _check_options(args: argparse.Namespace) -> None:
    """Refuse an impossible number among ``train``'s options before any data is loaded."""
    finite = math.isfinite
    rules = {
        "--epochs": (args.epochs >= 1, "epochs and batch_size must be >= 1"),
        "--batch-size": (args.batch_size >= 1, "epochs and batch_size must be >= 1"),
        "--lr": (args.lr > 0 and finite(args.lr), "learning rate must be positive and finite"),
        "--lr-decay": (args.lr_decay > 0 and finite(args.lr_decay), "must be positive and finite"),
        "--momentum": (0 <= args.momentum < 1, "momentum must be in [0, 1)"),
        "--weight-decay": (args.weight_decay >= 0 and finite(args.weight_decay), "must be >= 0"),
        "--dropout": (0 <= args.dropout < 1, "dropout probability must be in [0, 1)"),
        "--train-size": (args.train_size >= 0, "must be >= 0 (0 means all)"),
        "--seed": (args.seed >= 0, "must be >= 0"),
    }
    for flag, (ok, rule) in rules.items():
        if not ok:
            value = getattr(args, flag[2:].replace("-", "_"))
            raise ValueError(f"{flag}: {rule}, got {value}")


def _check_size(sizes: list[int]) -> None:
    """Refuse a network too large to build or to save (``persistence.MAX_PARAMETERS``)."""
    count = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))
    if count > persistence.MAX_PARAMETERS:
        raise ValueError(
            f"--hidden: expected at most {persistence.MAX_PARAMETERS:,} parameters, "
            f"got {count:,} in a {'-'.join(map(str, sizes))} network"
        )


def _load_split(args):
    """The dataset as float32 rows in [0, 1]: (x_train, y_train, x_val, y_val, x_test, y_test)."""
    x_train, y_train, x_test, y_test = data.load(args.dataset, args.data_dir)
    if args.train_size:
        x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]
    x_train, x_test = (preprocessing.scale(preprocessing.flatten(x)) for x in (x_train, x_test))
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    if not args.val_size:
        return x_train, y_train, None, None, x_test, y_test
    x_train, y_train, x_val, y_val = preprocessing.train_val_split(
        x_train, y_train, args.val_size, rng=args.seed
    )
    return x_train, y_train, x_val, y_val, x_test, y_test


def _cmd_train(args: argparse.Namespace) -> int:
    """Train a network, report per-epoch progress and the test accuracy."""
    hidden = _hidden_sizes(args.hidden or ["128"])
    _check_options(args)
    x_train, y_train, x_val, y_val, x_test, y_test = _load_split(args)
    _check_size([x_train.shape[1], *hidden, 10])
    net = mlp(
        [x_train.shape[1], *hidden, 10],
        activation=args.activation,
        output=args.output,
        loss=args.loss,
        init=args.init,
        dropout=args.dropout,
        rng=args.seed,
        dtype=np.dtype(args.dtype),
    )
    hyper = {"lr": args.lr, "weight_decay": args.weight_decay}
    if args.optimizer in ("momentum", "nesterov"):
        hyper["momentum"] = args.momentum
    optimizer = optimizers.get(args.optimizer, **hyper)
    if args.save:
        persistence.check_network(net)  # fail now, not after training
    schedule = None
    if args.lr_decay != 1.0:
        schedule = lambda epoch: args.lr * args.lr_decay ** (epoch - 1)  # noqa: E731
    if not args.quiet:
        print(
            f"{args.dataset}: training {net.n_in}-{'-'.join(map(str, hidden))}-10 "
            f"on {len(x_train):,} examples, {args.optimizer} lr={args.lr}"
        )
    history = fit(
        net,
        x_train,
        y_train,
        optimizer=optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
        rng=args.seed,
        validation_data=None if x_val is None else (x_val, y_val),
        lr_schedule=schedule,
        verbose=not args.quiet,
    )
    test_loss, test_accuracy = evaluate(net, x_test, y_test)
    train_seconds = float(history["seconds"].sum())
    print(
        f"test accuracy {test_accuracy:.2%}  test loss {test_loss:.4f}  "
        f"({train_seconds:.1f}s training)"
    )
    if args.save:
        print(f"saved the trained network to {persistence.save(net, args.save)}")
    else:
        print("saved no model (pass --save PATH.npz to keep the trained network)")
    if args.json:
        config = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
        del config["func"]
        config["hidden"] = hidden
        result = {
            "config": config,
            "history": history.replace({np.nan: None}).to_dict(orient="records"),
            "test_accuracy": test_accuracy,
            "test_loss": test_loss,
            "train_seconds": train_seconds,
        }
        _write_json(args.json, result)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    """Accuracy, confusion matrix and per-class metrics of a saved model on a test set."""
    net = persistence.load(args.model)
    _, _, x_test, y_test = data.load(args.dataset, args.data_dir)
    x_test = preprocessing.scale(preprocessing.flatten(x_test))
    y_test = y_test.astype(np.int64)
    if net.n_in != x_test.shape[1] or net.n_out != 10:
        raise ValueError(
            f"{args.model} expects {net.n_in} inputs and {net.n_out} classes; "
            f"{args.dataset} has {x_test.shape[1]} and 10"
        )
    test_loss, test_accuracy = evaluate(net, x_test, y_test)
    predictions = net.predict(x_test)
    names = data.FASHION_MNIST_CLASSES if args.dataset == "fashion-mnist" else None
    cm = metrics.confusion_matrix(y_test, predictions, class_names=names, num_classes=10)
    report = metrics.classification_report(y_test, predictions, class_names=names, num_classes=10)
    print(
        f"{args.model}: test accuracy {test_accuracy:.2%}, test loss {test_loss:.4f} "
        f"on {len(y_test):,} {args.dataset} test images\n"
    )
    print(f"confusion matrix (rows: true, columns: predicted)\n{cm.to_string()}\n")
    print(f"per-class metrics\n{report.round(4).to_string()}")
    if args.json:
        _write_json(
            args.json,
            {
                "model": str(args.model),
                "dataset": args.dataset,
                "test_accuracy": test_accuracy,
                "test_loss": test_loss,
                "confusion_matrix": cm.to_numpy().tolist(),
                "classes": [str(c) for c in cm.index],
                "per_class": report.reset_index().astype({"class": str}).to_dict(orient="records"),
            },
        )
    return 0


def _cmd_ladder(args: argparse.Namespace) -> int:
    """Train every rung of the ladder on every seed; write the table the course publishes.

    The published table must be the same to the last digit wherever it is made. Where
    that cannot be promised (another NumPy, kernels not pinned, another CPU), the command
    says why and stops, unless ``--anyway``: then it runs, and writes its numbers, marked
    as not comparable, to ``ladder-not-comparable.csv`` instead of the published file.
    """
    from nnlib.course import recipes

    why_not = recipes.pinned_or_why_not()
    if why_not and not (args.anyway or args.quick):  # --quick is a test, never published
        print(
            f"the ladder's published numbers are the same to the last digit on every x86-64 "
            f"CPU with AVX2, with NumPy {recipes.PUBLISHED_NUMPY} and its kernels pinned "
            f"(run as `python -m nnlib ladder`, which pins them). Here that cannot be "
            f"promised: {why_not}.\nRun with --anyway to train the ladder all the same: "
            "its numbers will be close to the published ones but not comparable digit for "
            "digit, and are written to ladder-not-comparable.csv, never over the published "
            "table.",
            file=sys.stderr,
        )
        return 1
    default = "ladder-quick.csv" if args.quick else "ladder-not-comparable.csv"
    if not args.quick and not why_not:
        default = recipes.published_csv_path()
    out = Path(args.out or default)
    print(
        f"the ladder: {len(recipes.LADDER)} rungs x {len(args.seeds)} seeds"
        + (f", quick (1 epoch, {recipes.QUICK_TRAIN_SIZE:,} images)" if args.quick else "")
        + (f"; NOT COMPARABLE with the published numbers: {why_not}" if why_not else "")
    )
    runs = recipes.run_ladder(args.seeds, quick_run=args.quick, data_dir=args.data_dir)
    recipes.write_csv(runs, out)
    print(f"wrote {out} ({len(runs)} runs, {runs['seconds'].sum():.0f} s of training)")
    readme = _readme_above(out)
    if not args.quick and not why_not and readme is not None:
        recipes.write_readme(readme, runs)
        print(f"wrote the ladder's table into {readme}")
    return 0


def _course_tools():
    """nnlib.course's progress and grading, which need nbclient and nbformat (Jupyter's)."""
    from importlib.util import find_spec

    for name in ("nbclient", "nbformat", "ipykernel"):
        if find_spec(name) is None:
            raise NnlibError(
                "grading and progress run notebooks with Jupyter's nbclient, nbformat and "
                f"ipykernel, but {name} is not installed: pip install nbclient nbformat ipykernel"
            )
    from nnlib.course import grading, progress

    return grading, progress


def _cmd_progress(args: argparse.Namespace) -> int:
    """Run each notebook in a fresh kernel, check its exercises, print what is solved."""
    grading, progress = _course_tools()
    reference = grading.course(args.course)
    paths = args.notebooks or sorted(args.course.glob("[0-9][0-9]_*.ipynb"))
    rows = []
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"expected a notebook file, got {path}")
        folder = Path(path).resolve().parent
        sub = grading.Submission(folder.name, folder, (Path(path).name,))
        found = grading.grade_submission(
            sub, reference, args.timeout, args.max_output * 10**6, args.course
        )
        rows += found
        if len(paths) > 1:
            solved = sum(r.status == "solved" for r in found)
            print(
                f"{Path(path).name}: {solved} of {len(found)} solved", file=sys.stderr, flush=True
            )
    print(progress.table(rows))
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    """Grade every submission under DIR; write the CSV; print the summary table."""
    grading, _ = _course_tools()
    if args.jobs < 1 or args.timeout <= 0:
        raise ValueError(
            f"--jobs must be >= 1 and --timeout > 0, got {args.jobs} and {args.timeout}"
        )
    reference = grading.course(args.course)
    root = args.dir.resolve()
    out = (args.csv or Path("grades.csv")).resolve()
    before = grading.snapshot(root, leave_out=out)
    subs = grading.submissions(root)
    if not subs:
        raise FileNotFoundError(f"expected notebooks (.ipynb) under {root}, found none")
    print(f"grading {len(subs)} submissions under {root}, {args.jobs} at a time", flush=True)

    def done(k, n, sub, rows, seconds):
        solved = sum(r.status == "solved" for r in rows)
        trouble = sorted({r.status for r in rows} & {"error", "timeout"})
        note = f" ({', '.join(trouble)})" if trouble else ""
        print(f"[{k}/{n}] {sub.name}: {solved} of {len(rows)} solved{note}, {seconds:.1f} s",
              flush=True)  # fmt: skip

    rows = grading.grade(
        root, reference, args.timeout, args.jobs, args.max_output * 10**6, done, args.course
    )
    grading.write_csv(rows, out)
    print(f"\n{grading.summary(rows)}\n\nwrote {out} ({len(rows)} rows)")
    changed = sorted(set(before.items()) ^ set(grading.snapshot(root, leave_out=out).items()))
    if changed:
        print(f"nnlib: warning: {len(changed)} files under {root} changed while grading, e.g. "
              f"{changed[0][0]}", file=sys.stderr)  # fmt: skip
        return 1
    return 0


def _readme_above(path: Path) -> Path | None:
    """The first README.md with the ladder's markers in a folder above ``path``."""
    from nnlib.course import recipes

    for folder in path.resolve().parents:
        readme = folder / "README.md"
        if readme.is_file() and recipes.README_START in readme.read_text(encoding="utf-8"):
            return readme
    return None


def _seeds(text: str) -> list[int]:
    """``--seeds 0,1,2`` -> [0, 1, 2]: distinct non-negative integers."""
    try:
        seeds = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 0,1,2, got {text!r}") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"expected distinct seeds >= 0 like 0,1,2, got {text!r}")
    return seeds


def _write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n")


def _count_or_fraction(text: str) -> int | float:
    """``--val-size 5000`` (a count) or ``--val-size 0.1`` (a fraction)."""
    value = float(text)
    if not math.isfinite(value) or value < 0 or (value >= 1 and not value.is_integer()):
        raise argparse.ArgumentTypeError(f"expected a count or a fraction in (0, 1), got {text}")
    return int(value) if value >= 1 or value == 0 else value


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=sorted(data.DATASETS), default="mnist")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="cache folder (default: $NNLIB_DATA_DIR, the repo's data/, or ~/.cache/nnlib)",
    )


def _course_folder() -> Path:
    """The repository's notebooks/, beside the nnlib package."""
    return Path(__file__).resolve().parents[1] / "notebooks"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="nnlib", description="Neural Networks from Scratch: data, training, evaluation."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    download = commands.add_parser(
        "download",
        help="download and verify a dataset",
        description="Download a dataset, verify every file's SHA-256 and cache it.",
        epilog="Each dataset has its own variable of extra mirrors, tried first: "
        "NNLIB_MNIST_MIRRORS and NNLIB_FASHION_MNIST_MIRRORS (base URLs or folders, "
        "separated by spaces, e.g. file:///home/me/mnist/). NNLIB_OFFLINE=1 skips the "
        "built-in network mirrors.",
    )
    _data_options(download)
    download.set_defaults(func=_cmd_download)

    train = commands.add_parser("train", help="train a network and report its test accuracy")
    _data_options(train)
    add = train.add_argument
    add(
        "--hidden",
        action="append",
        default=None,
        metavar="N",
        help="hidden layer width; repeat or comma-separate for several (default: 128)",
    )
    add("--activation", choices=["sigmoid", "tanh", "relu", "leaky_relu"], default="relu")
    add("--output", choices=OUTPUTS, default="softmax")
    add("--loss", choices=["cross_entropy", "mse"], default="cross_entropy")
    add("--init", choices=list(initializers.INITIALIZERS), default="he")
    add("--optimizer", choices=list(optimizers.OPTIMIZERS), default="sgd")
    add("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    add(
        "--lr-decay",
        type=float,
        default=1.0,
        metavar="GAMMA",
        help="multiply the learning rate by GAMMA after every epoch (default: 1)",
    )
    add("--momentum", type=float, default=0.9, help="for momentum and nesterov (default: 0.9)")
    add("--weight-decay", type=float, default=0.0, help="L2 penalty on the weights")
    add("--dropout", type=float, default=0.0, help="dropout after each hidden layer")
    add("--batch-size", type=int, default=32)
    add("--epochs", type=int, default=5)
    add("--seed", type=int, default=0, help="seeds initialization, shuffling and dropout")
    add("--dtype", choices=["float32", "float64"], default="float32")
    add(
        "--val-size",
        type=_count_or_fraction,
        default=0,
        metavar="N",
        help="hold out N training examples (or a fraction) for validation",
    )
    add(
        "--train-size",
        type=int,
        default=0,
        metavar="N",
        help="train on the first N training images only (quick experiments)",
    )
    add("--save", type=Path, metavar="PATH", help="save the trained network (.npz)")
    add("--json", type=Path, metavar="PATH", help="write config, history and results as JSON")
    add("--quiet", action="store_true", help="no per-epoch progress")
    train.set_defaults(func=_cmd_train)

    evaluate_ = commands.add_parser("evaluate", help="evaluate a saved model on a test set")
    evaluate_.add_argument("model", type=Path, metavar="MODEL.npz")
    _data_options(evaluate_)
    evaluate_.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    evaluate_.set_defaults(func=_cmd_evaluate)

    ladder = commands.add_parser(
        "ladder",
        help="train every rung of the ladder on 3 seeds; write nnlib/course/ladder.csv",
        description="Train every rung of the course's ladder (nnlib.course.recipes.LADDER) "
        "with each seed and write their validation accuracy (and the top rung's test "
        "accuracy) as CSV, the numbers notebook 10 and the README quote. Run as "
        "`python -m nnlib ladder`, which pins NumPy's kernels first: the file is then the "
        "same on every x86-64 CPU.",
        epilog="Writing the published file (not --quick) also rewrites the ladder's table in "
        "the first README.md above the CSV that has one. Where the numbers cannot be the "
        "published ones to the last digit (another NumPy, another CPU), the command says "
        "why and stops; --anyway runs it, writing ladder-not-comparable.csv.",
    )
    ladder.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="the CSV to write (default: the package's ladder.csv, in a checkout "
        "nnlib/course/ladder.csv; with --quick, ladder-quick.csv; with --anyway where the "
        "numbers are not comparable, ladder-not-comparable.csv)",
    )
    ladder.add_argument("--seeds", type=_seeds, default=[0, 1, 2], help="default: 0,1,2")
    ladder.add_argument(
        "--quick",
        action="store_true",
        help="one epoch per rung on the first 2,000 training images (a test, not a result)",
    )
    ladder.add_argument(
        "--anyway",
        "--unpinned",
        action="store_true",
        help="run even where the numbers cannot be the published ones to the last digit "
        "(they are then marked as not comparable)",
    )
    ladder.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="cache folder (default: $NNLIB_DATA_DIR, the repo's data/, or ~/.cache/nnlib)",
    )
    ladder.set_defaults(func=_cmd_ladder)

    def course_options(p):
        p.add_argument(
            "--timeout",
            type=float,
            default=300,
            metavar="S",
            help="seconds a notebook may run, all its cells and checks (default: 300)",
        )
        p.add_argument(
            "--max-output",
            type=float,
            default=10,
            metavar="MB",
            help="output a notebook may print before it is stopped (default: 10 MB)",
        )
        p.add_argument("--course", type=Path, default=_course_folder(), metavar="DIR",
                       help="the course's own notebooks, whose check cells say what to check "
                       "(default: the repository's notebooks/)")  # fmt: skip

    progress = commands.add_parser(
        "progress",
        help="which exercises of your notebooks are solved",
        description="Run each notebook in a fresh kernel (as `Restart and run all` does), "
        "then check every exercise on your functions as they are now; one row per "
        "exercise, then how many are solved.",
    )
    progress.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                          help="default: every notebook in notebooks/")  # fmt: skip
    course_options(progress)
    progress.set_defaults(func=_cmd_progress)

    grade = commands.add_parser(
        "grade",
        help="grade a class's notebooks: a CSV of every exercise of every submission",
        description="Grade every .ipynb under DIR (one learner's notebooks, or one folder "
        "per learner): each runs in a fresh kernel in a temporary copy of its folder, then "
        "the course's checks run on the learner's functions. Writes one CSV row per "
        "exercise per submission (submission,notebook,exercise,status,message) and prints "
        "a table of who solved what.",
        epilog="The learners' code runs on this machine with your rights: see the README's "
        "'For teachers' for what the grader guards against and what it does not.",
    )
    grade.add_argument("dir", type=Path, metavar="DIR")
    grade.add_argument("--csv", type=Path, metavar="FILE", help="default: grades.csv")
    grade.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="submissions graded at once (default: the number of cores)",
    )
    course_options(grade)
    grade.set_defaults(func=_cmd_grade)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (0 ok, 1 error, 2 bad usage, 130 Ctrl-C)."""
    args = build_parser().parse_args(argv)  # exits with status 2 on bad usage
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except (NnlibError, ValueError, TypeError, OSError, MemoryError) as err:
        message = " ".join(str(err).split())  # always a single line
        if isinstance(err, MemoryError):
            message = f"out of memory {message}".strip()
        print(f"nnlib: error: {message}", file=sys.stderr)
        return 1
