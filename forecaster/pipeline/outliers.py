"""The train-time warning about one reading so far out that it sets a target's scale.

Every value is scaled by its series' training standard deviation. One broken reading of
1e6 in a series of 10 +- 3 makes that 22,000: the series then varies by 1e-4 in the
units the network sees, and its forecasts come out anywhere. Scaling stays as it is (a
real spike is data); the warning names the reading so a broken one can be marked.
"""

from __future__ import annotations

import numpy as np

from forecaster.data.loading import Frame
from forecaster.data.timestamps import column_label, time_text
from forecaster.report import Reporter

# A reading is named when it lies this many median absolute deviations from its column's
# median (far out in robust terms) and alone carries over 99.9% of the column's variance
# (its standard deviation is this many times that without it). The MAD bound alone was
# not enough: lognormal (sigma 2) samples and latency spikes of 300 over 1 +- 0.1 reach
# thousands of MADs, but their largest value is one of many large ones; with both bounds
# no warning came in 1,000 draws of lognormal (sigma 2) series of 200 to 10,000 values,
# and about 1 in 1,000 Student-t (2 degrees of freedom) ones warned.
FAR_MADS = 1000.0
SD_RATIO = 30.0


def warn_outliers(frame: Frame, report: Reporter) -> None:
    """Warn about each target whose training values hold one reading that sets its scale.

    Args:
        frame: the training data (targets are its first columns).
        report: where the warnings go.
    """
    for s in frame.series:
        for j, col in enumerate(frame.spec.targets):
            row = lone_outlier(s.values[:, j], s.observed[:, j])
            if row is None:
                continue
            where = f"series '{s.name}' " if s.name else ""
            median = np.median(s.values[s.observed[:, j], j])
            report.warn(
                f"{where}'{column_label(col)}' reads {s.values[row, j]:.7g} at "
                f"{time_text(s.index[row], s.index)}, far from all its other values "
                f"(median {median:.4g}): one reading like it sets the scale every value is "
                "measured in, and the forecasts lose the series' own variation; if it is "
                "a broken reading, mark it with --na-values or remove the row")


def lone_outlier(values: np.ndarray, observed: np.ndarray) -> int | None:
    """The row of the one observed value that sets the column's spread, if there is one.

    Args:
        values: (timesteps,) one column of a series.
        observed: (timesteps,) False where a value was filled in (not a reading).

    Returns:
        Its row in ``values``, or None.
    """
    rows = np.flatnonzero(observed)
    v = values[rows]
    if len(v) < 3:
        return None
    dev = np.abs(v - np.median(v))
    mad, i = float(np.median(dev)), int(np.argmax(dev))
    if not (mad > 0 and dev[i] > FAR_MADS * mad):
        return None
    return int(rows[i]) if v.std() > SD_RATIO * np.delete(v, i).std() else None
