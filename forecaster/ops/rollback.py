"""Make the version that was current before the last change current again."""

from __future__ import annotations

from pathlib import Path

from forecaster.access import kind
from forecaster.bundle_versions import (
    current_history,
    current_version_dir,
    set_current,
    version_names,
)
from forecaster.errors import BundleError, ConfigError
from forecaster.ops.lock import model_lock


def rollback(model_dir: Path, wait: float = 0.0) -> tuple[str, str]:
    """Point ``CURRENT`` back at the version it named before the current one.

    Undoes the last change of ``CURRENT``: after a retrain, the version current before
    it (not one rolled back from earlier); after a rollback, the one before that.

    Returns:
        (the version left, the version now current).

    Raises:
        MissingInputError: no bundle in ``model_dir``.
        ConfigError: no older version to go back to (exit 2, as for other requests the bundle
            cannot serve: not damage, so not 78).
    """
    current_version_dir(model_dir)  # before the lock, which would create the directory
    with model_lock(model_dir, wait):
        current = current_version_dir(model_dir).name
        history = _back(model_dir, current)
        if not history:
            raise ConfigError(f"{model_dir}: no version older than {current} is kept, so "
                              f"there is nothing to roll back to and {current} stays "
                              "current; rollback undoes a retrain: to replace this model, "
                              "run 'forecast train' (it keeps the last --keep versions to "
                              "roll back to)")
        _check_target(model_dir / "versions" / history[-1], current)
        set_current(model_dir, history)
        return current, history[-1]


def kept_versions(model_dir: Path, current: str) -> tuple[list[str], str | None]:
    """For ``forecast info``: the versions kept under ``versions/`` (oldest first) and
    the one ``rollback`` would go back to (None: nothing older is kept). Read without
    the lock: a train running meanwhile may change both."""
    try:
        kept = version_names(model_dir / "versions")
    except OSError:
        return [], None
    back = _back(model_dir, current)
    return kept, (back[-1] if back else None)


def _check_target(version_dir: Path, current: str) -> None:
    """Refuse to go back to a damaged version: it would replace a bundle that may work."""
    from forecaster.bundle import check_version

    try:
        check_version(version_dir)
    except BundleError as exc:
        if exc.denied:  # not damaged: this account may not read it
            raise BundleError(f"cannot roll back to {version_dir.name}: {exc}; {current} "
                              "stays current") from None
        raise BundleError(f"cannot roll back to {version_dir.name}: it is damaged ({exc}); "
                          f"{current} stays current; retrain with 'forecast train' if it "
                          "does not work either") from None


def _whole(version_dir: Path) -> bool:
    """Whether a version was written in full (a bundle.json), or is one this account may
    not look into: going back to it then says so, rather than skipping it in silence."""
    try:  # the message is not shown: a refusal is reported by check_version
        return kind(version_dir / "bundle.json", BundleError, "") == "file"
    except BundleError as exc:
        return exc.denied


def _back(model_dir: Path, current: str) -> list[str]:
    """The history without ``current`` and the versions no longer kept, ending with the
    one to go back to ([] if none is left)."""
    versions = model_dir / "versions"
    whole = {n for n in version_names(versions) if _whole(versions / n)}
    history = current_history(model_dir, current)[:-1]
    while history and (history[-1] == current or history[-1] not in whole):
        history.pop()
    if history:
        return history
    # The history is spent, or names only versions removed by hand: the newest older
    # version, as before the history was kept, so a damaged bundle can still go back.
    older = sorted(n for n in whole if n < current)
    return older[-1:]
