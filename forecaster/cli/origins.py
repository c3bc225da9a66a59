"""Where an option's value came from, for error lines: a flag, an environment variable or
the configuration file. A value the user never typed (``resample = "hh"`` in forecast.toml,
a stale ``FORECAST_TARGET``) is named with its source, so the fix is made there.
"""

from __future__ import annotations

import re

import typer


def root_obj(ctx: typer.Context) -> dict:
    """What the root command recorded for its subcommands (sources, log format)."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, dict) else {}


def untyped_notes(ctx: typer.Context) -> list[tuple[str, str]]:
    """The configuration's ("warning" or "error", message) about options of the running
    command that were not typed (a typed flag makes the configured value moot): a value
    passed over, an empty variable."""
    notes = root_obj(ctx).get("notes", {}).get(ctx.info_name, {})
    out = []
    for name, note in notes.items():
        source = ctx.get_parameter_source(name)
        if source is None or source.name != "COMMANDLINE":
            out.append(note)
    return out


def value_origin(ctx: typer.Context, exc: Exception) -> str:
    """``origin_note`` of the option value an error of ours is about, which the user may
    not have typed: ``resample = "hh"`` in forecast.toml is reported as '--resample hh',
    a stale ``FORECAST_TARGET`` as a missing column."""
    # "--resample hh: ...", or a flag's "--warm-start: ..." (set in forecast.toml, its
    # error's "train without --warm-start" was followed to the same error again).
    found = re.match(r"(--[a-z][a-z-]*)[ :]", str(exc))
    if found:
        return _option_origin(ctx, found.group(1))
    model = ctx.params.get("model")
    if model is not None and str(exc).startswith(f"{model}:"):  # FORECAST_MODEL_DIR's
        return _option_origin(ctx, "--model")
    column = getattr(exc, "column", None)  # set by the data layer's errors about a column
    return _column_origin(ctx, column) if column else ""


# The options that name columns: an error about a column traces back to one of them.
_COLUMN_OPTIONS = ("time_col", "series_col", "target", "features")


def _column_origin(ctx: typer.Context, column: str) -> str:
    """``origin_note`` of a column option whose value names ``column``."""
    for param in (p for p in ctx.command.params if p.name in _COLUMN_OPTIONS):
        values = ctx.params.get(param.name) or []
        # "a,b" names two columns (the data layer splits it), or one named "a,b".
        names = {n.strip() for v in ([values] if isinstance(values, str) else values)
                 for n in (v, *v.split(","))}
        note = _param_origin(ctx, param) if column in names else ""
        if note:
            return note
    return ""


def _option_origin(ctx: typer.Context, option: str) -> str:
    """``origin_note`` of the value of ``option`` (as typed: "--format", whose parameter
    is ``fmt``) of the command that ``ctx`` runs."""
    for param in ctx.command.params:
        if option in getattr(param, "opts", ()):
            return _param_origin(ctx, param)
    return ""


def usage_origin(exc: Exception) -> str:
    """``origin_note`` for an error of the option parser.

    A bad ``FORECAST_LEVEL`` or ``level = "abc"`` in forecast.toml is reported by the
    parser against ``--level``, a flag the user never typed; this names the real source.
    """
    ctx, param = getattr(exc, "ctx", None), getattr(exc, "param", None)
    if ctx is None or param is None or param.name is None:
        return ""
    return _param_origin(ctx, param)


def _param_origin(ctx: typer.Context, param) -> str:
    """``origin_note`` of one parameter: its own environment variable (``envvar``), or the
    variable or file that filled the command's defaults."""
    return origin_note(param_source(ctx, param.name))


def param_source(ctx: typer.Context, name: str) -> str:
    """Where the value of parameter ``name`` came from, as recorded ("environment
    FORECAST_FORMAT", "file forecast.toml"); "" for a flag or a default."""
    source = ctx.get_parameter_source(name)
    kind = source.name if source is not None else ""
    envvar = next((p.envvar for p in ctx.command.params if p.name == name), None)
    if kind == "ENVIRONMENT" and envvar:
        return f"environment {envvar}"
    if kind == "DEFAULT_MAP":
        return root_obj(ctx).get("sources", {}).get(ctx.info_name, {}).get(name, "")
    return ""


def origin_note(source: str) -> str:
    """" (the value came from ...)" for a recorded source such as "environment
    FORECAST_FILL" or "file forecast.toml"; nothing for a flag or a default."""
    if not source.startswith(("environment ", "file ")):
        return ""
    origin = source.replace("environment ", "environment variable ", 1)
    return f" (the value came from {origin}: fix or remove it there)"
