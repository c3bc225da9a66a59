"""Bundle versions: their names, the ``CURRENT`` pointer, its history, pruning old ones.

Every train writes a new version directory under ``versions/`` and then names it in
``CURRENT``; readers follow ``CURRENT``, and ``rollback`` points it back. ``HISTORY``
lists what ``CURRENT`` has named, oldest first, as a stack: a train pushes its version,
a rollback pops back to the one before, so a rollback after a retrain returns to what
was current before that retrain, never to a version rolled back from. Kept apart from
the bundle's contents (``forecaster.bundle``), and free of torch.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from forecaster.access import denied, is_refusal, kind
from forecaster.atomic import replace_text
from forecaster.bundle_nest import bundle_entry, enclosing_bundle
from forecaster.errors import (
    BundleError,
    ConfigError,
    ForecastError,
    MissingInputError,
    OutputError,
)
from forecaster.ops.lock import LOCK_NAME

VERSION_RE = re.compile(r"^v[0-9]{8}T[0-9]{6}Z-[0-9a-z_]{4,16}$")
HISTORY = "HISTORY"
HISTORY_LINES = 200  # far more than any --keep: older entries can name no kept version
MAX_HISTORY_BYTES = 1 << 20


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
    """Make the new version ``name`` current, atomically, on top of the history (a link
    named CURRENT is replaced, not followed: nothing is written outside the bundle)."""
    was = (pointer_text(root) or "").strip()
    set_current(root, [*current_history(root, was if VERSION_RE.match(was) else None), name])


def set_current(root: Path, history: list[str]) -> None:
    """Make ``history[-1]`` current and record ``history`` as what CURRENT has named.

    CURRENT is written first and alone decides what is current: ``current_history``
    reconciles a history that a crash, a full disk or an older release left behind.
    """
    replace_text(root / "CURRENT", history[-1] + "\n")
    with contextlib.suppress(OSError, OutputError):
        replace_text(root / HISTORY, "".join(n + "\n" for n in history[-HISTORY_LINES:]))


def current_history(root: Path, current: str | None) -> list[str]:
    """The versions CURRENT has named, oldest first, ending with ``current``.

    Args:
        root: the bundle directory.
        current: what CURRENT names now (None: nothing yet).

    Returns:
        The recorded history cut after ``current``'s last entry (a rollback whose
        history write was lost), or with ``current`` added (a train's); for a bundle
        written before the history was kept, the versions older than ``current`` by
        name, then ``current``: rollback goes back in the order it always did.
    """
    if current is None:
        return []
    seen = _read_history(root)
    if seen is None:
        versions = root / "versions"
        older = [n for n in _names(versions) if n < current]
        return [*older, current]
    if current in seen:
        return seen[:len(seen) - seen[::-1].index(current)]
    return [*seen, current]


def _read_history(root: Path) -> list[str] | None:
    """The history's entries, or None if there is none to trust (missing, a link, huge)."""
    path = root / HISTORY
    try:
        if path.is_symlink() or path.stat().st_size > MAX_HISTORY_BYTES:
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return [n for n in (line.strip() for line in text.splitlines()) if VERSION_RE.match(n)]


def _names(versions: Path) -> list[str]:
    try:
        return version_names(versions) if versions.is_dir() else []
    except OSError:
        return []


def current_version_dir(root: Path) -> Path:
    """The directory that ``CURRENT`` names, after checking it stays inside ``root``."""
    pointer = root / "CURRENT"
    found = _kind(root, root)
    if found not in ("dir", "missing"):
        raise _not_a_folder(root)
    if _kind(pointer, root) == "missing":
        _refuse_nested(root, found)
        if found == "missing" or _unborn(root):
            raise MissingInputError(f"{root}: no model bundle here; run 'forecast train "
                                    "DATA.csv' first, or point --model at one")
        if _names(root / "versions"):  # a bundle that lost its pointer
            raise BundleError(f"{root}: no CURRENT file, which names the version in use; "
                              f"{_lost_pointer(root)}")
        raise BundleError(f"{root}: not a forecaster model bundle (no CURRENT file); "
                          "retrain with 'forecast train'")
    name = _read_pointer(safe_file(pointer, root), root)
    if not VERSION_RE.match(name):
        raise BundleError(f"{pointer}: names '{name[:40]}', not a bundle version; "
                          f"{_lost_pointer(root)}")
    version_dir = root / "versions" / name
    for link in (root / "versions", version_dir):
        if _kind(link, root, follow=False) == "link":
            safe_file(link, root)  # refuses the link
    if _kind(version_dir, root) != "dir":
        raise BundleError(f"{version_dir}: missing or not a directory; {_lost_pointer(root)}")
    return version_dir


def _lost_pointer(root: Path) -> str:
    """How to go on from a CURRENT that names no kept version: the version to name again
    where one is kept and loads, else retrain."""
    from forecaster.bundle_pointer import kept_advice

    return kept_advice(root, _read_history(root) or [], _names(root / "versions"))


# What a data file given as --model is named: the bundle is a directory.
_DATA_FILE = re.compile(r"\.(csv|tsv|gz|zip|xlsx?)$", re.IGNORECASE)


def _not_a_folder(root: Path) -> ForecastError:
    """The error for a --model naming a file: one of a bundle's own (``-m mf/CURRENT``),
    a data file (``-m data.csv``, the CSV where the bundle goes), or another."""
    found = bundle_entry(root)
    if found is not None:  # a path mistake, as a folder inside the bundle is
        return ConfigError(f"{root}: a file of the model bundle {found[0]}, not the bundle; "
                           f"point --model at the bundle's own directory: --model {found[0]}")
    if _DATA_FILE.search(root.name):
        return MissingInputError(
            f"{root}: a data file, not a model bundle (a directory); to forecast it, give "
            f"--data {root} with --model the bundle trained on it, or train one on it "
            f"first: forecast train {root}")
    # Unquoted: a quoted 'forecast train' is completed with this very --model.
    return MissingInputError(f"{root}: is a file, not a model bundle (a directory); point "
                             "--model at the directory a train wrote (forecast train "
                             "DATA.csv --model DIR)")


def _refuse_nested(root: Path, found: str) -> None:
    """Refuse a --model inside another bundle (its versions/, a version), naming that
    bundle: the advice to retrain into it nested a bundle in the bundle. A folder there is
    a path mistake (exit 2, as train's refusal of it), not damage."""
    outer = enclosing_bundle(root)
    if outer is None:
        return
    what = "no model bundle here" if found == "missing" else "not a model bundle (no CURRENT file)"
    raise (MissingInputError if found == "missing" else ConfigError)(
        f"{root}: {what}: it lies inside the model bundle {outer}; point --model at the "
        f"bundle's own directory: --model {outer}")


def _read_pointer(pointer: Path, root: Path) -> str:
    """The version name that ``CURRENT`` holds."""
    try:
        return pointer.read_text(encoding="utf-8", errors="replace").strip()
    except OSError as exc:
        if is_refusal(exc):
            raise bundle_denied(pointer, root) from None
        raise BundleError(f"{pointer}: unreadable ({exc.strerror or exc}); the bundle is "
                          "damaged: retrain with 'forecast train'") from None


def bundle_denied(path: Path, root: Path | None = None) -> BundleError:
    """The error for a file or folder of the bundle in ``root`` that this account may not
    read (a bundle trained under ``umask 077``, read by another account's cron job).

    Args:
        path: what was refused.
        root: the bundle directory (default: found from ``path``, a file of the bundle).
    """
    return denied(path, BundleError, _todo(root or _root_of(path.parent)))


def _todo(root: Path) -> str:
    return ("run as the account that trained the bundle, or have it open the bundle to yours "
            f"('chmod -R g+rX {root}' for its group, a+rX for everyone) and train under a "
            "umask such as 027 or 022, which keeps new versions open")


def _root_of(inside: Path) -> Path:
    """The bundle directory of a folder in it: the folder itself, or the bundle that a
    version directory belongs to."""
    if VERSION_RE.match(inside.name) and inside.parent.name == "versions":
        return inside.parent.parent
    return inside


def _kind(path: Path, root: Path, follow: bool = True) -> str:
    """``access.kind`` of a path of the bundle in ``root``: a refusal is a BundleError."""
    return kind(path, BundleError, _todo(root), follow)


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
    found = _kind(path, _root_of(inside), follow=False)
    if found == "link":
        raise BundleError(f"{path}: is a symbolic link; bundles may not point outside "
                          "themselves. Retrain with 'forecast train'")
    if found != "file":
        raise BundleError(f"{path}: missing from the bundle; retrain with 'forecast train'")
    return path


def prune(versions: Path, keep: int, current: str) -> None:
    """Keep ``current`` and the versions most recently current before it, ``keep`` in all
    (the newest of the others fill any places left); remove the rest and stale leftovers.

    A version rolled back from goes first: a retrain never leaves it in place of the
    version that was current before the retrain.
    """
    # A version is first renamed out of the way, so a kill during the removal never
    # leaves a half-deleted version that rollback could pick.
    names = version_names(versions)
    recent = [n for n in reversed(current_history(versions.parent, current)) if n in names]
    others = sorted(set(names) - set(recent), reverse=True)
    ranked = list(dict.fromkeys([current, *recent, *others]))
    for n in ranked[max(keep, 1):]:
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
