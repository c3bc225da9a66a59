"""Make the previous bundle version current again."""

from __future__ import annotations

from pathlib import Path

from forecaster.bundle_versions import current_version_dir, version_names, write_current
from forecaster.errors import ConfigError, MissingInputError
from forecaster.ops.lock import model_lock


def rollback(model_dir: Path, wait: float = 0.0) -> tuple[str, str]:
    """Point ``CURRENT`` at the version before the current one.

    Returns:
        (the version left, the version now current).

    Raises:
        MissingInputError: no bundle in ``model_dir``.
        ConfigError: no older version to go back to (exit 2: a request, not damage).
    """
    if not (model_dir / "CURRENT").is_file():  # before the lock, which would create the dir
        raise MissingInputError(f"{model_dir}: no model bundle here; check --model, or train "
                                "one with 'forecast train'")
    with model_lock(model_dir, wait):
        current = current_version_dir(model_dir).name
        versions = model_dir / "versions"
        names = [n for n in version_names(versions) if (versions / n / "bundle.json").is_file()]
        older = [n for n in names if n < current]
        if not older:
            raise ConfigError(f"{model_dir}: no version older than {current} is kept, so "
                              "there is nothing to roll back to; rollback undoes a retrain "
                              "(train keeps the last --keep versions)")
        write_current(model_dir, older[-1])
        return current, older[-1]
