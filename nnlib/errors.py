"""The exceptions nnlib raises for problems that are the user's to fix.

Programming errors (a wrong argument type in a call) raise the built-in
``ValueError``/``TypeError``; problems with files and data raise these, so the
command line can report them as one line instead of a traceback.
"""


class NnlibError(Exception):
    """Base class of nnlib's user-facing errors."""


class DataError(NnlibError):
    """A dataset file is missing, corrupt, truncated or cannot be downloaded."""


class ModelFileError(NnlibError):
    """A saved model file is missing, damaged or not an nnlib model."""
