"""What it took to put a file's rows on the grid, in notes: values filled in (and the
closed hours of a file of opening hours), rows dropped off the grid."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.sessions import closed_hours_note


def grid_notes(path: Path, series: list, freq: str, fill: str, n_filled: int, n_off: int,
               first_off: tuple[pd.Timestamp, str] | None) -> list[str]:
    """The notes on regularising ``series``: rows dropped off the grid, values filled.

    Args:
        path: the file, named in the notes.
        series: the regular series (``loading.Series``).
        freq: the grid's frequency.
        fill: the --fill policy.
        n_filled: values filled in.
        n_off: rows dropped for lying off the grid.
        first_off: the first of them, with its series' name (None if none).
    """
    notes = [_off_grid_note(path, freq, n_off, *first_off)] if n_off and first_off else []
    if n_filled:
        notes.append(_filled_note(path, series, n_filled, fill))
        longest = max(series, key=lambda s: len(s.index))
        closed = closed_hours_note(path.name, longest.index, longest.observed.any(axis=1))
        notes += [closed] if closed else []
    return notes


def _filled_note(path: Path, series: list, n_filled: int, fill: str) -> str:
    rows = sum(int((~s.observed.all(axis=1)).sum()) for s in series)
    total = sum(len(s.index) for s in series)
    note = f"{path.name}: filled {n_filled} missing values in {rows} row(s) by '{fill}'"
    if rows > total / 2:  # a given --freq finer than the data, or a feed mostly down
        note += (f": {rows} of the grid's {total} rows are filled in, not observed; check "
                 "--freq (or bin the rows with --resample)")
    return note


def _off_grid_note(path: Path, freq: str, n_off: int, first: pd.Timestamp, name: str) -> str:
    # Up to 1 % of rows off the grid are tolerated, but their values are lost: say so.
    where = f" of series '{name}'" if name else ""
    return (f"{path.name}: dropped {n_off} row(s) off the '{freq}' grid, first at "
            f"{first.isoformat()}{where}; give the right --freq, or bin the rows with "
            f"--resample {freq} to keep them")
