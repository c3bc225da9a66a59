"""A file of values alone: its rows are its steps.

Sine-wave examples and columns of readings pasted out of a sheet come as one column of
numbers under a header (``sinewave``), with no time at all; the multivariate files of the
LSTM literature (LSTNet's exchange_rate.txt, electricity.txt, once given a header) as
several. Nothing but their order can index such rows, so they are read as steps 0, 1, 2,
..., as a column named ``step`` is. Where a column may hold times in a form not recognised
(Unix times, or rising numbers under a name such as ``t``) the file is refused with advice
instead (``detect_time``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data import events
from forecaster.data.columns import is_na_word
from forecaster.data.numeric_times import COMPACT_DIGITS, EPOCH_RANGES
from forecaster.data.timestamps import TIME_NAMES

STEP = "step"
RISING = 0.9  # share of rises that makes a column of several an index or times


def values_only(raw: pd.DataFrame, path: Path) -> bool:
    """Whether ``raw`` is named columns of numbers alone (more than half of each column's
    cells that hold anything): values with no times, not an event log of timestamps.

    With several columns, one mostly rising is refused (left to ``detect_time``'s advice):
    it may be times in a form not recognised (seconds under a name such as ``t``) or the
    row numbers; LSTNet's exchange rates and electricity loads hold none.
    """
    if raw.empty or any(str(c).lower() in TIME_NAMES for c in raw.columns):
        return False
    for col in raw.columns:
        text = raw[col].str.strip()
        cells = text[(text != "") & ~is_na_word(text)]
        numbers = pd.to_numeric(cells, errors="coerce")
        if len(cells) == 0 or numbers.notna().mean() <= 0.5 or _clock_numbers(cells, numbers):
            return False
        if raw.shape[1] > 1 and (numbers.dropna().diff().dropna() > 0).mean() >= RISING:
            return False
    return not events.times_only(raw, path)


def _clock_numbers(cells: pd.Series, numbers: pd.Series) -> bool:
    # Whole numbers, mostly rising (a log's lines written a little out of order), that read
    # as Unix times or compact dates (1700000000, 20240131) are an event log's times under
    # a name not known as a time column.
    if numbers.isna().any() or (numbers % 1 != 0).any() or (numbers.diff() >= 0).mean() < 0.9:
        return False
    compact = cells.str.fullmatch(COMPACT_DIGITS).all()
    return compact or any(numbers.between(lo, hi).all() for lo, hi in EPOCH_RANGES.values())


def number_rows(raw: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, str | None]:
    """``raw`` with a first column ``step`` numbering its rows 0, 1, 2, ... where it is
    values only, and a note saying so (None where it is not)."""
    if not values_only(raw, path):
        return raw, None
    steps = pd.Series(np.arange(len(raw)).astype(str), index=raw.index)
    raw = pd.concat([steps.rename(STEP), raw], axis=1)
    return raw, (f"{path.name}: no time column; the {len(raw)} rows are read as steps "
                 f"0 to {len(raw) - 1}, in file order")
