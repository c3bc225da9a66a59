"""Times written as ranges, start and end: ENTSO-E's ``01.01.2026 00:00 - 01.01.2026 01:00``.

Europe's load and price exports label each row by its interval ("MTU"). No time column was
found, and naming it with --time-col, as the message advised, got "cannot parse ... as a
timestamp". A column whose every cell is two dates joined by " - " (or "/", ISO 8601's
interval), most ends being another row's start, is read at its starts, with a note.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.timestamps import TIME_NAMES

SEPARATORS = (" - ", " – ", "/")  # hyphen or en dash with spaces; ISO's solidus
DATEISH = r"\d[-./]\d{1,2}[-./]\d|\d:\d\d"  # a date (31.01.2026, 2026-01-31) or a clock
LINKED = 0.5  # share of ends that start another row: contiguous intervals, a gap or two
SAMPLE = 100  # rows looked at first: a column they rule out is not split whole


def range_starts(raw: pd.DataFrame, time_col: str | None,
                 path: Path) -> tuple[pd.DataFrame, str | None]:
    """``raw`` with a column of time ranges read as their starts, and a note saying so.

    Args:
        raw: the file's cells, as text.
        time_col: the time column given (--time-col), or None to look at every column.
        path: the file, for the note.

    Returns:
        The table (as it was where no column holds ranges) and the note (None if none).
    """
    if raw.empty:
        return raw, None
    # A column named as the time is the time: a "period" of clock ranges beside it (08:00 -
    # 09:00) is another column, not the rows' labels.
    named = [c for c in raw.columns if str(c).strip().lower() in TIME_NAMES]
    cols = [time_col] if time_col in raw.columns else (named or list(raw.columns))
    # Told by the first row first: a wide file's thousands of columns are not all read.
    for col in (c for c in cols if any(s in str(raw[c].iloc[0]) for s in SEPARATORS)):
        start = _starts(raw[col].astype(str).str.strip())
        if start is not None:
            note = (f"{path.name}: column '{col}' holds time ranges "
                    f"('{shown(raw[col].iloc[0])}'): each row is read at its start "
                    f"('{shown(start.iloc[0])}')")
            return raw.assign(**{col: start}), note
    return raw, None


def _starts(text: pd.Series) -> pd.Series | None:
    """The ranges' starts, where every cell is a range of dates (None otherwise)."""
    first = text.iloc[0]
    for sep in (s for s in SEPARATORS if s in first):
        # The first rows first: a date column written 16/12/2006 holds the solidus, and
        # splitting its 2 million cells took 2 s to find what its first row shows.
        if _ends(text.head(SAMPLE), sep) is None:
            continue
        ends = _ends(text, sep)
        if ends is not None and ends[1].isin(set(ends[0])).mean() >= LINKED:
            return ends[0]
    return None


def _ends(text: pd.Series, sep: str) -> tuple[pd.Series, pd.Series] | None:
    """Each cell's start and end, where every cell is two dates (or times) joined by
    ``sep``; None otherwise."""
    parts = text.str.split(sep, n=1, regex=False, expand=True)
    if parts.shape[1] != 2 or parts[1].isna().any():
        return None
    start, end = parts[0].str.strip(), parts[1].str.strip()
    if not (start.str.contains(DATEISH) & end.str.contains(DATEISH)).all():
        return None
    return start, end
