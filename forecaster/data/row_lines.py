"""Rows named by their lines in the file, blank lines inside the table counted.

The CSV readers skip empty lines, so the n-th row read is not on line header + n once a
blank line sits inside the table: every error after it named the line before the one at
fault, and with InfluxDB's multi-table exports (a blank line between tables) the advice
to remove a repeated header pointed at the line above it; so did a quoted cell over
several lines (a note with a line break). ``row_lines`` finds the lines; ``line_of``
names a row by its line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from forecaster.data.csvlines import Span, open_span
from forecaster.data.space_lines import blank_lines, blank_row, is_blank

# The first row's line (rows follow the header line by line), or each row's line.
RowLines = int | np.ndarray
# Blank lines inside a table (row_lines): looked for in files up to this size.
MAX_SCAN = 64 << 20  # bytes; past this the rows keep header + n (a blank line is rare)


def line_of(first_row: RowLines, row: int) -> int:
    """The file line of the row at position ``row`` (``first_row`` from ``row_lines``)."""
    if isinstance(first_row, np.ndarray):
        return int(first_row[row]) if row < len(first_row) else int(first_row[-1]) + 1
    return int(row) + first_row


def row_lines(path: Path, span: Span, rows: int, sep: str = ",") -> int | np.ndarray:
    """Where the rows read from ``span`` lie in the file.

    Args:
        path: the CSV file.
        span: the part read, from the header on.
        rows: how many rows the reader returned.
        sep: the separator, to read quoted cells over several lines.

    Returns:
        The first row's line (an int) where the rows follow the header line by line; else
        each row's line (an array), for ``line_of``.
    """
    stop = span.stop if span.stop is not None else path.stat().st_size
    if stop - span.start > MAX_SCAN:
        return span.line + 1
    with open_span(path, span) as fh:
        data = fh.read()
    # A quoted cell over several lines (a note written with line breaks) makes a row of
    # more lines than one: every error below it named a line above the one at fault.
    quoted = b'"' in data and data.count(b"\n") + (not data.endswith(b"\n")) - 1 != rows
    if quoted and (found := _quoted_lines(data, sep, rows)) is not None:
        return span.line + found
    if not blank_lines(sep).search(data):  # empty, or of spaces only (``space_lines``)
        return span.line + 1
    lines = data.split(b"\n")[1:]  # after the header
    filled = np.flatnonzero([not is_blank(line, sep) for line in lines]) + 1
    # Where the lines cannot be told (a quoted cell the csv module reads otherwise), the
    # rows keep header + n.
    return span.line + filled if len(filled) == rows else span.line + 1


def _quoted_lines(data: bytes, sep: str, rows: int) -> np.ndarray | None:
    """Each row's first line after the header, read as the csv module reads quoted cells
    (blank lines skipped, as pandas skips them); None where its rows are not ``rows``."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""),
                        delimiter=sep)
    starts = []
    try:
        for before, row in _with_lines(reader):
            if not blank_row(row, sep):
                starts.append(before)
    except csv.Error:  # a NUL, a stray quote: the lines cannot be told
        return None
    starts = starts[1:]  # the header is on line 0 of the span
    return np.asarray(starts) if len(starts) == rows else None


def _with_lines(reader) -> Iterator[tuple[int, list[str]]]:
    # Each row with the number of lines read before it: its line, from the span's first.
    before = 0
    for row in reader:
        yield before, row
        before = reader.line_num
