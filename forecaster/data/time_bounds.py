"""The years a timestamp can be read in: from 1000 (earlier ones are misread dates) and
within 1677 to 2262, the span of pandas' nanosecond timestamps that the grid, the folds and
the windows all use.

A file's time column is checked here as it is parsed, before anything else uses it: a
``9999-12-31`` placeholder from a database or a typo year (3024) parsed (in microseconds)
and then failed deep in the pipeline as an internal error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.row_lines import RowLines, line_of
from forecaster.errors import DataError

MIN_YEAR = 1000  # earlier parsed years are misread dates
FIRST = pd.Timestamp.min.tz_localize("UTC")  # 1677-09-21
LAST = pd.Timestamp.max.tz_localize("UTC")  # 2262-04-11
SPAN = f"the years {FIRST.year} to {LAST.year} that can be read"


def check_years(times: pd.DatetimeIndex, col: pd.Series, path: Path, name: str,
                first_row: RowLines) -> None:
    """Refuse a time before the year 1000 (a misread date) or outside ``SPAN``.

    Args:
        times: ``col`` parsed, row for row.
        col: the cells as written, for the message.
        path: the file, for the message.
        name: the time column's name (or its parts joined).
        first_row: the file line of the first row (``line_of``).

    Raises:
        DataError: naming the first such row and its cell.
    """
    # A year before 1000 is a misread, not data: '1-01' (year 1, month 1 in the classic
    # shampoo-sales file) parses as 1 January of the year 1.
    early = np.flatnonzero(np.asarray(times.year) < MIN_YEAR)
    if early.size:
        row = int(early[0])
        raise DataError(f"{path}: row {line_of(first_row, row)}, column '{name}': "
                        f"'{shown(col.iloc[row])}' reads as {_ymd(times[row])}, before the "
                        f"year {MIN_YEAR}; expected full dates like 2001-01 or 2001-01-31: "
                        "write the year out in full")
    outside = np.flatnonzero(np.asarray((times < FIRST) | (times > LAST)))
    if outside.size:
        row = int(outside[0])
        more = f" ({outside.size} such rows in all)" if outside.size > 1 else ""
        raise DataError(f"{path}: row {line_of(first_row, row)}, column '{name}': "
                        f"'{shown(col.iloc[row])}' lies outside {SPAN}{more}; fix or remove "
                        "that row")


def outside_span(ts: pd.Timestamp, text: str, option: str) -> str | None:
    """The message for a time given to ``option`` that lies outside ``SPAN``; None for one
    inside it, or for one before the year 1000 (no year written out: '-1')."""
    if ts.year < MIN_YEAR or FIRST <= ts <= LAST:
        return None
    where = f"before {FIRST:%Y-%m-%d}, the first" if ts < FIRST else (
        f"past {LAST:%Y-%m-%d}, the last")
    return (f"{option} {text}: lies {where} day that can be read; expected a time within "
            "the data, such as 2026-03-01")


def _ymd(t: pd.Timestamp) -> str:
    # Timestamp.date() fails before the year 1 (a year column holding -5).
    year = f"{t.year:04d}" if t.year >= 0 else str(t.year)
    return f"{year}-{t.month:02d}-{t.day:02d}"
