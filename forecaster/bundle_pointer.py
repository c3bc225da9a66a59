"""What to say of a bundle whose ``CURRENT`` is lost (missing, or naming no kept version)
while its versions are intact: the version to name again, and the command that does it.

"Retrain" alone sent users to hours of training, and ``rollback`` failed on the same
pointer, though one line of shell made the kept model current again. Nothing is repaired
here: which version a damaged pointer meant is a guess (HISTORY's last entry, else the
newest kept), so the message names it and the user decides.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from forecaster.errors import BundleError

# Versions tried with a full load, at most: each reads its weights.
_TRIES = 3


def kept_advice(root: Path, history: list[str], kept: list[str]) -> str:
    """The advice that ends the error about ``root``'s lost pointer.

    Args:
        root: the bundle directory, as given.
        history: the versions CURRENT named, oldest first (from HISTORY; may be empty).
        kept: the version directories under ``versions/``, oldest first.

    Returns:
        "retrain with 'forecast train'" where no version is kept; else the count kept, the
        one to name again (or that none of those tried loads), and the retrain.
    """
    if not kept:
        return "the bundle is damaged: retrain with 'forecast train'"
    order = [n for n in reversed(history) if n in kept]
    order += [n for n in reversed(kept) if n not in order]
    count = f"{len(kept)} version{'s' * (len(kept) > 1)} kept in {root / 'versions'}"
    for name in order[:_TRIES]:
        if _loads(root / "versions" / name):
            return (f"{count}; {name}{_which(name, history, kept)} loads: "
                    f"'{_echo(name, root)}' names it again (rollback needs a current version "
                    "to go back from); or retrain with 'forecast train'")
    tried = "none loads" if len(order) <= _TRIES else f"the newest {_TRIES} do not load"
    return f"{count}, but {tried}: retrain with 'forecast train'"


def _which(name: str, history: list[str], kept: list[str]) -> str:
    """What ``name`` is among the versions, where that tells the user something."""
    if history and name == history[-1]:
        return ", current last,"
    if len(kept) == 1:
        return ", the only one,"
    return ", the newest kept," if name == kept[-1] else ""


def _loads(version_dir: Path) -> bool:
    from forecaster.bundle import check_version  # torch: only on this error's path

    try:
        check_version(version_dir)
    except BundleError:
        return False
    return True


def _echo(name: str, root: Path) -> str:
    # Double quotes, if any: the command is shown in single quotes.
    target = str(root / "CURRENT")
    if shlex.quote(target) != target:
        for char in '\\"$`':  # what double quotes leave to the shell
            target = target.replace(char, "\\" + char)
        target = f'"{target}"'
    return f"echo {name} > {target}"
