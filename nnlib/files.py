"""Writing a file atomically, with the permissions any new file gets.

A reader must never see half a file: ``write_atomically`` writes a temporary file in
the target's folder and renames it over the target only once it is complete (a rename
within one folder is atomic). Temporary files start private (mode 0600); the finished
file gets the mode ``open()`` would have given it, 0666 minus the umask (0644 with the
usual umask 022), like every other file the user creates.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def umask() -> int:
    """The process's umask, e.g. 0o022. (Read by setting it and setting it back: the
    only portable way; the course's code is single-threaded where it writes files.)"""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path, write: Callable[[BinaryIO], None]) -> Path:
    """Create or replace ``path`` with what ``write(f)`` writes to the binary file ``f``.

    The folder is created if needed. If ``write`` or anything else fails, ``path`` is
    left as it was and the temporary file is removed. Returns ``path`` as a Path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)  # atomic: readers see the old file or the whole new one
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
