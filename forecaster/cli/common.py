"""What every command shares: the app, common options, and the error-to-exit-code layer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from forecaster.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, ConfigError, ForecastError

app = typer.Typer(
    name="forecast",
    help="Forecast time series and detect anomalies in them with stacked LSTMs.\n\n"
         "Typical use: 'forecast train data.csv', then 'forecast predict' or "
         "'forecast detect-anomalies' (from cron, say). Data goes to stdout, messages to "
         "stderr.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ModelDir = Annotated[Path, typer.Option("--model", "-m", envvar="FORECAST_MODEL_DIR",
                                        help="Model bundle directory.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
Output = Annotated[Path | None, typer.Option("--output", "-o",
                                             help="Write here (atomically) instead of stdout.")]
Format = Annotated[str, typer.Option("--format", "-f", help="Output format: csv or json.")]


@contextmanager
def errors_to_exit(debug: bool) -> Iterator[None]:
    """Turn our error type into one ``Error:`` line and its exit code."""
    try:
        yield
    except ForecastError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("Error: interrupted; nothing was written", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"Error: internal error ({type(exc).__name__}: {exc}); rerun with --debug "
                   "for the traceback and report it", err=True)
        raise typer.Exit(EXIT_INTERNAL) from None


def split_names(values: list[str] | None) -> list[str]:
    """Accept both ``--target a --target b`` and ``--target a,b``."""
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def check_choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """A usage error naming the allowed values."""
    if value not in allowed:
        raise ConfigError(f"{option} {value}: expected one of {', '.join(allowed)}")
    return value


