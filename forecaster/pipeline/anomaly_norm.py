"""``--anomaly-norm auto``: compare windows by their shape on series that trend.

A reconstructor trained on levels (``none``) meets, in every later validation block of a
trending series (airline passengers, sales growing fourfold), levels it never saw: the
out-of-fold errors grow with the trend, the threshold with them, and a doubled value scores
as normal. Normalising each window (``revin``) removes the level and keeps the shape. On
series without a trend the level itself is evidence (a sensor stuck high, a shifted
baseline), so ``none`` stays. The choice looks only at the rows before the first
calibration block, which no out-of-fold score is computed on.

A slow trend under a strong season (store sales growing 40 % a year beside a weekly swing of
as much) keeps the raw values of both ends in one range, yet every fold model meets levels it
never saw: the floor rose fourfold and halved days went unflagged. So the level is also
compared averaged over a season, where the swing cancels.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from forecaster.baselines import season_length
from forecaster.config import TrainSettings
from forecaster.data.loading import Frame
from forecaster.report import Reporter

# A trend, not noise: most of the last fifth lies outside the range of the first half.
# (The NAB files and the sample sensor: at most 0.11; AirPassengers and shampoo: 1.0.)
DRIFT_SHARE = 0.5
MIN_ROWS = 20  # too few rows tell no trend
# The level averaged over a season: nearly all of the last fifth outside the first half's
# range, and moved by half a robust sd of the first half's values or more (the NAB files, the
# sample sensor: at most 0.49 of the fifth outside, or under 0.4 sd where more; sales
# growing 40 % a year under a weekly swing: all of it, 1 sd).
LEVEL_SHARE = 0.9
LEVEL_SHIFT = 0.5
MIN_SEASONS = 5  # fewer seasons average out no swing


def settle_norm(st: TrainSettings, frame: Frame, rows: list[int],
                report: Reporter | None = None) -> TrainSettings:
    """``st`` with ``anomaly_norm`` settled: "revin" when at least half of the series trend,
    for the columns that trend (``anomaly_norm_channels``); the others keep their level.

    Args:
        st: the settings; only ``anomaly_norm == "auto"`` is changed.
        frame: the training data.
        rows: per series, how many of its first rows the choice may look at.
        report: where the note on a trend goes.
    """
    if st.anomaly_norm != "auto":
        return st
    k = len(frame.spec.targets)
    season = season_length(frame.freq)
    found = [trending(s.values[:n], s.observed[:n], season)  # every column, features too
             for s, n in zip(frame.series, rows, strict=True)]
    votes = [any(j < k for j in f) for f in found if f is not None]  # the targets vote
    if not (votes and 2 * sum(votes) >= len(votes)):
        return replace(st, anomaly_norm="none", anomaly_norm_channels=None)
    # Only the columns that trend: one drifting thermocouple made all of SKAB's eight
    # channels shape-only, and a pump stuck at a level it never held scored as normal.
    cols = sorted({j for f in found if f for j in f})
    if report is not None:
        others = " (the other columns keep their levels)" if len(cols) < len(frame.columns) \
            else ""
        report.note(f"{', '.join(frame.columns[j] for j in cols)}: the level of the later "
                    "training rows lies outside the range of the earlier ones (a trend): the "
                    f"anomaly model compares the shape of their windows, not the level{others} "
                    "(--anomaly-norm revin: every column; none: levels only)")
    return replace(st, anomaly_norm="revin", anomaly_norm_channels=cols)


def trends(values: np.ndarray, observed: np.ndarray) -> bool | None:
    """Whether any column's last fifth lies mostly outside its first half's range; None
    for too few rows. Filled-in values are left out."""
    found = trending(values, observed)
    return None if found is None else bool(found)


def trending(values: np.ndarray, observed: np.ndarray, season: int = 1) -> list[int] | None:
    """The columns whose last fifth lies mostly outside their first half's range, as read
    or (given a season) averaged over one; None for too few rows. Filled-in values are
    left out."""
    n = len(values)
    if n < MIN_ROWS:
        return None
    head, tail = slice(0, n // 2), slice(n - n // 5, n)
    found = []
    for j in range(values.shape[1]):
        h = values[head, j][observed[head, j]]
        t = values[tail, j][observed[tail, j]]
        raw = len(h) and len(t) and np.mean((t > h.max()) | (t < h.min())) > DRIFT_SHARE
        if raw or (season > 1 and n >= MIN_SEASONS * season
                   and _level_moves(values[:, j], observed[:, j], season)):
            found.append(j)
    return found


def _level_moves(y: np.ndarray, observed: np.ndarray, season: int) -> bool:
    """Whether the level averaged over a season leaves the first half's range in the last
    fifth, by half a robust sd of the first half's values or more."""
    n = len(y)
    level = pd.Series(np.where(observed, y, np.nan)).rolling(
        season, min_periods=max(1, season // 2)).mean().to_numpy(copy=True)
    level[:season - 1] = np.nan  # part of a season: the swing not averaged out
    h, t = level[:n // 2], level[n - n // 5:]
    h, t = h[np.isfinite(h)], t[np.isfinite(t)]
    raw = y[:n // 2][observed[:n // 2]]
    if not (len(h) and len(t) and len(raw)):
        return False
    q1, q3 = np.percentile(raw, [25, 75])
    spread = (q3 - q1) / 1.349
    outside = np.mean((t > h.max()) | (t < h.min()))
    return bool(outside > LEVEL_SHARE and spread > 0
                and abs(np.median(t) - np.median(h)) > LEVEL_SHIFT * spread)
