"""The naive baselines every backtest compares the network with, forecast from the same
origins: last value, seasonal naive, drift, exponential smoothing (fitted on the refit's
training rows only) and, for sub-daily data, the same hour a week before."""

from __future__ import annotations

import numpy as np

from forecaster.baselines import drift, ets, naive, seasonal_naive
from forecaster.data.carry import carried
from forecaster.data.loading import Frame
from forecaster.pipeline.backtest_plan import Refit
from forecaster.pipeline.prepare import Grid

BASELINES = ("naive", "seasonal naive", "drift", "ETS")
WEEKLY = "weekly naive"  # sub-daily data only: the same hour a week before


def baseline_points(frame: Frame, grid: Grid, refit: Refit,
                    origins: tuple[np.ndarray, np.ndarray], horizon: int, season: int,
                    week: int | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Validation and test forecasts of every baseline, per series, on the raw scale.

    Args:
        frame: the data.
        grid: the union grid (each series' offset on it).
        refit: the refit whose rows fit the exponential-smoothing baseline (those before
            its validation part for the validation forecasts).
        origins: the validation and test origins, (origins, 2) arrays of (series, row).
        horizon: steps forecast from each origin.
        season: the seasonal naive's and ETS's season length.
        week: with it, also the weekly seasonal naive (sub-daily data).

    Returns:
        {baseline: (validation, test)}, each (origins, horizon, targets).
    """
    k = len(frame.spec.targets)
    out = {name: [np.empty((len(o), horizon, k)) for o in origins]
           for name in BASELINES + ((WEEKLY,) if week else ())}
    for i, s in enumerate(frame.series):
        y = carried(s.values, s.observed, frame.spec.fill)[:, :k].astype(np.float64)
        n, off = len(y), grid.offsets[i]
        lo, fhi, hi = (int(np.clip(p - off, 0, n))
                       for p in (refit.train_lo, refit.fit_hi, refit.train_hi))
        for j, part in enumerate(origins):
            rows = np.flatnonzero(part[:, 0] == i)
            if not rows.size:
                continue
            o = part[rows, 1]
            out["naive"][j][rows] = naive(y, o, horizon)
            out["seasonal naive"][j][rows] = seasonal_naive(y, o, horizon, season)
            if week:
                out[WEEKLY][j][rows] = seasonal_naive(y, o, horizon, week)
            out["drift"][j][rows] = drift(y, o, horizon)
            # Fitted before the validation rows for the validation forecasts, whose errors
            # set its band: fitted on them, its band was too narrow (83-88% at 90%).
            # A series starting late may have no fitting rows: then the whole refit's.
            own = j == 0 and fhi - lo >= 2
            out["ETS"][j][rows] = ets(y, o, horizon, season, fit_lo=lo,
                                      fit_hi=fhi if own else hi)
    return {name: (v[0], v[1]) for name, v in out.items()}
