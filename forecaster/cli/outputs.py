"""The values of path options as typed: an input file, ``--output`` (where ``-`` is
stdout) and ``--plot``. Parsed from the text, since pathlib drops what matters here: the
slash that ends ``out.csv/``. And the format ``--output``'s suffix names. Kept free of
heavy imports (``--help`` parses nothing, but imports this).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from forecaster.errors import ConfigError
from forecaster.output_target import FolderPath

STDOUT = "-"  # what Unix tools take for stdout; a file named "-" was written instead
# The formats an output's suffix names: `-o forecast.json` wrote CSV into it.
SUFFIX_FORMATS = {".csv": "csv", ".json": "json"}


def file_path(text: str) -> Path:
    """A file option's or argument's value; an empty one (an unset shell variable) read
    as '.', and was reported as "is a directory"."""
    if not str(text).strip():
        raise typer.BadParameter("empty; expected a file path")
    refuse_tilde(text)
    return Path(text)


def refuse_tilde(text: str | os.PathLike) -> None:
    """Refuse a path starting with '~', which only a shell expands: a crontab's
    ``FORECAST_MODEL=~/models/plant`` or forecast.toml's ``model = "~/m"`` reach here as
    written, and train made a folder named '~' in the working directory (whose clean-up,
    ``rm -r ~``, takes the home directory)."""
    text = str(text)  # a default given as a Path comes through the parser too
    if text == "~" or text.startswith("~/"):
        home = os.environ.get("HOME")  # cron sets it; without it, no path to suggest
        full = (home.rstrip("/") + text[1:] or "/") if home else "the full path"
        raise typer.BadParameter(f"{text} starts with '~', which no shell expanded here (a "
                                 "crontab's variables and forecast.toml's values are taken as "
                                 f"written); expected a path without '~': write {full}")


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


def output_format(ctx: typer.Context, fmt: str, output: Path | None) -> str:
    """The format to write: ``--format`` where it was given (by flag, ``FORECAST_FORMAT`` or
    the configuration file), else the one ``--output``'s suffix names, else ``fmt``.

    Args:
        ctx: the running command, whose ``fmt`` parameter's source tells if it was given.
        fmt: ``--format``'s value, already checked to be csv or json.
        output: ``--output``'s value (None for stdout).

    Raises:
        ConfigError: ``--format`` was typed and contradicts the suffix (``-o x.json
            --format csv``): which one the user meant cannot be told. A format set for
            every run (``FORECAST_FORMAT=json`` in a crontab beside ``-o forecast.csv``)
            is kept, as it was before suffixes counted, with a warning: the job goes on.
    """
    from forecaster.cli.origins import origin_note, param_source, root_obj

    named = SUFFIX_FORMATS.get(output.suffix.lower()) if output is not None else None
    if named is None or named == fmt:
        return fmt
    source = ctx.get_parameter_source("fmt")
    if source is None or source.name == "DEFAULT":
        return named
    if source.name == "COMMANDLINE":
        raise ConfigError(f"--format {fmt}: contradicts --output {output}, whose suffix names "
                          f"{named}; drop --format, or name a .{fmt} file")
    where = origin_note(param_source(ctx, "fmt")).removeprefix(" (the value came from ")
    root_obj(ctx).setdefault("warnings", []).append(
        f"--output {output} names {named}, but --format {fmt} is set by "
        f"{where.split(':')[0] or 'the environment or the configuration file'}: writing "
        f"{fmt}; set the format for this command (or name a .{fmt} file)")
    return fmt


def refuse_config(ctx: typer.Context, paths: dict[str, Path | None]) -> None:
    """Refuse an output path that is the configuration file this run read: ``-o
    forecast.toml`` replaced it with the table, and every later run stopped at "not
    valid TOML".

    Args:
        ctx: the running command (the root recorded the file it read).
        paths: option name to path (None where not given).

    Raises:
        OutputError: naming the option and the file (exit 73, as the other refused paths).
    """
    from forecaster.cli.origins import root_obj
    from forecaster.errors import OutputError
    from forecaster.output_paths import resolved

    config = root_obj(ctx).get("config")
    if config is None or not os.path.isfile(config):  # /dev/null reads as no settings
        return
    for option, path in paths.items():
        if path is not None and resolved(Path(path)) == resolved(Path(config)):
            raise OutputError(f"{option} {path}: that is the configuration file {config}, "
                              "which this run read its settings from; choose another path")
