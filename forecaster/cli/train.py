"""``forecast train``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecaster.bundle_nest import refuse_nested_model
from forecaster.cli.common import (
    DataFile,
    Debug,
    ModelDir,
    Quiet,
    Verbose,
    Wait,
    app,
    check_choice,
    errors_to_exit,
    make_reporter,
    positive,
    sources_of,
    split_names,
)
from forecaster.config import DEFAULT_MODEL_DIR, TrainSettings, check_val_size
from forecaster.data.spec import AGGREGATES, DUPLICATE_POLICIES, FILL_POLICIES, DataSpec
from forecaster.errors import ConfigError
from forecaster.limits import (
    ANOMALY_NORMS,
    CELLS,
    COMBINES,
    MAX_DROPOUT,
    MAX_LAYERS,
    MAX_LR,
    MAX_SEED,
    MAX_UNITS,
    MIN_WINDOW,
    NORMS,
    THRESHOLD_RULES,
    WINDOW_KINDS,
    Device,
)


@app.command()
def train(
    ctx: typer.Context,
    data: DataFile,
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    time_col: Annotated[list[str] | None, typer.Option(
        help="Time column (detected if omitted); a split date as Date,Time or "
        "year,month,day,hour (or the option repeated).")] = None,
    target: Annotated[list[str] | None, typer.Option(
        help="Column(s) to forecast; default: the only numeric column. 'all': every "
        "numeric column not otherwise used (time, series keys, features and 0/1 anomaly "
        "labels aside), unless the file has a column named 'all'.")] = None,
    series_col: Annotated[list[str] | None, typer.Option(
        help="Column naming the series, for several series in one (long) file; several as "
        "store,item (or repeated): a series is then named by its cells joined by '/', "
        "e.g. 1/7.")] = None,
    features: Annotated[list[str] | None, typer.Option(
        help="Other numeric columns used as inputs ('all': every numeric column not "
        "otherwise used, anomaly labels aside).")] = None,
    freq: Annotated[str | None, typer.Option(
        help="Frequency, e.g. h, 15min, D (inferred).")] = None,
    fill: Annotated[str, typer.Option(
        help="Gaps and missing values: interpolate, ffill, zero or error.")] = "interpolate",
    duplicates: Annotated[str, typer.Option(
        help="Repeated timestamps: error, first, last or mean.")] = "error",
    na_values: Annotated[list[str] | None, typer.Option(
        help="Cells that mark a missing reading, e.g. -200 or -9999,9999: read as missing "
             "(filled by --fill, never scored). Kept in the bundle.")] = None,
    resample: Annotated[str | None, typer.Option(
        help="Bin the rows to this step first (e.g. 5min, h, D): for event logs and "
             "irregular or too fine data. Kept in the bundle for predict and "
             "detect-anomalies.")] = None,
    aggregate: Annotated[str, typer.Option(
        help="With --resample, a bin's value: mean, sum, min, max, first, last or count "
             "(sum and count: an empty bin is 0).")] = "mean",
    window: Annotated[int | None, typer.Option(
        min=MIN_WINDOW, help="Input steps per forecast (default: 14 seasons, e.g. 336 for hourly "
        "data, shortened for short files).")] = None,
    horizon: Annotated[int | None, typer.Option(
        min=1, help="Steps forecast at once (default: one season, e.g. 24 for hourly).")] = None,
    segment: Annotated[int | None, typer.Option(
        min=1, help="Steps per recurrent input; divides --window; 1 = per step (default: "
        "one season, at most 48).")] = None,
    cell: Annotated[str, typer.Option(help="Recurrent cell: gru or lstm.")] = TrainSettings.cell,
    hidden: Annotated[int, typer.Option(min=1, max=MAX_UNITS, help="Units per layer.")] = (
        TrainSettings.hidden),
    layers: Annotated[int, typer.Option(min=1, max=MAX_LAYERS, help="Stacked layers.")] = (
        TrainSettings.layers),
    dropout: Annotated[float, typer.Option(
        min=0.0, max=MAX_DROPOUT, help="Dropout between layers.")] = TrainSettings.dropout,
    layer_norm: Annotated[bool, typer.Option(help="Layer norm on each layer's outputs.")] = False,
    norm: Annotated[str, typer.Option(
        help="Per-window normalisation: auto (diff for a target that only rises or only "
        "falls, like a meter; else last), last, revin, none or diff (step changes).")
    ] = TrainSettings.norm,
    nonnegative: Annotated[bool | None, typer.Option(
        "--nonnegative/--allow-negative",
        help="Never forecast below zero (default: on for a target that is never negative "
        "and is 0 in at least 1% of its training rows: counts, sales, rainfall).")] = None,
    ensemble: Annotated[int, typer.Option(
        min=1, help="Networks trained from seeds drawn from --seed, and averaged.")] = (
        TrainSettings.ensemble),
    epochs: Annotated[int, typer.Option(min=1, help="Most epochs per fit.")] = (
        TrainSettings.epochs),
    batch_size: Annotated[int, typer.Option(min=1, help="Windows per step.")] = (
        TrainSettings.batch_size),
    lr: Annotated[float, typer.Option(min=0.0, max=MAX_LR, callback=positive,
                                      help="Adam learning rate.")] = TrainSettings.lr,
    patience: Annotated[int, typer.Option(min=1, help="Early-stopping patience.")] = (
        TrainSettings.patience),
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Random seed.")] = 0,
    device: Annotated[str, typer.Option(
        help="auto, cpu, cuda or cuda:N (the GPU numbered N).")] = "auto",
    folds: Annotated[int, typer.Option(min=0, help="Forward-chaining folds (0: none).")] = 3,
    val_size: Annotated[int | None, typer.Option(
        min=1, help="Steps per validation block (default 30% of the data over the folds).")] = None,
    gap: Annotated[int | None, typer.Option(
        min=0, help="Steps between training and validation (default --horizon).")] = None,
    window_kind: Annotated[str, typer.Option(help="Folds: expanding or sliding.")] = "expanding",
    anomaly: Annotated[bool, typer.Option(help="Also fit the anomaly model.")] = True,
    keep: Annotated[int, typer.Option(
        min=1, help="Bundle versions to keep (--warm-start: the bundle's, when not given).")] = 3,
    anomaly_window: Annotated[int | None, typer.Option(
        min=MIN_WINDOW, help="Anomaly model: steps per reconstructed window (default: 64, "
        "shortened for short files).")] = None,
    anomaly_segment: Annotated[int, typer.Option(
        min=1, help="Anomaly model: steps per recurrent step (divides the window).")] = 4,
    anomaly_hidden: Annotated[int, typer.Option(min=1, max=MAX_UNITS,
                                              help="Anomaly model: units.")] = 32,
    anomaly_layers: Annotated[int, typer.Option(min=1, max=MAX_LAYERS,
                                              help="Anomaly model: layers.")] = 1,
    anomaly_latent: Annotated[int, typer.Option(min=1, max=MAX_UNITS,
                                              help="Anomaly model: code size.")] = 16,
    anomaly_norm: Annotated[str, typer.Option(
        help="Anomaly model: per-window normalisation, none (levels count), revin "
        "(shapes only) or auto (revin for trending or wandering series: prices).")] = "auto",
    anomaly_bidirectional: Annotated[bool, typer.Option(
        help="Anomaly model: bidirectional encoder.")] = False,
    anomaly_epochs: Annotated[int, typer.Option(min=1, help="Anomaly model: most epochs.")] = 30,
    anomaly_combine: Annotated[str, typer.Option(
        help="Errors of the windows covering a step: median, mean, or last (the window "
        "ending at the step only: causal scores).")] = "median",
    anomaly_threshold: Annotated[str, typer.Option(
        help="Threshold rule: telemanom (dynamic threshold between an out-of-fold "
        "floor and the std rule), std, dynamic or quantile.")] = "telemanom",
    wait: Wait = 0.0,
    warm_start: Annotated[bool, typer.Option(
        help="Continue from the current bundle's weights (same settings) on the grown file; "
             "skips the fold evaluation and keeps the previous fold metrics and intervals.")
    ] = False,
    deterministic: Annotated[bool, typer.Option(
        help="Use torch's deterministic algorithms (slower on GPU).")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Train a forecaster (and an anomaly model) on DATA and save the model bundle.

    Evaluates on forward-chaining folds first (each fold's scaler and model see
    only its past), prints the fold metrics beside naive baselines, then fits on
    all data. Example: forecast train sample_data/sensor.csv --horizon 24
    """
    with errors_to_exit(debug, ctx):
        st = settings_from_options(locals())
        refuse_nested_model(model)
        st.sources = sources_of(ctx)
        from forecaster.pipeline.training import train as run_train

        run_train(data, st, make_reporter(ctx, quiet, verbose))


def settings_from_options(opts: dict) -> TrainSettings:
    """Build TrainSettings from the options of ``forecast train``, by name.

    The one place that turns train options into settings; ``forecast backtest`` reuses it
    with the same option set. Options missing from ``opts`` keep the TrainSettings default.

    Args:
        opts: option values keyed by parameter name (e.g. the command's ``locals()``).

    Returns:
        The validated settings.
    """
    o = {**_SETTINGS_DEFAULTS, **opts}
    if o["folds"]:  # without folds (train --folds 0) no validation block is cut
        check_val_size(o["val_size"], o["horizon"])
    time = _time_names(o["time_col"])
    spec = DataSpec(time_col=time[0] if len(time) == 1 else None,
                    time_parts=time if len(time) > 1 else [], targets=_targets(o["target"]),
                    **_series_cols(o["series_col"]), features=split_names(o["features"]),
                    freq=o["freq"], fill=check_choice("--fill", o["fill"], FILL_POLICIES),
                    duplicates=check_choice("--duplicates", o["duplicates"], DUPLICATE_POLICIES),
                    na_values=_na_values(o.get("na_values")), **_resampling(o))
    return TrainSettings(
        data=spec, model_dir=o["model"], window=o["window"], horizon=o["horizon"],
        segment=o["segment"], cell=check_choice("--cell", o["cell"], CELLS),
        hidden=o["hidden"], layers=o["layers"], dropout=o["dropout"],
        layer_norm=o["layer_norm"], nonnegative=o.get("nonnegative"),
        ensemble=o.get("ensemble", TrainSettings.ensemble),
        norm=check_choice("--norm", o["norm"], NORMS), epochs=o["epochs"],
        batch_size=o["batch_size"], lr=o["lr"], patience=o["patience"], seed=o["seed"],
        device=_device(o["device"]),
        folds=o["folds"], val_size=o["val_size"], gap=o["gap"],
        window_kind=check_choice("--window-kind", o["window_kind"], WINDOW_KINDS),
        anomaly=o["anomaly"], keep=o["keep"], wait=_finite_wait(o["wait"]),
        deterministic=o["deterministic"], warm_start=o.get("warm_start", False),
        **_anomaly_options(o))


def _device(value: str) -> str:
    """``--device`` checked as the option (the settings' own check names the field)."""
    if problem := Device().problem(value):
        raise ConfigError(f"--device {value}: {problem}")
    return value


def _targets(given: list[str] | None) -> list[str]:
    """--target's names; a value left empty (an unset variable in a cron line) is refused
    rather than read as "detect the target", which may pick another column."""
    names = split_names(given)
    if given and not names:
        raise ConfigError("--target is empty; expected a column name (leave --target out to "
                          "detect the one numeric column)")
    return names


def _series_cols(given: list[str] | str | None) -> dict:
    """--series-col's names as DataSpec fields: repeated (--series-col store --series-col
    item), the names together, as "store,item" is; an empty value (an unset variable) is
    refused rather than read as one series, which would mix every store's rows."""
    names = split_names([given] if isinstance(given, str) else given)
    if given and not names:
        raise ConfigError("--series-col is empty; expected the name of the column naming "
                          "each series (leave --series-col out for a file of one series)")
    if len(names) > 1:
        return {"series_col": None, "series_parts": names}
    return {"series_col": names[0] if names else None}


def _na_values(given: list[str] | None) -> list[str]:
    """--na-values' cells: repeated, or several as "-200,-999"."""
    return [v.strip() for value in given or [] for v in value.split(",") if v.strip()]


def _finite_wait(wait: float) -> float:
    """--wait in seconds; infinity is refused (it cannot be saved in the bundle's JSON)."""
    if wait == float("inf"):
        raise ConfigError(f"--wait {wait}: expected a number of seconds; to wait as good as "
                          "forever, give a large one (e.g. --wait 86400 for a day)")
    return wait


def _time_names(given: list[str] | str | None) -> list[str]:
    """--time-col's names; '' names the one header cell left empty (R's row names).
    Repeated (--time-col Date --time-col Time), the names together, as Date,Time is: the
    option parser alone kept the last one."""
    given = [given] if isinstance(given, str) else given or []
    if given and not any(g.strip() for g in given):
        return [""]
    return split_names(given)


def _resampling(o: dict) -> dict:
    """``--resample`` and ``--aggregate``, checked against each other and ``--freq``."""
    step, how = o.get("resample"), o.get("aggregate", "mean")
    how = check_choice("--aggregate", how, AGGREGATES)
    if step and o["freq"]:
        raise ConfigError(f"--resample {step} and --freq {o['freq']} both given: --resample "
                          "sets the step of the binned rows; give only one of them")
    if how != "mean" and not step and not o.get("warm_start"):  # else the bundle's bins
        raise ConfigError(f"--aggregate {how} without --resample: give the bins' step too, "
                          f"e.g. --resample h --aggregate {how}")
    return {"resample": step, "aggregate": how}


def _anomaly_options(o: dict) -> dict:
    """The ``anomaly_*`` settings among ``o`` (absent ones keep their defaults)."""
    out = {k: v for k, v in o.items() if k.startswith("anomaly_")}
    if "anomaly_combine" in out:
        out["anomaly_combine"] = check_choice("--anomaly-combine", out["anomaly_combine"],
                                             COMBINES)
    if "anomaly_norm" in out:
        out["anomaly_norm"] = check_choice("--anomaly-norm", out["anomaly_norm"],
                                             ANOMALY_NORMS)
    if "anomaly_threshold" in out:
        out["anomaly_threshold"] = check_choice("--anomaly-threshold", out["anomaly_threshold"],
                                             THRESHOLD_RULES)
    return out


_SETTINGS_DEFAULTS = {"model": TrainSettings.model_dir, "folds": TrainSettings.folds,
                      "val_size": None, "gap": None, "window_kind": "expanding",
                      "anomaly": TrainSettings.anomaly, "keep": TrainSettings.keep,
                      "wait": 0.0, "deterministic": False}
