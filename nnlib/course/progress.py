"""A learner's progress: every exercise's check, added up.

Each notebook ends with a cell (written by ``python -m tools.tag_exercises``) such as

    from nnlib.course import progress

    progress.report(
        globals(),
        {
            "4.1": "check.forward(forward)",
            "4.2": "check.n_parameters(n_parameters)",
        },
    )

which runs the notebook's checks again, on the functions as they are now, and shows

    You have solved 1 of 2 exercises in this notebook; still to do: 4.2.
    ✓ 4.1  5 random minibatches agree with nnlib, ...
    … 4.2  not solved yet

``python -m nnlib progress`` does the same for whole notebook files (see
``nnlib.course.grading``, which runs them in a fresh kernel first) and prints the same
rows with ``table``.
"""

from dataclasses import dataclass

from nnlib.course.checks import SYMBOLS, Feedback


@dataclass(frozen=True)
class Row:
    """One exercise's outcome: ``status`` is one of the checks' statuses, or 'timeout'."""

    notebook: str
    exercise: str
    status: str
    message: str

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.status, "✗")


def one_line(text: str, width: int = 0) -> str:
    """``text`` on one line (whitespace runs become one space), cut to ``width`` if given."""
    text = " ".join(str(text).split())
    return text if not width or len(text) <= width else text[: width - 1] + "…"


def run_one(number: str, call: str, namespace: dict) -> Row:
    """Evaluate one check call (``"check.forward(forward)"``) in ``namespace``."""
    try:
        feedback = eval(call, namespace)  # the notebook's own check, on the learner's function
    except NameError as err:
        name = getattr(err, "name", None) or one_line(err)
        return Row("", number, "error", f"{name} is not defined: run the cells above first")
    except Exception as err:
        return Row("", number, "error", f"the check raised {type(err).__name__}: {one_line(err)}")
    if not isinstance(feedback, Feedback):
        return Row("", number, "error", f"the check gave {type(feedback).__name__}, not Feedback")
    return Row("", number, feedback.status, one_line(feedback.message))


@dataclass(frozen=True)
class Progress:
    """The outcome of every exercise of one notebook; shown as a short report."""

    rows: list[Row]

    @property
    def solved(self) -> int:
        return sum(row.status == "solved" for row in self.rows)

    def __repr__(self) -> str:
        n = len(self.rows)
        head = f"You have solved {self.solved} of {n} exercises in this notebook"
        todo = [row.exercise for row in self.rows if row.status != "solved"]
        head += f"; still to do: {', '.join(todo)}." if todo else ". Well done!"
        lines = [
            f"{row.symbol} {row.exercise:<5} "
            + ("not solved yet" if row.status == "not solved yet" else one_line(row.message, 90))
            for row in self.rows
        ]
        return "\n".join([head, *lines])


def report(namespace: dict, calls: dict[str, str]) -> Progress:
    """Run each exercise's check call (``{"4.1": "check.forward(forward)"}``) in the
    notebook's ``namespace`` (its ``globals()``) and return their outcomes."""
    return Progress([run_one(number, call, namespace) for number, call in calls.items()])


def table(rows: list[Row]) -> str:
    """Rows as the text ``python -m nnlib progress`` prints: one line per exercise, then
    "k of n solved"."""
    width = max((len(row.notebook) for row in rows), default=0)
    lines = [
        f"{row.notebook:<{width}}  {row.exercise:<5} {row.symbol}  {one_line(row.message, 100)}"
        for row in rows
    ]
    solved = sum(row.status == "solved" for row in rows)
    return "\n".join([*lines, f"{solved} of {len(rows)} solved"])
