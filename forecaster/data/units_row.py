"""Rows of units or descriptions under the header (PI DataLink's ``Units,degC``).

Such a row names what the columns hold, in the place of the first reading: its time cell
is a word (or empty: a spreadsheet's ``,degC,%``) and its values are words too. Read as
data, the time column was said to write "dates in more than one format", whose advice
(rewrite it in ISO 8601) fitted a column that was ISO already; an empty time cell was
"cannot parse '' as a timestamp". Only rows at the top of the table of that very shape are
left out, with a note: a time cell that is no time over a column of dates, and in every
column of numbers a cell that is none (words in one at least).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecaster.data.cells import is_na_word, shown
from forecaster.data.headless import number_cells, time_cells
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.word_cells import passing

MAX_ROWS = 3  # such rows looked for at the top: units, a description, a tag name
ROWS_SEEN = 50  # rows below them that tell the columns' kinds
AGREE = 0.99  # share of a column's cells of one kind, below those rows
LETTER = r"[^\W\d_]"  # a word's letter, in any script: degC, °C, m³/h


def drop_units_rows(raw: pd.DataFrame, first_row: RowLines, name: str, sep: str,
                    needed: list[str] | None = None) -> tuple[pd.DataFrame, RowLines, str | None]:
    """Leave out the rows of units or descriptions at the top of the table.

    Args:
        raw: the table as read, all cells text.
        first_row: the rows' lines in the file (``row_lines.row_lines``).
        name: the file's name, for the note.
        sep: the separator, to show the rows as the file writes them.
        needed: the columns read (``needed.needed_columns``), the only ones classified;
            None for all.

    Returns:
        The table, its rows' lines, and a note naming the rows left out (None if none).
    """
    if len(raw) < MAX_ROWS + 2:
        return raw, first_row, None
    below = raw.iloc[MAX_ROWS:MAX_ROWS + ROWS_SEEN]
    look = (list(range(raw.shape[1])) if needed is None
            else [raw.columns.get_loc(c) for c in needed])
    part = [below.iloc[:, j] for j in look]  # a wide file's words are ruled out at once
    times = [look[j] for j in passing(part, lambda c: _mostly(c, time_cells), AGREE)]
    numbers = [look[j] for j in passing(part, lambda c: _mostly(c, number_cells), AGREE)
               if look[j] not in times]
    if not times or not numbers:
        return raw, first_row, None
    # Columns not read are not classified (a wide file's thousands), but a units row may
    # leave the read columns' cells blank and say its words in theirs: 'Units,,kW,m3/h'.
    looked = set(look)
    others = [j for j in range(raw.shape[1]) if j not in looked]
    count = 0
    while count < MAX_ROWS and _words(raw.iloc[count], times, numbers, others):
        count += 1
    if not count:
        return raw, first_row, None
    shown_rows = ", ".join(f"line {line_of(first_row, i)} ('{shown(sep.join(raw.iloc[i]))}')"
                           for i in range(count))
    lines = first_row[count:] if isinstance(first_row, np.ndarray) else first_row + count
    return (raw.iloc[count:].reset_index(drop=True), lines,
            f"{name}: left out {shown_rows} under the header: units or descriptions, not "
            "data (the time is no date, the values are no numbers)")


def _mostly(col: pd.Series, kind) -> bool:
    # The column's filled cells (missing-value words aside) are nearly all of ``kind``.
    text = col.astype(str).str.strip()
    text = text[(text != "") & ~is_na_word(text)]
    return not text.empty and bool(kind(text).mean() >= AGREE)


def _words(row: pd.Series, times: list[int], numbers: list[int],
           others: list[int] | None = None) -> bool:
    # No time where the dates are, no number where the numbers are, and words in those
    # (or, where those are blank, in the columns not classified: ``others``).
    cells = row.astype(str).str.strip().reset_index(drop=True)
    when, values = cells[times], cells[numbers]
    written = values[(values != "") & ~is_na_word(values)]
    if written.empty and others:
        extra = cells[others]
        written = extra[(extra != "") & ~is_na_word(extra) & ~number_cells(extra)]
    # The time cell says "Units", or nothing (a spreadsheet's ',degC,%' under its names).
    titled = when.str.contains(LETTER).any() or (when == "").all()
    return bool(not time_cells(when).any() and not number_cells(values).any() and titled
                and written.str.contains(LETTER).any())
