"""What every command shares: the app, common options, and the error-to-exit-code layer."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from forecaster.cli.advice import complete_retrain
from forecaster.cli.choices import check_choice
from forecaster.cli.group import ForecastGroup, print_stdout
from forecaster.cli.origins import root_obj, untyped_notes, value_origin
from forecaster.cli.outputs import file_path, output_path, refuse_tilde
from forecaster.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_PERM,
    EXIT_PIPE_CLOSED,
    EXIT_TERMINATED,
    ConfigError,
    ForecastError,
)
from forecaster.ops.signals import Terminated

if TYPE_CHECKING:  # imported when a command runs: --help stays light
    from forecaster.report import Reporter

app = typer.Typer(
    name="forecast",
    cls=ForecastGroup,
    help="Forecast time series and detect anomalies in them with recurrent networks (GRU, "
         "or stacked LSTMs).\n\n"
         "Typical use: 'forecast train data.csv', then 'forecast predict' or "
         "'forecast detect-anomalies' (from cron, say). Data goes to stdout, messages to "
         "stderr.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _model_dir(text: str) -> Path:
    # Path("") is "."; an empty --model (an unset shell variable) wrote a bundle into the
    # working directory.
    if not str(text).strip():
        raise typer.BadParameter("empty; expected the bundle's directory (default "
                                 "forecast-model)")
    refuse_tilde(text)
    return Path(text)


ModelDir = Annotated[Path, typer.Option("--model", "-m", envvar="FORECAST_MODEL_DIR",
                                        parser=_model_dir, help="Model bundle directory.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
# readable=False on paths: typer's own check refused an unreadable file with click's
# message and exit 2, before the loader's error (66) could say what to do.
Output = Annotated[Path | None, typer.Option(
    "--output", "-o", readable=False, parser=output_path, metavar="<path>",
    help="Write here (atomically) instead of stdout ('-': stdout). A .json or .csv suffix "
         "sets the format where --format is not given.")]
DataFile = Annotated[Path, typer.Argument(readable=False, parser=file_path,
                                          help="CSV file with a time column and numbers.")]
Format = Annotated[str, typer.Option(
    "--format", "-f", help="Output format: csv or json (default: --output's .json or .csv "
    "suffix, else csv).")]
MaxAge = Annotated[str | None, typer.Option(
    "--max-age", metavar="<duration>",
    help="Fail (exit 65) when a series' newest row is older than this (2h, 90min, 1D): "
    "a feed that stopped, from cron.")]
Strict = Annotated[bool, typer.Option(
    help="Fail (exit 65) instead of warning when the data drifted grossly from training, "
    "or the rows read are mostly filled in by --fill.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="More detail on stderr.")]
Wait = Annotated[float, typer.Option(
    min=0.0, help="Seconds to wait for another train's lock on the bundle (default: fail "
    "at once with exit 75).")]


def _print_version(value: bool) -> None:
    if value:
        from forecaster import __version__

        print_stdout(f"forecast {__version__}\n", "the version")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", envvar="FORECAST_CONFIG", readable=False,
        help="TOML file of option values (default: ./forecast.toml if present). "
             "Precedence: flag > FORECAST_* environment variable > file > default.")] = None,
    log_format: Annotated[str, typer.Option(
        envvar="FORECAST_LOG_FORMAT", help="stderr lines as 'text' or 'json'.")] = "text",
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version,
        help="Show the version and exit.")] = False,
) -> None:
    """Read the configuration file and environment into each command's defaults."""
    from forecaster.cli.config_file import (
        build_default_map,
        check_root_variables,
        misspelt_variables,
        read_config,
    )

    defaults, sources, notes, broken, path = {}, {}, {}, None, None
    try:
        check_root_variables(ctx)
        log_format = check_choice("--log-format", log_format, ("text", "json"))
        _LOG["json"] = log_format == "json"
        doc, path = read_config(config)
        defaults, sources, notes = build_default_map(ctx.command.commands, doc, path)
    except ForecastError as exc:
        # Raised when the command starts (errors_to_exit), not here: `forecast predict
        # --help` must still work, since the error sends the user there for option names.
        broken = exc
    ctx.default_map = defaults
    ctx.obj = {"sources": sources, "notes": notes, "log_format": log_format,
               "broken": broken, "warnings": misspelt_variables(ctx.command.commands),
               "config": path}


def make_reporter(ctx: typer.Context, quiet: bool = False, verbose: bool = False) -> Reporter:
    """The stderr reporter, in the format chosen on the root command."""
    from forecaster.cli.chatter import chatter
    from forecaster.report import Reporter

    quiet, verbose = chatter(ctx, quiet, verbose)
    obj = root_obj(ctx)
    report = Reporter(quiet=quiet, verbose=verbose, log_format=obj.get("log_format", "text"))
    for message in obj.pop("warnings", []):  # once, from the command's first reporter
        report.warn(message)
    return report


def sources_of(ctx: typer.Context) -> dict[str, str]:
    """Where each option of the running command came from (flag, environment, file, default)."""
    from forecaster.cli.config_file import option_sources

    obj = root_obj(ctx)
    return option_sources(ctx, obj.get("sources", {}).get(ctx.info_name, {}))


@contextmanager
def errors_to_exit(debug: bool, ctx: typer.Context | None = None) -> Iterator[None]:
    """Turn our error type into one ``Error:`` line and its exit code (naming, with the
    command's ``ctx``, the environment variable or file an option's bad value came from)."""
    from forecaster.atomic import WRITTEN

    WRITTEN.clear()  # one command's outputs (tests run many in one process)
    broken = root_obj(ctx).get("broken") if ctx is not None else None
    for kind, message in untyped_notes(ctx) if ctx is not None else []:
        if kind == "error":
            broken = broken or ConfigError(message)
        else:  # a configured value passed over: said by the first reporter
            root_obj(ctx).setdefault("warnings", []).append(message)
    if broken is not None:  # the configuration's error, held back for --help (see _root)
        error_line(str(broken) + value_origin(ctx.find_root(), broken))
        raise typer.Exit(broken.exit_code)
    try:
        yield
    except ForecastError as exc:
        origin = value_origin(ctx, exc) if ctx is not None else ""
        error_line(complete_retrain(str(exc), ctx) + origin)
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:
        # The reader of stdout left (`| head`): stop quietly, as other Unix tools do. Point
        # stdout at /dev/null so the interpreter's final flush cannot raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_PIPE_CLOSED) from None
    except KeyboardInterrupt:
        error_line("interrupted; " + _unchanged() + _rows_cut(ctx))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated:
        error_line("terminated (SIGTERM); " + _unchanged() + _rows_cut(ctx))
        raise typer.Exit(EXIT_TERMINATED) from None
    except (typer.Exit, typer.Abort):
        raise
    except PermissionError as exc:
        from forecaster.access import refusal

        error_line(refusal(exc), exc if debug else None)  # the user's to fix: no "report it"
        raise typer.Exit(EXIT_NO_PERM) from None
    except Exception as exc:
        where = "in its traceback field" if _LOG["json"] else "above"
        todo = f"the traceback is {where}: report it" if debug else \
            "rerun with --debug for the traceback and report it"
        error_line(f"internal error ({type(exc).__name__}: {exc}); {todo}",
                   exc if debug else None)
        # 70 with --debug too: 1 is detect-anomalies' "anomalies flagged" to a cron job
        raise typer.Exit(EXIT_INTERNAL) from None


def _unchanged() -> str:
    """What a stopped run left as it was: every output, or all but those already written
    in full (the table of a detect run stopped while drawing its plot)."""
    from forecaster.atomic import WRITTEN

    if not WRITTEN:
        return "no model or output file was changed"
    done = ", ".join(str(p) for p in dict.fromkeys(WRITTEN))
    return f"the model is unchanged, but {done} was already written in full; run it again"


def _rows_cut(ctx: typer.Context | None) -> str:
    """For commands that print rows: those printed are incomplete (train prints none, and
    rows bound for --output were never printed)."""
    if ctx is not None and (ctx.info_name == "train" or ctx.params.get("output")):
        return ""
    return " (rows printed so far are incomplete)"


_LOG = {"json": False}  # --log-format json, set by the root command for error lines


def follow_log_format(ctx: typer.Context | None) -> None:
    """Take --log-format from the root command's parsed options, for an error raised
    before the root command ran (a mistyped command name is found first)."""
    root = ctx.find_root() if ctx is not None else None
    value = root.params.get("log_format") if root is not None else None
    value = value.lower() if isinstance(value, str) else value
    if value in ("text", "json"):
        _LOG["json"] = value == "json"


def error_line(message: str, shown: BaseException | None = None) -> None:
    """The one error line: ``Error: ...``, or a JSON object under --log-format json.

    Characters that are not printable (a NUL or a line end from a file's cell) are escaped:
    the message stays one line of text, which grep does not take for binary.

    Args:
        message: the error's text.
        shown: an exception whose traceback goes first (--debug): as text above the line,
            or in the JSON object's ``traceback`` field, so a log shipper still reads JSON.
    """
    import traceback

    from forecaster.data.cells import printable
    from forecaster.report import json_line, unwritable_log

    message = printable(message)
    trace = "".join(traceback.format_exception(shown)) if shown is not None else ""
    with unwritable_log():  # the exit code still tells what happened
        if _LOG["json"]:
            json_line("error", message, **({"traceback": trace} if trace else {}))
        else:
            typer.echo(f"{trace}Error: {message}", err=True)


def split_names(values: list[str] | None) -> list[str]:
    """The values of a repeatable name option (``--target a --target b``), stripped.

    ``--target a,b`` stays one value here: the data layer splits it once the columns are
    known (``expand_names``), so that a column named "price, USD" can be chosen.
    """
    return [v.strip() for v in values or [] if v.strip()]




def finite(value: float | None) -> float | None:
    """An option callback: a number, not inf (which passes a lower bound: --lr inf made the
    training loss infinite, reported as an internal error)."""
    if value is not None and value in (float("inf"), float("-inf")):
        raise typer.BadParameter("expected a finite number")
    return value


def positive(value: float | None) -> float | None:
    """An option callback: above 0 (--lr 0 saved a model of its random starting weights)."""
    if value is not None and value <= 0:
        raise typer.BadParameter(f"{value:g} would leave the weights where they started; "
                                 "expected a number above 0")
    return value
