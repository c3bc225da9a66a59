"""A note on how one column's cells were read (numbers.locale_numbers and the readers
of number_spellings), with the cells as written, to give back where the column goes
unread."""

from __future__ import annotations

import pandas as pd


class ColumnNote(str):
    """A note on how one column was read: shown only where that column is read (a target
    or a feature). UCI's household power file has nine columns; a note on the voltage
    column of every cron run that forecasts the active power helped no one."""

    column: str
    original: pd.Series | None

    def __new__(cls, column: str, text: str, original: pd.Series | None = None) -> ColumnNote:
        note = super().__new__(cls, text)
        note.column, note.original = column, original
        return note
