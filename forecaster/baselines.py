"""Naive forecasts on the same origins as the models (NumPy only)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def season_length(freq: str) -> int:
    """Steps in the natural season of a frequency: a day for sub-daily data, a week for
    daily, a year for weekly or monthly data."""
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except ValueError:  # calendar offsets (months, quarters) have no fixed length
        return {"M": 12, "Q": 4}.get(freq.rstrip("SE")[:1].upper(), 1)
    if step < pd.Timedelta(days=1):
        return max(1, int(pd.Timedelta(days=1) / step))
    if step == pd.Timedelta(days=1):
        return 7
    return 52 if step == pd.Timedelta(weeks=1) else 1


def naive(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """Last value repeated: (origins, horizon, ...) from ``y[origin - 1]``."""
    return np.repeat(y[origins - 1][:, None], horizon, axis=1)


def seasonal_naive(y: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The value one season earlier (repeating the last observed season)."""
    h = np.arange(horizon)
    back = season * (h // season + 1)
    idx = np.clip(origins[:, None] + h[None, :] - back[None, :], 0, None)
    return y[idx]


def drift(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The line from the first to the last observed value, extended."""
    last = y[origins - 1]
    slope = (last - y[0]) / np.maximum(origins - 1, 1).reshape((-1,) + (1,) * (y.ndim - 1))
    h = np.arange(1, horizon + 1).reshape((1, -1) + (1,) * (y.ndim - 1))
    return last[:, None] + slope[:, None] * h
