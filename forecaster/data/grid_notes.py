"""What it took to put a file's rows on the grid, in notes: values filled in (and the
closed hours of a file of opening hours), rows dropped off the grid."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecaster.data.freq_steps import grid_word, on_steps, step_word
from forecaster.data.sessions import closed_hours_note
from forecaster.data.timestamps import time_text

if TYPE_CHECKING:  # loading imports this module
    from forecaster.data.loading import Series


def grid_notes(path: Path, series: list, freq: str, fill: str, n_filled: int, n_off: int,
               first_off: tuple[pd.Timestamp, str] | None, columns: list[str]) -> list[str]:
    """The notes on regularising ``series``: rows dropped off the grid, values filled.

    Args:
        path: the file, named in the notes.
        series: the regular series (``loading.Series``).
        freq: the grid's frequency.
        fill: the --fill policy.
        n_filled: values filled in.
        n_off: rows dropped for lying off the grid.
        first_off: the first of them, with its series' name (None if none).
        columns: the channels' names, in the series' channel order.
    """
    notes = [_off_grid_note(path, freq, n_off, *first_off)] if n_off and first_off else []
    if n_filled:
        notes.append(_filled_note(path, series, n_filled, fill, columns))
        longest = max(series, key=lambda s: len(s.index))
        closed = closed_hours_note(path.name, longest.index, longest.observed.any(axis=1))
        notes += [closed] if closed else []
    return notes


def _filled_note(path: Path, series: list, n_filled: int, fill: str,
                 columns: list[str]) -> str:
    rows = sum(int((~s.observed.all(axis=1)).sum()) for s in series)
    total = sum(len(s.index) for s in series)
    note = f"{path.name}: filled {n_filled} missing values in {rows} row(s) by '{fill}'"
    if rows <= total / 2:
        return note
    note += f": {rows} of the grid's {total} rows are filled in, not observed"
    # A column that starts late (a host added later) fills every row before its first
    # reading while the grid is right: advice to check --freq sent users after the wrong cause.
    later = sum(int((~s.observed[_leads(s).max():].all(axis=1)).sum()) for s in series)
    if 2 * later < rows:  # most filled rows lie before a column's first reading
        return note + "; " + _late_columns(series, columns)
    # A given --freq finer than the data, or a feed mostly down.
    return note + "; check --freq (or bin the rows with --resample)"


def _leads(s: Series) -> np.ndarray:
    """Per channel, the rows before its first reading (none for a channel never read:
    it does not start late, and its rows are no sign of a right grid)."""
    return np.where(s.observed.any(axis=0), s.observed.argmax(axis=0), 0)


def _late_columns(series: list[Series], columns: list[str]) -> str:
    """Which columns start late, most of the filled rows lying before their first reading
    (those whose leading stretches, over all series, are at least half the longest)."""
    leads = np.sum([_leads(s) for s in series], axis=0)
    late = [j for j in np.argsort(-leads, kind="stable") if leads[j] >= leads.max() / 2]
    firsts = [min(s.index[_leads(s)[j]] for s in series if s.observed[:, j].any())
              for j in late]
    named = ", ".join(f"'{columns[j]}' (first read at {t.isoformat()})"
                      for j, t in zip(late, firsts, strict=True))
    verb = "that column starts" if len(late) == 1 else "those columns start"
    return f"most lie before the first reading of {named}: {verb} late (the --freq is fine)"


def _off_grid_note(path: Path, freq: str, n_off: int, first: pd.Timestamp, name: str) -> str:
    # Up to 1 % of rows off the grid are tolerated, but their values are lost: say so.
    where = f" of series '{name}'" if name else ""
    at = pd.DatetimeIndex([first])
    return (f"{path.name}: dropped {n_off} row(s) off {grid_word(freq, at)}, first at "
            f"{time_text(first, at) if on_steps(freq, at) else first.isoformat()}{where}; "
            f"give the right --freq, or bin the rows with --resample {step_word(freq, at)} "
            "to keep them")
