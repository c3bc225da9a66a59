"""Each row's series name, from the column(s) that ``--series-col`` names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.spec import SERIES_JOIN, DataSpec
from forecaster.errors import DataError


def series_keys(raw: pd.DataFrame, spec: DataSpec, path: Path,
                first_row: RowLines) -> pd.Series:
    """Each row's series name: "" for a single series, else its key cells joined.

    Args:
        raw: the file's cells, as text.
        spec: the resolved roles (``series_cols``).
        path: the file, for messages.
        first_row: the first row's line in the file, for messages.

    Returns:
        The names, by file row: store 1 and item 7 are "1/7" (``SERIES_JOIN``).

    Raises:
        DataError: a key cell is empty, or two keys join into one name.
    """
    cols = spec.series_cols
    if not cols:
        return pd.Series("", index=raw.index)
    cells = raw[cols].astype(str).apply(lambda col: col.str.strip())
    for col in cols:
        empty = np.flatnonzero((cells[col] == "").to_numpy())
        if empty.size:
            raise DataError(f"{path}: row {line_of(first_row, int(empty[0]))}, column "
                            f"'{col}': empty series name ({empty.size} in all); fill it in "
                            "or drop those rows")
    if len(cols) == 1:
        return cells[cols[0]]
    keys = cells[cols[0]].str.cat([cells[c] for c in cols[1:]], sep=SERIES_JOIN)
    _check_distinct(cells, keys, cols, path)
    return keys


def _check_distinct(cells: pd.DataFrame, keys: pd.Series, cols: list[str], path: Path) -> None:
    # Cells holding the separator themselves ("a/b" + "c" and "a" + "b/c") would merge two
    # series under one name, their rows then refused as duplicates or averaged together.
    pairs = cells.drop_duplicates()
    names = keys.loc[pairs.index]
    clash = names[names.duplicated(keep=False)]
    if clash.empty:
        return
    a, b = (tuple(pairs.loc[i]) for i in clash.index[:2])
    raise DataError(f"{path}: series keys {a} and {b} of columns {', '.join(cols)} both join "
                    f"into the name '{clash.iloc[0]}' ('{SERIES_JOIN}' between the cells); "
                    f"expected a distinct name per series: replace '{SERIES_JOIN}' in those "
                    "cells")
