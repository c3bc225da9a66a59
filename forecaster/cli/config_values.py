"""The values of forecast.toml and ``FORECAST_*`` variables, checked against the option
they set before the option's parser sees them.

TOML has types that the command line has not (numbers, true/false, arrays, tables); a
value of the wrong one for an option reached the option's parser, which took ``model = 5``
for a path and failed with a Python traceback (exit 1, which detect-anomalies uses for
"anomalies flagged").
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecaster.errors import ConfigError
from forecaster.limits import FORMATS, INFO_FORMATS


def from_file(value: Any, param: Any, key: str, path: Path | None) -> Any:
    """A value of the file as the option's parser takes it, or a usage error.

    Args:
        value: the parsed TOML value.
        param: the option it sets (typer's parameter).
        key: the key as written in the file.
        path: the file, for messages.

    Raises:
        ConfigError: a type the option cannot take (true for a number, 5 for a path, an
            array for an option given once, an array of arrays).
    """
    said = f"{path}: {key} = {toml_text(value)}"
    # click reads true as 1 for a number (epochs = true trained one epoch): refuse it.
    if isinstance(value, bool) and not getattr(param, "is_flag", False):
        raise ConfigError(f"{said}: expected a value for --{_option(key)}, not true/false; "
                          "fix the file")
    if isinstance(value, dict):
        raise ConfigError(f"{said}: found a table, expected {_expected(param, key)}; fix the "
                          "file")
    if getattr(param, "multiple", False):
        return [_item(v, said) for v in (value if isinstance(value, list) else [value])]
    if isinstance(value, list):
        raise ConfigError(f"{said}: found an array, expected {_expected(param, key)}: "
                          f"--{_option(key)} takes one value; fix the file")
    if wants_path(param) and not isinstance(value, str):
        raise ConfigError(f"{said}: found {_kind(value)}, expected {_expected(param, key)}; "
                          "fix the file")
    return beside(value, path) if wants_path(param) and path is not None else value


def beside(value: str, path: Path) -> str:
    """A relative path of the file ``path`` taken from that file's folder.

    ``cd / && forecast --config /srv/plant/forecast.toml predict`` with ``model =
    "forecast-model"`` read /forecast-model: a cron job's working directory is seldom the
    project's. Absolute paths, ``-`` (stdout) and ``~`` (refused by the option) stay.
    """
    if value in ("", "-") or value.startswith("~") or Path(value).is_absolute():
        return value
    return str(path.parent / value) if path.parent != Path(".") else value


def from_env(value: str, param: Any) -> Any:
    """A variable's value as the option's parser takes it: a list for a repeatable option
    (``FORECAST_TARGET=a,b``)."""
    if getattr(param, "multiple", False):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def wants_path(param: Any) -> bool:
    """Whether the option takes a path (--model, --output, --plot, --data)."""
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None) is Path


def toml_text(value: Any) -> str:
    """``value`` as it would be written in the file (``["a", 1]``, ``true``, ``{...}``)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _item(value: Any, said: str) -> str:
    """One value of a repeatable option's array: a name or a number, as text."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f"{said}: found {_kind(value)} in the array, expected strings "
                          "(or numbers, such as -200); fix the file")
    return str(value)


def _expected(param: Any, key: str) -> str:
    if wants_path(param):
        return f'a path in quotes ({key} = "...")'
    if getattr(param, "multiple", False):
        return f'a string or an array of strings ({key} = ["a", "b"])'
    return f"one value for --{_option(key)}"


def _option(key: str) -> str:
    return key.replace("_", "-")


def _kind(value: Any) -> str:
    """The TOML type of ``value``, for messages."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (dt.date, dt.time)):
        return "a date or time"
    return "a string"


# --format's values (forecaster.limits), which the commands check themselves.
_CHOICES = {"fmt": {"info": INFO_FORMATS, "*": FORMATS}}

# Ranks of the places a value can come from, lowest precedence first.
TOP_LEVEL, TABLE, ENVIRONMENT = 0, 1, 2


@dataclass(frozen=True)
class Layer:
    """One value given for an option of one command, and where it came from.

    Attributes:
        value: as the option's parser takes it.
        source: "file forecast.toml" or "environment FORECAST_FORMAT".
        rank: TOP_LEVEL or ENVIRONMENT (set for every command with the option), or TABLE
            (the command's own table).
    """

    value: Any
    source: str
    rank: int


def settle(cmd: str, key: str, layers: list[Layer], params: dict) -> tuple[Layer | None,
                                                                           str | None]:
    """The layer that sets option ``key`` of ``cmd``, and a warning when one was passed over.

    A value set for every command with the option (a top-level key, a variable) that this
    command cannot take while another command can (FORECAST_FORMAT=csv for info, folds = 0
    for backtest) is meant for the other command: it is passed over for the layer under it
    (or the default), with a warning. A value no command takes is kept, for the option's
    own error to name its source; so is a value of the command's own table.
    """
    param = params[cmd][key]
    layers = sorted(layers, key=lambda layer: layer.rank)
    passed: list[str] = []
    while layers and layers[-1].rank != TABLE:
        reason = misfit(cmd, param, layers[-1].value)
        if reason is None or not _fits_elsewhere(cmd, key, layers[-1].value, params):
            break
        passed.append(f"{_shown(layers.pop(), param)} is not a value 'forecast {cmd}' "
                      f"takes ({reason})")
    kept = layers[-1] if layers else None
    if not passed:
        return kept, None
    instead = (_shown(kept, param).split(" ", 1)[1] if kept else "its default"
               + ("" if param.default is None else f", {_text(param.default)}"))
    return kept, (f"{'; '.join(passed)}: {cmd} ignores it and uses {instead}; to set "
                  f"{param.opts[0]} for {cmd} alone, give it or set it in the [{cmd}] "
                  "table of forecast.toml")


def misfit(cmd: str, param: Any, value: Any) -> str | None:
    """Why option ``param`` of ``cmd`` refuses ``value``, or None when it takes it."""
    choices = _CHOICES.get(param.name, {})
    allowed = choices.get(cmd, choices.get("*"))
    # A choice's case is ignored (check_choice): "JSON" fits as "json" does.
    if allowed is not None and (value.lower() if isinstance(value, str) else value) not in allowed:
        return f"expected one of {', '.join(allowed)}"
    convert = getattr(param, "get_runtime_param", None)
    if convert is None:
        return None
    try:
        convert().coerce(value, param=param, ctx=None)
    except Exception as exc:  # noqa: BLE001 - any refusal of typer's, told as it words it
        said = str(getattr(exc, "message", exc))
        return said[:1].lower() + said[1:]  # "Input should be ...", inside a sentence
    return None


def _fits_elsewhere(cmd: str, key: str, value: Any, params: dict) -> bool:
    return any(key in table and misfit(other, table[key], value) is None
               for other, table in params.items() if other != cmd)


def _shown(layer: Layer, param: Any) -> str:
    """'--format csv from environment variable FORECAST_FORMAT', '... from the top level
    of forecast.toml', '... from forecast.toml, table [train]' (its table)."""
    kind, _, name = layer.source.partition(" ")
    origin = (f"environment variable {name}" if kind == "environment"
              else f"the top level of {name}" if layer.rank == TOP_LEVEL else name)
    return f"{param.opts[0]} {_text(layer.value)} from {origin}"


def _text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
