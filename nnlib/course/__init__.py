"""nnlib.course: what only the course needs, beside the engine in ``nnlib``.

The engine (``nnlib``'s own modules) is what the notebooks derive and a learner reads;
nothing in it imports this package. Here is the machinery that teaches with it:

    checks         the exercises' checks and hints, one module per notebook
    plots          the one figure style, and every figure and diagram the course draws
    experiments    several seeds, mean ± sd, and whether a difference is real
    recipes        the ladder from 80% to 98.5%, rung by rung, and the best network
    drawing        a drawing's strokes made into a 28x28 digit the way MNIST's were
    widget         draw a digit and watch the network read it (needs anywidget)
    reproducible   pins NumPy's numeric kernels: the same outputs on every x86-64 CPU
    exercises      where each exercise's cells are, found by their metadata
    progress       what a learner has solved (python -m nnlib progress)
    grading        a teacher's grades for a class's notebooks (python -m nnlib grade)

Modules are imported when first used, as in ``nnlib``: ``reproducible.pin()`` has to
run before NumPy loads, so importing this package must not load NumPy.
"""

import importlib

_MODULES = (
    "checks",
    "drawing",
    "exercises",
    "experiments",
    "grading",
    "plots",
    "progress",
    "recipes",
    "reproducible",
    "widget",
)

__all__ = sorted(_MODULES)


def __getattr__(name: str):
    """Import a module the first time it is asked for."""
    if name in _MODULES:
        return importlib.import_module(f"nnlib.course.{name}")
    raise AttributeError(f"module 'nnlib.course' has no attribute {name!r}")


def __dir__():
    return __all__
