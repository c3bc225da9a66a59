"""A bundle version's JSON metadata: read within a size limit, written durably, and the
parts other commands need while the rest of the bundle may be damaged (the training CSV it
recorded, for output checks and advice). Kept free of torch: reading a path out of
``bundle.json`` must not cost the commands that only check their outputs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from forecaster.bundle_versions import bundle_denied, current_version_dir, safe_file
from forecaster.errors import BundleError, MissingInputError

MAX_JSON_BYTES = 16 << 20


def recorded_data(root: Path) -> list[Path]:
    """The training CSV that the current bundle names, if it can be read (else nothing).

    Commands that read that file by default must not write their output over it.
    """
    try:
        path = current_meta(root)["data"]["path"]
    except (KeyError, TypeError):
        return []
    return [Path(path)] if isinstance(path, str) else []


def current_meta(root: Path) -> dict:
    """The current version's ``bundle.json`` as far as it can be read (``{}`` if not), for
    advice given while some other part of the bundle is damaged."""
    try:
        return read_json(current_version_dir(root) / "bundle.json")
    except (BundleError, MissingInputError, OSError):
        return {}


def read_json(path: Path) -> dict:
    """A version's ``bundle.json``, read within ``MAX_JSON_BYTES`` through one open file."""
    safe_file(path, path.parent)
    try:
        with open(path, "rb") as fh:  # one open file: checked and read, whatever happens
            size = os.fstat(fh.fileno()).st_size  # to the path meanwhile
            if size > MAX_JSON_BYTES:
                raise BundleError(f"{path}: {size} bytes, over the {MAX_JSON_BYTES} limit for "
                                  "bundle metadata; the bundle is not ours or damaged")
            meta = json.loads(fh.read().decode("utf-8"))
    except PermissionError:
        raise bundle_denied(path) from None
    except OSError as exc:
        raise BundleError(f"{path}: unreadable ({exc.strerror}); retrain with "
                          "'forecast train'") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path}: not valid JSON ({exc}); retrain with "
                          "'forecast train'") from None
    if not isinstance(meta, dict):
        raise BundleError(f"{path}: expected a JSON object; retrain with 'forecast train'")
    return meta


def write_json(path: Path, obj: dict) -> None:
    """``obj`` as ``path``, on the disk before the version holding it is named current."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True, allow_nan=False)
        fh.flush()
        os.fsync(fh.fileno())
