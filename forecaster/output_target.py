"""What an output path (``--output``, ``--plot``) names, and so how to write it.

A file (or nothing yet) is replaced atomically; through a symbolic link, the file the
link leads to is replaced and the link kept. A FIFO or character device (a named pipe,
``/dev/null``, a terminal) is written straight into: renaming a file onto it would
replace the device node itself. ``/dev/stdout`` and ``/dev/fd/N`` name this process's
own descriptors, whatever they are (a pipe, a socket under systemd, a file opened by
``>>``), and are written through that descriptor. Anything else is refused.
Kept free of heavy imports.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_LINKS = 40  # the kernel's own limit on symbolic links followed in one path
_ODD = ((stat.S_ISSOCK, "a socket"), (stat.S_ISBLK, "a block device (a disk or partition)"))


class FolderPath(type(Path())):
    """A path given with a slash at its end (``out.csv/``): it names a folder, but pathlib
    drops the slash, and the output was written to the file ``out.csv``. Its type keeps
    what the slash said, so that the checks before any work can refuse it."""


@dataclass(frozen=True)
class Target:
    """Where an output goes.

    Attributes:
        kind: "file" (replace ``path`` atomically), "stream" (open ``path`` and write
            into it), "descriptor" (write into ``fd``) or "refused".
        path: the file to replace (links resolved), or the path as given.
        fd: this process's descriptor that the path names, for "descriptor".
        found: for "refused", what is there, e.g. "a socket".
    """

    kind: str
    path: Path
    fd: int | None = None
    found: str = ""

    def refusal(self, given: Path, option: str = "") -> str:
        """The error line for a refused target, naming the path given (and its option)."""
        return (f"{option + ' ' if option else ''}{given}: is {self.found}, which an output "
                "cannot be written to; give a file path (or a FIFO or character device to "
                "stream into)")


def output_target(path: Path) -> Target:
    """Classify ``path`` as a file to replace, a stream to write into, or neither."""
    path = Path(path)
    fd = own_descriptor(path)
    if fd is not None:
        return Target("descriptor", path, fd=fd)
    try:
        mode = os.stat(path).st_mode  # follows links: the kind of what they lead to
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Target("refused", path, found="a symbolic link that loops")
        # Not there yet (or not reachable): a file to create, which the folder checks
        # and the write itself report on.
        return Target("file", Path(os.path.realpath(path)))
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target("stream", path)
    for test, found in _ODD:
        if test(mode):
            return Target("refused", path, found=found)
    return Target("file", Path(os.path.realpath(path)))


def own_descriptor(path: Path) -> int | None:
    """The descriptor of this process that ``path`` leads to (``/dev/stdout``,
    ``/dev/fd/1``, ``/proc/self/fd/1``), or None.

    Followed as the kernel does, link by link: ``os.path.realpath`` cannot be used, as it
    turns ``/proc/self/fd/1`` of a pipe into a path that does not exist.
    """
    fd_dir = re.compile(rf"/proc/{os.getpid()}(/task/[0-9]+)?/fd")
    here = os.path.abspath(path)
    for _ in range(MAX_LINKS):
        if not os.path.islink(here):
            return None
        folder, name = os.path.split(here)
        folder = os.path.realpath(folder)
        if name.isdigit() and fd_dir.fullmatch(folder):
            return int(name)
        here = os.path.normpath(os.path.join(folder, os.readlink(here)))
    return None


def stdout_todo(exc: OSError) -> str:
    """What to do when stdout refuses a write: ``1</dev/null`` opens it for reading only
    (EBADF), where "free space" sent users looking for a full disk."""
    if exc.errno == errno.EBADF:
        return "stdout is not open for writing: redirect it to a file or a pipe"
    return "free space where stdout goes"
