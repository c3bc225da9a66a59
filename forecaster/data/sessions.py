"""Rows only in opening hours: intraday prices (a market's session), shop or office data.

On a regular grid, every night and weekend such a file leaves out becomes filled-in steps:
47 % of an Alpha Vantage 5-minute file was a straight line the model trained on and then
forecast (Friday 20:00 onward, the market closed), with nothing said but a count of values
filled. The grid cannot skip them; the note says what was made up, and the two ways round.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_FILLED = 0.2  # share of the grid filled in below which closed hours are not worth a note
MIN_DAYS = 14  # a fortnight shows which weekdays and hours a file never has


def closed_hours_note(name: str, index: pd.DatetimeIndex, present: np.ndarray) -> str | None:
    """A note where the filled-in steps of a sub-daily series fall on the same hours of
    every day or the same days of every week, the file never having rows there.

    Args:
        name: the file's name, for the note.
        index: the series' grid (UTC).
        present: (timesteps,) bool, whether the file has a row at each step.
    """
    if len(index) < 2 or index[1] - index[0] >= pd.Timedelta(days=1):
        return None
    if index[-1] - index[0] < pd.Timedelta(days=MIN_DAYS) or present.mean() > 1 - MIN_FILLED:
        return None
    days = [d for d in range(7) if not present[index.day_of_week == d].any()]
    open_days = ~np.isin(index.day_of_week, days)
    hours = [h for h in range(24) if not present[open_days & (index.hour == h)].any()]
    closed = [f"on {_and([DAY_NAMES[d] for d in days])}"] if days else []
    closed += [f"at {_hour_ranges(hours)} (UTC)"] if hours else []
    if not closed or len(hours) == 24:
        return None
    return (f"{name}: {1 - present.mean():.0%} of the grid is filled in where the file has "
            f"no rows, {', and '.join(closed)}: the model reads those made-up values as "
            "input and predict forecasts those hours too (opening or trading hours?); to "
            "model the rows alone, number them in a column 'step' (read as steps 0, 1, 2, "
            "...), or bin them to days with --resample D")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _hour_ranges(hours: list[int]) -> str:
    """Closed hours as ranges, across midnight too: [20, ..., 23, 0, ..., 3] is
    '20:00 to 03:59'."""
    runs: list[list[int]] = []
    for h in hours:
        if runs and h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 23:
        runs = [runs[-1] + runs[0], *runs[1:-1]]
    return ", ".join(f"{r[0]:02d}:00 to {r[-1]:02d}:59" for r in runs)
