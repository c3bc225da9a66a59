"""Bundle versions: their names, the ``CURRENT`` pointer, and pruning old ones.

Every train writes a new version directory under ``versions/`` and then names it in
``CURRENT``; readers follow ``CURRENT``, and ``rollback`` points it back. Kept apart
from the bundle's contents (``forecaster.bundle``), and free of torch.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from forecaster.atomic import replace_text
from forecaster.errors import BundleError, MissingInputError
from forecaster.ops.lock import LOCK_NAME

VERSION_RE = re.compile(r"^v[0-9]{8}T[0-9]{6}Z-[0-9a-z_]{4,16}$")


def pointer_text(root: Path) -> str | None:
    """What ``CURRENT`` says now (None if unreadable), to tell whether it moved."""
    try:
        return (root / "CURRENT").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def new_version_name() -> str:
    """A fresh version directory name matching ``VERSION_RE``."""
    # Sortable by creation time (to the microsecond), unique by its random tail.
    now = time.time()
    stamp = time.strftime("v%Y%m%dT%H%M%SZ", time.gmtime(now))
    return f"{stamp}-{int(now * 1e6) % 1_000_000:06d}{secrets.token_hex(2)}"


def write_current(root: Path, name: str) -> None:
    """Make version ``name`` current, atomically (a link named CURRENT is replaced, not
    followed: nothing is written outside the bundle)."""
    replace_text(root / "CURRENT", name + "\n")


def current_version_dir(root: Path) -> Path:
    """The directory that ``CURRENT`` names, after checking it stays inside ``root``."""
    pointer = root / "CURRENT"
    if root.exists() and not root.is_dir():
        raise MissingInputError(f"{root}: is a file, not a model bundle (a directory); point "
                                "--model at the directory 'forecast train' wrote")
    if not pointer.exists():
        if not root.exists() or _unborn(root):
            raise MissingInputError(f"{root}: no model bundle here; run 'forecast train "
                                    "DATA.csv' first, or point --model at one")
        raise BundleError(f"{root}: not a forecaster model bundle (no CURRENT file); "
                          "retrain with 'forecast train'")
    name = safe_file(pointer, root).read_text(encoding="utf-8", errors="replace").strip()
    if not VERSION_RE.match(name):
        raise BundleError(f"{pointer}: names '{name[:40]}', not a bundle version; the bundle "
                          "is damaged: retrain with 'forecast train'")
    version_dir = root / "versions" / name
    for link in (root / "versions", version_dir):
        if link.is_symlink():
            safe_file(link, root)  # refuses the link
    if not version_dir.is_dir():
        raise BundleError(f"{version_dir}: missing or not a directory; retrain with "
                          "'forecast train'")
    return version_dir


def _unborn(root: Path) -> bool:
    """Whether ``root`` is a model directory that no train has finished: nothing in it
    but the lock and leftovers of an interrupted first write (no version, no CURRENT)."""
    versions = root / "versions"
    try:
        names = {p.name for p in root.iterdir()}
        kept = version_names(versions) if versions.is_dir() and not versions.is_symlink() else []
    except OSError:
        return False
    return names <= {LOCK_NAME, "versions"} and not kept


def version_names(versions: Path) -> list[str]:
    """The names of the version directories under ``versions``, oldest first."""
    return sorted(p.name for p in versions.iterdir() if VERSION_RE.match(p.name))


def safe_file(path: Path, inside: Path) -> Path:
    """``path`` if it is a plain file of the bundle under ``inside``, else a BundleError."""
    if path.is_symlink():
        raise BundleError(f"{path}: is a symbolic link; bundles may not point outside "
                          "themselves. Retrain with 'forecast train'")
    if not path.is_file():
        raise BundleError(f"{path}: missing from the bundle; retrain with 'forecast train'")
    return path


def prune(versions: Path, keep: int, current: str) -> None:
    """Remove all but the newest ``keep`` versions (never ``current``) and stale leftovers."""
    # Old versions and leftovers of interrupted writes; never the current one. A version
    # is first renamed out of the way, so a kill during the removal never leaves a
    # half-deleted version that rollback could pick.
    names = version_names(versions)
    old = [n for n in names if n != current][: max(0, len(names) - max(keep, 1))]
    for n in old:
        with contextlib.suppress(OSError):
            os.replace(versions / n, versions / f".trash-{n}")
    stale = [p for p in versions.glob(".incoming-*") if _age(p) > 3600]
    for p in [*versions.glob(".trash-*"), *stale]:
        shutil.rmtree(p, ignore_errors=True)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0
