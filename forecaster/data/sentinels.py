"""Values that mark a missing reading: ``--na-values``, and a note where one is likely.

Loggers and statistics offices write a number where a reading is missing: UCI's Air
Quality file -200, NOAA's -9999, many sensors 9999. Read as data, the marker trains the
model on a level the series never had and sets the anomaly threshold above every real fault.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_REPEATS = 3  # a value seen fewer times is an outlier, not a marker
GAP_SHARE = 2.0  # the marker stands apart from the other values by this share of their range
MIN_DISTINCT = 10  # the other values are a measurement, not a few levels (a switch, a count)


def marker_cells(text: pd.Series, values: pd.Series, markers: list[str]) -> pd.Series:
    """Cells that hold one of ``markers``: as written, or as the same number (-200.0)."""
    hit = text.isin(markers)
    numbers = pd.to_numeric(pd.Series(markers), errors="coerce").dropna()
    if len(numbers):
        hit |= values.isin(numbers.to_numpy())
    return hit


def likely_marker(values: np.ndarray) -> tuple[float, int] | None:
    """The value that looks like a missing-value marker, with its count, or None: the
    lowest or highest value, seen at least ``MIN_REPEATS`` times, set apart from all the
    others (at least ``MIN_DISTINCT`` of them) by more than ``GAP_SHARE`` times their range
    (-200 below temperatures of -2 to 45)."""
    v = values[np.isfinite(values)]
    if v.size < 10:
        return None
    for end in (v.min(), v.max()):
        rest = v[v != end]
        count = int((v == end).sum())
        if count < MIN_REPEATS or np.unique(rest).size < MIN_DISTINCT:
            continue
        spread = float(rest.max() - rest.min())
        gap = float(rest.min() - end if end < rest.min() else end - rest.max())
        if spread > 0 and gap > GAP_SHARE * spread:
            return float(end), count
    return None


def marker_notes(file: str, data: pd.DataFrame) -> list[str]:
    """A note for each column of ``data`` (the targets and features, as read) naming a
    likely missing-value marker."""
    notes = []
    for column in data:
        found = likely_marker(data[column].to_numpy(dtype=np.float64))
        if found is not None:
            shown = f"{found[0]:g}"
            notes.append(f"{file}: column '{column}': {shown} appears in {found[1]} rows, far "
                         "from every other value; if it marks missing readings, train with "
                         f"--na-values {shown} (they are then filled by --fill and never "
                         "scored)")
    return notes
