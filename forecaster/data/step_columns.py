"""Messages about the ``step`` column that numbers the rows of a file of values alone.

That column is the reader's, not the file's: an error listing a file's columns must not
name it among them (a later file of values alone, given to a model trained with a time
column, was said to hold "step, a" where it held "a"), and a model trained on such a file
asks later files for a column named ``step`` that no file of times holds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.columns import ColumnError
from forecaster.data.timestamps import column_list
from forecaster.errors import DataError

STEP = "step"
ADDED = "row_steps"  # DataFrame.attrs key: the reader put the step column in


def mark_added(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw``, recorded as holding a ``step`` column the reader added."""
    raw.attrs[ADDED] = True
    return raw


def explain_missing(exc: DataError, raw: pd.DataFrame, path: Path,
                    steps: bool) -> DataError:
    """``resolve_columns``' "no column" error in the terms of the file as written.

    Args:
        exc: the error raised.
        raw: the cells read, with the reader's ``step`` column where it added one.
        path: the file, for the message.
        steps: a model trained on step numbers reads the file (not train's own options).

    Returns:
        The error to raise: ``exc`` itself where neither case applies.
    """
    if not isinstance(exc, ColumnError):
        return exc
    if raw.attrs.get(ADDED) and exc.column != STEP:
        own = column_list([c for c in raw.columns if c != STEP])
        return ColumnError(f"{path}: no column '{exc.column}'; the file holds only {own}, "
                           "values with no time column: check the name (case counts), or "
                           "give a file with the training columns, its time column too",
                           exc.column)
    if steps and exc.column == STEP and STEP not in raw.columns:
        return ColumnError(f"{exc}; 'step' is the row numbers given to a file of values "
                           "alone, with no time column: where the model was trained on such "
                           "a file, give a file of those columns alone (no time column), or "
                           "retrain on this file", exc.column)
    return exc
