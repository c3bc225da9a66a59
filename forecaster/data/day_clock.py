"""A date column and a time-of-day column beside it, made one timestamp.

UCI's household power writes ``Date;Time``, German exports ``Datum;Uhrzeit``, grid operators
``Date,Hour``. The first column must hold dates alone (a year column made months into hours,
a timestamp column lost its hour), the second times of day or whole hours.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.time_guess import CLOCK
from forecaster.errors import DataError

DOTTED_CLOCK = r"\d{1,2}\.\d{2}\.\d{2}"  # 18.00.00


def date_and_clock(raw: pd.DataFrame, parts: list[str], path: Path,
                   first_row: RowLines) -> pd.Series:
    """The text "date time" of each row, from the two columns ``parts`` names.

    Args:
        raw: the table, all cells text.
        parts: the date column and the time-of-day column.
        path: the file, for messages.
        first_row: the first row's line in the file, for messages.

    Raises:
        DataError: the first column is not dates alone, the second not times of day, or a
            row lacks either.
    """
    date, clock = raw[parts[0]].str.strip(), raw[parts[1]].str.strip()
    _check_dates_only(date, parts, path)
    empty = np.flatnonzero(((date == "") | (clock == "")).to_numpy())
    if empty.size:  # a date alone would read as midnight
        raise DataError(f"{path}: row {line_of(first_row, int(empty[0]))}: empty '{parts[0]}' or "
                        f"'{parts[1]}' ({empty.size} row(s) in all); expected both in "
                        "every row: fill them in or drop those rows")
    return date + " " + _clock_text(clock, parts[1], path, first_row)


def _check_dates_only(date: pd.Series, parts: list[str], path: Path) -> None:
    """Refuse a first column that is not dates alone: numbers (Jahr,Monat made months into
    hours) or times (Timestamp,Hour dropped the 13:00 of each row)."""
    sample = date.head(50)
    sample = sample[sample != ""]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=True)
    numbers = pd.to_numeric(sample, errors="coerce").notna().any()
    if numbers or parsed.isna().any() or (parsed != parsed.dt.normalize()).any():
        raise DataError(f"{path}: cannot build timestamps from {', '.join(parts)}: "
                        f"'{parts[0]}' holds {shown(sample.iloc[0])}, not dates alone; "
                        "expected a date column and a time-of-day column (Date,Time), or the "
                        "columns year, month, day, hour, minute, second in that order (from "
                        "year on)")


def _clock_text(clock: pd.Series, name: str, path: Path, first_row: RowLines) -> pd.Series:
    """A time-of-day column as HH:MM text: times as they are, whole hours 0 to 23 as
    hours; anything else is refused, naming the column."""
    if is_clock(clock) and clock.str.match(CLOCK).all():
        return clock
    if clock.str.fullmatch(DOTTED_CLOCK).all():
        return clock.str.replace(".", ":", regex=False)
    hours = pd.to_numeric(clock, errors="coerce")
    whole = (hours.notna() & (hours % 1 == 0) & hours.between(0, 23)).to_numpy()
    if whole.all():
        return hours.astype(np.int64).map("{:02d}:00".format)
    # The first cell that is neither a time nor an hour 0-23: hours 1 to 24 (hour ending,
    # as grid operators write them) were shown as "holds '1'", an hour that is fine.
    timed = clock.str.match(CLOCK).to_numpy()
    if (timed | whole).all():
        hour, time = int(np.flatnonzero(whole)[0]), int(np.flatnonzero(timed)[0])
        raise DataError(f"{path}: column '{name}' mixes whole hours (row "
                        f"{line_of(first_row, hour)}: '{shown(clock.iloc[hour])}') and times "
                        f"of day (row {line_of(first_row, time)}: '{shown(clock.iloc[time])}'"
                        "); expected one kind throughout: write every row the same way")
    at = int(np.flatnonzero(~(timed | whole))[0])
    raise DataError(f"{path}: row {line_of(first_row, at)}, column '{name}' should hold the "
                    f"time of day beside the dates, but holds '{shown(clock.iloc[at])}'; "
                    "expected times like 13:00 or whole hours 0 to 23: give --time-col with "
                    "the date column and the time-of-day column, in that order")


def is_clock(col: pd.Series) -> bool:
    """Whether a column's first cells are times of day (13:00, 07:30:15, or UCI Air
    Quality's 18.00.00: with dots, only with seconds, as 18.00 may be a number)."""
    sample = col.head(20).str.strip()
    sample = sample[sample != ""]  # an empty cell is reported when the times are parsed
    return bool(len(sample)) and bool((sample.str.match(CLOCK)
                                       | sample.str.fullmatch(DOTTED_CLOCK)).all())


HOUR_NAMES = ("hr", "hour", "hours", "hour_of_day", "stunde", "heure", "hora")


def hour_column(raw: pd.DataFrame, time_col: str | None) -> str | None:
    """A column beside ``time_col`` that holds whole hours 0 to 23 under an hour's name
    (UCI Bike Sharing's ``dteday`` and ``hr``, apart): the advice for dates that repeat."""
    for col in raw.columns:
        if col == time_col or time_col is None or col.lower() not in HOUR_NAMES:
            continue
        hours = pd.to_numeric(raw[col].str.strip(), errors="coerce")
        if hours.notna().all() and (hours % 1 == 0).all() and hours.between(0, 23).all():
            return col
    return None
