"""``forecast backtest``: walk-forward evaluation with ``forecast train``'s model options.

The model options are taken from the train command's signature, so the two commands
cannot drift apart; only the options about folds, bundles and anomalies are left out.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer

from forecaster.cli import train as train_cli
from forecaster.cli.common import (
    DataFile,
    Debug,
    Format,
    Output,
    Quiet,
    Verbose,
    app,
    check_choice,
    errors_to_exit,
    make_reporter,
)
from forecaster.cli.outputs import output_format, plot_path, refuse_config
from forecaster.limits import FORMATS, LEVEL, WINDOW_KINDS

# train options with another meaning here (or none): backtest defines its own.
NOT_SHARED = {"data", "model", "folds", "gap", "window_kind", "anomaly", "keep", "quiet",
              "verbose", "debug", "wait", "warm_start"}


def _shared(name: str) -> bool:
    """Whether a train option is also a backtest option (the anomaly model's are not)."""
    return name not in NOT_SHARED and not name.startswith("anomaly")


def _own_options(
    data: DataFile,
    start: Annotated[str | None, typer.Option(
        help="First forecast time (the first origin: its forecasts see only the rows before "
             "it): a timestamp, or a fraction of the data (default 0.8).")] = None,
    end: Annotated[str | None, typer.Option(
        help="Last forecast timestamp (inclusive), or a fraction (default 1.0).")] = None,
    folds: Annotated[int, typer.Option(
        min=1, help="Report the origins in this many consecutive blocks.")] = 1,
    stride: Annotated[int | None, typer.Option(
        min=1, help="Steps between origins (default --horizon).")] = None,
    window_kind: Annotated[str, typer.Option(
        help="Training rows of each refit: expanding (from the start) or sliding (as many "
             "as the first refit had).")] = "expanding",
    gap: Annotated[int, typer.Option(
        min=0, help="Steps left out between a refit's training data and its first "
                    "origin.")] = 0,
    refit: Annotated[str, typer.Option(
        help="never, each, or every-N (e.g. every-5): when the model is retrained.")] = "never",
    season: Annotated[int | None, typer.Option(
        min=1, help="Season for seasonal naive and MASE (default from the frequency).")] = None,
    level: Annotated[float, typer.Option(min=LEVEL[0], max=LEVEL[1],
                                         help="Prediction interval level, percent.")] = 90.0,
    output: Output = None,
    fmt: Format = "csv",
    plot: Annotated[Path | None, typer.Option(readable=False, parser=plot_path, metavar="<path>",
        help="Write an image (.png, .pdf, .svg, .eps; .jpg, .tif with Pillow) of history, "
             "forecasts and intervals at a few origins.")] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Placeholder whose signature declares backtest's own options."""


def backtest(**opts: object) -> None:
    """Walk-forward (rolling-origin) evaluation of the forecaster against baselines.

    Origins run from --start every --stride steps while their whole --horizon fits before
    --end; a forecast at an origin uses only the rows before it. Refits: with --refit never,
    one model trains on the rows before --start (minus --gap), its last --val-size steps
    held out for early stopping and interval calibration, and then rolls forward without
    retraining (unlike libraries whose "backtest" retrains by default); with each or
    every-N the model, scalers and baselines are refitted on the rows before the N-th
    origin. Prints metrics of the model, naive, seasonal naive, drift and ETS (and the weekly
    naive for sub-daily data) on stderr;
    with --output, every forecast (series, origin = last timestamp used, timestamp, step,
    target, forecast, lower, upper, actual). Example: forecast backtest
    sample_data/sensor.csv --horizon 24 --start 0.8 --refit every-10 --plot bt.png
    """
    debug = bool(opts["debug"])
    with errors_to_exit(debug, opts["ctx"]):
        fmt = output_format(opts["ctx"], check_choice("--format", str(opts["fmt"]), FORMATS),
                            opts["output"])
        refuse_config(opts["ctx"], {"--output": opts["output"], "--plot": opts["plot"]})
        opts["window_kind"] = check_choice("--window-kind", str(opts["window_kind"]),
                                           WINDOW_KINDS)
        st = train_cli.settings_from_options({k: v for k, v in opts.items()
                                              if k in _SHARED_NAMES})
        from forecaster.pipeline.backtest_plan import BacktestSettings, refit_every
        from forecaster.pipeline.backtest_report import backtest_and_write

        refit_every(str(opts["refit"]))
        bt = BacktestSettings(train=st, **{k: opts[k] for k in (
            "start", "end", "folds", "stride", "window_kind", "gap", "refit", "season", "level")})
        # The root's --log-format holds here too: a JSON log gets JSON lines from backtest.
        report = make_reporter(opts["ctx"], bool(opts["quiet"]), bool(opts["verbose"]))
        backtest_and_write(opts["data"], bt, report, fmt, opts["output"], opts["plot"])


def _signature() -> tuple[inspect.Signature, dict]:
    own = inspect.signature(_own_options, eval_str=True).parameters
    shared = [p for name, p in inspect.signature(train_cli.train, eval_str=True)
              .parameters.items() if _shared(name) and name not in own]
    params = [own["data"], *shared, *(p for n, p in own.items() if n != "data")]
    return inspect.Signature(params), {p.name: p.annotation for p in params}


_SHARED_NAMES = {p for p in inspect.signature(train_cli.train).parameters if _shared(p)}
backtest.__signature__, backtest.__annotations__ = _signature()
# One line per paragraph, so the terminal wraps the help text rather than the docstring.
app.command(help="\n\n".join(" ".join(par.split()) for par in
                               inspect.cleandoc(backtest.__doc__ or "").split("\n\n")))(backtest)
