"""The ``forecast`` command: a thin layer that builds settings and makes one library call.

Heavy packages (torch, pandas, numpy, scikit-learn) are imported inside the
commands, so that ``forecast --help`` answers at once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from forecaster.config import DEFAULT_MODEL_DIR, PredictSettings, TrainSettings
from forecaster.data.spec import DUPLICATE_POLICIES, FILL_POLICIES, DataSpec
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


@app.command()
def train(
    data: Annotated[Path, typer.Argument(help="CSV file with a time column and numbers.")],
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    time_col: Annotated[str | None, typer.Option(help="Time column (detected if omitted).")] = None,
    target: Annotated[list[str] | None, typer.Option(
        help="Column(s) to forecast; default: the only numeric column.")] = None,
    series_col: Annotated[str | None, typer.Option(
        help="Column naming the series, for several series in one (long) file.")] = None,
    features: Annotated[list[str] | None, typer.Option(
        help="Other numeric columns used as inputs.")] = None,
    freq: Annotated[str | None, typer.Option(
        help="Frequency, e.g. h, 15min, D (inferred).")] = None,
    fill: Annotated[str, typer.Option(
        help="Gaps and missing values: interpolate, ffill, zero or error.")] = "interpolate",
    duplicates: Annotated[str, typer.Option(
        help="Repeated timestamps: error, first, last or mean.")] = "error",
    window: Annotated[int, typer.Option(min=2, help="Input steps per forecast.")] = 96,
    horizon: Annotated[int, typer.Option(min=1, help="Steps forecast at once.")] = 24,
    segment: Annotated[int, typer.Option(
        min=1, help="Steps per recurrent input (divides --window; 1 = per step).")] = 12,
    cell: Annotated[str, typer.Option(help="Recurrent cell: lstm or gru.")] = "lstm",
    hidden: Annotated[int, typer.Option(min=1, help="Units per layer.")] = 64,
    layers: Annotated[int, typer.Option(min=1, help="Stacked layers.")] = 2,
    dropout: Annotated[float, typer.Option(min=0.0, max=0.9,
                                           help="Dropout between layers.")] = 0.1,
    layer_norm: Annotated[bool, typer.Option(help="Layer norm between layers.")] = False,
    norm: Annotated[str, typer.Option(
        help="Per-window normalisation: last, revin or none.")] = "last",
    epochs: Annotated[int, typer.Option(min=1, help="Most epochs per fit.")] = 60,
    batch_size: Annotated[int, typer.Option(min=1, help="Windows per step.")] = 128,
    lr: Annotated[float, typer.Option(min=0.0, help="Adam learning rate.")] = 2e-3,
    patience: Annotated[int, typer.Option(min=1, help="Early-stopping patience.")] = 8,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    folds: Annotated[int, typer.Option(min=0, help="Forward-chaining folds (0: none).")] = 3,
    val_size: Annotated[int | None, typer.Option(
        min=1, help="Steps per validation block (default 30% of the data over the folds).")] = None,
    gap: Annotated[int | None, typer.Option(
        min=0, help="Steps between training and validation (default --horizon).")] = None,
    window_kind: Annotated[str, typer.Option(help="Folds: expanding or sliding.")] = "expanding",
    anomaly: Annotated[bool, typer.Option(help="Also fit the anomaly model.")] = True,
    keep: Annotated[int, typer.Option(min=1, help="Bundle versions to keep.")] = 3,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Train a forecaster (and an anomaly model) on DATA and save the model bundle.

    Evaluates on forward-chaining folds first (each fold's scaler and model see
    only its past), prints the fold metrics beside naive baselines, then fits on
    all data. Example: forecast train sample_data/sensor.csv --horizon 24
    """
    with errors_to_exit(debug):
        spec = DataSpec(time_col=time_col, targets=split_names(target), series_col=series_col,
                        features=split_names(features), freq=freq,
                        fill=check_choice("--fill", fill, FILL_POLICIES),
                        duplicates=check_choice("--duplicates", duplicates, DUPLICATE_POLICIES))
        st = TrainSettings(
            data=spec, model_dir=model, window=window, horizon=horizon, segment=segment,
            cell=check_choice("--cell", cell, ("lstm", "gru")), hidden=hidden, layers=layers,
            dropout=dropout, layer_norm=layer_norm,
            norm=check_choice("--norm", norm, ("last", "revin", "none")), epochs=epochs,
            batch_size=batch_size, lr=lr, patience=patience, seed=seed,
            device=check_choice("--device", device, ("auto", "cpu", "cuda")), folds=folds,
            val_size=val_size, gap=gap,
            window_kind=check_choice("--window-kind", window_kind, ("expanding", "sliding")),
            anomaly=anomaly, keep=keep)
        from forecaster.pipeline.training import train as run_train
        from forecaster.report import Reporter

        run_train(data, st, Reporter(quiet=quiet))


@app.command()
def predict(
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    data: Annotated[Path | None, typer.Option(
        help="Forecast from this CSV (same columns) instead of the training file.")] = None,
    level: Annotated[float, typer.Option(min=1.0, max=99.0,
                                         help="Prediction interval level, percent.")] = 90.0,
    output: Output = None,
    fmt: Format = "csv",
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Forecast the next steps after the newest rows, with prediction intervals.

    Reads the training CSV again (so rows appended since training are used) unless
    --data is given. Prints CSV: series, timestamp, target, forecast, lower, upper.
    """
    with errors_to_exit(debug):
        check_choice("--format", fmt, ("csv", "json"))
        st = PredictSettings(model_dir=model, data=data, level=level)
        from forecaster.io import check_output_path, render, write_output
        from forecaster.pipeline.predicting import predict as run_predict
        from forecaster.report import Reporter

        if output is not None:
            check_output_path(output, [data] if data else [], [model])
        table = run_predict(st, Reporter(quiet=quiet))
        write_output(render(table, fmt), output)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("Error: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
