"""``forecast detect-anomalies``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecaster.cli.common import (
    Debug,
    Format,
    MaxAge,
    ModelDir,
    Output,
    Quiet,
    Strict,
    Verbose,
    app,
    check_choice,
    errors_to_exit,
    file_path,
    finite,
    make_reporter,
    sources_of,
)
from forecaster.cli.outputs import output_format, plot_path, refuse_config
from forecaster.config import DEFAULT_MODEL_DIR
from forecaster.errors import EXIT_ANOMALIES, EXIT_OK, ConfigError
from forecaster.limits import FORMATS, METHODS, THRESHOLD_RULES, K, Q


@app.command("detect-anomalies")
def detect_anomalies(
    ctx: typer.Context,
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    data: Annotated[Path | None, typer.Option(readable=False, parser=file_path, metavar="<path>",
        help="Score this CSV (same columns) instead of the recorded training file.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Score only rows at or after this timestamp (earlier rows are context).")] = None,
    last: Annotated[int | None, typer.Option(
        min=1, help="Score only the last N rows of each series.")] = None,
    method: Annotated[str, typer.Option(
        help="reconstruction (the anomaly model), forecast (forecast residuals), or auto: "
        "forecast for a model of step changes (a meter), else reconstruction.")
    ] = "auto",
    lead: Annotated[str | None, typer.Option(
        help="Score the forecasts made this many steps ahead (1, the default, to the horizon, "
        "or 'horizon'; implies --method forecast); far ahead, holidays and outages show.")
    ] = None,
    threshold: Annotated[str | None, typer.Option(
        help="Threshold rule: telemanom, std, dynamic or quantile (default: the one "
        "trained).")] = None,
    q: Annotated[float | None, typer.Option(
        min=Q[0], max=Q[1], help="Quantile of the quantile rule.")] = None,
    k: Annotated[float | None, typer.Option(
        min=K[0], max=K[1], callback=finite,  # 1e308 overflowed to an inf threshold
        help="k of the std rule (and of telemanom's cap).")] = None,
    events: Annotated[bool, typer.Option(
        "--events", help="One row per anomalous event instead of one per step.")] = False,
    plot: Annotated[Path | None, typer.Option(readable=False, parser=plot_path, metavar="<path>",
        help="Also draw the series, events and scores to this image (.png, .pdf, .svg, "
             ".eps; .jpg, .tif with Pillow).")] = None,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when anomalies are flagged.")] = False,
    output: Output = None,
    fmt: Format = "csv",
    strict: Strict = False,
    max_age: MaxAge = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Score each step (reconstruction error; forecast residuals for a meter) and flag those
    above the calibrated threshold.

    Thresholds are calibrated at training on out-of-fold errors. The default rule,
    telemanom, then picks its threshold on the scores of the rows scored here, between
    that floor and the std rule's threshold, so a large fault can raise it for the rest
    (--threshold std or quantile: one fixed threshold). Prints CSV: series, timestamp,
    value, score, threshold, is_anomaly. Exit 0: nothing flagged; 1: anomalies flagged
    (unless --exit-zero). Cron example: forecast detect-anomalies --last 24 --events
    """
    with errors_to_exit(debug, ctx):
        since, last = _newest_window(ctx, since, last)
        method, threshold = _check_options(method, threshold, since, last)
        fmt = output_format(ctx, check_choice("--format", fmt, FORMATS), output)
        refuse_config(ctx, {"--output": output, "--plot": plot})
        lead_value = _lead(lead, method)
        from forecaster.anomaly.settings import DetectSettings
        from forecaster.pipeline.detect_output import DetectOutput, detect_and_write

        ds = DetectSettings(model_dir=model, data=data, since=since, last=last, method=method,
                            lead=lead_value, rule=threshold, q=q, k=k, strict=strict,
                            max_age=max_age)
        run = detect_and_write(ds, DetectOutput(fmt, events, output, plot),
                               make_reporter(ctx, quiet, verbose))
        n = len(run.events())
    raise typer.Exit(EXIT_ANOMALIES if n and not exit_zero else EXIT_OK)


_RANK = {"flag": 3, "environment": 2, "file": 1}


def _newest_window(ctx: typer.Context, since: str | None,
                   last: int | None) -> tuple[str | None, int | None]:
    """--since and --last as the precedence has them: a typed --since overrides a `last`
    from forecast.toml or the environment (and the reverse), as any flag does."""
    if since is None or last is None:
        return since, last
    sources = sources_of(ctx)
    rank = {k: _RANK.get(sources.get(k, "default").split()[0], 0) for k in ("since", "last")}
    if rank["since"] == rank["last"]:
        return since, last  # both typed (or both configured): the usage error says so
    return (since, None) if rank["since"] > rank["last"] else (None, last)


def _check_options(method: str, threshold: str | None, since: str | None,
                   last: int | None) -> tuple[str, str | None]:
    """Usage errors that need no data; ``--method`` and ``--threshold`` as named."""
    method = check_choice("--method", method, METHODS)
    if threshold is not None:
        threshold = check_choice("--threshold", threshold, THRESHOLD_RULES)
    if since is not None and not since.strip():
        # Typically --since "$LAST" with LAST unset: scoring nothing would never alert.
        raise ConfigError("--since is empty; expected a timestamp such as 2026-03-01T12:00 "
                          "(a step number for a series indexed by steps): set it, or drop "
                          "--since to score every row")
    if since is not None and last is not None:
        raise ConfigError("--since and --last both given; use one of them")
    return method, threshold


def _lead(lead: str | None, method: str) -> int | str | None:
    """--lead as a number of steps or "horizon"; a usage error when it cannot apply."""
    if lead is None:
        return None
    if method == "reconstruction":
        raise ConfigError(f"--lead {lead}: applies to --method forecast only; add it or drop "
                          "--lead")
    if lead == "horizon":
        return lead
    if not lead.isdigit() or int(lead) < 1:
        raise ConfigError(f"--lead {lead}: expected a number of steps from 1, or 'horizon'")
    return int(lead)
