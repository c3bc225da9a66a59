"""The values of path options as typed: an input file, ``--output`` (where ``-`` is
stdout) and ``--plot``. Parsed from the text, since pathlib drops what matters here: the
slash that ends ``out.csv/``. Kept free of heavy imports (``--help`` parses nothing, but
imports this).
"""

from __future__ import annotations

from pathlib import Path

import typer

from forecaster.output_target import FolderPath

STDOUT = "-"  # what Unix tools take for stdout; a file named "-" was written instead


def file_path(text: str) -> Path:
    """A file option's or argument's value; an empty one (an unset shell variable) read
    as '.', and was reported as "is a directory"."""
    if not str(text).strip():
        raise typer.BadParameter("empty; expected a file path")
    return Path(text)


def output_path(text: str) -> Path | None:
    """``--output``'s value: None (stdout, as without ``--output``) for ``-``, else the path,
    a ``FolderPath`` where it ends in a slash."""
    path = file_path(text)
    if text == STDOUT:
        return None
    return _as_typed(text, path)


def plot_path(text: str) -> Path:
    """``--plot``'s value: a path, a ``FolderPath`` where it ends in a slash. ``-`` is refused
    (a usage error): stdout is where the data goes, and an image in it would be mixed in."""
    path = file_path(text)
    if text == STDOUT:
        raise typer.BadParameter("'-' (stdout) is not taken for a plot, which is an image; "
                                 "expected a file path such as plot.png")
    return _as_typed(text, path)


def _as_typed(text: str, path: Path) -> Path:
    # "out.csv/." loses its "." to pathlib too.
    return FolderPath(text) if text.endswith(("/", "/.")) else path
