"""Files laid out the other way round: one row per series, the time running across the
columns (Johns Hopkins' COVID-19 counts, with a date in every header cell; M4's V1..V701).

Read as they are, their columns would be taken for series and their rows for time steps:
timesteps confused with features. They are recognised only to say so, where no time column
was found: which way to turn them is the user's to choose.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

MIN_COLUMNS = 10  # a few dated or numbered columns may be readings (sensor_1 .. sensor_4)
NUMBERED = re.compile(r"([^\d]*?)(\d+)")
# Two runs of digits apart (1/22/20, 2020-01-22) or a year: pandas also reads SMD's m0..m37
# and T1..T40 as dates (a month, a time), which are numbered readings.
DATE_LIKE = re.compile(r"\d\D+\d|\d{4}")


def wide_layout(raw: pd.DataFrame) -> str | None:
    """What shows that the time runs across the columns of ``raw`` (cells as text), or
    None: at least ``MIN_COLUMNS`` header cells and half of them dates, or numbered one after
    another (V1, V2, ...) with the first of them naming each row (M4's V1 holds H1, H2,
    ...; sensors s1..s20 read in rows of time steps, beside a column of "Week 1", "Week
    2", ... not read as times, hold readings)."""
    cols = [str(c).strip() for c in raw.columns]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format"
        parsed = pd.to_datetime(pd.Series(cols), errors="coerce", format="mixed")
    numbers = pd.to_numeric(pd.Series(cols), errors="coerce")
    dates = [c for c, t, n in zip(cols, parsed, numbers, strict=True)
             if pd.notna(t) and pd.isna(n) and DATE_LIKE.search(c)]
    if len(dates) >= max(MIN_COLUMNS, len(cols) / 2):
        return f"{len(dates)} header cells are dates ({dates[0]} to {dates[-1]})"
    found = [NUMBERED.fullmatch(c) for c in cols]
    runs = [(m.group(1), int(m.group(2))) for m in found if m]
    if len(runs) < max(MIN_COLUMNS, len(cols) / 2) or len({p for p, _ in runs}) != 1:
        return None
    first = next(c for c, m in zip(raw.columns, found, strict=True) if m)
    # M4's V1 names the rows; M5's d_1..d_1913 follow the columns that do (id, item_id).
    others = [c for c, m in zip(raw.columns, found, strict=True) if not m]
    if not _names_rows(raw[first]) and not any(_ids(raw[c]) for c in others):
        return None
    steps = [b - a for (_, a), (_, b) in zip(runs, runs[1:], strict=False)]
    if any(s != 1 for s in steps):
        return None
    first, last = (f"{p}{n}" for p, n in (runs[0], runs[-1]))
    return f"{len(runs)} header cells number the columns ({first} to {last})"


def wide_advice(what: str) -> str:
    """The advice for a file whose header shows ``what`` (``wide_layout``)."""
    return (f"{what}: the time runs across the columns, one row per series; expected one "
            "row per time step: turn the file round so that each series is a column under a "
            "time column (or write it long: a time column, a series column and a value "
            "column, read with --series-col)")


def _names_rows(col: pd.Series) -> bool:
    # Distinct labels that are not numbers: one name per row, per series.
    text = col.astype(str).str.strip()
    return bool(text.is_unique and pd.to_numeric(text, errors="coerce").isna().all())


def _ids(col: pd.Series) -> bool:
    # Row names beside the numbered columns, but not labels numbered one after another
    # (Week 1, Week 2, ...), which name time steps of readings s1..s20.
    if not _names_rows(col):
        return False
    found = [NUMBERED.fullmatch(t) for t in col.astype(str).str.strip()]
    if not all(found) or len({m.group(1) for m in found}) != 1:
        return True
    numbers = [int(m.group(2)) for m in found]
    return any(b - a != 1 for a, b in zip(numbers, numbers[1:], strict=False))
