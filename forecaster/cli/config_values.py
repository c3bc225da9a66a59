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
from pathlib import Path
from typing import Any

from forecaster.errors import ConfigError


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
    return value


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
