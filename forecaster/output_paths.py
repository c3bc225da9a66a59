"""Output paths checked before any work: not an input, not the training data the bundle
records, not in the bundle nor over another's files, a folder that exists and can be
written, a target an output can go to; and the image format a plot path names."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from forecaster.access import denied, kind
from forecaster.bundle_json import recorded_data
from forecaster.bundle_nest import bundle_entry
from forecaster.errors import ConfigError, OutputError
from forecaster.output_target import FolderPath, Target, output_target

# What matplotlib's Agg canvas writes by itself, and what it needs Pillow for.
PLOT_FORMATS = ("png", "pdf", "svg", "eps")
PILLOW_FORMATS = ("jpg", "jpeg", "tif", "tiff")


def check_output_path(output: Path, forbidden_files: list[Path],
                      forbidden_dirs: list[Path], option: str = "--output",
                      bundle: Path | None = None) -> None:
    """Refuse to write over an input or the training data the bundle records, inside the
    model bundle or over another bundle's files, into a missing folder, or to what no
    output can go to (a socket, a block device, a loop of links).

    Called before any work, so that a bad path fails at once, not after the work is done
    (and not after another of the command's outputs was written).

    Args:
        output: the path given.
        forbidden_files: the input files.
        forbidden_dirs: the model bundle's directory, if any.
        option: the option that gave the path, for messages.
        bundle: the model bundle whose recorded training CSV later runs read by default
            (``predict`` with no ``--data``), if any.

    Raises:
        OutputError: the path cannot or must not be written.
    """
    # A folder that exists is refused below as one, with the other paths that name it.
    if isinstance(output, FolderPath) and not os.path.isdir(output):
        raise OutputError(f"{option} {output}/: ends in a slash, so it names a folder; "
                          "expected a file path: drop the slash or add a file name")
    found = output_target(output)
    if found.kind == "refused":  # first: a loop of links cannot even be resolved
        raise OutputError(found.refusal(output, option))
    target = output.resolve()
    for f in forbidden_files:
        if target == resolved(Path(f)):
            raise OutputError(f"{option} {output}: that is the input file; choose another path")
    if bundle is not None:
        _check_recorded(output, target, bundle, option)
    for d in forbidden_dirs:
        if target.is_relative_to(resolved(Path(d))):
            raise OutputError(f"{option} {output}: inside the model directory {d}; choose "
                              "another path")
    _check_other_bundle(output, option)
    _check_target(found, output, option)


def _check_other_bundle(output: Path, option: str) -> None:
    """Refuse a file of any model bundle, not only the command's own: ``-o ml/CURRENT``
    from another model's predict left ``ml`` unreadable."""
    found = bundle_entry(output)
    if found is not None:
        bundle, entry = found
        entry += "/" if entry == "versions" else ""
        raise OutputError(f"{option} {output}: that is part of the model bundle {bundle} "
                          f"(its {entry}), which the write would damage; choose another path")


def _check_recorded(output: Path, target: Path, bundle: Path, option: str) -> None:
    """Refuse the training CSV that ``bundle`` records, though this run reads another file
    (``--data``): the next run without ``--data`` would read the output in its place.

    An unreadable bundle records nothing here; the command's own load reports it.
    """
    for f in recorded_data(bundle):
        if target == resolved(f):
            raise OutputError(f"{option} {output}: that is the training data the bundle "
                              f"{bundle} records ({f}), which predict and detect-anomalies "
                              "read when no --data is given; choose another path")


def plot_format(path: Path, option: str = "--plot") -> str:
    """The image format a plot path's suffix names, for matplotlib's ``savefig``.

    A stream (a FIFO, ``/dev/stdout``) has no name to go by and gets PNG. Checked from the
    suffix alone, so that refusing a path before any work imports no matplotlib.

    Raises:
        ConfigError: a missing suffix, or one matplotlib cannot write here.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix and output_target(Path(path)).kind in ("stream", "descriptor"):
        return "png"
    formats = PLOT_FORMATS + (PILLOW_FORMATS if importlib.util.find_spec("PIL") else ())
    if suffix in formats:
        return suffix
    what = (f".{suffix} is not an image format the plot can be written in" if suffix
            else "no suffix to tell the image format")
    raise ConfigError(f"{option} {path}: {what}; name a "
                      f"{', '.join('.' + f for f in formats)} file")


def check_output_paths(paths: dict[str, Path | None], forbidden_files: list[Path],
                       forbidden_dirs: list[Path], bundle: Path | None = None) -> None:
    """``check_output_path`` for each option given, and refuse one file given twice.

    Args:
        paths: option name to path (None where the option was not given).
        forbidden_files: the input files.
        forbidden_dirs: the model bundle's directory, if any.
        bundle: the model bundle whose recorded training CSV must be kept, if any.

    Raises:
        OutputError: a path cannot or must not be written, or two options name one file
            (the second write would replace the first).
    """
    seen: dict[Path, str] = {}
    for option, path in paths.items():
        if path is None:
            continue
        # Not Path(path): that would lose a FolderPath's type, and its slash with it.
        check_output_path(path, forbidden_files, forbidden_dirs, option, bundle)
        target = Path(path).resolve()
        if target in seen:
            raise OutputError(f"{option} {path}: the same file as {seen[target]}; give each "
                              "its own path")
        seen[target] = option
        if paths.get("--output", "") is None and _is_stdout(Path(path)):
            raise OutputError(f"{option} {path}: that is stdout, where the data goes; give "
                              "the data its own file with --output, or the plot another path")


def _is_stdout(path: Path) -> bool:
    """Whether ``path`` is the file stdout writes to (``/dev/stdout``, ``/proc/self/fd/1``,
    or the file a shell redirected it to): a plot there would be mixed into the data.
    /dev/null takes anything, so it is never refused."""
    try:
        out, there = os.fstat(1), os.stat(path)
    except (OSError, ValueError):
        return False
    return ((out.st_dev, out.st_ino) == (there.st_dev, there.st_ino)
            and Path(path).resolve() != Path(os.devnull))


def _check_target(target: Target, output: Path, option: str) -> None:
    """Check that a stream can be written, or the folder of a file to replace."""
    if target.kind == "stream" and not os.access(target.path, os.W_OK):
        # Not opened here: opening a FIFO would wait for its reader before any work.
        raise OutputError(f"{option} {output}: cannot write to it (permission denied); "
                          "choose another path")
    if target.kind == "file":
        _check_folder(output, target.path, option)


def _check_folder(output: Path, file: Path, option: str) -> None:
    """Refuse a directory, or a path whose folder is missing or not a folder.

    Args:
        output: the path given, for messages.
        file: the file to be replaced: ``output`` with its links resolved.
        option: the option that gave the path.
    """
    found, folder = _kind(file, option, output), _kind(file.parent, option, output)
    if found == "dir":
        raise OutputError(f"{option} {output}: is a directory; expected a file path: add a "
                          "file name")
    parent = file.parent
    if folder not in ("dir", "missing"):
        raise OutputError(f"{option} {output}: {parent} is a file, not a folder; choose "
                          "another path")
    if folder == "missing":
        raise OutputError(f"{option} {output}: the folder {parent} does not exist; create it "
                          "or choose another path")
    _check_writable(file, option, output)


def _kind(path: Path, option: str, output: Path) -> str:
    """``access.kind``; a refusal (a folder on the way this account cannot enter) is worded
    for the output option."""
    return kind(path, OutputError, _ELSEWHERE, name=f"{option} {output}")


# What to do about a folder this account may not write in.
_ELSEWHERE = "choose a folder this account can write to, or have its owner open it to yours"


def _check_writable(file: Path, option: str, output: Path) -> None:
    """Create and remove a temp file where the atomic write will put its own."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    except PermissionError:
        raise denied(file.parent, OutputError, _ELSEWHERE, "write in",
                     f"{option} {output}") from None
    except OSError as exc:
        raise OutputError(f"{option} {output}: cannot write in {file.parent} "
                          f"({exc.strerror}); choose a folder you can write to") from None
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)


def resolved(path: Path) -> Path:
    """``path`` with its links followed, or made absolute as it is when they loop (the
    reader then says the file cannot be read; resolve() raised an internal error)."""
    try:
        return path.resolve()
    # RuntimeError: a symlink loop, before Python 3.13; ValueError: a NUL in a path read
    # from a bundle edited by hand.
    except (OSError, RuntimeError, ValueError):
        return path.absolute()
