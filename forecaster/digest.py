"""The SHA-256 of a file, read a megabyte at a time (data files and bundle files alike)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex digest of the file at ``path``.

    Raises:
        OSError: the file cannot be read (callers say whose file it was).
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
