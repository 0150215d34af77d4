"""Grading a class's notebooks: every learner's functions, checked by the course's checks.

    python -m nnlib grade DIR [--csv FILE] [--timeout S] [--jobs N]

A *submission* is a folder under DIR holding ``.ipynb`` files (DIR itself for one
learner's notebooks, or one folder per learner). Each of its notebooks is matched to a
notebook of the course (by its exercises' cell metadata, see ``nnlib.course.exercises``,
or else by its ``NN_`` file name), then

1. a worker process copies the submission's folder into a fresh temporary folder (and
   the course's files beside its notebooks that the submission lacks, e.g. ladder.csv)
   and starts, for each notebook, a fresh kernel there (nbclient, Jupyter's own executor),
   with HOME and TMPDIR in the temporary folder;
2. the kernel first runs the grader's guard: an audit hook (``sys.addaudithook``) that
   refuses, and records, any write, delete or rename outside the copy and the
   temporary folder, any program started, any signal sent to another process; and the
   real ``nnlib`` is imported before anything of the submission's could shadow it;
3. then the notebook's code cells, in order, except its check and progress cells
   (found by their metadata, so an edited check cell changes nothing), stopping at the
   first error as "Restart and run all" does; their outputs are counted, not kept;
4. then, in the same kernel, one cell of the grader's: it puts nnlib's modules and
   classes back as the guard found them (a check or an nnlib function the notebook
   replaced is the original again), calls each check on the learner's functions with
   the arguments the course's check cell gives it, and prints each result with a
   random nonce and an HMAC whose key exists only in that cell, to a file the guard
   opened (so a kernel that dies in a check loses none of the results before it).

Each exercise's row says ``solved``, ``not solved yet``, ``hint`` or ``error`` (the
check's own status and message), or ``timeout``. A notebook that runs over its time
(``--timeout``, for all its cells and checks), kills its kernel, floods its output or
tries to write outside its copy gets that status on every row, with one line why. A
worker that hangs past every notebook's time is killed: its rows say ``timeout``.

What this does not protect against is said in the README ("For teachers"): the
learners' code runs with the teacher's user's rights, in the same process as the
checks.
"""

import contextlib
import csv
import hashlib
import hmac
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from nnlib.course import exercises
from nnlib.course.progress import Row, one_line

STATUSES = ("solved", "not solved yet", "hint", "error", "timeout")
COLUMNS = ("submission", "notebook", "exercise", "status", "message")
PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # the folder holding nnlib/
COURSE = PACKAGE_PARENT / "notebooks"
KERNEL_START_SECONDS = 180  # allowed on top of --timeout for a kernel to start and stop (a
# loaded machine, CI running beside it, has taken over 60 s to start one)


# -- the course's exercises -------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A course notebook's exercises as its own check cells call them."""

    notebook: str  # "04_forward_pass.ipynb"
    module: str  # "nnlib.course.checks.forward_pass"
    calls: tuple[
        tuple[str, str, str], ...
    ]  # ("4.1", "forward", "forward"): id, check, its arguments


def course(folder: str | Path = COURSE) -> dict[str, Reference]:
    """The course's notebooks in ``folder``, by their number ("04")."""
    paths = sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise exercises.NotebookError(
            f"expected the course's notebooks (NN_topic.ipynb) in {folder}, found none: "
            "pass --course DIR"
        )
    found = {}
    for path in paths:
        calls = []
        for ex in exercises.exercises(path):
            calls.append((ex.id, *exercises.check_call(ex.check)))
        found[path.name[:2]] = Reference(
            path.name, exercises.checks_module(path.name), tuple(calls)
        )
    return found


def match(nb: dict, name: str, reference: dict[str, Reference]) -> Reference | None:
    """The course notebook a submitted one is: the one its tagged exercises belong to,
    else the one its file name's number says."""
    numbers = {
        t["exercise"].split(".")[0].zfill(2)
        for t in map(exercises.tag, nb.get("cells", []))
        if isinstance(t.get("exercise"), str)
    }
    numbers &= set(reference)
    if len(numbers) == 1:
        return reference[numbers.pop()]
    return reference.get(name[:2]) if name[:2].isdigit() and name[2:3] == "_" else None


# -- one notebook, in the worker ---------------------------------------------------------

GUARD = """\
def _nnlib_grader_guard(roots, log_path, results_path, package_parent, module):
    import os
    import sys

    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    # the checks' results go to a file opened now, before the hook: a write to it is on
    # disk at once, so a kernel that dies mid-check loses none (its last printed
    # messages may still be in flight, and be lost)
    results = os.open(results_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    roots = tuple(os.path.realpath(r) + os.sep for r in roots)
    me = os.getpid()
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    paths = {
        "os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.chmod": 1, "os.chown": 1,
        "os.truncate": 1, "os.utime": 1, "shutil.rmtree": 1, "os.rename": 2, "os.link": 2,
        "os.symlink": 2, "os.removexattr": 1, "os.setxattr": 1,
    }
    programs = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn")
    busy = []

    def refuse(what):
        os.write(log, (" ".join(what.split()) + "\\n").encode(errors="replace"))
        raise PermissionError(f"the grader does not allow this: {what}")

    def inside(path):
        if isinstance(path, int):
            return True
        real = os.path.realpath(os.fsdecode(os.fspath(path)))
        return real in ("/dev/null", "/dev/tty") or (real + os.sep).startswith(roots)

    def hook(event, args):
        if busy:
            return
        busy.append(1)
        try:
            if event == "open":
                path, mode, flags = args
                write = any(c in (mode or "") for c in "wax+") or (mode is None and flags & writes)
                if write and not inside(path):
                    refuse(f"writing outside the notebook's folder: {os.fsdecode(path)}")
            elif event in paths:
                for path in args[: paths[event]]:
                    if path is not None and not inside(path):
                        refuse(f"{event} outside the notebook's folder: {os.fsdecode(path)}")
            elif event.startswith(programs):
                refuse(f"starting a program ({event})")
            elif event in ("os.kill", "os.killpg", "signal.pthread_kill") and args[0] != me:
                refuse(f"sending a signal to another process ({event})")
        finally:
            busy.clear()

    sys.addaudithook(hook)
    path = sys.path[:]
    sys.path[:] = [package_parent] + [p for p in path if p not in ("", ".", os.getcwd())]
    try:  # the real nnlib, before a file of the submission's could stand in for it
        __import__(module)
    finally:
        sys.path[:] = path
    # nnlib's modules and classes as they are now, for the checks to put back
    state = {}
    for name, mod in list(sys.modules.items()):
        if name == "nnlib" or name.startswith("nnlib."):
            names = dict(vars(mod))
            classes = [
                (c, dict(vars(c)))
                for c in names.values()
                if isinstance(c, type) and c.__module__ == name
            ]
            state[name] = (mod, names, classes)
    sys.modules["_nnlib_grader_state"] = type(sys)("_nnlib_grader_state")
    sys.modules["_nnlib_grader_state"].modules = state
    sys.modules["_nnlib_grader_state"].results = results


_nnlib_grader_guard(*{args!r})
del _nnlib_grader_guard
"""

CHECKS = """\
def _nnlib_grader_checks(nonce, key, module_name, calls, namespace):
    import hashlib
    import hmac
    import json
    import os
    import sys

    state = sys.modules["_nnlib_grader_state"]

    def say(*result):
        line = nonce + json.dumps(result)
        mac = hmac.new(key.encode(), line.encode(), hashlib.sha256).hexdigest()
        os.write(state.results, (line + " " + mac + "\\n").encode())

    # nnlib's modules and classes put back as they were before the notebook's first cell
    # (the same objects, so isinstance and except still work): a function of nnlib's or
    # of the checks that the notebook replaced or deleted is the original again
    for mod_name, (mod, names, classes) in state.modules.items():
        sys.modules[mod_name] = mod
        for extra in set(vars(mod)) - set(names):
            delattr(mod, extra)
        vars(mod).update(names)
        for cls, attributes in classes:
            for attr in set(vars(cls)) - set(attributes):
                delattr(cls, attr)
            for attr, value in attributes.items():
                if vars(cls).get(attr) is not value:
                    try:
                        setattr(cls, attr, value)
                    except (AttributeError, TypeError):
                        pass
    module = sys.modules[module_name]
    feedback_type = sys.modules["nnlib.course.checks"].Feedback
    for number, name, arguments in calls:
        say(number, "started", "")
        try:  # the arguments of the course's check cell, in the notebook's namespace
            args, kwargs = eval(f"(lambda *a, **k: (a, k))({arguments})", namespace)
        except NameError as err:
            say(number, "error", f"{err.name} is not defined")
            continue
        except BaseException as err:
            text = " ".join(str(err).split())
            say(number, "error", f"its check's arguments raised {type(err).__name__}: {text}"[:300])
            continue
        try:
            feedback = getattr(module, name)(*args, **kwargs)
        except BaseException as err:  # SystemExit, KeyboardInterrupt: still one row
            text = " ".join(str(err).split())
            say(number, "error", f"checking it raised {type(err).__name__}: {text}"[:300])
            continue
        if type(feedback) is not feedback_type:
            say(number, "error", "the check did not give its Feedback")
        else:
            say(number, feedback.status, feedback.message)


_nnlib_grader_checks(*{args!r}, globals())
del _nnlib_grader_checks
"""


def _client_class():
    """nbclient's NotebookClient, counting the outputs instead of keeping them (imported
    here: nbclient is needed only to grade)."""
    from nbclient import NotebookClient

    class Client(NotebookClient):
        flood_limit = 0
        output_bytes = 0
        flooded = False

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "")) + sum(
                len(str(v)) for v in content.get("data", {}).values()
            )
            self.output_bytes += size
            if self.output_bytes > self.flood_limit and not self.flooded:
                self.flooded = True
                with contextlib.suppress(Exception):  # its kernel dies; nbclient notices in 1 s
                    self.km.provisioner.process.kill()
            return None

    return Client


def _new_cell(source: str):
    import nbformat

    return nbformat.v4.new_code_cell(source)


def grade_notebook(
    path: Path, name: str, reference: dict[str, Reference], folder: Path, private: Path,
    timeout: float, max_output: int,
) -> list[Row]:  # fmt: skip
    """Run the notebook at ``path`` (inside the copy ``folder``) and check its exercises;
    ``private`` is a folder of the worker's outside the copy. One row per exercise."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:
        return [Row(name, "", "error", f"not a readable notebook: {one_line(err, 150)}")]
    ref = match(nb, name, reference)
    if ref is None:
        return [Row(name, "", "error", "not one of the course's notebooks: no exercise of it")]
    learner = [
        (i, cell)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and cell.source.strip()
        and exercises.tag(cell).get("part") not in ("check", exercises.PROGRESS)
    ]
    log = private / f"refused-{secrets.token_hex(4)}.log"
    said = private / f"results-{secrets.token_hex(4)}.log"
    nonce, key = secrets.token_hex(16), secrets.token_hex(32)
    roots = (str(folder), str(private / "tmp"))
    guard_args = (roots, str(log), str(said), str(PACKAGE_PARENT), ref.module)
    guard = GUARD.replace("{args!r}", repr(guard_args))
    calls = [list(c) for c in ref.calls]
    checks = CHECKS.replace("{args!r}", repr((nonce, key, ref.module, calls)))
    run = nbformat.v4.new_notebook(cells=[_new_cell(guard)] + [c for _, c in learner])
    run.cells.append(_new_cell(checks))
    deadline = [0.0]
    client = _client_class()(
        run,
        kernel_name="python3",
        timeout=int(timeout) + 1,
        timeout_func=lambda cell: max(1, int(deadline[0] - time.monotonic()) + 1),
        shell_timeout_interval=1,
        startup_timeout=KERNEL_START_SECONDS,
        shutdown_kernel="immediate",
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.flood_limit = max_output
    stopped, results = None, {}  # why the notebook's cells stopped; the checks' results
    kernel_gone = False

    def why(err: Exception, where: str) -> tuple[str, str]:
        if client.flooded:
            return "error", f"its output passed {max_output / 1e6:g} MB {where}; stopped there"
        if isinstance(err, CellTimeoutError):
            return "timeout", f"it ran over its {timeout:g} s {where}"
        if isinstance(err, DeadKernelError):
            return "error", f"its kernel died {where} (os._exit, a kill or a crash)"
        return "error", f"{where}: {one_line(err, 200)}"

    try:
        with client.setup_kernel():
            deadline[0] = time.monotonic() + timeout
            try:
                client.execute_cell(run.cells[0], 0)
            except Exception as err:
                kernel_gone, stopped = True, ("error", f"the grader's guard failed: {err}")
                learner = []
            for k, (i, _) in enumerate(learner, start=1):
                if time.monotonic() > deadline[0]:
                    kernel_gone, stopped = True, ("timeout", f"it ran over its {timeout:g} s")
                    break
                try:
                    client.execute_cell(run.cells[k], k)
                except Exception as err:  # CellExecutionError, timeout, dead kernel
                    if refused := _refused(log):
                        stopped = ("error", f"cell {i + 1}: the grader refused {refused}")
                    elif isinstance(err, CellTimeoutError | DeadKernelError) or client.flooded:
                        kernel_gone = True
                        stopped = why(err, f"in cell {i + 1}")
                    else:
                        ename = getattr(err, "ename", type(err).__name__)
                        evalue = one_line(getattr(err, "evalue", ""), 150)
                        stopped = ("error", f"cell {i + 1} raised {ename}: {evalue}")
                    break
                if refused := _refused(log):  # stop there: the notebook tried to get out
                    stopped = ("error", f"cell {i + 1}: the grader refused {refused}")
                    break
            if not kernel_gone and not _refused(log):
                try:
                    client.execute_cell(run.cells[-1], len(run.cells) - 1)
                except Exception as err:
                    kernel_gone = True
                    last = _results(said, nonce, key, results)
                    status, message = why(err, f"while checking exercise {last}")
                    results.setdefault(last, (status, message))
                    stopped = (status, message)
                else:
                    _results(said, nonce, key, results)
    except Exception as err:  # the kernel would not start, or would not stop
        if stopped is None:
            stopped = why(err, "(the kernel)")
            kernel_gone = True
    refused = _refused(log)
    rows = []
    for number, *_ in ref.calls:
        if refused:
            status, message = stopped if stopped else ("error", f"the grader refused {refused}")
        elif number in results and results[number][0] in STATUSES:
            status, message = results[number]
            if status == "error" and message.endswith("is not defined") and stopped:
                message += f": the notebook stopped early, {stopped[1]}"
            elif status == "error" and message.endswith("is not defined"):
                message += ": its cell is missing or was not run"
        elif kernel_gone and stopped:
            status, message = stopped
        else:
            status, message = "error", "the grader got no result for it"
        rows.append(Row(name, number, status, one_line(message, 300)))
    return rows


def _refused(log: Path) -> str:
    """The first thing the guard refused the notebook, or ''."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return lines[0] if lines else ""


def _results(said: Path, nonce: str, key: str, results: dict) -> str:
    """Read the grader's lines out of the file ``said`` into ``results``; return the last
    exercise whose check started (the one running when the cell stopped, if it did)."""
    last = ""
    text = said.read_text(errors="replace") if said.exists() else ""
    for line in text.splitlines():
        body, _, mac = line.rpartition(" ")
        if not body.startswith(nonce):
            continue
        right = hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()
        try:
            number, status, message = json.loads(body[len(nonce) :])
        except ValueError:
            continue
        if not hmac.compare_digest(mac, right):
            results[number] = ("error", "the result of its check was tampered with")
        elif status == "started":
            last = number
        elif number not in results:
            results[number] = (status, message)
    return last


# -- one submission: the worker process --------------------------------------------------


def worker(spec: dict) -> list[dict]:
    """Grade one submission as ``spec`` says, in a temporary copy; return its rows."""
    from nnlib.course import reproducible

    reproducible.pin()  # inherited by the kernels: the numbers the course promises
    source = Path(spec["folder"])
    reference = {
        k: Reference(v[0], v[1], tuple(map(tuple, v[2]))) for k, v in spec["reference"].items()
    }
    with tempfile.TemporaryDirectory(prefix="nnlib-grade-") as tmp:
        tmp = Path(tmp)
        folder, private = tmp / "work", tmp / "private"
        (private / "tmp").mkdir(parents=True)
        notebooks = set(spec["notebooks"])

        def ignore(directory, names):
            here = Path(directory)
            return [
                n for n in names
                if (here / n).is_symlink() or n == ".ipynb_checkpoints"
                or ((here / n).is_dir() and any((here / n).rglob("*.ipynb"))
                    and not any(nb.startswith(str((here / n).relative_to(source)) + "/")
                                for nb in notebooks))
            ]  # fmt: skip

        shutil.copytree(source, folder, ignore=ignore)
        for extra in Path(spec["course"]).iterdir():  # the course's data beside its notebooks
            if extra.is_file() and extra.suffix != ".ipynb" and not (folder / extra.name).exists():
                shutil.copy(extra, folder / extra.name)
        home = private / "tmp" / "home"
        home.mkdir()
        fonts = _matplotlib_cache()  # its font list, so a kernel need not rebuild it
        if fonts.is_dir():
            shutil.copytree(fonts, home / ".mpl", ignore=shutil.ignore_patterns("tex.cache"))
        os.environ.update(
            HOME=str(home), TMPDIR=str(private / "tmp"), MPLCONFIGDIR=str(home / ".mpl"),
            IPYTHONDIR=str(home / ".ipython"), JUPYTER_RUNTIME_DIR=str(private / "runtime"),
            PYTHONDONTWRITEBYTECODE="1",
        )  # fmt: skip
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        rows = []
        for name in spec["notebooks"]:
            rows += grade_notebook(
                folder / name, name, reference, folder, private,
                spec["timeout"], spec["max_output"],
            )  # fmt: skip
    return [asdict(row) for row in rows]


def _matplotlib_cache() -> Path:
    """Matplotlib's cache folder, as ``matplotlib.get_cachedir`` finds it (without
    importing matplotlib)."""
    if os.environ.get("MPLCONFIGDIR"):
        return Path(os.environ["MPLCONFIGDIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "matplotlib"


# -- a class: the teacher's command ------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    name: str  # its folder, relative to DIR ("alice", or DIR's own name)
    folder: Path
    notebooks: tuple[str, ...]  # relative to its folder


def submissions(root: str | Path) -> list[Submission]:
    """Every folder under ``root`` that holds notebooks (checkpoints and hidden folders
    left out), with its notebooks."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"expected a folder of submissions, got {root}")
    by_folder: dict[Path, list[str]] = {}
    for path in sorted(root.rglob("*.ipynb")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") for p in parts) or path.is_symlink():
            continue
        by_folder.setdefault(path.parent, []).append(path.name)
    return [
        Submission(root.name if f == root else f.relative_to(root).as_posix(), f, tuple(names))
        for f, names in by_folder.items()
    ]


def snapshot(root: Path, leave_out: Path | None = None) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under ``root``: to tell afterwards whether any changed."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path != leave_out:
            stat = path.stat()
            found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


def grade_submission(
    sub: Submission,
    reference: dict[str, Reference],
    timeout: float,
    max_output: int,
    course_dir: str | Path = COURSE,
) -> list[Row]:
    """Grade one submission in its own worker process, which is killed if it outlives
    the time all its notebooks may take."""
    spec = {
        "folder": str(sub.folder),
        "notebooks": list(sub.notebooks),
        "reference": {
            k: [r.notebook, r.module, [list(c) for c in r.calls]] for k, r in reference.items()
        },
        "timeout": timeout,
        "max_output": max_output,
        "course": str(course_dir),
    }  # fmt: skip
    budget = len(sub.notebooks) * (timeout + KERNEL_START_SECONDS) + 30
    with tempfile.TemporaryDirectory(prefix="nnlib-grader-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "rows.json"
        spec_path.write_text(json.dumps(spec))
        with open(Path(tmp) / "stderr", "w+b") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "nnlib.course.grading", str(spec_path), str(out_path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                start_new_session=True,
            )  # fmt: skip
            try:
                process.wait(timeout=budget)
                why = None
            except subprocess.TimeoutExpired:
                why = ("timeout", f"the grader's worker ran over {budget:g} s and was killed")
            finally:
                _kill_group(process)
            err.seek(0)
            tail = err.read()[-2000:].decode(errors="replace").strip().splitlines()
        if why is None and out_path.exists():
            try:
                return [Row(**row) for row in json.loads(out_path.read_text())]
            except (ValueError, TypeError):
                pass
        if why is None:
            why = ("error", f"the grader's worker failed: {tail[-1] if tail else 'no message'}")
    rows = []
    for name in sub.notebooks:
        try:
            ref = match(exercises.read(sub.folder / name), name, reference)
        except exercises.NotebookError:
            ref = None
        for number, *_ in ref.calls if ref else [("", "", ())]:
            rows.append(Row(name, number, *why))
    return rows


def _kill_group(process: subprocess.Popen) -> None:
    """End the worker and whatever it started that is still in its session."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, 9)
    process.wait()


def grade(
    root: str | Path,
    reference: dict[str, Reference],
    timeout: float = 300,
    jobs: int = 1,
    max_output: int = 10_000_000,
    on_done: Callable[[int, int, Submission, list[Row], float], None] | None = None,
    course_dir: str | Path = COURSE,
) -> list[tuple[str, Row]]:
    """Grade every submission under ``root``, ``jobs`` at a time; (submission, row) pairs
    in the submissions' order. ``on_done(k, n, submission, rows, seconds)`` after each."""
    subs = submissions(root)
    results: dict[str, list[Row]] = {}

    def timed(sub):
        start = time.monotonic()
        rows = grade_submission(sub, reference, timeout, max_output, course_dir)
        return rows, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(timed, sub): sub for sub in subs}
        for k, future in enumerate(as_completed(futures), start=1):
            sub = futures[future]
            results[sub.name], seconds = future.result()
            if on_done:
                on_done(k, len(subs), sub, results[sub.name], seconds)
    return [(sub.name, row) for sub in subs for row in results[sub.name]]


def write_csv(rows: list[tuple[str, Row]], path: str | Path) -> None:
    """The grades as CSV: submission,notebook,exercise,status,message."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for submission, row in rows:
            out.writerow([submission, row.notebook, row.exercise, row.status, row.message])


def summary(rows: list[tuple[str, Row]]) -> str:
    """Submissions x exercises: ✓ solved, … not solved yet, ✗ hint or error, T timeout;
    and how many each submission solved."""
    import pandas as pd

    frame = pd.DataFrame(
        [(s, r.exercise or r.notebook, r.status) for s, r in rows],
        columns=["submission", "exercise", "status"],
    )
    marks = {"solved": "✓", "not solved yet": "…", "hint": "✗", "error": "✗", "timeout": "T"}
    frame["mark"] = frame["status"].map(marks)
    order = list(dict.fromkeys(frame["exercise"]))
    table = (
        frame.pivot_table(
            index="submission", columns="exercise", values="mark", aggfunc="first", sort=False
        )
        .reindex(columns=sorted(order, key=_exercise_order))
        .fillna("")
    )
    solved = frame.assign(s=frame["status"] == "solved").groupby("submission", sort=False)["s"]
    table["solved"] = [f"{int(solved.sum()[i])}/{int(solved.count()[i])}" for i in table.index]
    return table.to_string()


def _exercise_order(exercise: str):
    try:
        return (0, *map(int, exercise.split(".")))
    except ValueError:
        return (1, exercise)


def main(argv: list[str]) -> int:
    """The worker: ``python -m nnlib.course.grading SPEC.json ROWS.json``."""
    # nbformat imports jsonschema, which would import rfc3987_syntax if it is installed
    # and spend seconds building a grammar that nbformat's schema never uses
    sys.modules.setdefault("rfc3987_syntax", None)
    spec_path, out_path = argv
    rows = worker(json.loads(Path(spec_path).read_text()))
    Path(out_path).write_text(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
