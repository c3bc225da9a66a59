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

A level that wanders as a random walk's does (a price) has no range to learn at all: its
later rows leave the range of its training rows as a matter of course, whether or not the
training rows happen to show it. A share price trained on as levels raised a "high" event
lasting weeks on new rows above its old highs. Such a level is told by its changes: over a
random walk's longer spans they grow in proportion to the span, while a level that returns
to its usual range (a sensor, a season, a setpoint) changes as much over long spans as over
short ones.
"""

from __future__ import annotations

import warnings
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
# A wandering level: the mean square change of the level (averaged over a season) over spans
# of an eighth to a quarter of the rows, against spans of a 40th to a 20th, per unit of span
# (1 for a random walk, 0.2 for a level that returns within the short spans). Chosen on
# generated series, the first 70 % of files of 1,500 to 10,000 rows: random walks (hourly,
# business days) 91 to 92 % above 0.5; AR(1) with phi 0.9 and the stationary kinds of
# benchmarks/clean_series.py at most 0.38; setpoints held 2 to 12 hours at most 0.31; AR(1)
# with phi 0.99, a level 100 steps from returning, 25 % (RESULTS-trend.md, Session 22).
# (The NAB files and the sample sensor: at most 0.39.)
WANDER_RATIO = 0.5
WANDER_LAGS = 8  # spans averaged in each range: a season left in the level cancels


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
    trend = [trending(s.values[:n], s.observed[:n], season)  # every column, features too
             for s, n in zip(frame.series, rows, strict=True)]
    wander = [wandering(s.values[:n], s.observed[:n], season)
              for s, n in zip(frame.series, rows, strict=True)]
    found = [None if t is None else sorted(set(t) | set(w))
             for t, w in zip(trend, wander, strict=True)]
    votes = [any(j < k for j in f) for f in found if f is not None]  # the targets vote
    if not (votes and 2 * sum(votes) >= len(votes)):
        return replace(st, anomaly_norm="none", anomaly_norm_channels=None)
    # Only the columns that trend: one drifting thermocouple made all of SKAB's eight
    # channels shape-only, and a pump stuck at a level it never held scored as normal.
    cols = sorted({j for f in found if f for j in f})
    if report is not None:
        trends_in = {j for f in trend if f for j in f}
        _note(report, frame.columns, [j for j in cols if j in trends_in],
              [j for j in cols if j not in trends_in], len(cols) < len(frame.columns))
    return replace(st, anomaly_norm="revin", anomaly_norm_channels=cols)


def _note(report: Reporter, columns: list[str], trend: list[int], wander: list[int],
          others: bool) -> None:
    """Say which columns are compared by shape, and why: a trend, or a wandering level."""
    why = []
    if trend:
        why.append(f"{', '.join(columns[j] for j in trend)}: the level of the later training "
                   "rows lies outside the range of the earlier ones (a trend)")
    if wander:
        why.append(f"{', '.join(columns[j] for j in wander)}: the level wanders as a random "
                   "walk's does (a price), so new rows will leave the range training saw")
    rest = " (the other columns keep their levels)" if others else ""
    report.note(f"{'; '.join(why)}: the anomaly model compares the shape of their windows, "
                f"not the level{rest} (--anomaly-norm revin: every column; none: levels only)")


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


def wandering(values: np.ndarray, observed: np.ndarray, season: int = 1) -> list[int]:
    """The columns whose level, averaged over a season, wanders as a random walk's does:
    its changes over long spans grow with the span (``WANDER_RATIO``). A column with too
    few rows to tell (short spans under a season) does not. Filled-in values are left out."""
    return [j for j in range(values.shape[1])
            if _wanders(values[:, j], observed[:, j], max(season, 1))]


def _wanders(y: np.ndarray, observed: np.ndarray, season: int) -> bool:
    """Whether one column's seasonal level changes over long spans, per step of span, more
    than ``WANDER_RATIO`` times as much as over short ones."""
    level = pd.Series(np.where(observed, y, np.nan)).rolling(
        season, min_periods=max(1, season // 2)).mean().to_numpy()[season - 1:]
    m = len(level)
    if m // 40 < max(season, 2):  # short spans of under a season still hold its swing
        return False
    short, short_lag = _mean_square_change(level, m // 40, m // 20)
    far, far_lag = _mean_square_change(level, m // 8, m // 4)
    if not (np.isfinite(short) and np.isfinite(far) and short > 0):
        return False
    return bool(far / short / (far_lag / short_lag) > WANDER_RATIO)


def _mean_square_change(level: np.ndarray, lo: int, hi: int) -> tuple[float, float]:
    """The mean square change of ``level`` over spans from ``lo`` to ``hi`` steps (NaN
    skipped), and the mean span."""
    lags = np.unique(np.linspace(lo, hi, WANDER_LAGS).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a span with no two readings
        square = [np.nanmean((level[k:] - level[:-k]) ** 2) for k in lags]
    return float(np.nanmean(square)) if np.isfinite(square).any() else np.nan, float(lags.mean())
