"""UTC offsets in a column of timestamps: refuse a column that mixes times with and without
one, and read daily rows at local midnight (or at one time of day whose offset changes, or
at a US exchange's midnight in UTC) as calendar dates.

Times with offsets are converted to UTC and times without one are taken as UTC, which is
right for each kind alone. A logger that switched from wall-clock times to ISO times with
offsets writes both, and the two readings then disagree by the offset: a gap (or an
overlap) appears where the kinds meet. Daily rows written at local midnight by pandas or
yfinance carry an offset that changes with daylight saving time; converted to UTC they
fall at 23:00 one half of the year and 22:00 the other, off any daily grid.
"""

from __future__ import annotations

import re
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.east_midnights import east_midnights
from forecaster.data.numeric_times import COMPACT_DIGITS
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError

# An offset after a clock time (:00, :00.5): 2024-01-01 06:00:00-05:00, 06:00Z, 06:00 UTC.
# The clock is required, since a bare date 2024-01-31 also ends in "-31". A literal space,
# not \s: pandas hands such patterns to pyarrow's fast regex engine.
_OFFSET = r"(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d(?::?\d\d)?)?)"  # +00:09:21: Paris before 1911
_WITH_OFFSET = rf":\d\d(?:\.\d+)? ?{_OFFSET}$"
_LOCAL_MIDNIGHT = rf"[T ]00:00(?::00(?:\.0+)?)? ?{_OFFSET}$"
# The clock and offset of a time: what is left of a daily row once they go is its date.
_CLOCK_AND_OFFSET = rf"[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?) ?({_OFFSET})$"


def local_dates(col: pd.Series, path: Path, name: str, first_row: RowLines) -> pd.Series:
    """``col``, or its text without offsets where it holds local midnights as dates.

    Every time carrying an offset and every one at 00:00 in its own offset: the rows are
    dates, and their local dates are kept (2023-12-31T00:00:00+01:00 is 31 December, not
    30 December at 23:00 UTC). So with one offset throughout too: a model trained on
    winter rows (+01:00) then reads the spring's (+02:00) on the same grid.

    Args:
        col: the time column's cells, as text.
        path: the file, for messages.
        name: the column, for messages.
        first_row: the first row's line in the file, for messages.

    Raises:
        DataError: some times have an offset and others none.
    """
    text = col.astype(str).str.strip()
    present = text != ""
    aware = text.str.contains(_WITH_OFFSET, regex=True) & present
    if not aware.any():
        return col  # the common case: one pass over the column
    _refuse_mixed(text, aware, present, path, name, first_row)
    cells = text[present]
    if re.search(_LOCAL_MIDNIGHT, cells.iloc[0]) and cells.str.contains(
            _LOCAL_MIDNIGHT, regex=True).all():
        return text.str.replace(f" ?{_OFFSET}$", "", regex=True)
    reading = _day_reading(cells)
    if reading == "utc":
        return text.str.replace(_CLOCK_AND_OFFSET, "", regex=True)
    return _next_dates(text) if reading == "east" else col


def without_offset(col: pd.Series) -> bool:
    """Whether a time column's times carry no UTC offset, and so were read as UTC: a
    logger's local wall-clock times look hours old (west) or ahead (east) of the clock.

    Unix times are UTC by definition; compact dates (20240131) are wall-clock. The first
    time tells (a column mixing times with and without offsets is refused), so the caller
    may pass the first rows alone.
    """
    cells = col.astype(str).str.strip()
    cells = cells[cells != ""]
    if cells.empty:
        return False
    first = cells.iloc[0]
    if re.search(_WITH_OFFSET, first, re.IGNORECASE):
        return False
    if not re.fullmatch(r"-?\d+(\.\d*)?", first):
        return True
    # Compact dates only where the parser takes them so: every cell one, of one width
    # (numeric_times); 1712010100 among other Unix seconds is one of them.
    return bool(cells.str.len().nunique() == 1 and cells.str.fullmatch(COMPACT_DIGITS).all())


def written_offsets(col: pd.Series) -> tuple[str, ...] | None:
    """The UTC offsets a time column writes, as written and sorted (``("+01:00",
    "+02:00")`` across daylight saving time); ``()`` for wall-clock times written without
    one (``without_offset``); None where neither tells (Unix times, step numbers).

    A bundle records them so that a later file written the other way is caught: read as
    UTC, its times would lie the offset away from the training file's.
    """
    cells = col.astype(str).str.strip()
    cells = cells[cells != ""]
    if cells.empty:
        return None
    if without_offset(cells):
        return ()
    found = cells.str.extract(rf":\d\d(?:\.\d+)? ?({_OFFSET})$", flags=re.IGNORECASE)[0]
    kinds = found.dropna().unique()
    return tuple(sorted(str(k) for k in kinds)) if len(kinds) else None


def is_utc(offset: str) -> bool:
    """Whether a written offset is UTC itself (Z, UTC, +00:00): naive times read as UTC
    then lie where it puts them."""
    return re.fullmatch(r"Z|UTC|GMT|[+-][0:]+", offset, re.IGNORECASE) is not None


def _day_reading(cells: pd.Series) -> str | None:
    """How to read rows that are days stamped at one time of day: ``"utc"`` where the UTC
    date is the day (one local clock time with changing offsets, a close at 16:00:00-05:00
    then -04:00; or in UTC two morning hours an hour apart, a US exchange's midnight at
    05:00Z then 04:00Z), ``"east"`` where the midnights of a zone east of UTC fall on the
    UTC day before (Europe's 23:00Z and 22:00Z, Sydney's, Auckland's: ``east_midnights``),
    None for other rows.
    A second pass over the column only where the first row could be such a day."""
    if not re.search(_CLOCK_AND_OFFSET, cells.iloc[0]):
        return None
    found = cells.str.extract(_CLOCK_AND_OFFSET)
    clock = found[0]
    if clock.isna().any():
        return None
    kinds = sorted(clock.unique())  # whole clock texts: seconds apart are other times
    if len(kinds) == 1:
        # One row a day at most. With one offset throughout the UTC times keep one clock
        # too and lie on a daily grid as they are: only a change of offset needs this.
        return "utc" if found[1].nunique() > 1 else None
    if len(kinds) != 2 or kinds[0][2:] != kinds[1][2:]:
        return None
    # The clock changes with the seasons, a few times a series; two readings a day, an
    # hour apart, switch on every row.
    if float((clock != clock.shift()).iloc[1:].mean()) >= 0.1:
        return None
    low, high = (int(k[:2]) for k in kinds)
    if high - low == 1 and high <= 9:
        return "utc"  # the Americas' midnights, up to 09:00 UTC (Alaska's)
    whole_hours = re.fullmatch(r"(:00)*(\.0+)?", kinds[0][2:]) is not None
    if not whole_hours or not cells.str.match(r"\d{4}-\d\d-\d\d[T ]").all():
        return None
    return "east" if east_midnights(cells, clock.str[:2].astype(int)) else None


def _next_dates(text: pd.Series) -> pd.Series:
    # Local midnights east of UTC: a row before midnight UTC is the next day's.
    present = text != ""
    cells = text[present]
    hour = cells.str.extract(_CLOCK_AND_OFFSET)[0].str[:2].astype(int)
    days = pd.to_datetime(cells.str[:10], format="%Y-%m-%d") + pd.to_timedelta(
        (hour >= 11).astype(int), unit="D")
    return text.where(~present, days.dt.strftime("%Y-%m-%d"))


def _refuse_mixed(text: pd.Series, aware: pd.Series, present: pd.Series, path: Path,
                  name: str, first_row: RowLines) -> None:
    # A cell without a digit is no time at all ('NA'), nor is a plain number among times
    # with offsets (a row written with its columns swapped, 22.195): the parser reports
    # it with its row, rather than as a time without an offset.
    naive = np.flatnonzero((present & ~aware).to_numpy())
    if not naive.size:
        return
    cells = text.iloc[naive]
    dated = naive[(cells.str.contains(r"\d", regex=True)
                   & ~cells.str.fullmatch(r"\s*-?\d+(\.\d*)?\s*")).to_numpy()]
    if not dated.size:
        return
    a, b = int(dated[0]), int(np.flatnonzero(aware.to_numpy())[0])
    raise DataError(f"{path}: column '{name}' mixes times without an offset (row "
                    f"{line_of(first_row, a)}: {shown(text.iloc[a])}) and with one (row "
                    f"{line_of(first_row, b)}: "
                    f"{shown(text.iloc[b])}); expected one kind throughout: write every time "
                    "with its offset, or all in UTC")


def written_times(raw: pd.DataFrame, spec: DataSpec) -> pd.Series:
    """Each row's timestamp as the file writes it (its parts joined by spaces)."""
    if spec.time_col:
        return raw[spec.time_col]
    # Column by column: a join row by row (DataFrame.agg, axis=1) took 96 s on the 2
    # million rows of UCI's household power file, and the loader does it three times.
    parts = [raw[c].astype(str).fillna("") for c in spec.time_parts]
    return reduce(lambda a, b: a + " " + b, parts)
