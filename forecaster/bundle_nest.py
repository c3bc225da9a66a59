"""A folder inside a model bundle (its ``versions/``, a version of it), given as --model.

Trained into, it nested a second bundle in the first's ``versions/``; read from, the advice
was to retrain into it. Both now name the bundle's own directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from forecaster.errors import ConfigError
from forecaster.ops.lock import LOCK_NAME


def enclosing_bundle(path: Path) -> Path | None:
    """The model bundle whose ``versions/`` folder ``path`` lies in, as ``path`` spells it
    where it can (``forecast-model`` for ``forecast-model/versions``); None elsewhere.

    A folder beside a bundle's own files (``proj/other`` in a project folder trained with
    ``-m .``) is no part of it: pruning leaves it alone, and a second bundle there is fine.

    Args:
        path: a --model value (it need not exist).
    """
    full = Path(os.path.abspath(path))
    for parent in full.parents:
        if is_bundle(parent) and full.relative_to(parent).parts[0] == "versions":
            return _as_given(parent, Path(path))
    return None


def bundle_entry(path: Path) -> tuple[Path, str] | None:
    """The model bundle that ``path`` is one of the files of (its ``CURRENT``, ``HISTORY``,
    lock, or anything in ``versions/``), as ``path`` spells it, and that entry's name; None
    elsewhere.

    An output written there damaged the bundle: ``-o ml/CURRENT`` left every later run
    reading a CSV as the version to load. A file beside the bundle's own ones is none of
    them (see ``enclosing_bundle``).

    Args:
        path: an output path (it need not exist); its links are followed.
    """
    full = Path(os.path.realpath(path))
    for parent in full.parents:
        entry = full.relative_to(parent).parts[0]
        if entry in _ENTRIES and is_bundle(parent):
            return _as_given(parent, Path(path)), entry
    return None


# What a bundle's directory holds of its own (see forecaster.bundle).
_ENTRIES = ("CURRENT", "HISTORY", "versions", LOCK_NAME)


def is_bundle(folder: Path) -> bool:
    """Whether ``folder`` is a model bundle's directory."""
    # What every train leaves: a CURRENT pointer beside the versions directory.
    try:
        return (folder / "CURRENT").is_file() and (folder / "versions").is_dir()
    except OSError:  # a folder this account may not look into: not known as a bundle
        return False


def _as_given(root: Path, path: Path) -> Path:
    # The parent of the path as typed that is ``root`` (relative stays relative).
    for parent in path.parents:
        if parent != Path(".") and os.path.realpath(parent) == os.path.realpath(root):
            return parent
    return root


def refuse_nested_model(model: Path) -> None:
    """Refuse training into a folder of another bundle (``forecast-model/versions``).

    Raises:
        ConfigError: naming the bundle to give as --model instead.
    """
    outer = enclosing_bundle(model)
    if outer is not None:
        raise ConfigError(f"--model {model}: lies inside the model bundle {outer}; expected "
                          f"a bundle's own directory: give --model {outer} to train a new "
                          "version of it, or a directory outside it for a new bundle")
