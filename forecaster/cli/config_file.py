"""Option values from a TOML file and ``FORECAST_*`` variables.

Precedence: command-line flag > environment > file > built-in default. The file
and the environment fill the command's ``default_map``, which the command line
overrides by construction; each value's origin is kept for the bundle and
``forecast info``.

The file uses the options' own names (``batch-size`` or ``batch_size``); keys at
the top level apply to every command that has the option, tables such as
``[train]`` or ``[detect-anomalies]`` to one command::

    model = "/var/lib/forecast/plant-7"
    [train]
    horizon = 48
    epochs = 30
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

from forecaster.access import kind
from forecaster.cli.config_values import (
    ENVIRONMENT,
    TABLE,
    TOP_LEVEL,
    Layer,
    from_env,
    from_file,
    settle,
)
from forecaster.errors import ConfigError, MissingInputError

DEFAULT_FILE = "forecast.toml"
ENV_PREFIX = "FORECAST_"
# Options that describe one run, not a standing configuration.
NOT_CONFIGURABLE = {"help", "debug", "data", "config"}
# Variables read outside the commands' options.
OTHER_VARIABLES = {"FORECAST_CONFIG", "FORECAST_LOG_FORMAT", "FORECAST_THREADS"}


_READABLE = "make the file and its folders readable to this account, or give another --config"


def read_config(path: Path | None) -> tuple[dict, Path | None]:
    """The parsed TOML file: ``path``, else ``forecast.toml`` in the working directory.

    Errors about ``path`` open with '--config', so that the CLI can add where the path
    came from (``FORECAST_CONFIG``, say).
    """
    if path is None:
        path = Path(DEFAULT_FILE)
        found = kind(path, MissingInputError, _READABLE)
        return (_parse(path, str(path)), path) if found == "file" else ({}, None)
    found = kind(path, MissingInputError, _READABLE, name=f"--config {path}")
    if found == "dir":
        raise MissingInputError(f"--config {path}: a folder, not a file; give the path of "
                                "the TOML file")
    if found == "missing":
        raise MissingInputError(f"--config {path}: no such file; check the path")
    if not (found == "file" or path.is_char_device()):  # /dev/null reads as no settings
        raise MissingInputError(f"--config {path}: not a regular file (a pipe or a socket); "
                                "give the path of the TOML file")
    return _parse(path, f"--config {path}"), path


def _parse(path: Path, label: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MissingInputError(f"{label}: cannot read it ({exc.strerror or exc}); check "
                                "its permissions") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from None


class Configured(NamedTuple):
    """The file and the environment, per command and parameter.

    Attributes:
        defaults: click's ``default_map``: the values.
        sources: where each value came from ("file forecast.toml", "environment FORECAST_X").
        notes: ("warning" or "error", message) about an option's configured value, for when
            the command runs without the option typed (see ``origins.untyped_notes``).
    """

    defaults: dict
    sources: dict
    notes: dict


def build_default_map(commands: dict[str, Any], config: dict, path: Path | None,
                      environ: dict[str, str] | None = None) -> Configured:
    """Merge the file and the environment into click's per-command ``default_map``.

    Args:
        commands: the group's commands by name (each with ``.params``).
        config: the parsed TOML document.
        path: where it came from, for messages and sources.
        environ: the environment (``os.environ`` by default).

    Returns:
        The values, their origins, and notes about them.
    """
    environ = os.environ if environ is None else environ
    params = {name: {p.name: p for p in cmd.params if p.name not in NOT_CONFIGURABLE}
              for name, cmd in commands.items()}
    layers: dict = {name: {} for name in commands}
    for cmd, key, value, rank in _file_entries(config, params, path):
        layers[cmd].setdefault(key, []).append(Layer(value, f"file {path}", rank))
    for cmd, table in params.items():
        for key, param in table.items():
            for var, value in _env_values(param, environ):
                layers[cmd].setdefault(key, []).append(Layer(value, f"environment {var}",
                                                             ENVIRONMENT))
    out = Configured({name: {} for name in commands}, {name: {} for name in commands},
                     {name: {} for name in commands})
    for cmd, table in layers.items():
        for key, stack in table.items():
            kept, warning = settle(cmd, key, stack, params)
            if kept is not None:
                out.defaults[cmd][key], out.sources[cmd][key] = kept.value, kept.source
            if warning:
                out.notes[cmd][key] = ("warning", warning)
    return out


def _env_values(param: Any, environ: dict[str, str]) -> list[tuple[str, Any]]:
    """(variable, value) of the variables set for ``param``, the one that wins last."""
    found = [(var, from_env(environ[var], param)) for var in
             (ENV_PREFIX + name.upper() for name in sorted({param.name} | _aliases(param)))
             if var in environ]
    for var in _negations(param):
        if var in environ and found:
            raise ConfigError(f"{found[-1][0]} and {var} are both set; keep one of them")
        if var in environ:  # FORECAST_NO_ANOMALY=1, as --no-anomaly is spelt
            found.append((var, _negated(environ[var])))
    return found


_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f")


def _negations(param: Any) -> list[str]:
    """FORECAST_NO_X for a flag's negative form --no-x (it was silently ignored)."""
    return [ENV_PREFIX + o.removeprefix("--").replace("-", "_").upper()
            for o in getattr(param, "secondary_opts", ()) if o.startswith("--")]


def _negated(value: str) -> str:
    # A value that is no boolean is passed on for the option's own error to name.
    word = value.strip().lower()
    return "false" if word in _TRUE else "true" if word in _FALSE else value


def _file_entries(config: dict, params: dict, path: Path | None):
    """(command, parameter, value, rank) of each key of the file: TABLE in a command's own
    table, TOP_LEVEL at the top level (for every command with the option)."""
    for key, value in config.items():
        if isinstance(value, dict) and key in params:
            for sub_key, sub_value in value.items():
                for entry in _entries([key], sub_key, sub_value, params, path):
                    yield (*entry, TABLE)
            continue
        for entry in _entries(list(params), key, value, params, path):
            yield (*entry, TOP_LEVEL)


def _entries(commands: list[str], key: str, value: Any, params: dict, path: Path | None):
    """(command, parameter, value) of one key of the file, for the commands it may set."""
    negated = _negated_param(key, commands, params)  # no-anomaly = true, as the flag is spelt
    if negated:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {key} = {value!r}: expected true or false; fix the "
                              "file")
        yield from ((cmd, negated, not value) for cmd in commands if negated in params[cmd])
        return
    name = _known(key, commands, params, path)
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


def _known(key: str, commands: list[str], params: dict, path: Path | None) -> str:
    name = key.replace("-", "_")
    if any(name in params[c] for c in commands):
        return name
    for c in commands:  # the option's own name where it differs (--format holds fmt)
        for param in params[c].values():
            if name in _aliases(param):
                return param.name
    where = f" in table [{commands[0]}]" if len(commands) == 1 else ""
    raise ConfigError(f"{path}: unknown key '{key}'{where}; use the option names of "
                      "'forecast COMMAND --help' (without the leading dashes)")


def _aliases(param: Any) -> set[str]:
    return {o.lstrip("-").replace("-", "_") for o in getattr(param, "opts", ())
            if o.startswith("--")}


def misspelt_variables(commands: dict[str, Any],
                       environ: dict[str, str] | None = None) -> list[str]:
    """Warnings for ``FORECAST_*`` variables that name no option but nearly do.

    FORECAST_EPOCH=5 was silently ignored. Names far from every option (another
    program's FORECAST_API_KEY, say) are left alone, so that cron logs stay quiet.
    """
    environ = os.environ if environ is None else environ
    known = set(OTHER_VARIABLES)
    for cmd in commands.values():
        for param in cmd.params:
            known |= {ENV_PREFIX + n.upper() for n in {param.name} | _aliases(param)}
            known |= set(_negations(param))
            envvar = getattr(param, "envvar", None)  # typer's own: FORECAST_MODEL_DIR
            known |= {envvar} if isinstance(envvar, str) else set(envvar or ())
    out = []
    for var in sorted(v for v in environ if v.startswith(ENV_PREFIX) and v not in known):
        close = difflib.get_close_matches(var, known, n=1, cutoff=0.8)
        if close:
            out.append(f"environment variable {var} is not a setting of forecast and is "
                       f"ignored; did you mean {close[0]}?")
    return out


def option_sources(ctx: Any, file_sources: dict) -> dict[str, str]:
    """Where each option of the running command got its value."""
    out = {}
    for param in ctx.command.params:
        if param.name in NOT_CONFIGURABLE:
            continue
        source = ctx.get_parameter_source(param.name)
        kind = source.name if source is not None else "DEFAULT"
        out[param.name] = {"COMMANDLINE": "flag", "ENVIRONMENT": "environment",
                           "DEFAULT_MAP": file_sources.get(param.name, "file")}.get(kind, "default")
    return out
