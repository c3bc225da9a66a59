"""Turning scaled window forecasts back into raw values, and their baselines and intervals."""

from __future__ import annotations

import numpy as np

from forecaster.baselines import naive, seasonal_naive
from forecaster.data.loading import Frame
from forecaster.data.scaling import Scaler

# Quantile levels at which out-of-fold residuals are stored; any interval level
# between 1 % and 99 % is interpolated from them.
QUANTILE_GRID = np.round(np.linspace(0.005, 0.995, 199), 6)


def to_raw(pred: np.ndarray, origins: np.ndarray, scalers: list[Scaler], k: int) -> np.ndarray:
    """Undo each window's series scaling: (windows, horizon, targets) scaled -> raw."""
    scale = np.stack([np.asarray(scalers[s].scale[:k]) for s in origins[:, 0]])
    mean = np.stack([np.asarray(scalers[s].mean[:k]) for s in origins[:, 0]])
    return pred * scale[:, None, :] + mean[:, None, :]


def fold_truth(frame: Frame, origins: np.ndarray, horizon: int,
               season: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actuals, naive and seasonal-naive forecasts at the given (series, origin) pairs.

    Returns:
        Three (windows, horizon, targets) raw-scale arrays.
    """
    k = len(frame.spec.targets)
    out = [np.empty((len(origins), horizon, k)) for _ in range(3)]
    steps = np.arange(horizon)
    for i, s in enumerate(frame.series):
        rows = np.flatnonzero(origins[:, 0] == i)
        if not rows.size:
            continue
        y = s.values[:, :k].astype(np.float64)
        o = origins[rows, 1]
        out[0][rows] = y[o[:, None] + steps[None, :]]
        out[1][rows] = naive(y, o, horizon)
        out[2][rows] = seasonal_naive(y, o, horizon, season)
    return out[0], out[1], out[2]


def interval_quantiles(residuals: list[np.ndarray]) -> np.ndarray:
    """Quantiles of signed out-of-fold residuals: (levels, horizon, targets) float32."""
    r = np.concatenate(residuals)  # (windows, horizon, targets)
    return np.quantile(r, QUANTILE_GRID, axis=0).astype(np.float32)


def interval_offsets(quantiles: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper residual offsets (horizon, targets) for a central ``level`` in percent."""
    lo_q, hi_q = (1 - level / 100) / 2, (1 + level / 100) / 2
    flat = quantiles.reshape(len(QUANTILE_GRID), -1)
    lower = np.array([np.interp(lo_q, QUANTILE_GRID, flat[:, j]) for j in range(flat.shape[1])])
    upper = np.array([np.interp(hi_q, QUANTILE_GRID, flat[:, j]) for j in range(flat.shape[1])])
    return lower.reshape(quantiles.shape[1:]), upper.reshape(quantiles.shape[1:])
