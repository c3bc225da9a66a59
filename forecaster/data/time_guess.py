"""Second guesses on a column of dates: the readings the parser gets wrong without a word.

The parser alone reads day-first 01/03/2021 as 3 January, two-digit years 49 as 2049 and a
bare clock time 00:15 as today; it cannot read 1949M01 at all. These checks run on the
parsed column as a whole, so a first screenful that looks right decides nothing alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.row_lines import RowLines, line_of
from forecaster.errors import DataError

# A time of day: 13:00, 07:30:15.250; on a 12-hour clock, 1:00 PM (Excel's US exports).
CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?$")
HEAD = 50  # rows that show a file's calendar
_DAY_MONTH = r"\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(\s|$)"
# Statistics offices' months and quarters: 1949M01; 2000Q1, 2000 Q1, 2000-Q1; Q1 2000.
PERIODS = (r"(?P<y>\d{4})M(?P<m>0[1-9]|1[0-2])", r"(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])",
           r"Q(?P<q>[1-4])\s*-?\s*(?P<y>\d{4})")
# ISO 8601 week dates: 2018-W01, 2018W01, with a day of the week 2018-W01-1 (Monday).
ISO_WEEK = re.compile(r"(?P<y>\d{4})-?W(?P<w>\d{2})(?:-?(?P<d>[1-7]))?")
# A spreadsheet's "mmm-yy": Jan-25, Sep 99, SEPT'03. Its number is a year, not a day.
MONTH_YY = re.compile(r"(?P<b>[A-Z]{3,9})\.?[\s'/-]*(?P<yy>\d{2})")
HALF = 0.5  # a grid emptier than this is no calendar (the grid refuses it too)
CENTURY = pd.DateOffset(years=100)
MAX_SHAPES = 20  # ways of writing a date looked at for a cell that is none
MAX_CELL = 100  # a longer cell is left to the other checks (and the parser not run on it)
# A date part ends at a space or at ISO's T after a digit (2024-01-04T10:00): the T of
# Tue and Thu is none, and a leading weekday (Thu 2024-01-04, Tue, 02 Jan) is no date.
DATE_END = r"\s+|(?<=\d)T"
WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)


def whole_column(col: pd.Series, dayfirst: bool) -> pd.Series | None:
    """The column read with one format throughout, or None where that fails."""
    try:
        return pd.to_datetime(col, utc=True, dayfirst=dayfirst)
    except (ValueError, TypeError, OverflowError):
        return None


def calendar_reading(col: pd.Series, month_first: pd.Series) -> pd.Series:
    """``month_first``, or the day-first reading of ``col`` where only that makes a calendar.

    Day-first dates whose days are all 12 or less read month first without an error:
    01/02/2000 as 2 January in a monthly series, or 01/03/2021 00:15 as 3 January in a
    quarter-hourly one whose first 50 rows, all on 1 March, look regular either way.
    """
    if not _ambiguous(col):
        return month_first
    head_off = _irregular_head(month_first)
    if not head_off and grid_fill(month_first) >= HALF:
        return month_first  # regular month first: no second parse of a long column
    other = whole_column(col, dayfirst=True)
    if other is None:
        return month_first
    if head_off and not _irregular_head(other):
        return other
    return other if grid_fill(other) >= HALF else month_first


def grid_fill(times: pd.Series | pd.DatetimeIndex) -> float:
    """The share of a regular grid's steps, first time to last, that hold a time.

    The step is the median gap, so a few gaps or jumps do not set it; month-first
    quarter-hours from 1 to 5 March fill 480 of 11616 steps from 3 January to 3 May.
    """
    ticks = pd.DatetimeIndex(times).dropna().unique().sort_values().asi8  # any one unit
    if len(ticks) < 3:
        return 1.0
    step = float(np.median(np.diff(ticks)))
    return len(ticks) / ((ticks[-1] - ticks[0]) / step + 1)


def _irregular_head(times: pd.Series) -> bool:
    """Whether the first rows' distinct times follow no frequency pandas can name."""
    head = pd.DatetimeIndex(times.iloc[:HEAD]).dropna().unique().sort_values()
    return len(head) >= 3 and pd.infer_freq(head) is None


def _ambiguous(col: pd.Series) -> bool:
    # Only d/m/y-like text: pandas reads even ISO 2000-01-02 day first when asked to.
    return bool(col.iloc[:HEAD].astype(str).str.match(_DAY_MONTH).all())


def period_notation(col: pd.Series, today: pd.Timestamp | None = None) -> pd.Series | None:
    """Months and quarters as statistics offices and spreadsheets write them (1949M01,
    2000Q1, 2000 Q1, Q1 2000, Jan-25) as the first day of each, ISO weeks (2018-W01) as
    their Monday, or None for a column in another notation.

    pandas reads none of 1949M01, 2000 Q1, Q1 2000 or 2018-W01, warns that its reading of
    2000Q1 will go, and reads a spreadsheet's Jan-25 as 25 January of the year 1. An empty
    cell (or a week no year has) reads as NaT, for the caller to report with its row.
    """
    text = col.astype(str).str.strip().str.upper()
    if MONTH_YY.fullmatch(text.iloc[0]):
        return _month_yy(text, today)
    if ISO_WEEK.fullmatch(text.iloc[0]):
        return _iso_weeks(text)
    pattern = next((p for p in PERIODS if re.fullmatch(p, text.iloc[0])), None)
    if pattern is None:
        return None  # the common case, decided without a pass over a long column
    present = text != ""
    parts = text[present].str.extract(f"^{pattern}$")
    if parts["y"].isna().any():
        return None
    month = (parts["m"].astype(float) if "m" in parts
             else parts["q"].astype(float) * 3 - 2)
    dates = pd.to_datetime(pd.DataFrame({"year": parts["y"].astype(int), "month": month,
                                         "day": 1}), utc=True)
    return dates.reindex(col.index)


def _iso_weeks(text: pd.Series) -> pd.Series | None:
    """``text`` (upper case) read as ISO 8601 week dates, or None where a cell is another
    notation: a week's day, Monday when none is written (weekly rows, W-MON)."""
    present = text != ""
    parts = text[present].str.extract(f"^{ISO_WEEK.pattern}$")
    if parts["y"].isna().any():
        return None
    iso = parts["y"] + "-W" + parts["w"] + "-" + parts["d"].fillna("1")
    dates = pd.to_datetime(iso, format="%G-W%V-%u", utc=True, errors="coerce")
    return dates.reindex(text.index)


def _month_yy(text: pd.Series, today: pd.Timestamp | None) -> pd.Series | None:
    """``text`` (upper case) read as month name and two-digit year, or None.

    "Jan 25" may also be 25 January of no year. A monthly column changes month name from
    one distinct cell to the next; a daily one mostly changes the number, and stays None.
    """
    present = text != ""
    parts = text[present].str.extract(f"^{MONTH_YY.pattern}$")
    month = parts["b"].map(_month_number)
    if month.isna().any():
        return None
    head = parts.iloc[:HEAD].drop_duplicates()
    if len(head) > 1 and (head["b"] != head["b"].shift()).iloc[1:].mean() <= HALF:
        return None
    year = 2000 + parts["yy"].astype(int)
    this_year = (today if today is not None else pd.Timestamp.now(tz="UTC")).year
    year = year.where(year <= this_year, year - 100)  # data lie in the past: Jan-49 is 1949
    dates = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}), utc=True)
    return dates.reindex(text.index)


def _month_number(name: object) -> float:
    """1 for JAN or JANUARY, ..., NaN for a word that is no English month name."""
    if name == "SEPT":
        return 9.0
    full = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST",
            "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER")
    ok = isinstance(name, str) and len(name) >= 3
    return next((float(i + 1) for i, w in enumerate(full) if ok and w.startswith(name)),
                float("nan"))


def month_numbers(text: pd.Series) -> pd.Series:
    """``text`` read as English month names (Jan, January, any case): 1 to 12, NaN for a
    cell that is none (a number, say)."""
    upper = text.astype(str).str.strip().str.upper()
    return upper.map({name: _month_number(name) for name in upper.unique()})


def refuse_clock_only(col: pd.Series, path: Path, name: str) -> None:
    """Refuse times of day without dates, which the parser would date today.

    Raises:
        DataError: every filled cell is a clock time like 00:15 or 13:45:30.
    """
    text = col.astype(str).str.strip()
    text = text[text != ""]
    if not len(text) or not CLOCK.match(text.iloc[0]) or not text.str.match(CLOCK).all():
        return
    raise DataError(f"{path}: column '{name}' holds times of day without dates "
                    f"('{shown(text.iloc[0])}', ...), which would all be dated today; expected "
                    "dates with the times: write them in (2024-01-31 00:15), add a 'date' column "
                    "beside a 'time' column, or number the rows with steps 0, 1, 2, ...")


def pivot_years(times: pd.Series, col: pd.Series,
                today: pd.Timestamp | None = None) -> pd.Series:
    """Two-digit years that the parser put after this year, moved back a century.

    Jan-49 (AirPassengers) parses as 2049; data lie in the past, so 1949 is meant. A year
    written out in full (2049-01-01) stays as written.

    Args:
        times: ``col`` parsed.
        col: the text the times were parsed from.
        today: the date that decides what lies in the future; now if None.
    """
    year = (today if today is not None else pd.Timestamp.now(tz="UTC")).year
    years = pd.DatetimeIndex(times).year.to_numpy()
    future = years > year
    if not future.any():
        return times
    text = col.astype(str).to_numpy()
    short = future.copy()
    for y in np.unique(years[future]):
        rows = np.flatnonzero(years == y)
        short[rows] = ~pd.Series(text[rows]).str.contains(str(int(y)), regex=False).to_numpy()
    if not short.any():
        return times
    return times.where(~short, times - CENTURY)


def refuse_mixed_formats(col: pd.Series, path: Path, name: str, first_row: RowLines = 2) -> None:
    """Refuse a column whose dates are written in two ways (2020-01-31, then 01/03/2020).

    Read cell by cell, 01/03/2020 after ISO dates is 3 January again, and the rows then
    collide as "duplicate timestamps" whose fix would drop real data. Cells with other
    separators in their date part are another format; digits (and month names) may vary in
    length.

    Raises:
        DataError: naming the first cell of each of the first two formats and its row.
    """
    text = col.astype(str).str.strip()
    text = text[text != ""]
    date = text.str.replace(WEEKDAY, "", regex=True).str.split(DATE_END, n=1,
                                                                 regex=True).str[0]
    shapes = date.str.replace(r"\d+", "9", regex=True).str.replace(r"[^\W\d_]+", "a",
                                                                   regex=True)
    first = shapes.drop_duplicates()
    if len(first) < 2:
        return
    if not _refuse_no_time(text[first.index[:MAX_SHAPES]], path, name, first_row):
        return  # no format read: the parser names the first cell ("cannot parse ...")
    if (shapes == first.iloc[0]).mean() > 0.999:
        _refuse_ambiguous(date[shapes != first.iloc[0]], text, path, name, first_row)
        return
    (a, b) = (first.index[0], first.index[1])
    raise DataError(f"{path}: column '{name}' writes dates in more than one format: "
                    f"'{shown(text[a])}' (row {line_of(first_row, a)}) and '{shown(text[b])}' "
                    f"(row {line_of(first_row, b)}); "
                    "expected one format throughout: rewrite the column in one format (ISO 8601, "
                    "2020-03-01, reads unambiguously)")


def _refuse_no_time(cells: pd.Series, path: Path, name: str, first_row: RowLines) -> bool:
    """Refuse a cell that is no date in any format (PI DataLink's units row, 'Units' under
    the header): told it was a second format, users were told to rewrite an ISO column
    in ISO. Returns whether any of ``cells`` (one of each format) reads as a date: where
    none does (JavaScript's 'Thu Jan 01 2026 ... GMT+0000 (...)'), no row is "unlike the
    other rows", nor are there two formats."""
    dated = {i: len(cell) > MAX_CELL or bool(re.search(r"\d", cell) and _some_date(cell))
             for i, cell in cells.items()}
    if not any(dated.values()):
        return False
    for i, cell in cells.items():
        if dated[i]:
            continue
        raise DataError(f"{path}: row {line_of(first_row, i)}, column '{name}': '{shown(cell)}' "
                        "cannot be read as a time, unlike the other rows; expected a date or "
                        "time in every row (ISO 8601 like 2024-01-31 13:00:00): remove that "
                        "row if it holds units or a description of the columns, or write "
                        "its time")
    return True


def _some_date(cell: str) -> bool:
    # Month first or day first, in any format the parser knows.
    return any(pd.notna(pd.to_datetime(cell, errors="coerce", format="mixed", dayfirst=d))
               for d in (False, True))


def _refuse_ambiguous(dates: pd.Series, text: pd.Series, path: Path, name: str,
                      first_row: RowLines) -> None:
    """Refuse a stray cell whose day and month could be either (05/01/2026) among dates
    of another format: read month first it became May, and predict filled the months up
    to it and forecast from there. A few stray cells that read one way only are kept."""
    parts = dates.str.extract(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}$").astype(float)
    odd = parts.index[(parts[0] <= 12) & (parts[1] <= 12) & (parts[0] != parts[1])]
    if len(odd):
        i = odd[0]
        raise DataError(f"{path}: column '{name}' writes row {line_of(first_row, i)} as "
                        f"'{shown(text[i])}', unlike the other dates, and its day and month "
                        "could be either; expected one format throughout: rewrite that cell "
                        "like the others (ISO 8601, 2020-03-01, reads unambiguously)")
