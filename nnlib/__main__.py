"""``python -m nnlib``: run the command line (see ``nnlib.cli``).

``ladder`` publishes numbers that must come out the same to the last digit on every
x86-64 CPU, so for it NumPy's numeric kernels are pinned here, before ``nnlib.cli``
imports NumPy (``nnlib.course.reproducible``: once NumPy has loaded, it is too late). The
other commands keep NumPy's defaults, with every BLAS thread the machine has.
"""

import sys

if sys.argv[1:2] == ["ladder"]:
    from nnlib.course import reproducible

    reproducible.pin()

from nnlib.cli import main  # noqa: E402  (after the pin: this imports NumPy)

raise SystemExit(main())
