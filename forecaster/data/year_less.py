"""Months written with the year of the series, not of the calendar: ``1-01`` to ``3-12``.

The shampoo-sales data set, the first example of many LSTM tutorials, numbers its years 1
to 3. Read as dates they fall in the year 1, before any calendar a clock can hold; the
tutorials prefix the century ("190" + "1-01" is 1901-01). So does this reader, with a note,
where the column is nothing but consecutive months of years 1 to 9.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

YEAR_MONTH = r"([1-9])-(0[1-9]|1[0-2])"
CENTURY = 1900


def year_less_months(raw: pd.DataFrame, time_col: str | None,
                     path: Path) -> tuple[pd.DataFrame, str | None]:
    """``raw`` with its time column's ``1-01`` read as ``1901-01``, and a note; as it was,
    with None, unless every cell is such a month, later than the one before, mostly the next."""
    if time_col is None or raw.empty:
        return raw, None
    text = raw[time_col].astype(str).str.strip()
    # The first rows first: a column of a million timestamps took a second to rule out.
    if not text.head(100).str.fullmatch(YEAR_MONTH).all():
        return raw, None
    found = text.str.extract(f"^{YEAR_MONTH}$")
    if found.isna().any().any():
        return raw, None
    years = found[0].astype(int)
    months = years * 12 + found[1].astype(int)
    step = months.diff().iloc[1:]
    if not (step > 0).all() or step.median() != 1:  # days and months without a year: refused
        return raw, None
    dated = (CENTURY + years).astype(str) + "-" + found[1]
    note = (f"{path.name}: column '{time_col}': years written {years.min()} to "
            f"{years.max()} ('{text.iloc[0]}') are read as {CENTURY + years.min()} to "
            f"{CENTURY + years.max()}, as the tutorials of this data do; write the years out "
            "in full to date the series")
    return raw.assign(**{time_col: dated}), note
