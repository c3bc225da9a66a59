"""Times written 24:00, told in a note: they are read as 00:00 of the next day.

ISO 8601 writes the midnight that ends a day as 24:00 (NREL's TMY3 files, hour-ending
logs); ``timestamps`` reads it as 00:00 of the next day. Done silently, a row dated 1 January
showed up as 2 January in every forecast and error, with nothing to say why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import END_OF_DAY


def end_of_day_note(raw: pd.DataFrame, spec: DataSpec, path: Path) -> str | None:
    """A note counting the rows whose time is written 24:00, or None when there is none.

    Args:
        raw: the cells as read, as text.
        spec: the resolved roles: the time column, or the columns a time is written in.
        path: the file, for the note.
    """
    columns = [spec.time_col] if spec.time_col else spec.time_parts
    ends = pd.Series(False, index=raw.index)
    for name in columns:
        text = raw[name].astype(str)
        if text.str.contains("24:00", regex=False).any():  # the regex only where it may match
            ends |= text.str.contains(END_OF_DAY)
    n = int(ends.sum())
    return (f"{path.name}: read 24:00 as 00:00 of the next day ({n} row{'s' * (n != 1)})"
            if n else None)
