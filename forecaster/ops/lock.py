"""An exclusive lock on a model directory, so two trains never write one bundle at once.

Readers take no lock: a bundle version is complete before ``CURRENT`` names it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forecaster.access import denied, is_refusal, kind, look, why_denied
from forecaster.errors import EXIT_LOCKED, ForecastError, OutputError
from forecaster.file_attributes import write_refusing

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
        OutputError: the directory or its lock cannot be created or written (a refusal
            names what refuses this account, and what to do).
    """
    found = kind(model_dir, OutputError, _WRITE_TODO.format(root=model_dir))
    if found not in ("dir", "missing"):
        raise OutputError(f"{model_dir}: is a file, not a model directory; give --model a "
                          "directory path (it is created if missing)")
    fd = _open_lock(model_dir)
    try:
        _acquire(fd, model_dir, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _open_lock(model_dir: Path) -> int:
    """Create ``model_dir`` if missing, and open (or create) its lock file for writing."""
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if is_refusal(exc):
            raise denied(model_dir, OutputError, "create it as an account that may, or give "
                         "--model a folder of yours", "write in") from None
        raise OutputError(f"{model_dir}: cannot create the model directory ({exc.strerror}); "
                          "check the path and permissions") from None
    lock = model_dir / LOCK_NAME
    try:
        # 0o666 less the umask, as open() and the bundle's other files: a fixed 0644 kept
        # the group of a bundle trained under umask 002 from training it.
        return os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        if look(lock, OutputError, _WRITE_TODO.format(root=model_dir), follow=False) is None:
            raise unwritable(model_dir, model_dir) from None
        if attribute := write_refusing(lock):
            raise OutputError(f"{lock}: the bundle's lock file is not writable: {attribute}; "
                              "train and rollback open it for writing") from None
        todo = (_thawing(model_dir) if _frozen(lock) else
                f"run as its owner, or have them run 'chmod g+w {lock}' (a+w for everyone; a "
                "bundle trained by this release creates it as the umask allows, as its other "
                "files)")
        raise OutputError(
            f"{lock}: the bundle's lock file is not writable: {why_denied(lock, 'write')}; "
            f"train and rollback open it for writing to lock the bundle: {todo}") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise read_only_mount(model_dir) from None
        raise OutputError(f"{lock}: cannot create the bundle's lock ({exc.strerror}); check "
                          "the path and permissions") from None


def read_only_mount(model_dir: Path) -> OutputError:
    """The error for a bundle on a file system mounted read-only: nothing in it can be
    opened for writing, the lock that is already there included."""
    return OutputError(f"{model_dir}: the bundle is on a read-only file system; train and "
                       "rollback write into it (predict and detect-anomalies only read it): "
                       "give --model a folder on a writable disk, or remount it read-write")


# What a folder that is no bundle yet may hold: a lock and versions of a first train that
# was killed, a volume's lost+found, hidden files (.gitkeep, .DS_Store).
_UNBORN_NAMES = {LOCK_NAME, "versions", "lost+found"}


def check_own_folder(model_dir: Path) -> None:
    """Refuse a ``--model`` folder that holds other files and is no bundle: ``train
    data.csv -m .`` spread a bundle among the user's files, and every later ``--output``
    there was refused as "inside the model directory".

    Raises:
        OutputError: the folder's other files, named (exit 73).
    """
    if kind(model_dir, OutputError, _WRITE_TODO.format(root=model_dir)) != "dir":
        return
    try:
        names = sorted(p.name for p in model_dir.iterdir())
    except OSError:  # closed to this account: the lock and the write check say how
        return
    if "CURRENT" in names:
        return
    other = [n for n in names if n not in _UNBORN_NAMES and not n.startswith(".")]
    if other:
        shown = ", ".join(other[:3]) + (f" and {len(other) - 3} more" if len(other) > 3 else "")
        raise OutputError(f"--model {model_dir}: the folder holds files that are no model "
                          f"bundle's ({shown}); a bundle needs a folder of its own: give "
                          "--model a new folder (it is created), e.g. --model forecast-model")


def check_writable(model_dir: Path) -> None:
    """Refuse now a bundle whose folders this account may not write in, not after the
    training: ``CURRENT`` and a new version are written there only at the end.

    A file is created and removed in ``model_dir`` and in its ``versions/`` (when there),
    as a train does: ``os.access`` says yes to root, and on some mounts, where the write
    would still fail; an existing lock opens for writing in a folder that is not writable.

    Raises:
        OutputError: a folder this account may not write in (exit 73).
    """
    versions = model_dir / "versions"
    _try_writing(model_dir, model_dir)
    if kind(versions, OutputError, _WRITE_TODO.format(root=model_dir)) == "dir":
        _try_writing(versions, model_dir)


def _try_writing(folder: Path, model_dir: Path) -> None:
    """Create and remove a file in ``folder``, saying what refused it."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        if is_refusal(exc):
            raise unwritable(folder, model_dir) from None
        if exc.errno == errno.EROFS:
            raise read_only_mount(model_dir) from None
        raise OutputError(f"{folder}: cannot write in the model directory "
                          f"({exc.strerror or exc}); check space and permissions, or "
                          "choose another --model") from None


def unwritable(folder: Path, model_dir: Path) -> OutputError:
    """The error for a folder of the bundle in ``model_dir`` that this account may not
    write in (a bundle another account trained)."""
    todo = _thawing(model_dir) if _frozen(folder) else _WRITE_TODO.format(root=model_dir)
    return denied(folder, OutputError, todo, "write in")


def _frozen(path: Path) -> bool:
    """Whether ``path`` is this account's own with its owner's write permission taken off:
    a bundle made read-only on purpose ('chmod -R a-w'), whose owner was told to run as its
    owner, or to open it to a group."""
    try:
        status = os.stat(path)
    except OSError:
        return False
    return status.st_uid == os.geteuid() and not status.st_mode & stat.S_IWUSR


def _thawing(model_dir: Path) -> str:
    return (f"the bundle is this account's, made read-only: run 'chmod -R u+w {model_dir}' "
            "to train or roll it back, or give another --model")


_WRITE_TODO = ("train and rollback write into the bundle: run as the account that trained it, "
               "or have it open the bundle to yours ('chmod -R g+rwX {root}' for its group) "
               "and train under umask 002, which keeps new versions so")


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
