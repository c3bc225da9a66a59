"""Prediction intervals, the tool's one method (train, predict and backtest).

Per-step quantiles of held-out residuals divided by v ** VOL_POWER, where v is the mean
absolute one-step change over the forecast's input window; bounds are the point forecast
plus those quantiles times the forecasting window's own v ** VOL_POWER. Chosen on ETTh1
validation data only among unscaled, fully scaled, square-root scaled, short-lookback and
conformal variants (benchmarks/interval_selection.py, benchmarks/RESULTS-ett.md).
"""

from __future__ import annotations

import warnings

import numpy as np

from forecaster.data.carry import carried
from forecaster.data.loading import Frame
from forecaster.data.scaling import Scaler, origin_params
from forecaster.metrics import QUANTILE_GRID
from forecaster.report import Reporter

VOL_POWER = 0.5
VOL_FLOOR = 0.01  # fraction of the series' scale below which v is not allowed to fall
# Fewer residual windows than this: quantiles from a symmetric sample, pooled over steps.
MIN_INTERVAL_WINDOWS = 20


def mean_abs_change(inputs: np.ndarray, floor: np.ndarray | float) -> np.ndarray:
    """(windows, 1, targets) mean absolute one-step change over each input window.

    Args:
        inputs: (windows, window, targets) input values.
        floor: lowest value allowed (per target), so a flat window keeps a usable interval.
    """
    vol = np.abs(np.diff(inputs.astype(np.float64), axis=1)).mean(axis=1, keepdims=True)
    return np.maximum(vol, floor)


def window_volatility(frame: Frame, origins: np.ndarray, window: int,
                      scalers: list[Scaler], scaled: bool = False) -> np.ndarray:
    """(origins, 1, targets) volatility of each origin's input window (raw or scaled units).

    The same figure as ``mean_abs_change`` of each input window, from running sums of
    the one-step changes: no (origins, window) copy, which took gigabytes on long files.
    Floored at ``VOL_FLOOR`` of the series' scale.
    """
    k = len(frame.spec.targets)
    out = np.empty((len(origins), 1, k))
    for i, s in enumerate(frame.series):
        rows = np.flatnonzero(origins[:, 0] == i)
        if not rows.size:
            continue
        scale = np.asarray(scalers[i].scale_[:k], dtype=np.float64)
        x = carried(s.values, s.observed, frame.spec.fill)[:, :k].astype(np.float64)
        change = np.abs(np.diff(x, axis=0))  # (steps-1, targets)
        total = np.concatenate([np.zeros((1, k)), np.cumsum(change, axis=0)])
        end = origins[rows, 1]  # the window holds values [end - window, end)
        vol = (total[end - 1] - total[end - window]) / (window - 1)  # (rows, targets)
        if scaled:
            vol = vol / scale
        out[rows, 0] = np.maximum(vol, VOL_FLOOR * (1.0 if scaled else scale))
    return out


def warn_unvalidated(residuals: list[np.ndarray], targets: list[str],
                     report: Reporter) -> None:
    """Say which targets no fold validated (too few readings before each fold's end, or
    none in its block): their forecasts carry no interval."""
    seen = np.isfinite(np.concatenate(residuals)).any(axis=(0, 1))
    unseen = [t for t, ok in zip(targets, seen, strict=True) if not ok]
    if unseen:
        report.warn(f"no fold validated {', '.join(map(repr, unseen))} (too few readings "
                    "before each fold's end, or none in its block): its forecasts carry no "
                    "prediction interval; give more history or fewer --folds")


def interval_quantiles(residuals: list[np.ndarray],
                       volatility: list[np.ndarray] | None = None,
                       power: float = VOL_POWER) -> np.ndarray:
    """Quantiles of signed out-of-fold residuals: (levels, horizon, targets) float32.

    With ``volatility`` (per part, (windows, 1, targets)), of residuals / volatility ** power.
    """
    r = np.concatenate(residuals)  # (windows, horizon, targets)
    if volatility is not None:
        r = r / np.concatenate(volatility) ** power
    if len(r) >= MIN_INTERVAL_WINDOWS:
        return _quantiles(r)
    # Too few windows to place the tails: with one window every quantile is the same
    # residual and the band collapses to a line beside the forecast. Their mirror images
    # make a symmetric band, and each step borrows the errors of all steps: a step whose
    # one or two residuals happened to be small is no surer than its neighbours.
    r = np.concatenate([r, -r])
    own, pooled = _quantiles(r), _quantiles(r.reshape(-1, 1, r.shape[2]))
    below = (QUANTILE_GRID < 0.5)[:, None, None]
    return np.where(below, np.fmin(own, pooled), np.fmax(own, pooled)).astype(np.float32)


def _quantiles(r: np.ndarray) -> np.ndarray:
    # NaN residuals are those of filled-in actuals (see fold_truth, actuals): left out. A
    # target never observed in any validation block keeps NaN quantiles: no interval (empty
    # bounds) and no forecast-residual score, rather than a zero-width band.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN columns
        return np.nanquantile(r, QUANTILE_GRID, axis=0).astype(np.float32)


def interval_bounds(point: np.ndarray, quantiles: np.ndarray, level: float,
                    volatility: np.ndarray | None = None,
                    power: float = VOL_POWER) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds around ``point`` (windows, horizon, targets).

    ``volatility`` (windows, 1, targets) is that of each forecast's input window, in the
    units the quantiles were taken in; without it the offsets are used as they are.
    """
    lo, hi = interval_offsets(quantiles, level)
    s = 1.0 if volatility is None else volatility ** power
    return point + lo * s, point + hi * s


def interval_offsets(quantiles: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper residual offsets (horizon, targets) for a central ``level`` in percent.

    The band always holds the point forecast: when the held-out residuals of a step all
    lie on one side (a model that under-forecasts a meter, a near-constant series), their
    quantiles alone would put both bounds on that side, and a forecast outside its own
    interval reads as a bug. Widening to the point costs coverage nothing.
    """
    lo_q, hi_q = (1 - level / 100) / 2, (1 + level / 100) / 2
    flat = quantiles.reshape(len(QUANTILE_GRID), -1)
    lower = np.array([np.interp(lo_q, QUANTILE_GRID, flat[:, j]) for j in range(flat.shape[1])])
    upper = np.array([np.interp(hi_q, QUANTILE_GRID, flat[:, j]) for j in range(flat.shape[1])])
    # minimum/maximum keep a NaN offset (no held-out residuals: no interval) NaN.
    lower, upper = np.minimum(lower, 0.0), np.maximum(upper, 0.0)
    return lower.reshape(quantiles.shape[1:]), upper.reshape(quantiles.shape[1:])


class Units:
    """Each origin's series scale and input-window volatility (in that scale), (origins, 1,
    targets) both: the units residuals are pooled in across series, as at training."""

    def __init__(self, frame: Frame, origins: np.ndarray, window: int,
                 scalers: list[Scaler]) -> None:
        k = len(frame.spec.targets)
        self.scale = origin_params(scalers, origins[:, 0], k)[0].reshape(-1, 1, k)
        self.volatility = window_volatility(frame, origins, window, scalers, scaled=True)


def validated_bounds(val_point: np.ndarray, test_point: np.ndarray, val_truth: np.ndarray,
                 val: Units, test: Units, level: float) -> tuple[np.ndarray, ...]:
    """Interval bounds from the quantiles of validation residuals, per step, each divided
    by its series' scale and its window's volatility ** power. Raw residuals pooled
    across series of 10 and of 1,000 gave the small one a band 25 times its error."""
    q = interval_quantiles([(val_truth - val_point) / val.scale], [val.volatility])
    lo, hi = interval_bounds(np.zeros_like(test_point), q, level, test.volatility)
    return test_point, test_point + lo * test.scale, test_point + hi * test.scale
