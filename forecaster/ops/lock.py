"""An exclusive lock on a model directory, so two trains never write one bundle at once.

Readers take no lock: a bundle version is complete before ``CURRENT`` names it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forecaster.errors import EXIT_LOCKED, ForecastError, OutputError

LOCK_NAME = ".lock"


class LockedError(ForecastError):
    """Another process holds the bundle's lock."""

    exit_code = EXIT_LOCKED


@contextmanager
def model_lock(model_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the bundle's lock; fail at once (or after ``wait`` seconds) if it is taken.

    Args:
        model_dir: the bundle directory (created if missing).
        wait: seconds to keep trying before giving up.

    Raises:
        LockedError: another ``train`` or ``rollback`` holds the lock.
    """
    if model_dir.exists() and not model_dir.is_dir():
        raise OutputError(f"{model_dir}: is a file, not a model directory; give --model a "
                          "directory path (it is created if missing)")
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(model_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{model_dir}: cannot create the model directory or its lock "
                          f"({exc.strerror}); check the path and permissions") from None
    try:
        _acquire(fd, model_dir, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _acquire(fd: int, model_dir: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(model_dir)
                raise LockedError(f"{model_dir}: another train is writing this bundle{holder}; "
                                  "try again later or pass --wait SECONDS") from None
            time.sleep(0.2)


def _holder(model_dir: Path) -> str:
    try:
        pid = (model_dir / LOCK_NAME).read_text().strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
