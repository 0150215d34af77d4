"""``python -m nnlib``: run the command line (see ``nnlib.cli``)."""

from nnlib.cli import main

raise SystemExit(main())
