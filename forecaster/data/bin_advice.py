"""The --resample step that advice names, found by binning the rows as --resample would.

Advice worked out from the grid's step alone (5 minutes for rows some 10 minutes apart,
a day for a tag logged hourly beside one every quarter hour) was refused when followed,
or gave a model of 20 daily steps where an hourly one fitted. Here each standard step is
tried on every series, by the density check that --resample then applies, and the
finest that passes is named.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecaster.data.timestamps import is_steps

# The steps advice names, finest first. Hours that divide a day sit between h and D: rows
# every 2 hours beside hourly ones were advised --resample D, twelve times coarser.
STEPS = ("1s", "5s", "10s", "15s", "30s", "1min", "5min", "10min", "15min", "30min", "h",
         "2h", "3h", "6h", "12h", "D", "W", "MS")
# The bins advice names for rows indexed by step numbers (2, 5, 10, 20, ... steps), as
# --resample reads a bare number: time units mean nothing there.
STEP_COUNTS = tuple(f"{n * m}ns" for m in (1, 10, 100, 1000, 10_000) for n in (2, 5, 10))
# Bins tried per row, at most: a step finer than that leaves the grid mostly empty.
_MOST_BINS = 100
# Empty bins an advised step may leave, at most: the anomaly model calibrates only on
# windows at most a quarter filled in (``anomaly.scores.MAX_FILLED_SHARE``), so bins that
# just pass the density check (half empty) were refused there instead.
MOST_EMPTY = 0.25
# A series with fewer rows than this share of the longest one's is too short to set the
# step for the others: advice names it instead.
SHORT = 0.1
# The least length of the calendar steps, which have none fixed.
_CALENDAR = {"W": pd.Timedelta(days=7), "MS": pd.Timedelta(days=28)}


def filled_enough(pos: np.ndarray, size: int, explicit: bool) -> bool:
    """The density check's criterion: a grid at least half full with two rows one step
    apart, or (for a step that was given) rows mostly one step apart.

    Args:
        pos: the sorted grid positions that hold a row.
        size: the grid's number of steps.
        explicit: whether the step was given (--freq, --resample): gaps are outages.
    """
    gaps = np.diff(pos)
    if len(pos) < 3 or (size - len(pos) <= len(pos) and (gaps == 1).any()):
        return True
    return bool(explicit and np.median(gaps) == 1)


def fitting_bin(every: Sequence[pd.DatetimeIndex],
                above: pd.Timedelta | None = None) -> str | None:
    """The finest step of ``STEPS``, longer than ``above``, whose --resample bins pass the
    density check for every series, each keeping three bins at least and at most
    ``MOST_EMPTY`` of them empty (the anomaly model's limit on filled-in values).

    Args:
        every: each series' sorted times.
        above: the step the advice must be coarser than (the grid's), or None.

    Returns:
        The alias, or None where none fits (or the times are out of pandas' range).
    """
    # Naive times (a caller's own) are read as the UTC the loader gives.
    steps = bool(every) and all(is_steps(t if t.tz else t.tz_localize("UTC")) for t in every)
    for alias in STEP_COUNTS if steps else STEPS:
        length = _CALENDAR.get(alias) or pd.Timedelta(pd.tseries.frequencies.to_offset(alias))
        if above is not None and length <= above:
            continue
        if all(_bins_fit(times, alias, length) for times in every):
            return alias
    return None


def is_short(times: pd.DatetimeIndex, every: Sequence[pd.DatetimeIndex]) -> bool:
    """Whether one series among several has too few rows to set the step for the others
    (a tag of 5 rows beside tags of 2000): advice names it, rather than a step so coarse
    that its rows fill it."""
    return len(every) > 1 and len(times) < SHORT * max(len(t) for t in every)


def _bins_fit(times: pd.DatetimeIndex, alias: str, length: pd.Timedelta) -> bool:
    if len(times) < 3 or (times[-1] - times[0]) / length > _MOST_BINS * len(times):
        return False
    try:
        pos, size = _binned(times, alias, length)
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return False
    return (len(pos) >= 3 and filled_enough(pos, size, explicit=True)
            and size - len(pos) <= MOST_EMPTY * size)


def _binned(times: pd.DatetimeIndex, alias: str, length: pd.Timedelta) -> tuple[np.ndarray,
                                                                                 int]:
    # The bins that hold a row and the bins from the first to the last, as --resample
    # makes them: steps of fixed length from midnight (which each of these divides).
    if alias in _CALENDAR:
        sizes = pd.Series(1, index=times).resample(alias, label="left", closed="left").size()
        return np.flatnonzero(sizes.to_numpy() > 0), len(sizes)
    codes = np.unique(times.as_unit("ns").asi8 // length.value)
    return codes - codes[0], int(codes[-1] - codes[0]) + 1
