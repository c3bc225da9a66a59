"""A quoted field opened near the end of a CSV and never closed: a last record still
being written (a multi-line note), or a stray quote that swallows the rows after it.

pyarrow reads such a field to the end of the file as one cell: the rows inside it vanished
and the forecast started from the row before, with no word. pandas' C reader stops with
"EOF inside string". A half-written record is left out with a note, as a last line without
its line end is (``table_end``); complete rows inside the open quote are refused, as a
quote that runs over rows mid-file is (``csvlines``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from forecaster.data.csvlines import Span, open_span
from forecaster.data.table_end import field_count
from forecaster.errors import DataError


def read_closed(read: Callable[[Span], pd.DataFrame], path: Path, sep: str, width: int,
                span: Span, note: str | None) -> tuple[pd.DataFrame, Span, str | None]:
    """The table read by ``read`` over ``span``, less a last record whose quote is open.

    Args:
        read: parses the part of the file a span covers (pandas' errors raised as they are).
        path: the CSV file.
        sep: its separator.
        width: the number of fields of its header.
        span: the part to read (``table_end`` has cut any footer or unfinished line).
        note: ``table_end``'s note, kept unless the record's note replaces it.

    Returns:
        The cells, the span they were read from, and the note.

    Raises:
        DataError: complete rows follow the open quote.
    """
    try:
        raw = read(span)
    except pd.errors.ParserError as exc:
        if "EOF inside string" not in str(exc):
            raise
        found = open_record(path, sep, width, span)
        if found is None:
            raise
    else:
        if not _broken_last_row(raw):
            return raw, span, note
        found = open_record(path, sep, width, span)
        if found is None:  # a closed multi-line field: the row is whole
            return raw, span, note
    cut = replace(span, stop=found[0])
    return read(cut), cut, found[1]


def _broken_last_row(raw: pd.DataFrame) -> bool:
    # pyarrow's sign of an open quote: the last row holds a line break (as a closed
    # multi-line field does, told apart by ``open_record``).
    if raw.empty:
        return False
    last = raw.iloc[-1].astype(str)
    return bool(last.str.contains("\n", regex=False).any()
                or last.str.contains("\r", regex=False).any())


def open_record(path: Path, sep: str, width: int, span: Span) -> tuple[int, str] | None:
    """Where the table's last record starts, and a note, where it opens a quote that the
    file never closes; None where it is closed (or the header is that record).

    Raises:
        DataError: a line inside the open quote reads as a row of its own.
    """
    with open_span(path, span) as fh:
        lines = fh.read().splitlines(keepends=True)  # \n, \r and \r\n, as csv reads them
    begin = _last_record(lines, sep)
    try:
        list(csv.reader(_texts(lines[begin:]), delimiter=sep, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc) or begin == 0:
            return None
    else:
        return None
    first, last = span.line + begin, span.line + len(lines) - 1
    if any(field_count(text.strip("\r\n"), sep) == width for text in _texts(lines[begin + 1:])):
        raise DataError(f"{path}: line {first} opens a quoted field that runs to the end of "
                        f"the file (line {last}), taking in the rows after it; expected each "
                        '" to be closed on its line: fix that line')
    stop = span.start + sum(map(len, lines[:begin]))
    return stop, (f"{path.name}: the last row (line {first}) opens a quoted field that is "
                  "never closed (a writer may still be writing it); it was left out until "
                  'it is: close the " to keep it')


def _last_record(lines: list[bytes], sep: str) -> int:
    """The index of the line the last record starts on, as Python's reader splits them."""
    rows = csv.reader(_texts(lines), delimiter=sep)
    begin = start = 0
    try:
        for _ in rows:  # before each record, line_num counts the lines before it
            begin, start = start, rows.line_num
    except csv.Error:  # a field over the reader's limit: that record is no quote's
        return 0
    return begin


def _texts(lines: list[bytes]) -> list[str]:
    return [line.decode("utf-8-sig", "replace") for line in lines]
