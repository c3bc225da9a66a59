"""Files without a header row, whose first row of data would otherwise name the columns.

Read as it is, such a file names its target after a reading ('20.0') and loses that row:
refused with the advice to add a header. Two shapes are told: a line of numbers and dates
only, and a line like the rows under it holding text as well (Telegraf's CSV output,
``2026-11-01T00:00:00Z,cpu0,20.0``).
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

# A cell worth trying as a date: digits around a date or clock separator (2024-01-31,
# 13/01/2024, 12:00) or a month name before a number (Jan 2024). The parser alone reads
# names like 'T1', 'm3' or '1st' as times.
_DATE_LIKE = re.compile(r"\d[-/:.]\d|[A-Za-z]{3,}\.?\s+\d")
# histdata.com's compact date and time, "20240102 000000": no separator to tell it by.
_COMPACT = (r"(1[89]|2\d)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"  # YYYYMMDD
            r"[ T]?([01]\d|2[0-3])[0-5]\d([0-5]\d)?")  # HHMM or HHMMSS
# Unix seconds from 2001 to 2033 (fractions too) or milliseconds: a first cell of a row.
_EPOCH = re.compile(r"1\d{9}(\.\d+)?|1\d{12}")
MAX_CELL = 100  # longer cells are no number or time (and are not parsed)
ROWS_SEEN = 20  # rows under the header compared with it
AGREE = 0.9  # share of those rows' cells of the same kind as the header's


def header_is_data(cells: list[str]) -> bool:
    """Whether every header cell reads as a number or a date/time: a file without a header
    row, whose first row of data would otherwise name the columns ('10.038')."""
    text = pd.Series(cells, dtype=str).str.strip()
    if text.empty or not text.str.contains(r"\d").all():
        return False
    if len(text) > 2 and text.tolist() == [str(i) for i in range(len(text))]:
        return False  # pandas' names of unnamed columns, 0, 1, 2, ... (to_csv of a matrix)
    return bool((number_cells(text) | time_cells(text)).all())


def data_in_header(cells: list[str], raw: pd.DataFrame) -> str | None:
    """What shows that the header line is a row of data (for the error), or None."""
    if header_is_data(cells):
        return "every cell is a number or a date/time"
    if header_is_row(cells, raw):
        return "it holds a date/time and numbers where the rows under it do"
    return None


def header_is_row(cells: list[str], raw: pd.DataFrame) -> bool:
    """Whether a header holding text is a row of data like those under it: a date/time (or
    Unix seconds first) and a number, each over a column of the same kind of cells.

    A real header may hold dates (a wide file's ``1/22/20``) or numbers (``2024``), but the
    cells under its dates are readings, not dates.

    Args:
        cells: the header's cells.
        raw: the rows read under it, as text, one column per header cell.

    Returns:
        True where the header line looks like one more row.
    """
    text = pd.Series(cells, dtype=str).str.strip()
    if raw.empty or raw.shape[1] != len(text):
        return False
    times = time_cells(text)
    times[0] |= bool(_EPOCH.fullmatch(text[0]))
    numbers = number_cells(text) & ~times
    if not times.any() or not numbers.any():
        return False
    head = raw.head(ROWS_SEEN)
    return all(_mostly(head.iloc[:, i], bool(times[i]), first=i == 0)
               for i in text.index if times[i] or numbers[i])


def _mostly(col: pd.Series, times: bool, first: bool) -> bool:
    # The column's filled cells are mostly times (or numbers): a row may be blank or odd.
    text = col.astype(str).str.strip()
    text = text[text != ""].reset_index(drop=True)
    if text.empty:
        return False
    found = time_cells(text, epoch=first) if times else number_cells(text)
    return bool(found.mean() >= AGREE)


def number_cells(text: pd.Series) -> pd.Series:
    """Cells that read as numbers (a decimal comma too)."""
    text = _short(text)
    return pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").notna()


def time_cells(text: pd.Series, epoch: bool = False) -> pd.Series:
    """Cells that read as dates or times; with ``epoch``, Unix seconds or milliseconds too
    (a first column)."""
    text = _short(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format": a NaT is the answer
        when = pd.to_datetime(text, errors="coerce", format="mixed", utc=True).notna()
    found = text.str.fullmatch(_COMPACT) | (when & text.str.contains(_DATE_LIKE))
    return found | text.str.fullmatch(_EPOCH) if epoch else found


def _short(text: pd.Series) -> pd.Series:
    # A cell of 200,000 characters is neither: tried, _DATE_LIKE's backtracking took minutes.
    return text.where(text.str.len() <= MAX_CELL, "")
