"""The model bundle: one directory, JSON for everything readable, safetensors for weights.

Layout::

    forecast-model/
      CURRENT                      name of the active version, replaced atomically
      versions/<version>/bundle.json
      versions/<version>/weights.safetensors

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

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from forecaster.atomic import atomic_write_text, fsync_dir, umask_mode
from forecaster.bundle_schema import check_shape
from forecaster.errors import BundleError, MissingInputError, OutputError
from forecaster.ops.lock import LOCK_NAME

FORMAT = "forecaster-bundle"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 16 << 20
MAX_HEADER_BYTES = 100 << 20  # safetensors' own limit on the JSON header of a weights file
VERSION_RE = re.compile(r"^v[0-9]{8}T[0-9]{6}Z-[0-9a-z_]{4,16}$")
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
    meta = dict(bundle.meta, format=FORMAT, format_version=FORMAT_VERSION)
    versions = root / "versions"
    try:
        versions.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=versions))
        tmp.chmod(umask_mode(executable=True))  # mkdtemp's 0700 would hide the model
    except OSError as exc:
        raise OutputError(f"{root}: cannot write the model bundle ({exc.strerror or exc}); "
                          "check the path and permissions, or choose another --model") from None
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in bundle.tensors.items()},
                  str(tmp / "weights.safetensors"))
        _write_json(tmp / "bundle.json", meta)
        name = _version_name()
        final = versions / name
        os.replace(tmp, final)
        fsync_dir(versions)
        write_current(root, name)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{root}: cannot write the model bundle ({exc.strerror or exc}); "
                          "check the path and permissions, or choose another --model") from None
    except BaseException:
        # Interrupted: drop the half-written version; CURRENT still names the old one.
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(versions, keep, name)
    return final


def load_bundle(root: Path) -> Bundle:
    """Read and check the current bundle under ``root``.

    Raises:
        MissingInputError: no bundle there.
        BundleError: the bundle is damaged, unsafe or of another format version.
    """
    attempts = 5
    for attempt in range(attempts):
        seen = _pointer_text(root)
        try:
            return _load_version(current_version_dir(root))
        except BundleError:
            # A train may have made a newer version current and pruned the one we were
            # reading (see --keep): read again while CURRENT keeps moving.
            if attempt == attempts - 1 or _pointer_text(root) == seen:
                raise
    raise AssertionError("unreachable")


def _load_version(version_dir: Path) -> Bundle:
    meta = _read_json(version_dir / "bundle.json")
    _check_meta(meta, version_dir)
    weights = _safe_file(version_dir / "weights.safetensors", version_dir)
    _check_weights_header(weights)
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise BundleError(f"{weights}: unreadable weights ({exc}); retrain with "
                          "'forecast train'") from None
    odd = sorted(k for k, v in tensors.items() if v.dtype != torch.float32)
    if odd:
        raise BundleError(f"{weights}: tensor {odd[0]} is {tensors[odd[0]].dtype}, bundles hold "
                          "float32 only; the bundle is not ours or damaged: retrain with "
                          "'forecast train'")
    return Bundle(meta=meta, tensors=tensors, path=version_dir)


def _check_weights_header(path: Path) -> None:
    # safetensors starts with the header's length (8 bytes, little-endian); check it
    # against the file before handing the file over.
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise BundleError(f"{path}: unreadable weights ({exc.strerror}); retrain with "
                          "'forecast train'") from None
    n = int.from_bytes(head, "little") if len(head) == 8 else -1
    if n < 2 or n > MAX_HEADER_BYTES or 8 + n > size:
        raise BundleError(f"{path}: not a safetensors weights file (header length "
                          f"{n if n >= 0 else 'missing'}, file size {size}); retrain with "
                          "'forecast train'")


def _pointer_text(root: Path) -> str | None:
    try:
        return (root / "CURRENT").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _version_name() -> str:
    # Sortable by creation time (to the microsecond), unique by its random tail.
    now = time.time()
    stamp = time.strftime("v%Y%m%dT%H%M%SZ", time.gmtime(now))
    return f"{stamp}-{int(now * 1e6) % 1_000_000:06d}{secrets.token_hex(2)}"


def write_current(root: Path, name: str) -> None:
    """Make version ``name`` current, atomically."""
    atomic_write_text(root / "CURRENT", name + "\n")


def current_version_dir(root: Path) -> Path:
    """The directory that ``CURRENT`` names, after checking it stays inside ``root``."""
    pointer = root / "CURRENT"
    if not pointer.exists():
        if not root.exists() or _unborn(root):
            raise MissingInputError(f"{root}: no model bundle here; run 'forecast train "
                                    "DATA.csv' first, or point --model at one")
        raise BundleError(f"{root}: not a forecaster model bundle (no CURRENT file); "
                          "retrain with 'forecast train'")
    name = _safe_file(pointer, root).read_text(encoding="utf-8", errors="replace").strip()
    if not VERSION_RE.match(name):
        raise BundleError(f"{pointer}: names '{name[:40]}', not a bundle version; the bundle "
                          "is damaged: retrain with 'forecast train'")
    version_dir = root / "versions" / name
    for link in (root / "versions", version_dir):
        if link.is_symlink():
            _safe_file(link, root)  # refuses the link
    if not version_dir.is_dir():
        raise BundleError(f"{version_dir}: missing or not a directory; retrain with "
                          "'forecast train'")
    return version_dir


def _unborn(root: Path) -> bool:
    """Whether ``root`` is a model directory that no train has finished: nothing in it
    but the lock and leftovers of an interrupted first write (no version, no CURRENT)."""
    try:
        names = {p.name for p in root.iterdir()}
        versions = root / "versions"
        kept = ([p for p in versions.iterdir() if VERSION_RE.match(p.name)]
                if versions.is_dir() and not versions.is_symlink() else [])
    except OSError:
        return False
    return names <= {LOCK_NAME, "versions"} and not kept


def recorded_data(root: Path) -> list[Path]:
    """The training CSV that the current bundle names, if it can be read (else nothing).

    Commands that read that file by default must not write their output over it.
    """
    try:
        path = _read_json(current_version_dir(root) / "bundle.json")["data"]["path"]
    except (BundleError, MissingInputError, OSError, KeyError, TypeError):
        return []
    return [Path(path)] if isinstance(path, str) else []


def _safe_file(path: Path, inside: Path) -> Path:
    if path.is_symlink():
        raise BundleError(f"{path}: is a symbolic link; bundles may not point outside "
                          "themselves. Retrain with 'forecast train'")
    if not path.is_file():
        raise BundleError(f"{path}: missing from the bundle; retrain with 'forecast train'")
    return path


def _read_json(path: Path) -> dict:
    _safe_file(path, path.parent)
    try:
        with open(path, "rb") as fh:  # one open file: checked and read, whatever happens
            size = os.fstat(fh.fileno()).st_size  # to the path meanwhile
            if size > MAX_JSON_BYTES:
                raise BundleError(f"{path}: {size} bytes, over the {MAX_JSON_BYTES} limit for "
                                  "bundle metadata; the bundle is not ours or damaged")
            meta = json.loads(fh.read().decode("utf-8"))
    except OSError as exc:
        raise BundleError(f"{path}: unreadable ({exc.strerror}); retrain with "
                          "'forecast train'") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path}: not valid JSON ({exc}); retrain with "
                          "'forecast train'") from None
    if not isinstance(meta, dict):
        raise BundleError(f"{path}: expected a JSON object; retrain with 'forecast train'")
    return meta


def _check_meta(meta: dict, where: Path) -> None:
    if meta.get("format") != FORMAT:
        raise BundleError(f"{where}: not a forecaster bundle (format "
                          f"'{meta.get('format')}'); retrain with 'forecast train'")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise BundleError(f"{where}: bundle format version {version!r}, this forecaster "
                          f"reads version {FORMAT_VERSION}; retrain with 'forecast train' "
                          "or use a matching forecaster release")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise BundleError(f"{where}: bundle metadata lacks {', '.join(missing)}; retrain "
                          "with 'forecast train'")
    check_shape(meta, where)


def _write_json(path: Path, obj: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True, allow_nan=False)
        fh.flush()
        os.fsync(fh.fileno())


def _prune(versions: Path, keep: int, current: str) -> None:
    # Old versions and leftovers of interrupted writes; never the current one. A version
    # is first renamed out of the way, so a kill during the removal never leaves a
    # half-deleted version that rollback could pick.
    names = sorted(p.name for p in versions.iterdir() if VERSION_RE.match(p.name))
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
