"""Looking at paths this account may not be allowed to reach, and saying so when it is not.

``Path.exists()``, ``is_dir()``, ``is_file()`` and ``is_symlink()`` raise PermissionError
on Python 3.11 and 3.12 when a folder on the way cannot be entered: a bundle trained
under ``umask 077`` and read by another account's cron job, a training CSV whose folder
was closed since, an output folder of someone else's. That reached the user as an
internal error (exit 70). From Python 3.13 on they return False instead, and the bundle
would read as missing. The functions here tell "nothing there" from "not allowed to
look", and word a refusal: the path, the account, what refuses it (a folder on the way,
or the file's own permissions) and its owner, then what to do. Kept free of heavy imports.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import stat
from pathlib import Path

from forecaster.errors import ForecastError
from forecaster.file_attributes import write_refusing

# What Path.exists() takes for "nothing there" (a loop of links included).
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def is_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` is the system refusing this account (EACCES or EPERM)."""
    return isinstance(exc, PermissionError)


def look(path: Path, error: type[ForecastError], todo: str, follow: bool = True,
         name: str = "") -> os.stat_result | None:
    """``path``'s status, or None when nothing is there.

    Args:
        path: the path to look at.
        error: the error type to raise (it carries the exit code: 66 for an input, 73
            for an output, 78 for a bundle).
        todo: what the user can do about a refusal, for the message.
        follow: follow a symbolic link (False: the status of the link itself).
        name: how messages name the path (default: the path; "--output x", say).

    Raises:
        error: this account may not look (see ``denied``), or the system failed to.
    """
    try:
        return os.stat(path, follow_symlinks=follow)
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        if is_refusal(exc):
            raise denied(path, error, todo, name=name) from None
        raise error(f"{name or path}: cannot look at it ({exc.strerror or exc}); check the "
                    "path and the disk") from None


def kind(path: Path, error: type[ForecastError], todo: str, follow: bool = True,
         name: str = "") -> str:
    """What ``path`` is: "dir", "file", "link" (with ``follow`` False), "other" or
    "missing"; a refusal raises ``error`` as ``look`` does."""
    found = look(path, error, todo, follow, name)
    if found is None:
        return "missing"
    for test, name in ((stat.S_ISDIR, "dir"), (stat.S_ISREG, "file"), (stat.S_ISLNK, "link")):
        if test(found.st_mode):
            return name
    return "other"


def denied(path: Path, error: type[ForecastError], todo: str, verb: str = "read",
           name: str = "") -> ForecastError:
    """The error for ``path`` refused to this account, marked as such (``denied``).

    Args:
        path: the path that was refused.
        error: the error type (its exit code).
        todo: what the user can do, for the message.
        verb: what was refused on ``path`` itself ("read", "write", "write in").
        name: how the message names the path (default: the path).
    """
    attribute = write_refusing(path) if verb != "read" else None
    why = attribute or f"{why_denied(path, verb)}; {todo}"
    found = error(f"{name or path}: permission denied: {why}")
    found.denied = True
    return found


def why_denied(path: Path, verb: str = "read") -> str:
    """Who is refused what: the folder on the way that this account cannot enter, or else
    ``path`` itself; each with its permissions and owner, as ``ls -l`` shows them."""
    me = _user(os.geteuid())
    chain = [*reversed(Path(path).parents), Path(path)]
    reached = None
    for step in chain:
        try:
            status = os.stat(step)
        except PermissionError:
            if reached is None:  # not even the first folder of the path
                return f"user {me} cannot reach it"
            return f"user {me} cannot enter the folder {reached[0]} ({_owner(reached[1])})"
        except OSError:
            break  # not there (yet): what refuses is the last folder reached
        reached = (step, status)
    if reached is None:
        return f"user {me} cannot {verb} it"
    if reached[0] != Path(path) or verb == "write in":  # a folder, to create a file in
        return f"user {me} cannot write in the folder {reached[0]} ({_owner(reached[1])})"
    return f"user {me} cannot {verb} it ({_owner(reached[1])})"


def refusal(exc: OSError) -> str:
    """An ``Error:`` line's text for a refusal no check of the command's own caught (a
    path the code did not expect to be closed): the path and who is refused, as above."""
    path = exc.filename
    if not path:
        return f"permission denied ({exc.strerror or exc}); check the permissions of the files " \
               "and folders this command uses, or run it as their owner"
    return (f"{path}: permission denied: {why_denied(Path(os.fsdecode(path)))}; give this "
            "account access to it, or run the command as its owner")


def _owner(status: os.stat_result) -> str:
    return (f"{stat.filemode(status.st_mode)}, owner {_user(status.st_uid)}, group "
            f"{_group(status.st_gid)}")


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return f"gid {gid}"
