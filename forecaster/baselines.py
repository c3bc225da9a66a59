"""Naive forecasts on the same origins as the models (NumPy only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecaster.data.month_days import to_step


def season_length(freq: str) -> int:
    """Steps in the natural season of a frequency: a day for sub-daily data, a week for
    daily (5 business days), a year for weekly or monthly data."""
    offset = to_step(freq)
    if isinstance(offset, pd.offsets.BusinessDay):
        return 5  # a trading week
    per_year = _calendar_steps_per_year(offset)
    if per_year is not None:
        return per_year if per_year > 1 else 1
    try:
        step = pd.Timedelta(offset)
    except ValueError:  # other calendar steps (business hours, week of month): no season
        return 1
    if step < pd.Timedelta(seconds=1):
        return 1  # step numbers (see data/timestamps.py) or kHz sampling: no daily season
    if step < pd.Timedelta(days=1):
        return max(1, int(pd.Timedelta(days=1) / step))
    if step == pd.Timedelta(days=1):
        return 7
    return 52 if step == pd.Timedelta(weeks=1) else 1


# Calendar offsets have no fixed length; their steps per year (anchored weeks such as
# W-SUN, business months, quarters of any anchor, years).
_PER_YEAR = ((pd.offsets.Week, 52), (pd.offsets.MonthBegin, 12), (pd.offsets.MonthEnd, 12),
             (pd.offsets.BusinessMonthBegin, 12), (pd.offsets.BusinessMonthEnd, 12),
             (pd.offsets.SemiMonthBegin, 24), (pd.offsets.SemiMonthEnd, 24),
             (pd.offsets.QuarterBegin, 4), (pd.offsets.QuarterEnd, 4),
             (pd.offsets.BQuarterBegin, 4), (pd.offsets.BQuarterEnd, 4),
             (pd.offsets.YearBegin, 1), (pd.offsets.YearEnd, 1),
             (pd.offsets.BYearBegin, 1), (pd.offsets.BYearEnd, 1))


def _calendar_steps_per_year(offset: pd.DateOffset) -> int | None:
    """Steps a year for a calendar offset (2 for 6 months), or None for a fixed step."""
    if type(offset) is pd.DateOffset and offset.kwds.get("months"):  # month days: MS-15
        n = offset.kwds["months"] * (abs(offset.n) or 1)
        return 12 // n if 12 % n == 0 else 1
    for kind, per_year in _PER_YEAR:
        if isinstance(offset, kind):
            n = abs(offset.n) or 1
            return per_year // n if per_year % n == 0 else 1
    return None


def naive(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """Last value repeated: (origins, horizon, ...) from ``y[origin - 1]``."""
    return np.repeat(y[origins - 1][:, None], horizon, axis=1)


def seasonal_naive(y: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The value one season earlier (repeating the last observed season); the last value
    where no season came before the origin."""
    h = np.arange(horizon)
    back = season * (h // season + 1)
    idx = origins[:, None] + h[None, :] - back[None, :]
    # Ten minutes of 1-second rows hold no day: clipped to the first row, the "seasonal
    # naive" repeated the file's first value (MAE 8.0 against naive's 0.33).
    return y[np.where(idx < 0, origins[:, None] - 1, idx)]


def drift(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The line from the first to the last observed value, extended."""
    last = y[origins - 1]
    slope = (last - y[0]) / np.maximum(origins - 1, 1).reshape((-1,) + (1,) * (y.ndim - 1))
    h = np.arange(1, horizon + 1).reshape((1, -1) + (1,) * (y.ndim - 1))
    return last[:, None] + slope[:, None] * h


def ets(y: np.ndarray, origins: np.ndarray, horizon: int, season: int, fit_lo: int = 0,
        fit_hi: int | None = None) -> np.ndarray:
    """Damped additive exponential smoothing fitted on ``y[fit_lo:fit_hi]`` only.

    Each channel (last axis of a 2-D ``y``) gets its own fit; forecasts at an origin use
    the rows before it, from the first row fitted on (at most ``MAX_FIT_STEPS`` before
    ``fit_hi``), with the fitted parameters fixed.

    Returns:
        (origins, horizon) or (origins, horizon, channels) forecasts, like ``naive``.
    """
    from forecaster.ets import MAX_FIT_STEPS, ets_forecast, fit_ets

    cols = y[:, None] if y.ndim == 1 else y
    # The filter starts where the fit did: started at the first row of 30,000 (15-minute
    # power demand), a state far from the fitted one took months to forget, and the
    # forecasts were 2.5 times worse than from the fit's own start.
    hi = len(cols) if fit_hi is None else fit_hi
    start = max(fit_lo, min(hi - MAX_FIT_STEPS, int(np.min(origins, initial=hi)) - 1))
    out = []
    for c in range(cols.shape[1]):
        params = fit_ets(cols[fit_lo:fit_hi, c], season)
        out.append(ets_forecast(cols[:, c], params, origins, horizon, lo=start))
    stacked = np.stack(out, axis=-1)
    return stacked[..., 0] if y.ndim == 1 else stacked
