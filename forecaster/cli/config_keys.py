"""The keys of forecast.toml: which option of which command each one sets.

A key is an option's name (``batch-size`` or ``batch_size``, ``format`` for the option
whose parameter is ``fmt``, ``no-anomaly`` for a flag's negative form). At the top level
it sets every command with the option; in a ``[command]`` table, that command's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forecaster.cli.config_values import TABLE, TOP_LEVEL, from_file
from forecaster.errors import ConfigError

# Keys that name no setting of a command, and what to do instead.
_ELSEWHERE = {
    "config": "it names the configuration file itself: use forecast --config or "
              "FORECAST_CONFIG",
    "log_format": "it is read before this file, for errors in it too: use forecast "
                  "--log-format or FORECAST_LOG_FORMAT",
    "version": "it is no setting: run forecast --version",
    "help": "it is no setting: run forecast COMMAND --help",
}

Entry = tuple[str, str, Any, int]  # command, parameter, value, rank (TOP_LEVEL or TABLE)


def file_entries(config: dict, params: dict, arguments: dict,
                 path: Path | None) -> Iterator[Entry]:
    """(command, parameter, value, rank) of each key of the file.

    Args:
        config: the parsed TOML document.
        params: each command's configurable parameters by name.
        arguments: each command's positional arguments by name (``data`` of train), which
            are given on the command line: a key naming one is refused, saying so.
        path: the file, for messages.
    """
    tables = {k: v for k, v in config.items() if isinstance(v, dict) and k in params}
    top = {k: v for k, v in config.items() if k not in tables}
    yield from _table(list(params), top, params, arguments, path, TOP_LEVEL)
    for cmd, table in tables.items():
        yield from _table([cmd], table, params, arguments, path, TABLE)


def aliases(param: Any) -> set[str]:
    """The parameter's long option names as keys (``format`` for ``fmt``)."""
    return {o.lstrip("-").replace("-", "_") for o in getattr(param, "opts", ())
            if o.startswith("--")}


def _table(commands: list[str], table: dict, params: dict, arguments: dict,
           path: Path | None, rank: int) -> Iterator[Entry]:
    """The entries of one table's keys, refusing two keys for one option (max_age and
    max-age, format and fmt, anomaly and no-anomaly): one of them silently won."""
    seen: dict[str, str] = {}
    for key, value in table.items():
        for cmd, name, converted in _entries(commands, key, value, params, arguments, path):
            first = seen.setdefault(name, key)
            if first != key:
                where = f"in table [{commands[0]}]" if rank == TABLE else "at the top level"
                raise ConfigError(f"{path}: {first} and {key} {where} both set "
                                  f"{params[cmd][name].opts[0]}; keep one of them")
            yield cmd, name, converted, rank


def _entries(commands: list[str], key: str, value: Any, params: dict, arguments: dict,
             path: Path | None) -> Iterator[tuple[str, str, Any]]:
    """(command, parameter, value) of one key of the file, for the commands it may set."""
    negated = _negated_param(key, commands, params)  # no-anomaly = true, as the flag is spelt
    if negated:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {key} = {value!r}: expected true or false; fix the "
                              "file")
        yield from ((cmd, negated, not value) for cmd in commands if negated in params[cmd])
        return
    name = _known(key, commands, params, arguments, path)
    for cmd in commands:
        if name in params[cmd]:
            yield cmd, name, from_file(value, params[cmd][name], key, path)


def _negated_param(key: str, commands: list[str], params: dict) -> str | None:
    """The flag whose negative form ``key`` spells (no-anomaly: anomaly), or None."""
    option = "--" + key.replace("_", "-")
    for c in commands:
        for param in params[c].values():
            if option in getattr(param, "secondary_opts", ()):
                return param.name
    return None


def _known(key: str, commands: list[str], params: dict, arguments: dict,
           path: Path | None) -> str:
    name = key.replace("-", "_")
    if any(name in params[c] for c in commands):
        return name
    for c in commands:  # the option's own name where it differs (--format holds fmt)
        for param in params[c].values():
            if name in aliases(param):
                return param.name
    where = f" in table [{commands[0]}]" if len(commands) == 1 else ""
    if name in _ELSEWHERE:
        raise ConfigError(f"{path}: '{key}'{where} cannot be set in the file: "
                          f"{_ELSEWHERE[name]}")
    given = [c for c in commands if name in arguments[c]]
    if given:  # train's and backtest's DATA: the file to read is given with each run
        raise ConfigError(f"{path}: '{key}'{where} is the {name.upper()} argument of "
                          f"'forecast {given[0]}', given on its command line (forecast "
                          f"{given[0]} {name.upper()}.csv); remove it from the file")
    table = key.replace("_", "-")
    if table in params:  # [detect_anomalies] read as a key of the top-level table
        raise ConfigError(f"{path}: unknown key '{key}'{where}; the table of 'forecast "
                          f"{table}' is [{table}], with a hyphen: rename it")
    raise ConfigError(f"{path}: unknown key '{key}'{where}; use the option names of "
                      "'forecast COMMAND --help' (without the leading dashes)")
