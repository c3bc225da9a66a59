"""Times written as numbers: compact dates, Unix epochs, step numbers, and the
spreadsheet serial dates that are none of these."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.time_bounds import MIN_YEAR, SPAN
from forecaster.data.zone_names import zone_hint
from forecaster.errors import DataError

_NUMBER = r"-?\d+(\.\d*)?"
# 1.767226e+09, as some exporters write floats; a short exponent keeps the digits few.
_SCIENTIFIC = r"-?\d+(\.\d*)?[eE][+-]?\d{1,2}"
COMPACT_DIGITS = r"[12]\d{3}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(([01]\d|2[0-3])([0-5]\d){0,2})?"
COMPACT = {8: "%Y%m%d", 10: "%Y%m%d%H", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
# Plausible Unix times, 1973 to 2262 (the last year a timestamp holds): seconds,
# milliseconds, microseconds (Binance) or nanoseconds (InfluxDB 1), never two units mixed.
EPOCH_RANGES = {"s": (1e8, 9.2e9), "ms": (1e11, 9.2e12), "us": (1e14, 9.2e15),
                "ns": (1e17, 9.2e18)}
NS_PER = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
MAX_STEP = 10**9 - 1
STRAY_SHARE = 0.9  # Unix times in one unit in this share of cells: the others are strays
# Spreadsheet serial dates of 1950 to 2100 (days since 1899-12-30). Step numbers there, in
# a column not named 'step', are far less likely than a date column saved as numbers.
SERIAL_DAYS = (18264, 73051)
SERIAL_ORIGIN = pd.Timestamp("1899-12-30")


def numeric_times(col: pd.Series, path: Path, name: str, first_row: RowLines,
                  steps: bool = False) -> pd.DatetimeIndex | None:
    """Times written as numbers: compact dates (20240131, 2024013113, ...), Unix epoch
    seconds or milliseconds, or step numbers (0, 1, 2, ...); None for text to parse as
    dates (bare years included).

    ``steps``: whole numbers are step numbers whatever their range (the column is named
    'step', or a bundle trained on step numbers reads its data again).

    Raises:
        DataError: plain numbers that are none of these (fractions, negative numbers).
    """
    if not re.fullmatch(f"{_NUMBER}|{_SCIENTIFIC}", str(col.iloc[0]).strip()):
        return None  # the common case, dates, decided without a pass over a long column
    text = plain_numbers(col.str.strip())
    if not _all_numbers(text, path, name, first_row):
        return None
    compact = _compact_dates(text, path, name, first_row)
    if compact is not None:
        return compact
    number = pd.to_numeric(text)
    if not (steps or name.lower() == "step"):
        if number.between(MIN_YEAR, 2999).all() and (number % 1 == 0).all():
            return None  # bare years: the parser reads 1871 as 1871-01-01
        dated = _dated_numbers(number, text, path, name, first_row)
        if dated is not None:
            return dated
    return _step_numbers(number, text, path, name)


def plain_numbers(text: pd.Series) -> pd.Series:
    """``text`` with numbers in scientific notation written out in plain digits
    (1.767226e+09 as 1767226000): read from their digits, as the plain form is."""
    sci = text.str.fullmatch(_SCIENTIFIC)
    if not sci.any():
        return text
    return text.where(~sci, text[sci].map(lambda cell: format(Decimal(cell), "f")))


def _all_numbers(text: pd.Series, path: Path, name: str, first_row: RowLines) -> bool:
    """Whether every cell is a plain number; Unix times with an empty cell are an error."""
    numbers = text.str.fullmatch(_NUMBER)
    if numbers.all():
        return True
    if (numbers | (text == "")).all():  # Unix times with a cell left empty: name it
        report_bad(text.where(text != "", None), text, path, name, first_row)
    return False


def _compact_dates(text: pd.Series, path: Path, name: str,
                   first_row: RowLines) -> pd.DatetimeIndex | None:
    """Compact dates (20240131, 2024013113, ...), or None when the cells are not all such."""
    width = text.str.len()
    if not (width.nunique() == 1 and width.iloc[0] in COMPACT
            and text.str.fullmatch(COMPACT_DIGITS).all()):
        return None
    # Checked before epochs: 2024013113 is also a plausible epoch second, in 2034.
    times = pd.to_datetime(text, format=COMPACT[width.iloc[0]], utc=True, errors="coerce")
    report_bad(times, text, path, name, first_row)  # 20240230
    return pd.DatetimeIndex(times)


def _dated_numbers(number: pd.Series, text: pd.Series, path: Path, name: str,
                   first_row: RowLines) -> pd.DatetimeIndex | None:
    """Decimal years or Unix times; serial days and mixed or stray epochs are refused."""
    if number.between(MIN_YEAR, 2999).all():
        months = decimal_years(number, text)
        if months is not None:
            return months
    if number.between(*SERIAL_DAYS).all():
        _refuse_serial_days(number, path, name)
    for unit, (low, high) in EPOCH_RANGES.items():
        if number.between(low, high).all():
            return epoch_times(text, unit)
    _refuse_mixed_epochs(number, text, path, name, first_row)
    _refuse_stray_epoch(number, text, path, name, first_row)
    return None


def _step_numbers(number: pd.Series, text: pd.Series, path: Path,
                  name: str) -> pd.DatetimeIndex:
    """Whole numbers from 0 as steps; any other plain numbers are an error."""
    if (number % 1 == 0).all() and number.between(0, MAX_STEP).all():
        # Step numbers (Yahoo's A1 files, sine-wave examples): one nanosecond per step from
        # the epoch, so grid, folds and windows work unchanged; outputs turn them back
        # into step numbers (``step_numbers``).
        return pd.DatetimeIndex(pd.to_datetime(number.astype(np.int64), unit="ns", utc=True))
    raise DataError(f"{path}: column '{name}' holds plain numbers ({shown(text.iloc[0])}, "
                    "...), not timestamps, Unix epoch times or step numbers (whole numbers "
                    "from 0); expected dates like 2024-01-31 13:00:00: fix or replace the "
                    f"column{_elapsed_todo(number, name)}")


def _refuse_mixed_epochs(number: pd.Series, text: pd.Series, path: Path, name: str,
                         first_row: RowLines) -> None:
    """Unix times in two units (a logger's firmware moved from seconds to milliseconds)
    were told they were no Unix times at all: name both units and where each begins."""
    units = pd.Series(None, index=number.index, dtype=object)
    for unit, (low, high) in EPOCH_RANGES.items():
        units[number.between(low, high)] = unit
    if units.isna().any() or units.nunique() < 2:
        return
    firsts = [(u, int(np.flatnonzero((units == u).to_numpy())[0])) for u in units.unique()[:2]]
    words = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
    both = " and ".join(f"{words[u]} ({shown(text.iloc[i])}, row {line_of(first_row, i)})"
                        for u, i in firsts)
    raise DataError(f"{path}: column '{name}' holds Unix epoch times in two units: {both}; "
                    "expected one unit in a column: rewrite the rows of one unit in the "
                    "other's")


def _refuse_stray_epoch(number: pd.Series, text: pd.Series, path: Path, name: str,
                        first_row: RowLines) -> None:
    """Unix times in one unit but for a few cells (a 9999999999 placeholder, a digit too
    many): name the first such row, not the whole column as "no timestamps"."""
    for unit, (low, high) in EPOCH_RANGES.items():
        inside = number.between(low, high).to_numpy()
        if inside.all() or inside.mean() < STRAY_SHARE:
            continue
        row = int(np.flatnonzero(~inside)[0])
        words = {"s": "seconds", "ms": "milliseconds", "us": "microseconds",
                 "ns": "nanoseconds"}[unit]
        what = (f"lies outside {SPAN}" if number.iloc[row] > high else
                f"is too small for a Unix time in {words} (before 1973)")
        raise DataError(f"{path}: row {line_of(first_row, row)}, column '{name}': "
                        f"'{shown(text.iloc[row])}' {what}, though the column's other cells "
                        f"are Unix times in {words}; fix or remove that row")


def _elapsed_todo(number: pd.Series, name: str) -> str:
    """Advice for elapsed times at a fixed rate (an ECG export's 0.000, 0.004, ...): rows
    with no time column are read as steps, which is what such a column says."""
    steps = np.diff(number.to_numpy(dtype=np.float64))
    if len(steps) == 0 or steps.min() <= 0 or steps.max() - steps.min() > 1e-3 * steps.mean():
        return ""
    return (f"; they rise by a fixed {steps.mean():.6g}: to read the rows as steps 0, 1, "
            f"2, ..., delete column '{name}' from the file")


def decimal_years(number: pd.Series, text: pd.Series) -> pd.DatetimeIndex | None:
    """Months written as fractions of a year, as R writes ``time()`` of a monthly or
    quarterly series (1949, 1949.083333, 1949.166667, ...): the first of each month; None
    where the fractions are no twelfths to the digits written (1949.08 is February to two
    decimals; lubridate's month ends, 2015.0822, are no twelfths to four)."""
    months = (number - np.floor(number)) * 12
    decimals = int(text.str.partition(".")[2].str.len().max())
    slack = 12 * 0.5 * 10.0 ** -decimals + 1e-9  # a twelfth rounded to the digits written
    if decimals < 2 or (np.abs(months - months.round()) > slack).any() \
            or (months.round() >= 12).any():
        return None  # one decimal tells no twelfths apart (0.2 is 2/12 or 3/12)
    stamp = pd.to_datetime({"year": np.floor(number).astype(np.int64),
                            "month": months.round().astype(np.int64) + 1, "day": 1}, utc=True)
    return pd.DatetimeIndex(stamp)


def epoch_times(text: pd.Series, unit: str) -> pd.DatetimeIndex:
    """Unix times in ``unit``, read from their digits: through a float, 1700000000.123 s
    came back as .122999907 and a --since copied from the file missed its row."""
    whole, _, frac = text.str.partition(".").T.to_numpy()
    digits = len(str(NS_PER[unit])) - 1  # fraction digits down to the nanosecond
    if (whole.astype(np.float64) > EPOCH_RANGES[unit][1]).any():
        raise OverflowError(f"a Unix time in {unit} past the year 2262")  # int64 wraps
    ns = whole.astype(np.int64) * NS_PER[unit]
    if digits:
        ns = ns + pd.Series(frac).str.ljust(digits, "0").str[:digits].astype(np.int64).to_numpy()
    return pd.DatetimeIndex(pd.to_datetime(ns, unit="ns", utc=True))


def _refuse_serial_days(number: pd.Series, path: Path, name: str) -> None:
    # Whole serials had been read as step numbers: no calendar, no weekly season, a
    # forecast for "step 45592", and no word said.
    lo, hi = (SERIAL_ORIGIN + pd.Timedelta(days=float(d)) for d in (number.min(), number.max()))
    raise DataError(f"{path}: column '{name}' holds numbers ({number.min():g} to "
                    f"{number.max():g}) that read as spreadsheet serial dates ({lo:%Y-%m-%d} "
                    f"to {hi:%Y-%m-%d}), not timestamps; expected dates like 2024-01-31: "
                    "format the column as dates before saving (or name it 'step' if the "
                    "numbers count steps)")


def report_bad(times: pd.Series, text: pd.Series, path: Path, name: str,
               first_row: RowLines) -> None:
    """Raise DataError naming the first value of ``text`` that did not parse (NaT in
    ``times``)."""
    bad = np.flatnonzero(pd.isna(times).to_numpy())
    if bad.size:
        row = int(bad[0])
        raise DataError(f"{path}: row {line_of(first_row, row)}, column '{name}': cannot parse "
                        f"'{shown(text.iloc[row])}' as a timestamp; expected ISO 8601 like "
                        f"2024-01-31 13:00:00 ({bad.size} bad value(s) in all)"
                        f"{zone_hint(text.iloc[row])}")
