"""``forecast backtest``: rolling-origin forecasts of the model and its baselines.

Each refit fits scalers, the network and the exponential-smoothing baseline on its own
training rows only; all origins it serves are forecast in one batched pass. Intervals of
every model come from the quantiles of its residuals on the refit's validation part, each
residual divided by the square root of its input window's volatility (mean absolute one-step
change), so that intervals narrow and widen with the volatility at each origin: the same
method as ``forecast predict`` (``forecaster.pipeline.evaluation``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from forecaster.baselines import season_length
from forecaster.config import TrainSettings
from forecaster.data.carry import carried
from forecaster.data.loading import Frame
from forecaster.data.month_days import to_step
from forecaster.data.resets import clear_of, reset_steps
from forecaster.data.scaling import Scaler
from forecaster.data.windows import WindowSet, assemble, window_starts
from forecaster.errors import DataError
from forecaster.models.train import predict_batches
from forecaster.pipeline.backtest_baselines import baseline_points
from forecaster.pipeline.backtest_fit import planned
from forecaster.pipeline.backtest_notes import (
    announce,
    check_season,
    has_fit_rows,
    warn_left_out,
)
from forecaster.pipeline.backtest_plan import (
    BacktestSettings,
    Plan,
    Refit,
    weekly_season,
)
from forecaster.pipeline.devices import resolve_device
from forecaster.pipeline.ensemble import fit_ensemble
from forecaster.pipeline.evaluation import (
    counter_directions,
    floor_at_zero,
    mase_scales,
    nonnegative,
    settle_points,
    to_raw,
)
from forecaster.pipeline.floor_check import warn_forced_floor
from forecaster.pipeline.intervals import MIN_INTERVAL_WINDOWS, Units, validated_bounds
from forecaster.pipeline.prepare import Grid, es_size, make_grid, read_frame
from forecaster.pipeline.shape import resolve_norm
from forecaster.report import Reporter


@dataclass
class RefitData:
    """Scaled windows of one refit; origins are (series index, position in that series)."""

    scalers: list[Scaler]
    fit: WindowSet
    early: WindowSet  # the fit part's last steps: early stopping, apart from the intervals'
    val: WindowSet
    test: WindowSet
    val_origins: np.ndarray
    test_origins: np.ndarray


@dataclass
class Forecasts:
    """Forecasts at a set of origins: arrays (origins, horizon, targets), raw scale.

    Attributes:
        origins: (origins, 2) series index and position within that series.
        actual: the values that happened.
        models: per model name, (point, lower, upper).
        refit: per origin, the 0-based refit that produced it.
        scale: (origins, 1, targets) MASE's scale, from the rows its refit trained on.
    """

    origins: np.ndarray
    actual: np.ndarray
    models: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    refit: np.ndarray
    scale: np.ndarray


@dataclass
class BacktestResult:
    """What a backtest produced."""

    frame: Frame
    grid: Grid
    plan: Plan
    forecasts: Forecasts
    season: int
    model_name: str
    train_seconds: float
    epochs: list[int] = field(default_factory=list)
    norm: str = ""  # the per-window normalisation used (--norm auto settled)


def backtest(csv_path: str | Path, bt: BacktestSettings,
             report: Reporter | None = None) -> BacktestResult:
    """Run the rolling-origin evaluation.

    Args:
        csv_path: the data.
        bt: backtest and model settings.
        report: where progress goes.

    Returns:
        Every forecast with its actual, for the LSTM and the baselines.
    """
    report = report or Reporter(quiet=True)
    frame, bt = _read(csv_path, bt, report)
    grid = make_grid(frame)
    times = pd.date_range(grid.start, periods=grid.n, freq=to_step(frame.freq))
    bt, plan = planned(str(csv_path), bt, frame, grid.n, times, report)
    bt = replace(bt, train=resolve_norm(bt.train, frame, grid.offsets, plan.refits[0].train_hi,
                                        grid.n, report))
    season = bt.season or season_length(frame.freq)
    check_season(bt, plan)
    device = resolve_device(bt.train.device)
    announce(csv_path, bt, plan, season, times, report)
    week = weekly_season(frame.freq, season, bt, plan)
    forecasts, secs, epochs = _run_refits(frame, grid, bt, plan, season, device, report, week)
    warn_left_out(frame, grid.offsets, plan, set(forecasts.origins[:, 0].tolist()), times,
                  report)
    return BacktestResult(frame, grid, plan, forecasts, season, bt.train.cell.upper(),
                          secs, epochs, bt.train.norm)


def _read(csv_path: str | Path, bt: BacktestSettings,
          report: Reporter) -> tuple[Frame, BacktestSettings]:
    """The file's frame, and ``bt`` reading its dates in the file's day order."""
    frame = read_frame(Path(csv_path), bt.train.data, report)
    warn_forced_floor(frame, bt.train.nonnegative, report)
    # --start and --end read dates like 2/1/2007 in the file's own order
    order = replace(bt.train.data, day_first=frame.spec.day_first)
    return frame, replace(bt, train=replace(bt.train, data=order))


def _run_refits(frame: Frame, grid: Grid, bt: BacktestSettings, plan: Plan, season: int,
                device: torch.device, report: Reporter,
                week: int | None) -> tuple[Forecasts, float, list[int]]:
    """Run every refit of ``plan``: their forecasts joined, training seconds and epochs."""
    outs, secs, epochs = [], 0.0, []
    for i, refit in enumerate(plan.refits):
        out, s, ep = run_refit(frame, grid, bt, refit, season, device, report, i, week)
        outs.append(out)
        secs, epochs = secs + s, epochs + ep
    return _concat(outs), secs, epochs


def run_refit(frame: Frame, grid: Grid, bt: BacktestSettings, refit: Refit, season: int,
              device: torch.device, report: Reporter, index: int,
              week: int | None = None) -> tuple[Forecasts, float, list[int]]:
    """Train on one refit's rows and forecast all its origins (model and baselines)."""
    st, k = bt.train, len(frame.spec.targets)
    data = refit_data(frame, grid, bt, refit)
    _check_windows(data, st, index)
    t0 = time.perf_counter()
    # Early stopping on the fit part's end, not on the validation part: the intervals come
    # from the validation residuals, and the epoch chosen on them would narrow the band.
    net, epochs = fit_ensemble(frame, st, data.fit, data.early, device, report,
                               f"fit {index + 1}")
    val_pt = predict_batches(net, data.val.to(device)).numpy()
    test_pt = predict_batches(net, data.test.to(device)).numpy()  # every origin in one pass
    secs = time.perf_counter() - t0
    floor = nonnegative(frame, grid.offsets, refit.train_lo, refit.fit_hi, st.nonnegative)
    held = counter_directions(frame, grid.offsets, refit.train_lo, refit.fit_hi)
    points = {bt.train.cell.upper(): tuple(
        settle_points(frame, to_raw(pt, o, data.scalers, k), o, floor, held)
        for pt, o in ((val_pt, data.val_origins), (test_pt, data.test_origins)))}
    points.update(baseline_points(frame, grid, refit, (data.val_origins, data.test_origins),
                                  st.horizon, season, week))
    for name in ("ETS", "drift"):  # a fitted trend crosses zero; the naive ones repeat values
        points[name] = tuple(floor_at_zero(a, floor) for a in points[name])
    val_truth = actuals(frame, data.val_origins, st.horizon)
    if len(val_truth) < MIN_INTERVAL_WINDOWS:
        report.warn_once("few validation windows",
                         f"fit {index + 1}: its intervals rest on {len(val_truth)} validation "
                         f"window(s), too few to calibrate a {bt.level:g}% band; give a longer "
                         "--val-size or more history (said for the first such fit only)")
    units = [Units(frame, o, st.window, data.scalers) for o in (data.val_origins,
                                                                 data.test_origins)]
    models = {name: validated_bounds(v, t, val_truth, *units, bt.level)
              for name, (v, t) in points.items()}
    model = bt.train.cell.upper()  # the baselines stay as their methods define them
    models[model] = tuple(settle_points(frame, a, data.test_origins, floor, held)
                          for a in models[model])
    unit = mase_scales(frame, grid.offsets, refit.train_lo, refit.train_hi, season)
    out = Forecasts(data.test_origins, actuals(frame, data.test_origins, st.horizon), models,
                    np.full(len(data.test_origins), index),
                    unit[data.test_origins[:, 0]][:, None, :])
    return out, secs, epochs


def _check_windows(data: RefitData, st: TrainSettings, index: int) -> None:
    """Refuse a fit with nothing to fit, validate or forecast: series that do not overlap
    in time can leave the rows before an origin empty."""
    if not len(data.test_origins):
        raise DataError(f"fit {index + 1}: no series has rows to fit on before its origins "
                        f"(--window {st.window} and the --val-size part) and --horizon rows "
                        "after them; the series do not cover those rows: give a later --start, "
                        "a shorter --window or --val-size, or backtest the series separately")
    if not len(data.val_origins) or not len(data.fit.starts):
        part = "validation" if len(data.fit.starts) else "training"
        raise DataError(f"fit {index + 1}: no series has enough data in the {part} part before "
                        "its first origin (the series do not cover those rows); give a later "
                        "--start, a shorter --val-size, or backtest the series separately")


def refit_data(frame: Frame, grid: Grid, bt: BacktestSettings, refit: Refit) -> RefitData:
    """Scalers fitted on the fitting part only, and the fit, validation and test windows."""
    st = bt.train
    w, h, k = st.window, st.horizon, len(frame.spec.targets)
    scalers, val_o, test_o = [], [], []
    parts: dict[str, list] = {"fit": [], "early": [], "val": [], "test": []}
    for i, s in enumerate(frame.series):
        n, off = len(s.index), grid.offsets[i]
        lo, fhi, hi = (int(np.clip(p - off, 0, n)) for p in
                       (refit.train_lo, refit.fit_hi, refit.train_hi))
        fits = has_fit_rows(refit, off, n)
        part = slice(lo, fhi) if fits else slice(0, 2)
        scaler = Scaler().fit(s.values[part], s.observed[part])
        scaled = scaler.transform(carried(s.values, s.observed, frame.spec.fill))
        origins = refit.origins - off
        origins = origins[(origins >= w) & (origins + h <= n)] if fits else origins[:0]
        es = es_size(fhi - lo, h)
        # As in training (prepare.fold_data), no fit on a counter's reset: it had made the
        # forecast flat, the naive forecast's to the digit.
        resets = (reset_steps(s.values[:, :k], s.observed, lo, fhi) if st.norm == "diff"
                  else np.empty(0, dtype=np.int64))
        starts = {"fit": clear_of(window_starts(n, w, h, lo, lo, fhi - es), resets, w + h),
                  "early": clear_of(window_starts(n, w, h, lo, fhi - es, fhi), resets, w + h),
                  "val": window_starts(n, w, h, 0, fhi, hi), "test": origins - w}
        for name, st_ in starts.items():
            parts[name].append((scaled, s.observed, st_))
        scalers.append(scaler)
        val_o.append(np.stack([np.full(len(starts["val"]), i), starts["val"] + w], 1))
        test_o.append(np.stack([np.full(len(origins), i), origins], 1))
    sets = {name: assemble(p, k, w, h) for name, p in parts.items()}
    return RefitData(scalers, sets["fit"], sets["early"], sets["val"], sets["test"],
                     np.concatenate(val_o).astype(np.int64),
                     np.concatenate(test_o).astype(np.int64))


def actuals(frame: Frame, origins: np.ndarray, horizon: int) -> np.ndarray:
    """(origins, horizon, targets) of what happened after each origin; NaN where the gap
    policy filled the value in (nothing happened that anyone saw)."""
    k = len(frame.spec.targets)
    out = np.empty((len(origins), horizon, k))
    steps = np.arange(horizon)
    for i, s in enumerate(frame.series):
        rows = np.flatnonzero(origins[:, 0] == i)
        at = origins[rows, 1][:, None] + steps[None, :]
        out[rows] = np.where(s.observed[at, :k], s.values[at, :k], np.nan)
    return out


def _concat(outs: list[Forecasts]) -> Forecasts:
    names = list(outs[0].models)
    models = {n: tuple(np.concatenate([o.models[n][j] for o in outs]) for j in range(3))
              for n in names}
    return Forecasts(np.concatenate([o.origins for o in outs]),
                     np.concatenate([o.actual for o in outs]), models,
                     np.concatenate([o.refit for o in outs]),
                     np.concatenate([o.scale for o in outs]))
