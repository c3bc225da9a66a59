"""The model bundle: one directory, JSON for everything readable, safetensors for weights.

Layout::

    forecast-model/
      CURRENT                      name of the active version, replaced atomically
      HISTORY                      the versions CURRENT has named, oldest first (rollback)
      versions/<version>/bundle.json
      versions/<version>/weights.safetensors
      versions/<version>/SHA256SUMS  checksums of the two (``sha256sum -c`` reads it)

A new bundle is written into a fresh version directory and only then named in
``CURRENT`` (``os.replace``), so a crash or Ctrl-C at any moment leaves the
previous bundle in force, and readers never see half a bundle. No pickle
anywhere: safetensors holds plain tensors, and nothing in a bundle executes.

What ``load_bundle`` accepts: ``CURRENT`` naming a version directory by its exact
pattern (no ``..``, no absolute path); plain files only, no symbolic links anywhere
on the way; a JSON object of at most ``MAX_JSON_BYTES`` with this format and
version; a safetensors file whose header is at most ``MAX_HEADER_BYTES`` and fits
in the file, holding float32 tensors only (the shapes are checked against the
config by whoever rebuilds a network). Files it does not know of, in the bundle
or in a version directory, are ignored, so a later release may add some.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save_file

from forecaster.access import is_refusal
from forecaster.atomic import fsync_dir, umask_mode
from forecaster.bundle_json import read_json as _read_json
from forecaster.bundle_json import write_json as _write_json
from forecaster.bundle_metrics import check_folds
from forecaster.bundle_schema import check_shape
from forecaster.bundle_sums import SUMS, verify_sums, write_sums
from forecaster.bundle_values import check_values
from forecaster.bundle_versions import (
    bundle_denied,
    current_version_dir,
    new_version_name,
    pointer_text,
    prune,
    safe_file,
    version_names,
    write_current,
)
from forecaster.bundle_weights import check_weights
from forecaster.errors import BundleError, OutputError
from forecaster.ops.lock import unwritable

FORMAT = "forecaster-bundle"
FORMAT_VERSION = 2  # the newest this release writes; it reads every one in READS
READS = (1, 2)
MAX_HEADER_BYTES = 100 << 20  # safetensors' own limit on the JSON header of a weights file
REQUIRED_KEYS = ("format", "format_version", "data", "forecaster", "scalers")


@dataclass
class Bundle:
    """What ``train`` leaves for the later commands.

    Attributes:
        meta: the JSON document (config, columns, scalers, metrics, versions).
        tensors: named weight tensors ("forecaster.*", "anomaly.*", ...).
        path: the version directory it was loaded from, if any.
    """

    meta: dict
    tensors: dict[str, torch.Tensor] = field(default_factory=dict)
    path: Path | None = None

    def section(self, prefix: str) -> dict[str, torch.Tensor]:
        """The tensors under ``prefix.``, with the prefix removed."""
        cut = len(prefix) + 1
        return {k[cut:]: v for k, v in self.tensors.items() if k.startswith(prefix + ".")}


def save_bundle(root: Path, bundle: Bundle, keep: int = 3) -> Path:
    """Write ``bundle`` as a new version under ``root`` and make it current.

    Args:
        root: the bundle directory (created if missing).
        bundle: what to write.
        keep: how many versions to keep, the current one included.

    Returns:
        The new version's directory.
    """
    meta = dict(bundle.meta, format=FORMAT, format_version=format_version(bundle.meta))
    versions = root / "versions"
    tmp = _incoming(root, versions)
    name = new_version_name()
    final = versions / name
    try:
        _write_files(tmp, bundle.tensors, meta)
        os.replace(tmp, final)
        fsync_dir(versions)
        write_current(root, name)
    except BaseException as exc:
        _discard(root, tmp, final, name)
        if isinstance(exc, OSError) or _io_error(exc):
            raise _cannot_write(root, exc) from None
        raise
    prune(versions, keep, name)
    return final


def _incoming(root: Path, versions: Path) -> Path:
    """A fresh directory under ``versions`` that the new version is written into."""
    try:
        versions.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=versions))
        tmp.chmod(umask_mode(executable=True))  # mkdtemp's 0700 would hide the model
    except OSError as exc:
        raise _cannot_write(root, exc) from None
    return tmp


def _write_files(tmp: Path, tensors: dict[str, torch.Tensor], meta: dict) -> None:
    """Write the weights, the JSON document and their checksums into ``tmp``."""
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()},
              str(tmp / "weights.safetensors"))
    # safetensors creates the file 0600: another account reading the bundle (a cron
    # user beside the one who trained) was refused the weights alone.
    (tmp / "weights.safetensors").chmod(umask_mode())
    # Before the rename, as the JSON files are: a crash just after CURRENT names the new
    # version must not leave it with weights that never reached the disk (its checksum
    # would refuse it, and every command would fail until a rollback).
    fsync_dir(tmp / "weights.safetensors")
    # Says that sums were written: a deleted SHA256SUMS must not pass for a bundle
    # from before checksums, with every check switched off.
    _write_json(tmp / "bundle.json", {**meta, "checksums": SUMS})
    write_sums(tmp)


def _discard(root: Path, tmp: Path, final: Path, name: str) -> None:
    """Drop the new version, whole or half-written, unless ``CURRENT`` already names it."""
    # Out of space, or interrupted: CURRENT may have been replaced just before the
    # interruption, and then the new version is the bundle in force.
    shutil.rmtree(tmp, ignore_errors=True)
    if (pointer_text(root) or "").strip() != name:
        shutil.rmtree(final, ignore_errors=True)


def format_version(meta: dict) -> int:
    """The oldest format version that holds ``meta``: a release reads only the versions
    it knows, so a bundle stays at 1 unless it needs what 1 lacks (series keyed by
    several columns, which a version-1 reader would fail on with an internal error)."""
    spec = meta.get("data", {}).get("spec", {})
    return FORMAT_VERSION if spec.get("series_parts") else 1


def _io_error(exc: BaseException) -> bool:
    """Whether safetensors failed to write (a full disk), not to serialize (a bug)."""
    return isinstance(exc, SafetensorError) and "os error" in str(exc)


def _reason(exc: BaseException) -> str:
    """Why a write failed, in the words of the system: safetensors' 'Error while
    serializing: I/O error: No space left on device (os error 28)' as strerror(28)."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    code = re.search(r"\(os error ([0-9]+)\)", str(exc))
    return os.strerror(int(code.group(1))) if code else str(exc)


def _cannot_write(root: Path, exc: BaseException) -> OutputError:
    if is_refusal(exc):  # a train by another account than the bundle's
        return unwritable(Path(exc.filename).parent if exc.filename else root, root)
    return OutputError(f"{root}: cannot write the model bundle ({_reason(exc)}); check space "
                       "and permissions, or choose another --model")


def load_bundle(root: Path) -> Bundle:
    """Read and check the current bundle under ``root``.

    Raises:
        MissingInputError: no bundle there.
        BundleError: the bundle is damaged, unsafe or of another format version.
    """
    # Retrains are minutes apart, so one re-read is the rule; a writer saving in a tight
    # loop on a loaded machine moved CURRENT during five loads running.
    attempts = 50
    for attempt in range(attempts):
        seen = pointer_text(root)
        try:
            return _load_version(current_version_dir(root))
        except BundleError as exc:
            # A train may have made a newer version current and pruned the one we were
            # reading (see --keep): read again while CURRENT keeps moving.
            if attempt == attempts - 1 or pointer_text(root) == seen:
                raise _with_rollback(root, exc) from None
    raise AssertionError("unreachable")


def _with_rollback(root: Path, exc: BundleError) -> BundleError:
    """``exc``, naming rollback when an older version is kept: a nightly cron job need
    not wait for a retrain (for a permission refused, it would not help)."""
    try:
        names = [] if exc.denied else version_names(root / "versions")
    except OSError:  # none, not a folder, or not this account's to list
        names = []
    current = (pointer_text(root) or "").strip()
    # A CURRENT naming no kept version: rollback, which goes back from it, fails alike.
    if current not in names or not any(n < current for n in names):
        return exc
    return BundleError(f"{exc}; or go back to the version before with 'forecast rollback "
                       f"--model {root}'")


def check_version(version_dir: Path) -> None:
    """Raise BundleError if the version in ``version_dir`` cannot be loaded (before
    ``rollback`` makes it current: a damaged one would break a working bundle)."""
    _load_version(version_dir)


def _load_version(version_dir: Path) -> Bundle:
    meta = _read_json(version_dir / "bundle.json")
    _check_meta(meta, version_dir)
    weights = safe_file(version_dir / "weights.safetensors", version_dir)
    _check_weights_header(weights)
    try:
        # From bytes: safetensors' loader takes only a UTF-8 path, and a model directory
        # named in another encoding trained fine, then never loaded.
        tensors = load(weights.read_bytes())
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise BundleError(f"{weights}: unreadable weights ({exc}); retrain with "
                          "'forecast train'") from None
    odd = sorted(k for k, v in tensors.items() if v.dtype != torch.float32)
    if odd:
        raise BundleError(f"{weights}: tensor {odd[0]} is {tensors[odd[0]].dtype}, bundles hold "
                          "float32 only; the bundle is not ours or damaged: retrain with "
                          "'forecast train'")
    check_weights(meta, tensors, version_dir)
    # Last: what the checks above name (a missing key, a truncated file) says more than
    # "changed since training"; the sums catch the values they cannot judge.
    verify_sums(version_dir, required=meta.get("checksums") == SUMS)
    return Bundle(meta=meta, tensors=tensors, path=version_dir)


def _check_weights_header(path: Path) -> None:
    # safetensors starts with the header's length (8 bytes, little-endian); check it
    # against the file before handing the file over.
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            size = os.fstat(fh.fileno()).st_size
    except PermissionError:
        raise bundle_denied(path) from None
    except OSError as exc:
        raise BundleError(f"{path}: unreadable weights ({exc.strerror}); retrain with "
                          "'forecast train'") from None
    n = int.from_bytes(head, "little") if len(head) == 8 else -1
    if n < 2 or n > MAX_HEADER_BYTES or 8 + n > size:
        raise BundleError(f"{path}: not a safetensors weights file (header length "
                          f"{n if n >= 0 else 'missing'}, file size {size}); retrain with "
                          "'forecast train'")


def _check_meta(meta: dict, where: Path) -> None:
    if meta.get("format") != FORMAT:
        raise BundleError(f"{where}: not a forecaster bundle (format "
                          f"'{meta.get('format')}'); retrain with 'forecast train'")
    version = meta.get("format_version")
    if version not in READS:
        raise BundleError(f"{where}: bundle format version {version!r}, this forecaster "
                          f"reads versions {READS[0]} to {READS[-1]}; retrain with "
                          "'forecast train' or use a matching forecaster release")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise BundleError(f"{where}: bundle metadata lacks {', '.join(missing)}; retrain "
                          "with 'forecast train'")
    check_shape(meta, where)
    check_folds(meta, where)  # after check_shape: metrics is an object, if there
    check_values(meta, where)  # after check_shape: every key holds its kind
