"""Atomic file writes: a temp file in the same folder, fsynced, then ``os.replace``.

Readers (a cron job's next step, ``forecast predict`` while training runs) see the old
file or the whole new one, never half of it. Kept free of heavy imports.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from forecaster.errors import OutputError


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    with atomic_writer(path) as fh:
        fh.write(text)


@contextmanager
def atomic_writer(path: Path, binary: bool = False) -> Iterator[IO]:
    """A temp file in ``path``'s folder, renamed onto ``path`` when the block succeeds.

    On any error the temp file is removed and an existing ``path`` is left as it was.

    Args:
        path: the file to write.
        binary: open it for bytes (a PNG) instead of UTF-8 text.

    Yields:
        The temp file, open for writing.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror}); check the folder exists "
                          "and is writable") from None
    try:
        text = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, "wb" if binary else "w", **text) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror}); check space and "
                          "permissions") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # the file is written; durability is best effort
        fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (the folder's entry is data too)."""
    fd = os.open(path or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def umask_mode(executable: bool = False) -> int:
    """Permissions a plain open() (or mkdir(), with ``executable``) would give now."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if executable else 0o666) & ~umask


def _mode(path: Path) -> int:
    """The replaced file's permissions, or those a plain open() would give (the temp file
    is created 0600, which other readers of an output, such as a web server, cannot use)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return umask_mode()
