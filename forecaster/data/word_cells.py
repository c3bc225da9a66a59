"""Columns of words, ruled out at once in a wide file's kind checks.

A file of 72 rows and 3000 columns of text took 35 s to load: each column was checked on
its own for numbers and for dates, each check a few pandas calls of fixed cost. Every
number and every date holds a digit (or spells infinity, which the number parser reads),
so a column whose filled cells mostly hold none can be mostly of neither kind. Those
columns are found in one pass over all the cells; only the others are checked as before,
so the answers do not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from forecaster.data.cells import is_na_word

# Python's \d: every Unicode digit, which the parsers behind the checks may read.
NUMERAL = re.compile(r"\d|inf", re.IGNORECASE)


def numeral_shares(columns: list[pd.Series]) -> np.ndarray:
    """Each column's share of filled cells that hold a digit or 'inf': no smaller than its
    share of numbers or of dates. Filled: stripped, neither empty nor a missing-value word
    (as the checks count them); NaN for a column without such a cell.

    Args:
        columns: the columns' cells, as text.
    """
    if not columns:
        return np.zeros(0)
    # Joined in the columns' own dtype, so that stripping and missing-value words count
    # the cells filled just as the per-column checks do.
    flat = pd.concat(columns, ignore_index=True)
    text = flat.astype(str).str.strip()
    filled = ((text != "") & ~is_na_word(text)).to_numpy(dtype=bool, na_value=False)
    numeral = _numerals(text)
    column = np.repeat(np.arange(len(columns)), [len(c) for c in columns])
    count = np.bincount(column, weights=filled, minlength=len(columns))
    held = np.bincount(column, weights=filled & numeral, minlength=len(columns))
    with np.errstate(invalid="ignore", divide="ignore"):
        return held / np.where(count > 0, count, np.nan)


def _numerals(text: pd.Series) -> np.ndarray:
    """Whether each cell holds a digit or 'inf' (``NUMERAL``)."""
    # An ASCII digit by pyarrow's regex engine first, Python's only on the cells without
    # one: every cell by Python's took 20 s over the 14 million cells of UCI's household
    # power file; its \d, every Unicode digit, is still what decides the rest.
    found = text.str.contains("[0-9]", regex=True, na=False)
    numeral = np.array(found.to_numpy(dtype=bool, na_value=False))  # writable
    rest = np.flatnonzero(~numeral)
    numeral[rest] = (text.iloc[rest].astype(object).str.contains(NUMERAL, na=False)
                     .to_numpy(dtype=bool))
    return numeral


def passing(columns: list[pd.Series], check: Callable[[pd.Series], bool], share: float,
            strict: bool = False) -> list[int]:
    """The positions in ``columns`` of those that pass ``check``, in order.

    Args:
        columns: the columns' cells, as text.
        check: whether a column is mostly of numbers (or of dates).
        share: the share of its filled cells that ``check`` asks of that kind, at least
            (more than it, with ``strict``): ``check`` is run only where a column's cells
            with a digit make that share.
        strict: whether ``check`` asks for more than ``share``.
    """
    shares = numeral_shares(columns)
    possible = shares > share if strict else shares >= share
    return [int(j) for j in np.flatnonzero(possible) if check(columns[j])]


def worded(columns: list[pd.Series]) -> np.ndarray:
    """Whether each column has a filled cell with no digit: no number (nor 'inf'), so the
    column surely holds a cell that is none."""
    return numeral_shares(columns) < 1
