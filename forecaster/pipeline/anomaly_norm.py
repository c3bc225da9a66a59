"""``--anomaly-norm auto``: compare windows by their shape on series that trend.

A reconstructor trained on levels (``none``) meets, in every later validation block of a
trending series (airline passengers, sales growing fourfold), levels it never saw: the
out-of-fold errors grow with the trend, the threshold with them, and a doubled value scores
as normal. Normalising each window (``revin``) removes the level and keeps the shape. On
series without a trend the level itself is evidence (a sensor stuck high, a shifted
baseline), so ``none`` stays. The choice looks only at the rows before the first
calibration block, which no out-of-fold score is computed on.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from forecaster.config import TrainSettings
from forecaster.data.loading import Frame
from forecaster.report import Reporter

# A trend, not noise: most of the last fifth lies outside the range of the first half.
# (The NAB files and the sample sensor: at most 0.11; AirPassengers and shampoo: 1.0.)
DRIFT_SHARE = 0.5
MIN_ROWS = 20  # too few rows tell no trend


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
    found = [trending(s.values[:n], s.observed[:n])  # every value column, features too
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
        report.note(f"{', '.join(frame.columns[j] for j in cols)}: most of the later training "
                    "rows lie outside the range of the earlier ones (a trend): the anomaly "
                    f"model compares the shape of their windows, not the level{others} "
                    "(--anomaly-norm revin: every column; none: levels only)")
    return replace(st, anomaly_norm="revin", anomaly_norm_channels=cols)


def trends(values: np.ndarray, observed: np.ndarray) -> bool | None:
    """Whether any column's last fifth lies mostly outside its first half's range; None
    for too few rows. Filled-in values are left out."""
    found = trending(values, observed)
    return None if found is None else bool(found)


def trending(values: np.ndarray, observed: np.ndarray) -> list[int] | None:
    """The columns whose last fifth lies mostly outside their first half's range; None
    for too few rows. Filled-in values are left out."""
    n = len(values)
    if n < MIN_ROWS:
        return None
    head, tail = slice(0, n // 2), slice(n - n // 5, n)
    found = []
    for j in range(values.shape[1]):
        h = values[head, j][observed[head, j]]
        t = values[tail, j][observed[tail, j]]
        if len(h) and len(t) and np.mean((t > h.max()) | (t < h.min())) > DRIFT_SHARE:
            found.append(j)
    return found
