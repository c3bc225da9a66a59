"""Advice to retrain, completed into a command the user can paste.

The library's errors say "retrain with 'forecast train'": deep in a bundle's checks they
know neither the data file nor the model directory. Followed literally, that stopped at
"Missing argument 'data'", or trained into ./forecast-model with the default options while
cron kept reading the damaged bundle elsewhere. The command line knows the directory, and
the bundle, as far as it can still be read, records the file and the options given.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer

from forecaster.config import DEFAULT_MODEL_DIR

_TRAIN = re.compile(r"'forecast train([^']*)'")
# Options of one run, or named apart: not repeated from the bundle.
_RUN_ONLY = {"data", "model", "quiet", "verbose", "wait", "warm_start", "debug"}
# train's options that set a DataSpec field, and the fields (the several-column form first).
_DATA_FIELDS = {"time_col": ("time_parts", "time_col"), "target": ("targets",),
                "series_col": ("series_parts", "series_col")}


def complete_retrain(message: str, ctx: typer.Context | None) -> str:
    """``message`` with each quoted ``forecast train ...`` completed: the data file, the
    options the bundle was trained with, and ``--model DIR`` when it is not the default."""
    if ctx is None or "'forecast train" not in message:
        return message
    return _TRAIN.sub(lambda found: _command(found.group(1).split(), ctx), message)


def _command(words: list[str], ctx: typer.Context) -> str:
    model = ctx.params.get("model")
    meta = {} if ctx.info_name == "train" else _meta(model)  # train's own options stand
    if not words or words[0].startswith("-"):  # names no data file
        words = [_data_file(ctx, meta), *words]
    given = {w for w in words if w.startswith("--")}
    kept = [w for flag, *values in _trained_with(meta, ctx) if flag not in given
            for w in (flag, *values)]
    if model is not None and Path(model) != Path(DEFAULT_MODEL_DIR) and "--model" not in given:
        words = [*words, "--model", str(model)]
    return "'" + " ".join(["forecast", "train", *map(_quote, words[:1] + kept + words[1:])]) + "'"


def _meta(model: Path | None) -> dict:
    if model is None:
        return {}
    from forecaster.bundle_json import current_meta

    return current_meta(Path(model))


def _data_file(ctx: typer.Context, meta: dict) -> str:
    """The file to retrain on: train's own, else the one the bundle recorded, else a
    placeholder."""
    if ctx.info_name == "train" and ctx.params.get("data") is not None:
        return str(ctx.params["data"])
    path = (meta.get("data") or {}).get("path") if isinstance(meta.get("data"), dict) else None
    return path if isinstance(path, str) and path else "DATA.csv"


def _trained_with(meta: dict, ctx: typer.Context) -> list[list[str]]:
    """The options the bundle records as given (flag, environment or config file), each as
    [flag, *values], in train's order; none when the bundle cannot be read."""
    settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    sources = settings.get("sources") if isinstance(settings.get("sources"), dict) else {}
    train = getattr(ctx.find_root().command, "commands", {}).get("train")
    if train is None or not sources:
        return []
    return [option for param in train.params
            if param.name not in _RUN_ONLY and sources.get(param.name, "default") != "default"
            and (option := _option(param, _setting(settings, param.name)))]


def _setting(settings: dict, name: str) -> object:
    data = settings.get("data") if isinstance(settings.get("data"), dict) else {}
    if name in settings:
        return settings[name]
    for field in _DATA_FIELDS.get(name, (name,)):
        if data.get(field) not in (None, []):
            return data[field]
    return None


def _option(param: object, value: object) -> list[str]:
    """``param`` set to ``value`` as command-line words (none for an unset value)."""
    if value is None or value == []:
        return []
    if getattr(param, "is_flag", False):
        names = param.opts if value else param.secondary_opts
        return names[:1]
    if isinstance(value, list):
        return [param.opts[0], ",".join(str(v) for v in value)]
    return [param.opts[0], str(value)]


def _quote(text: str) -> str:
    # Double quotes: the whole command is already in single quotes in the message.
    return text if shlex.quote(text) == text else '"' + text.replace('"', '\\"') + '"'
