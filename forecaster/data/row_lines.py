"""Rows named by their lines in the file, blank lines inside the table counted.

The CSV readers skip empty lines, so the n-th row read is not on line header + n once a
blank line sits inside the table: every error after it named the line before the one at
fault, and with InfluxDB's multi-table exports (a blank line between tables) the advice
to remove a repeated header pointed at the line above it. ``csvlines.row_lines`` finds
the lines; ``line_of`` names a row by its line.
"""

from __future__ import annotations

import numpy as np

# The first row's line (rows follow the header line by line), or each row's line.
RowLines = int | np.ndarray


def line_of(first_row: RowLines, row: int) -> int:
    """The file line of the row at position ``row`` (``first_row`` from ``row_lines``)."""
    if isinstance(first_row, np.ndarray):
        return int(first_row[row]) if row < len(first_row) else int(first_row[-1]) + 1
    return int(row) + first_row
