"""Turning scaled window forecasts back into raw values, their baselines and counters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forecaster.baselines import naive, seasonal_naive
from forecaster.data.carry import carried
from forecaster.data.loading import Frame
from forecaster.data.scaling import Scaler, origin_params
from forecaster.metrics import NEGLIGIBLE

ZERO_SHARE = 0.01  # share of zeros that makes a non-negative target a count (no forecast < 0)
MIN_COUNTER_ROWS = 20  # fewer changes say little about a series only rising
COUNTER_SLACK = 0.01  # share of a counter's changes that may go the other way
MAX_HOLD_REVERSALS = 2  # changes the other way a counter held at its last reading may have


def to_raw(pred: np.ndarray, origins: np.ndarray, scalers: list[Scaler], k: int) -> np.ndarray:
    """Undo each window's series scaling: (windows, horizon, targets) scaled -> raw."""
    scale, mean = origin_params(scalers, origins[:, 0], k)  # (windows, targets)
    return pred * scale[:, None, :] + mean[:, None, :]


def nonnegative(frame: Frame, offsets: np.ndarray, lo: int, hi: int,
                setting: bool | None) -> np.ndarray:
    """Which targets are never forecast below zero: (targets,) bool.

    Args:
        frame: the data.
        offsets: each series' first position on the union grid.
        lo, hi: the training rows (grid positions) the decision may look at.
        setting: --nonnegative (True), --allow-negative (False), or None: a target that is
            never negative and exactly 0 in at least ``ZERO_SHARE`` of those rows (counts,
            sales, rainfall), where a forecast below zero is impossible, not merely rare.
            Bins counted by ``--aggregate count`` are counts by construction, zeros or not.
    """
    k = len(frame.spec.targets)
    if setting is not None:
        return np.full(k, bool(setting))
    if frame.spec.aggregate == "count":
        return np.full(k, True)
    v = training_values(frame, offsets, lo, hi)
    seen = np.maximum((~np.isnan(v)).sum(axis=0), 1)
    return ~(v < 0).any(axis=0) & ((v == 0).sum(axis=0) >= ZERO_SHARE * seen)


def training_values(frame: Frame, offsets: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The targets' observed values in grid rows [lo, hi) of every series, NaN where filled
    in: (rows, targets), series after series."""
    parts = _series_values(frame, offsets, lo, hi)
    return np.concatenate(parts) if parts else np.empty((0, len(frame.spec.targets)))


def _series_values(frame: Frame, offsets: np.ndarray, lo: int, hi: int) -> list[np.ndarray]:
    # Per series: its targets' values in grid rows [lo, hi), NaN where filled in.
    k, out = len(frame.spec.targets), []
    for s, off in zip(frame.series, offsets, strict=True):
        a, b = (int(np.clip(p - off, 0, len(s.index))) for p in (lo, hi))
        out.append(np.where(s.observed[a:b, :k], s.values[a:b, :k], np.nan))
    return out


def mase_scales(frame: Frame, offsets: np.ndarray, lo: int, hi: int,
                season: int) -> np.ndarray:
    """MASE's scale of each series and target: the mean absolute change over one season
    (one step where the rows hold no more than a season) among observed values in the
    training rows [lo, hi). (series, targets); NaN where no pair was observed.

    Hyndman and Koehler's scale needs one pair a season apart; two seasons were asked, and
    240 rows of season 144 were scaled by the one-step change, 8 times smaller: every
    MASE of that backtest 8 times too large, under a title saying seasonal naive.
    """
    out = []
    for v in _series_values(frame, offsets, lo, hi):
        scale = _mean_change(v, season if len(v) > season else 1)
        # No pair a season apart observed (filled in): the one-step change, as with fewer rows.
        scale = np.where(np.isnan(scale), _mean_change(v, 1), scale)
        # A constant part (or one whose changes are negligible against its own level) has
        # no scale. Judged against all series' actuals at once, a series near 0.002 beside
        # one near 1e7 fell out of the overall MASE while its own MASE kept it.
        seen = ~np.isnan(v)
        level = np.abs(np.where(seen, v, 0.0)).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
        out.append(np.where(scale > NEGLIGIBLE * level, scale, np.nan))
    return np.stack(out)


def _mean_change(v: np.ndarray, m: int) -> np.ndarray:
    """Mean absolute change over ``m`` steps among observed values, per column (NaN where
    no pair was observed)."""
    change = np.abs(v[m:] - v[:-m]) if len(v) > m else np.full((1, v.shape[1]), np.nan)
    seen = ~np.isnan(change)
    total = np.where(seen, change, 0.0).sum(axis=0)
    return np.where(seen.any(axis=0), total / np.maximum(seen.sum(axis=0), 1), np.nan)


def is_counter(frame: Frame, offsets: Sequence[int], lo: int, hi: int) -> bool:
    """Whether every target of every series rises (or falls) at nearly every change over
    rows [lo, hi): a meter reading, an odometer, a cumulative count.

    Up to ``COUNTER_SLACK`` of the changes may go the other way: a data correction or a
    meter swapped for a new one must not turn a counter into a level to forecast.
    """
    return all(_direction(column) != 0 for v in _series_values(frame, offsets, lo, hi)
               for column in v.T)


def counter_directions(frame: Frame, offsets: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Which forecasts ``hold_counters`` keeps on one side of the last reading: (series,
    targets) of +1 (the series' target rose over rows [lo, hi)), -1 (fell) or 0.

    Per series: a site's meter is held beside another site's temperature. Stricter than
    ``is_counter``: at most ``MAX_HOLD_REVERSALS`` changes the other way. A meter swapped
    once qualifies; a counter that resets every day does not (holding it would forbid
    forecasting the reset).
    """
    return np.array([[_direction(column, MAX_HOLD_REVERSALS) for column in v.T]
                     for v in _series_values(frame, offsets, lo, hi)], dtype=int).reshape(
        len(frame.series), len(frame.spec.targets))


def _direction(column: np.ndarray, most_reversals: int | None = None) -> int:
    """+1 for a rising counter, -1 for a falling one, else 0 (see ``is_counter``)."""
    step = np.diff(column[~np.isnan(column)])
    up, down = int((step > 0).sum()), int((step < 0).sum())
    allowed = COUNTER_SLACK * (up + down)
    if most_reversals is not None:
        allowed = min(allowed, most_reversals)
    if up + down < MIN_COUNTER_ROWS:
        return 0
    if down <= allowed:
        return 1
    return -1 if up <= allowed else 0


def hold_counters(values: np.ndarray, last: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Forecasts of counters kept on their side of the last reading, and monotone.

    A meter never reads below its last value: a rising target's forecasts (windows,
    horizon, targets) are raised to at least ``last`` (windows, 1, targets) and to every
    earlier step's; a falling one's mirrored. ``directions`` (windows, targets) holds
    +1, -1 or 0 (left as it is) per window and target.
    """
    if not directions.any():
        return values
    out = values.copy()
    for j in np.flatnonzero(directions.any(axis=0)):
        sign = directions[:, j].astype(np.float64)[:, None]  # work on rising values
        held = sign * np.maximum.accumulate(np.maximum(sign * out[..., j], sign * last[..., j]),
                                            axis=-1)
        out[..., j] = np.where(sign != 0, held, out[..., j])
    return out


def settle_points(frame: Frame, raw: np.ndarray, origins: np.ndarray, floor: np.ndarray,
                  held: np.ndarray) -> np.ndarray:
    """Raw forecasts (windows, horizon, targets) made possible: counts floored at zero
    (``floor``), counters held at each origin's last reading (``held``, (series, targets),
    see ``hold_counters``)."""
    raw = floor_at_zero(raw, floor)
    if not held.any():
        return raw
    k = raw.shape[-1]
    inputs = [carried(s.values, s.observed, frame.spec.fill) for s in frame.series]
    last = np.stack([inputs[i][o - 1, :k] for i, o in origins])  # (windows, targets)
    return hold_counters(raw, last[:, None, :], held[origins[:, 0]])


def floor_at_zero(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``values`` (..., targets) with the chosen targets raised to at least zero."""
    return np.where(targets, np.maximum(values, 0.0), values) if targets.any() else values


def fold_truth(frame: Frame, origins: np.ndarray, horizon: int,
               season: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actuals, naive and seasonal-naive forecasts at the given (series, origin) pairs.

    Returns:
        Three (windows, horizon, targets) raw-scale arrays; actuals filled in by the gap
        policy are NaN: a model is not scored (or calibrated) on values nobody observed.
    """
    k = len(frame.spec.targets)
    out = [np.empty((len(origins), horizon, k)) for _ in range(3)]
    steps = np.arange(horizon)
    for i, s in enumerate(frame.series):
        rows = np.flatnonzero(origins[:, 0] == i)
        if not rows.size:
            continue
        y = carried(s.values, s.observed, frame.spec.fill)[:, :k].astype(np.float64)
        o = origins[rows, 1]
        at = o[:, None] + steps[None, :]
        out[0][rows] = np.where(s.observed[at, :k], y[at], np.nan)
        out[1][rows] = naive(y, o, horizon)
        out[2][rows] = seasonal_naive(y, o, horizon, season)
    return out[0], out[1], out[2]
