"""Spreadsheet padding: the empty columns and empty last rows Excel writes around a table.

Excel saves every cell that was ever formatted, so a two-column sheet can come out as
``Timestamp,Temp,,`` with rows ``...,20.5,,`` and end in lines of bare separators (``,,,``).
Such columns have no name and no value, and such rows no value: they hold nothing to keep,
and refusing the file over them (a "repeated column name ''", an empty timestamp) helped
no one.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from forecaster.data.layout import Layout


def drop_padding(raw: pd.DataFrame, layout: Layout,
                 name: str) -> tuple[pd.DataFrame, Layout, str | None]:
    """Drop the columns with neither a name nor a value, and the empty rows at the end.

    Args:
        raw: the table as read, all cells text.
        layout: its layout; the header loses the dropped columns' names.
        name: the file's name, for the note.

    Returns:
        The table, its layout, and a note saying what was dropped (None when nothing was).
    """
    header = layout.header[:raw.shape[1]]
    drop = [j for j, cell in enumerate(header) if not cell and _blank(raw.iloc[:, j]).all()]
    if len(drop) == raw.shape[1]:
        return raw, layout, None  # no table at all: the shape check says so
    rows = _empty_rows(raw.drop(columns=raw.columns[drop]) if drop else raw)
    if not drop and not rows:
        return raw, layout, None
    raw = raw.drop(columns=raw.columns[drop]).iloc[:len(raw) - rows]
    layout = replace(layout, header=[c for j, c in enumerate(layout.header) if j not in drop])
    what = [f"{n} empty {kind}" for n, kind in ((len(drop), "column(s) with no name"),
                                                 (rows, "row(s) at the end")) if n]
    return raw, layout, f"{name}: left out {' and '.join(what)} (spreadsheet padding)"


def _blank(cells: pd.Series) -> pd.Series:
    return cells.str.strip() == ""


def _empty_rows(kept: pd.DataFrame) -> int:
    # The empty rows at the end. A last row with a value ends the search at once: the
    # cells of every row of a wide file (20,000 columns) took seconds to look at.
    if not kept.empty and not _blank(kept.iloc[-1].astype(str)).all():
        return 0
    filled = np.flatnonzero(~kept.apply(_blank).all(axis=1).to_numpy())
    return len(kept) - (int(filled[-1]) + 1) if filled.size else 0  # all empty: refused later
