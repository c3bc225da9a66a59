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
from forecaster.cli.config_keys import aliases, file_entries
from forecaster.cli.config_values import ENVIRONMENT, TABLE, Layer, from_env, settle
from forecaster.errors import ConfigError, MissingInputError

DEFAULT_FILE = "forecast.toml"
ENV_PREFIX = "FORECAST_"
# Options that are no setting (a command's positional arguments, train's DATA, are given
# with each run too: see config_keys).
NOT_CONFIGURABLE = {"help"}
# Options left out of the sources a bundle records: they say nothing about the model.
UNRECORDED = {"help", "debug", "data", "config"}
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
        # Named in full: a cron job's working directory is not where the user looks.
        label = f"{path.absolute()} (read as the configuration file of the working directory)"
        if found == "missing" and kind(path, MissingInputError, _READABLE, False) == "link":
            raise MissingInputError(f"{label}: a symbolic link to {os.readlink(path)}, which "
                                    "does not exist; point it at the TOML file, or remove it")
        if found == "missing":
            return {}, None
        _check_file(path, found, label, "move it away, or give --config FILE")
        return _parse(path, str(path)), path
    label = f"--config {path}"
    found = kind(path, MissingInputError, _READABLE, name=label)
    if found == "missing":
        raise MissingInputError(f"{label}: no such file; check the path")
    _check_file(path, found, label, "give the path of the TOML file")
    return _parse(path, label), path


def _check_file(path: Path, found: str, label: str, todo: str) -> None:
    """Refuse a folder, a pipe or a socket where the TOML file should be: a folder named
    forecast.toml was ignored, and the run went on with none of the settings."""
    if found == "dir":
        raise MissingInputError(f"{label}: a folder, not a file; {todo}")
    if not (found == "file" or path.is_char_device()):  # /dev/null reads as no settings
        raise MissingInputError(f"{label}: not a regular file (a pipe or a socket); {todo}")


def _parse(path: Path, label: str) -> dict:
    try:
        # utf-8-sig: Notepad's UTF-8 starts with a byte order mark, which tomllib refused
        # as "Invalid statement (at line 1, column 1)".
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
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
    params = {name: {p.name: p for p in cmd.params if _configurable(p)}
              for name, cmd in commands.items()}
    arguments = {name: {p.name for p in cmd.params if p.param_type_name == "argument"}
                 for name, cmd in commands.items()}
    out = Configured(*({name: {} for name in commands} for _ in range(3)))
    layers: dict = {name: {} for name in commands}
    for cmd, key, value, rank in file_entries(config, params, arguments, path):
        where = f"file {path}" + (f", table [{cmd}]" if rank == TABLE else "")
        layers[cmd].setdefault(key, []).append(Layer(value, where, rank))
    for cmd, table in params.items():
        for key, param in table.items():
            problem = _env_problem(param, environ)
            if problem:  # raised if the command runs without the option typed
                out.notes[cmd][key] = ("error", problem)
                continue
            for var, value in _env_values(param, environ):
                layers[cmd].setdefault(key, []).append(Layer(value, f"environment {var}",
                                                             ENVIRONMENT))
    for cmd, table in layers.items():
        for key, stack in table.items():
            kept, warning = settle(cmd, key, stack, params)
            if kept is not None:
                out.defaults[cmd][key], out.sources[cmd][key] = kept.value, kept.source
            if warning and key not in out.notes[cmd]:
                out.notes[cmd][key] = ("warning", warning)
    return out


def _configurable(param: Any) -> bool:
    return param.name not in NOT_CONFIGURABLE and param.param_type_name != "argument"


def _variables(param: Any) -> list[str]:
    """The variables that set ``param``: FORECAST_<its long option names>, then typer's own
    (``envvar``: FORECAST_MODEL_DIR beside FORECAST_MODEL)."""
    names = [ENV_PREFIX + n.upper() for n in sorted({param.name} | aliases(param))]
    envvar = getattr(param, "envvar", None)
    return names + [v for v in ([envvar] if isinstance(envvar, str) else envvar or ())
                    if v not in names]


def _env_problem(param: Any, environ: dict[str, str]) -> str | None:
    """Why the variables set for ``param`` cannot be used, or None.

    An empty variable (an unset shell variable in a crontab) meant the default for some
    options and an error for others; two variables for one option (FORECAST_MODEL and
    FORECAST_MODEL_DIR) that differ had one win without a word.
    """
    own = [v for v in _variables(param) if v in environ]
    blank = [v for v in own + _negations(param) if v in environ and not environ[v].strip()]
    option = param.opts[0]
    if blank:
        return (f"environment variable {blank[0]} is set but empty; expected a value for "
                f"{option}: set one, or unset {blank[0]}")
    differ = [v for v in own if _same(environ[v], param) != _same(environ[own[0]], param)]
    if differ:
        a, b = own[0], differ[0]
        return (f"environment variables {a}={environ[a]} and {b}={environ[b]} both set "
                f"{option} and differ; keep one of them")
    return None


def _same(value: str, param: Any) -> str:
    # One bundle written two ways (model, /srv/m/model, model/) is one --model.
    text = value.strip()
    return os.path.abspath(text) if param.name == "model" else text


def _env_values(param: Any, environ: dict[str, str]) -> list[tuple[str, Any]]:
    """(variable, value) of the variables set for ``param`` (typer reads its ``envvar``
    itself)."""
    found = [(var, from_env(environ[var], param)) for var in
             (ENV_PREFIX + name.upper() for name in sorted({param.name} | aliases(param)))
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


# The root command's variables, which typer reads itself (an empty one as unset), and the
# value each expects.
_ROOT_VARIABLES = {"config": ("FORECAST_CONFIG", "the path of a TOML file (/dev/null for "
                                                 "none)"),
                   "log_format": ("FORECAST_LOG_FORMAT", "text or json")}


def check_root_variables(ctx: Any, environ: dict[str, str] | None = None) -> None:
    """Refuse FORECAST_CONFIG or FORECAST_LOG_FORMAT set empty (unless the flag is typed),
    as the commands' variables are refused: typer took them for unset."""
    environ = os.environ if environ is None else environ
    for name, (var, expected) in _ROOT_VARIABLES.items():
        source = ctx.get_parameter_source(name)
        typed = source is not None and source.name == "COMMANDLINE"
        if not typed and var in environ and not environ[var].strip():
            raise ConfigError(f"environment variable {var} is set but empty; expected "
                              f"{expected}: set one, or unset {var}")


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
            known |= {ENV_PREFIX + n.upper() for n in {param.name} | aliases(param)}
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
        if param.name in UNRECORDED:
            continue
        source = ctx.get_parameter_source(param.name)
        kind = source.name if source is not None else "DEFAULT"
        out[param.name] = {"COMMANDLINE": "flag", "ENVIRONMENT": "environment",
                           "DEFAULT_MAP": file_sources.get(param.name, "file")}.get(kind, "default")
    return out
