"""Find and parse a CSV's timestamps: one column of dates, or the date split over columns.

Classic data sets split the timestamp: UCI's household power has ``Date`` and ``Time``
columns, Beijing PM2.5 has ``year, month, day, hour``, annual series have a bare ``Year``.
Those columns are put back together here and never taken for numeric data.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import printable, shown
from forecaster.data.day_clock import date_and_clock, is_clock
from forecaster.data.numeric_times import MAX_STEP, numeric_times, report_bad
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.time_bounds import check_years
from forecaster.data.time_guess import (
    calendar_reading,
    month_numbers,
    period_notation,
    pivot_years,
    refuse_clock_only,
    refuse_mixed_formats,
    whole_column,
)
from forecaster.data.wide import wide_advice, wide_layout
from forecaster.data.zones import local_dates
from forecaster.errors import DataError

# "_time": InfluxDB 2's annotated CSV, where _start and _stop (the query's range) come first;
# "timestamps": Yahoo's S5 A3 and A4 anomaly files (Unix seconds).
TIME_NAMES = ("timestamp", "timestamps", "time", "datetime", "date", "ds", "date_time", "ts",
              "step", "_time")
PART_NAMES = ("year", "month", "day", "hour", "minute", "second")
EPOCH = pd.Timestamp(0, tz="UTC")
UNNAMED = re.compile(r"Unnamed: (\d+)")  # pandas' name for the Nth header cell, empty
END_OF_DAY = re.compile(r"(?<![\d:])24:00(?=(?::00(?:\.0+)?)?(?:[^\d:.]|$))")  # 24:00:00
STEP_LIMIT = EPOCH + pd.Timedelta(MAX_STEP + 1, unit="ns")  # step times lie before this


def detect_time(raw: pd.DataFrame, path: Path) -> tuple[str | None, list[str]]:
    """The time column, or the columns the timestamp is split over.

    Returns:
        ``(column, [])`` for one column of timestamps, ``(None, parts)`` otherwise.

    Raises:
        DataError: nothing in the file reads as time.
    """
    lower = {c.lower(): c for c in raw.columns}
    named = _named_time(raw, lower)
    if named is not None:
        return named
    parts = [lower[p] for p in PART_NAMES if p in lower]
    split = parts if parts == [lower.get(p) for p in PART_NAMES[:len(parts)]] else []
    found = _scanned_time(raw, split)
    if found is not None:
        return found
    if split:
        return None, split
    if len(parts) == 1:
        # A lone 'day' or 'hour' column numbers the rows (steps); a lone 'Month' may hold
        # 1949M01. Without a year, no split timestamp can be built from it.
        return parts[0], []
    index = [c for c in raw.columns if saved_index(raw[c])]
    if index:  # DataFrame.to_csv of a series without times: its row numbers are the steps
        return index[0], []
    raise _no_time(raw, path)


def _named_time(raw: pd.DataFrame,
                lower: dict[str, str]) -> tuple[str | None, list[str]] | None:
    """The time by its header: ``Date`` and a ``Time`` of clock times, or a time name."""
    if "date" in lower and "time" in lower and is_clock(raw[lower["time"]]):
        return None, [lower["date"], lower["time"]]
    for col in raw.columns:
        if col.lower() in TIME_NAMES:
            return col, []
    return None


def _scanned_time(raw: pd.DataFrame, split: list[str]) -> tuple[str | None, list[str]] | None:
    """The first column whose first rows read as dates or periods (with its clock column)."""
    for i, col in enumerate(raw.columns):
        sample = raw[col].head(20)
        if len(split) > 1 and col in split:
            continue  # a month of names (Jan) beside a year: parsed alone, it is 0001-01-01
        if period_notation(sample) is not None:  # 2000 Q1, 1949M01: pandas reads neither
            return col, []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas' deprecation of its own 2000Q1 reading
            parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=True)
        if parsed.notna().all() and pd.to_numeric(sample, errors="coerce").isna().all():
            clock = _clock_beside(raw, i, sample, parsed)
            return (None, [col, clock]) if clock is not None else (col, [])
    return None


def _clock_beside(raw: pd.DataFrame, i: int, sample: pd.Series,
                  parsed: pd.Series) -> str | None:
    """The column after column ``i`` of dates when it holds their times of day."""
    # Datum;Uhrzeit, Fecha,Hora: dates alone, repeated (several rows a day), the
    # time of day in the next column. Daily rows keep their dates: a clock beside
    # them is an attribute (sunrise, the time a meter was read).
    clock = raw.columns[i + 1] if i + 1 < len(raw.columns) else None
    if clock is not None and (parsed == parsed.dt.normalize()).all() \
            and sample.duplicated().any() and is_clock(raw[clock]) \
            and not is_clock(sample):
        return clock
    return None


def _no_time(raw: pd.DataFrame, path: Path) -> DataError:
    """The error for a file with no time column: a wide layout's advice, or how to name one."""
    wide = wide_layout(raw)
    if wide:
        return DataError(f"{path}: no time column found, and {wide_advice(wide)}")
    empty = " (--time-col '' for one with no name in the header)" if any(
        UNNAMED.fullmatch(c) for c in raw.columns) else ""
    return DataError(f"{path}: no time column found among {column_list(raw.columns)}; "
                     f"name it with --time-col{empty} (a column of step numbers 1, 2, 3, ... "
                     "will do), or add a column of timestamps")


def saved_index(col: pd.Series) -> bool:
    """Whether ``col`` holds row numbers saved beside the data: no name in the header, and
    0, 1, 2, ... (pandas' ``to_csv``) or 1, 2, 3, ... (R's ``write.csv``): no data to
    forecast."""
    if not UNNAMED.fullmatch(str(col.name)):
        return False
    numbers = pd.to_numeric(col.str.strip(), errors="coerce").to_numpy()
    if len(numbers) == 0 or numbers[0] not in (0, 1):
        return False
    return bool(np.array_equal(numbers, np.arange(len(col)) + numbers[0]))


def parse_times(raw: pd.DataFrame, time_col: str | None, parts: list[str],
                path: Path, first_row: RowLines = 2, steps: bool = False) -> pd.DatetimeIndex:
    """UTC timestamps, one per row, from ``time_col`` or from the ``parts`` columns;
    errors name a row by its line in the file, ``first_row`` for the first; ``steps``:
    whole numbers are step numbers (see ``numeric_times``)."""
    if time_col is not None:
        date = next((c for c in raw.columns if c.lower() == "date"), None)
        if date is not None and time_col != date and is_clock(raw[time_col]):
            raise DataError(f"{path}: --time-col {time_col} holds times of day, and the dates "
                            f"are in column '{date}'; expected both: give --time-col "
                            f"{date},{time_col}")
        return _parse_text(raw[time_col], path, time_col, first_row, steps)
    if _is_date_time(parts):
        return _parse_text(date_and_clock(raw, parts, path, first_row), path,
                           " + ".join(parts), first_row)
    return _assemble(raw, parts, path, first_row)


def _is_date_time(parts: list[str]) -> bool:
    """Two columns, not both parts of a date (year, month, ...): a date and its time of
    day (Date,Time; Datum,Uhrzeit; Date,Hour)."""
    return len(parts) == 2 and not all(p.lower() in PART_NAMES for p in parts)


def check_parts(parts: list[str], path: Path) -> None:
    """Refuse a split timestamp that is neither Date, Time nor year, month, ... in order."""
    if not _is_date_time(parts) and [p.lower() for p in parts] != list(PART_NAMES[:len(parts)]):
        raise DataError(f"{path}: cannot build timestamps from {', '.join(parts)}; expected "
                        "one column of timestamps, a date column and a time-of-day column "
                        "(Date,Time), or the columns year, month, day, hour, minute, second "
                        "in that order (from year on)")


def _assemble(raw: pd.DataFrame, parts: list[str], path: Path,
              first_row: RowLines) -> pd.DatetimeIndex:
    values = {}
    for name, part in zip(PART_NAMES, parts, strict=False):
        text = raw[part].str.strip()
        number = pd.to_numeric(text, errors="coerce")
        if name == "month" and number.isna().any():  # seaborn's flights: 1949,Jan,112
            number = number.fillna(month_numbers(text))
        bad = np.flatnonzero((number.isna() | (number % 1 != 0)).to_numpy())
        if bad.size:
            row = int(bad[0])
            what = "as a number or a name (Jan)" if name == "month" else "as a number"
            raise DataError(f"{path}: row {line_of(first_row, row)}, column '{part}': "
                            f"'{shown(text.iloc[row])}' is not a whole number; expected the "
                            f"{name} {what} ({bad.size} bad in all)")
        values[name] = number.astype(np.int64)
    values.setdefault("month", 1)
    values.setdefault("day", 1)
    frame = pd.DataFrame(values, index=raw.index)
    times = pd.to_datetime(frame, errors="coerce", utc=True)
    report_bad(times, frame.astype(str).agg("-".join, axis=1), path, ", ".join(parts),
                first_row)
    check_years(pd.DatetimeIndex(times), raw[parts[0]], path, parts[0], first_row)
    return pd.DatetimeIndex(times)


def is_steps(times: pd.DatetimeIndex | pd.Series) -> bool:
    """Whether timestamps stand for step numbers (they all lie in 1970's first second;
    dates before 1970 are dates, not steps)."""
    times = pd.DatetimeIndex(times)
    return len(times) > 0 and bool(((times >= EPOCH) & (times < STEP_LIMIT)).all())


def is_step_freq(freq: str) -> bool:
    """Whether a grid's step stands for step numbers: whole nanoseconds ('ns', '10ns'; 'N'
    in bundles of old pandas), which no series of times has. Judged on the step, never on
    a time: a lone 1970-01-01T00:00 (a monthly forecast for January 1970) is no step 0."""
    return re.fullmatch(r"\d*(ns|N)", freq) is not None


def steps_as_numbers(df: pd.DataFrame, steps: bool) -> pd.DataFrame:
    """``df`` with its time columns as step numbers when the series are step-indexed."""
    if not steps:
        return df
    df = df.copy()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype) and not df[col].isna().any():
            df[col] = step_numbers(df[col])
    return df


def step_numbers(times: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """The step numbers that ``is_steps`` timestamps stand for, as int64."""
    return (pd.DatetimeIndex(times) - EPOCH).to_numpy().astype("timedelta64[ns]").astype(np.int64)


def _parse_text(col: pd.Series, path: Path, name: str, first_row: RowLines,
                steps: bool = False) -> pd.DatetimeIndex:
    # 24:00 is ISO 8601's midnight at the end of a day (NREL's TMY3 files, hour-ending
    # logs): read as 00:00 of the next day, where pandas reads no time at all.
    text = col.astype(str)
    ends = text.str.contains(END_OF_DAY) if text.str.contains("24:00", regex=False).any() \
        else None
    if ends is not None and ends.any():
        col = col.where(~ends, text.str.replace(END_OF_DAY, "00:00", regex=True))
        times = _parse_text(col, path, name, first_row, steps)
        return times + pd.to_timedelta(ends.to_numpy().astype(np.int64), unit="D")
    numeric = numeric_times(col, path, name, first_row, steps)
    if numeric is not None:
        check_years(numeric, col, path, name, first_row)  # 23000101, 2300.083333
        return numeric
    refuse_clock_only(col, path, name)
    times, written = period_notation(col), col
    if times is None:
        # As written, or as local dates: the years pivoted are those of the dates read
        # (Berlin's 1 January 2027 is written 2026-12-31T23:00Z).
        written = local_dates(col, path, name, first_row)
        times = _read_dates(written, path, name, first_row)
    report_bad(times, col, path, name, first_row)
    times = pivot_years(times, written)
    check_years(pd.DatetimeIndex(times), col, path, name, first_row)
    return pd.DatetimeIndex(times)


def _read_dates(col: pd.Series, path: Path, name: str, first_row: RowLines) -> pd.Series:
    """``col`` as dates; NaT where a cell cannot be read."""
    with warnings.catch_warnings():
        # "Could not infer format" and the like: a bad value is reported by the caller.
        warnings.simplefilter("ignore")
        # One format for the whole column, month first then day first (13/01/2024);
        # element-wise parsing only as a last resort, as it can mix the two.
        times = whole_column(col, dayfirst=False)
        if times is not None:
            return calendar_reading(col, times)
        times = whole_column(col, dayfirst=True)
        if times is not None:
            return times
        refuse_mixed_formats(col, path, name, first_row)
        return pd.to_datetime(col, utc=True, errors="coerce", format="mixed")


def time_text(t: pd.Timestamp, index: pd.DatetimeIndex) -> str:
    """A timestamp for a message: ISO 8601, or the step number of a step-indexed series."""
    if is_steps(index):
        return f"step {step_numbers(pd.DatetimeIndex([t]))[0]}"
    return t.isoformat()


def column_list(cols: Iterable[object], limit: int = 12) -> str:
    """Column names for a message, cut short for very wide files."""
    cols = [column_label(c) for c in cols]
    more = f" and {len(cols) - limit} more" if len(cols) > limit else ""
    return ", ".join(cols[:limit]) + more


def column_label(col: str) -> str:
    """A column's name for a message; pandas names an empty header cell 'Unnamed: 0' (the
    index of a DataFrame.to_csv), a name the file never shows."""
    match = UNNAMED.fullmatch(col)
    if match is None:
        return printable(col)  # a NUL or tab in a header cell, escaped
    number = int(match.group(1))
    where = "the first column" if number == 0 else f"column {number + 1}"
    return f"{where} (no name in the header)"
