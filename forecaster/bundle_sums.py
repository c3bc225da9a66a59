"""Checksums of a bundle version's files, in ``sha256sum`` format (``SHA256SUMS``).

The schema checks catch a missing key or a list where an object belongs, but not a
value changed by hand or by a failing disk: a ``norm`` of 5 or a scale of NaN loaded
cleanly and gave wrong forecasts, and a NaN threshold switched alerting off, all with
exit 0. A version whose files no longer match the sums written with them is damaged.
Bundles written before the sums existed have no such file and are read as before.
"""

from __future__ import annotations

import os
from pathlib import Path

from forecaster.bundle_versions import bundle_denied, safe_file
from forecaster.digest import sha256_file
from forecaster.errors import BundleError

SUMS = "SHA256SUMS"
FILES = ("bundle.json", "weights.safetensors")


def write_sums(version_dir: Path) -> None:
    """Write the checksums of ``FILES`` beside them (``sha256sum -c SHA256SUMS`` checks)."""
    lines = "".join(f"{_digest(version_dir / name)}  {name}\n" for name in FILES)
    with open(version_dir / SUMS, "w", encoding="ascii") as fh:
        fh.write(lines)
        fh.flush()
        os.fsync(fh.fileno())


def verify_sums(version_dir: Path, required: bool = False) -> None:
    """Raise BundleError when a file differs from its recorded checksum, or when the sums
    are missing from a version whose ``bundle.json`` says they were written."""
    path = version_dir / SUMS
    if not path.exists() and not path.is_symlink():
        if required:
            raise BundleError(f"{path}: missing, though bundle.json says the version was "
                              "written with checksums; the bundle is damaged: retrain with "
                              "'forecast train'")
        return  # written before checksums: nothing to compare with
    recorded = _read(safe_file(path, version_dir))
    for name in FILES:
        if name not in recorded:
            raise BundleError(f"{path}: no checksum for {name}; the bundle is damaged: "
                              "retrain with 'forecast train'")
        if _digest(safe_file(version_dir / name, version_dir)) != recorded[name]:
            raise BundleError(f"{version_dir / name}: changed since training (its SHA-256 "
                              f"differs from the one in {SUMS}); the bundle is damaged: "
                              "retrain with 'forecast train'")


def _read(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="ascii")
    except PermissionError:
        raise bundle_denied(path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: unreadable ({exc}); the bundle is damaged: retrain with "
                          "'forecast train'") from None
    out = {}
    for line in text.splitlines():
        digest, _, name = line.strip().partition(" ")
        out[name.strip().lstrip("*")] = digest.strip().lower()  # "*name": sha256sum -b
    return out


def _digest(path: Path) -> str:
    try:
        return sha256_file(path)
    except PermissionError:
        raise bundle_denied(path) from None
    except OSError as exc:
        raise BundleError(f"{path}: unreadable ({exc.strerror}); retrain with "
                          "'forecast train'") from None
