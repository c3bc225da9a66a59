"""Rows that repeat the header: CSV files joined together (``cat``), each with its own.

Read as data, the second header was blamed on a date format or a number (so was one
starting with its file's byte-order mark). A second export may write the same columns in
another order: its names were "not a number", and the advice was to fix the values, where
the rows below it need their columns put back in order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.row_lines import RowLines, line_of
from forecaster.errors import DataError

BOM = "\ufeff"


def check_repeated_header(raw: pd.DataFrame, path: Path, header: list[str],
                          first_row: RowLines) -> None:
    """Refuse data rows that repeat the header: CSV files joined together (``cat``), each
    with its own header, whose second header would be blamed on a date format or a number.
    A header of the same names in another order (a second export's) is one as well: its
    names were "not a number", and the advice was to fix the values.

    Args:
        raw: the file's cells, as text, one column per header name.
        path: the file, for messages.
        header: the header's names, stripped.
        first_row: the rows' lines in the file (``row_lines.row_lines``).

    Raises:
        DataError: naming the first such line, and how many there are.
    """
    # A second file's byte-order mark (two Excel exports joined) starts its header's line.
    maybe = raw.iloc[:, 0].str.strip().str.lstrip(BOM).isin(header)
    for col in range(1, raw.shape[1]):
        if not maybe.any():  # the common case: decided on the first column
            return
        maybe &= raw.iloc[:, col].str.strip().isin(header)
    rows = [i for i in np.flatnonzero(maybe.to_numpy())
            if sorted(_names(raw.iloc[i])) == sorted(header)]
    if not rows:
        return
    first = line_of(first_row, int(rows[0]))
    what = (f"line {first} repeats the header" if len(rows) == 1 else
            f"{len(rows)} lines repeat the header, the first line {first}")
    order = _names(raw.iloc[rows[0]])
    if order != header:  # removing it would leave the rows below with their columns swapped
        raise DataError(f"{path}: {what} with its columns in another order "
                        f"({', '.join(order)}; files joined together?); expected one header "
                        "line, at the top, and every row in its order: write the rows below "
                        "that line in the first header's order, and remove it")
    raise DataError(f"{path}: {what} (files joined together?); expected one header line, at "
                    f"the top: remove {'those lines' if len(rows) > 1 else 'that line'}")


def _names(row: pd.Series) -> list[str]:
    # A row's cells as header names: stripped, the first of a byte-order mark too.
    return [str(c).strip().lstrip(BOM) if i == 0 else str(c).strip()
            for i, c in enumerate(row)]
