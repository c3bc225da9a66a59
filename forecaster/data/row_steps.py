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

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data import events
from forecaster.data.columns import is_na_word
from forecaster.data.numeric_times import COMPACT_DIGITS, EPOCH_RANGES
from forecaster.data.spec import DataSpec
from forecaster.data.step_columns import STEP, mark_added
from forecaster.data.timestamps import PART_NAMES, TIME_NAMES, detect_time
from forecaster.errors import DataError

MONOTONE = 0.9  # share of rises (or falls) that makes a column of several an index or times


def values_only(raw: pd.DataFrame, path: Path) -> bool:
    """Whether ``raw`` is one named column of numbers (more than half of its cells that
    hold anything): values with no times, not an event log of timestamps."""
    if raw.shape[1] != 1 or raw.empty or raw.columns[0].lower() in TIME_NAMES:
        return False
    return _numbers_alone(raw[raw.columns[0]]) and not events.times_only(raw, path)


def columns_of_values(raw: pd.DataFrame, spec: DataSpec, path: Path) -> bool:
    """Whether ``raw``, of several columns, is numbers alone with no time column.

    Only where nothing names or finds a time column (a lone 'day' or 'year', newest
    first, is one), no --series-col stacks series (their rows would number one after
    another), and no column keeps rising or falling: such a column may be times in a form
    not recognised (Unix seconds under a name such as ``created``) or the row numbers.
    """
    if raw.shape[1] < 2 or raw.empty or spec.time_col is not None or spec.time_parts \
            or spec.series_cols:
        return False
    names = [str(c).lower() for c in raw.columns]
    if any(n in TIME_NAMES or n in PART_NAMES for n in names):
        return False
    if not all(_numbers_alone(raw[c], ordered=False) for c in raw.columns):
        return False
    try:
        detect_time(raw, path)
    except DataError:
        return True
    return False


def _numbers_alone(col: pd.Series, ordered: bool = True) -> bool:
    # Mostly numbers, and not Unix times or compact dates; ``ordered=False``: nor a
    # column that keeps rising or falling.
    text = col.str.strip()
    cells = text[(text != "") & ~is_na_word(text)]
    numbers = pd.to_numeric(cells, errors="coerce")
    if len(cells) == 0 or numbers.notna().mean() <= 0.5 or _clock_numbers(cells, numbers):
        return False
    if ordered:
        return True
    # In any order: shuffled Unix times or compact dates are still times.
    whole = numbers.dropna()
    if len(whole) and (whole % 1 == 0).all() and (
            cells.str.fullmatch(COMPACT_DIGITS).all()
            or any(whole.between(lo, hi).all() for lo, hi in EPOCH_RANGES.values())):
        return False
    steps = whole.diff().dropna()
    return not ((steps > 0).mean() >= MONOTONE or (steps < 0).mean() >= MONOTONE)


def _clock_numbers(cells: pd.Series, numbers: pd.Series) -> bool:
    # Whole numbers, mostly rising (a log's lines written a little out of order), that read
    # as Unix times or compact dates (1700000000, 20240131) are an event log's times under
    # a name not known as a time column.
    if numbers.isna().any() or (numbers % 1 != 0).any() or (numbers.diff() >= 0).mean() < 0.9:
        return False
    compact = cells.str.fullmatch(COMPACT_DIGITS).all()
    return compact or any(numbers.between(lo, hi).all() for lo, hi in EPOCH_RANGES.values())


def number_rows(raw: pd.DataFrame, path: Path,
                spec: DataSpec | None = None) -> tuple[pd.DataFrame, str | None]:
    """``raw`` with a first column ``step`` numbering its rows 0, 1, 2, ... where it is
    values only, and a note saying so (None where it is not): one column as it is read;
    several once the options are known (``spec``), which may name a time column."""
    if spec is not None and spec.time_col == STEP and STEP not in raw.columns:
        spec = replace(spec, time_col=None)  # a model of such a file reading it again
    alone = values_only(raw, path) if spec is None else columns_of_values(raw, spec, path)
    if not alone:
        return raw, None
    steps = pd.Series(np.arange(len(raw)).astype(str), index=raw.index)
    raw = mark_added(pd.concat([steps.rename(STEP), raw], axis=1))
    return raw, (f"{path.name}: no time column; the {len(raw)} rows are read as steps "
                 f"0 to {len(raw) - 1}, in file order")
