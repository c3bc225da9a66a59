"""The file attributes of ``chattr`` that refuse writes whatever the permissions say.

An immutable (``chattr +i``) or append-only (``chattr +a``) file or folder refuses root
too, with the same EPERM as a permission: root was told to "run as its owner", which it
was. Linux only; elsewhere, and on file systems without attributes, nothing is found.
"""

from __future__ import annotations

import array
import fcntl
import os
from pathlib import Path

_FS_IOC_GETFLAGS = 0x80086601  # from linux/fs.h
_WRITE_REFUSING = ((0x10, "immutable", "i"), (0x20, "append-only", "a"))


def write_refusing(path: Path) -> str | None:
    """What refuses writing to ``path`` or creating files in its folder, if an attribute
    does: a ready sentence naming the path, the attribute and the ``chattr`` that lifts it."""
    for candidate in (Path(path), Path(path).parent):
        found = _attribute(candidate)
        if found:
            name, letter = found
            return (f"{candidate} is {name} ('chattr +{letter}', shown by 'lsattr -d'), which "
                    f"refuses every account, root included: run 'chattr -{letter} "
                    f"{candidate}' as root to allow it")
    return None


def _attribute(path: Path) -> tuple[str, str] | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
    except OSError:  # not Linux, or a file system without attributes
        return None
    finally:
        os.close(fd)
    return next(((name, letter) for bit, name, letter in _WRITE_REFUSING
                 if flags[0] & bit), None)
