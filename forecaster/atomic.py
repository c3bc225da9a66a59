"""Writing outputs: files atomically, streams (FIFOs, devices, stdout) straight in.

A file is written as a temp file in the same folder, fsynced, then ``os.replace``d:
readers (a cron job's next step, ``forecast predict`` while training runs) see the old
file or the whole new one, never half of it. A FIFO or device is written into, as
``cat > x`` would: renaming onto it would replace the node itself (see
``forecaster.output_target``). Kept free of heavy imports.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from forecaster.access import is_refusal, why_denied
from forecaster.errors import OutputError
from forecaster.file_attributes import write_refusing
from forecaster.output_target import Target, output_target

STALE_TEMP_SECONDS = 3600  # a temp file this old beside its target is a killed write's
# Outputs this process has written in full, so that a run stopped after one of them (the
# table, before the plot) does not report that no output was changed.
WRITTEN: list[Path] = []


def atomic_write_text(path: Path, text: str) -> None:
    """Write an output ``text`` to ``path`` as ``atomic_writer`` does."""
    with atomic_writer(path) as fh:
        fh.write(text)


def replace_text(path: Path, text: str) -> None:
    """Replace ``path`` itself (a link included) with a file holding ``text``, atomically.

    For files of the model bundle, which never follow links out of it.
    """
    with replace_writer(path) as fh:
        fh.write(text)


@contextmanager
def atomic_writer(path: Path, binary: bool = False) -> Iterator[IO]:
    """An output's stream: atomic for a file, straight into a FIFO or device.

    A symbolic link is kept: the file it leads to is replaced. On any error a file is
    left as it was; a stream has taken what was written before the error.

    Args:
        path: the output given (``--output``, ``--plot``).
        binary: open it for bytes (a PNG) instead of UTF-8 text.

    Yields:
        The stream to write to.

    Raises:
        OutputError: the output cannot be written, or is a socket or block device.
        BrokenPipeError: the reader of a FIFO or pipe left (exit 141, as for stdout).
    """
    target = output_target(Path(path))
    if target.kind == "refused":
        raise OutputError(target.refusal(Path(path)))
    if target.kind == "file":
        with replace_writer(target.path, binary) as fh:
            yield fh
    else:
        with _stream_writer(target, binary) as fh:
            yield fh
    WRITTEN.append(Path(path))


@contextmanager
def replace_writer(path: Path, binary: bool = False) -> Iterator[IO]:
    """A temp file in ``path``'s folder, renamed onto ``path`` when the block succeeds.

    On any error the temp file is removed and an existing ``path`` is left as it was.

    Args:
        path: the file to write (a link there is replaced, not followed).
        binary: open it for bytes (a PNG) instead of UTF-8 text.

    Yields:
        The temp file, open for writing.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as exc:
        raise cannot_write(path, exc, "check the folder exists and is writable") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", **_text(binary)) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        _keep_group(tmp, path)
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise cannot_write(path, exc, "check space and permissions") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # the file is written; durability is best effort
        fsync_dir(path.parent)
    _remove_stale_temps(path)


def _remove_stale_temps(path: Path) -> None:
    # A write killed outright (SIGKILL, a power cut) leaves its temp file beside the target:
    # those of this target older than STALE_TEMP_SECONDS are gone with the next good write
    # (a younger one may be another writer's, still at work).
    own = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}")
    with contextlib.suppress(OSError):
        for old in (path.parent or Path(".")).iterdir():
            if own.fullmatch(old.name) and (time.time() - old.stat().st_mtime
                                            > STALE_TEMP_SECONDS):
                old.unlink(missing_ok=True)


@contextmanager
def _stream_writer(target: Target, binary: bool) -> Iterator[IO]:
    """Write into a FIFO, a device or one of our descriptors: no temp file, no rename."""
    try:
        if target.fd is not None:
            for std in (sys.stdout, sys.stderr):  # what was printed before goes first
                std.flush()
            fd = os.dup(target.fd)
        else:
            # No O_CREAT: if the node went away since it was checked, fail, never leave
            # a plain file in its place. A FIFO's open waits for its reader, as cat's does.
            fd = os.open(target.path, os.O_WRONLY)
    except OSError as exc:
        raise cannot_write(target.path, exc, "check permissions", "write") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", **_text(binary)) as fh:
            yield fh
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise cannot_write(target.path, exc, "check space and permissions") from None


def cannot_write(path: Path, exc: OSError, todo: str, verb: str = "write in") -> OutputError:
    """The error of an output that could not be written: the path, the system's reason
    (No space left on device, Permission denied) and what to check.

    Args:
        path: the output.
        exc: the system's error.
        todo: what to check.
        verb: what a refusal refused: "write in" ``path``'s folder (a file is replaced
            by a rename there), or "write" ``path`` itself (a FIFO or device).
    """
    why = f"{exc.strerror or exc}"
    if is_refusal(exc):  # whom the system refuses, and what refuses: its owner's to change
        refused = path.parent if verb == "write in" else path
        why += f": {write_refusing(path) or why_denied(refused, verb)}"
    return OutputError(f"{path}: cannot write ({why}); {todo}")


def _text(binary: bool) -> dict:
    return {} if binary else {"encoding": "utf-8", "newline": ""}


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (the folder's entry is data too); on a file
    written by another library's writer (safetensors), make its contents durable."""
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


def _keep_group(tmp: str, path: Path) -> None:
    """Give the new file the replaced one's group where this account may (it is a member):
    a web server reading forecast.csv through its group (mode 640, group www-data) lost it
    at the first replace, the new file taking the writer's own group."""
    try:
        group = path.stat().st_gid
    except OSError:
        return  # a new file: its folder decides its group, as for a plain open()
    if group != os.stat(tmp).st_gid:
        with contextlib.suppress(OSError):  # not a member: the file keeps this account's
            os.chown(tmp, -1, group)


def _mode(path: Path) -> int:
    """The replaced file's permissions, or those a plain open() would give (the temp file
    is created 0600, which other readers of an output, such as a web server, cannot use)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return umask_mode()
