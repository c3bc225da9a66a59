"""Event logs: files of timestamps with no number beside them (a row per login, per alarm,
per error line), forecast as the number of rows per ``--resample`` bin.

``--aggregate count`` counts a column's values per bin. A file with no numeric column is
given one, a 1 in every row and named "count", so that its bins count the rows; the model
records "count" as its target, and its later files are given the column again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from forecaster.data.columns import ColumnError, resolve_columns
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import column_list, detect_time
from forecaster.errors import DataError

COUNT = "count"  # the target column of an event log's counts
HINT = ("if each row is one event (a log), forecast the number of rows per step with "
        "--resample STEP --aggregate count (e.g. --resample 1h --aggregate count)")


def count_events(raw: pd.DataFrame, spec: DataSpec,
                 path: Path) -> tuple[pd.DataFrame, DataSpec]:
    """An event log's rows, made countable under ``--resample`` and ``--aggregate count``.

    Args:
        raw: the file's cells, as text.
        spec: the data spec as given.
        path: the file, for messages.

    Returns:
        ``raw`` with a column "count" of ones and ``spec`` with it as the target, where
        rows are counted and the file has no numeric column to count (or ``--target
        count`` names the column, as a model trained on an event log does); else ``raw``
        and ``spec`` as they are.
    """
    if not (spec.resample and spec.aggregate == "count") or COUNT in raw.columns:
        return raw, spec
    if spec.targets == [COUNT] or (not spec.targets and _roles_counting(raw, spec, path)):
        return raw.assign(**{COUNT: "1"}), replace(spec, targets=[COUNT])
    return raw, spec


def _with_units(col: pd.Series) -> bool:
    """Whether most cells are a number followed by a unit (Grafana's formatted data)."""
    cells = col.str.strip()
    cells = cells[cells != ""]
    return len(cells) > 0 and cells.str.fullmatch(r"[+-]?[\d.,]+\s*[^\d\s]{1,4}").mean() > 0.9


def explain(exc: DataError, raw: pd.DataFrame, spec: DataSpec, path: Path) -> DataError:
    """``resolve_columns``' error, telling how to count the rows of a file that has no
    numeric column (an event log, maybe); any other error as it is."""
    if isinstance(exc, ColumnError):  # a column an option named: no log of events
        return exc
    roles = None if spec.targets or COUNT in raw.columns else _roles_counting(raw, spec, path)
    if roles is None:
        return exc
    used = {roles.time_col, *roles.time_parts, *roles.series_cols, *roles.features}
    rest = [c for c in raw.columns if c not in used]
    if rest and all(_with_units(raw[c]) for c in rest):
        return exc  # 45.2 %, 1.18 kB: numbers to export plainly, not events to count
    if rest:
        return DataError(f"{exc}; or, {HINT}")
    times = column_list([c for c in (roles.time_col, *roles.time_parts) if c])
    keys = f" and series names ({', '.join(roles.series_cols)})" if roles.series_cols else ""
    return DataError(f"{path}: found only timestamps ({times}){keys}, no numeric column to "
                     f"forecast; expected a column of numbers beside them; {HINT}")


def times_only(raw: pd.DataFrame, path: Path) -> bool:
    """Whether ``raw`` is one column, of timestamps: an event log, not a file missing its
    time column."""
    if raw.shape[1] != 1 or raw.empty:
        return False
    try:
        return detect_time(raw, path)[0] is not None
    except DataError:
        return False


def _roles_counting(raw: pd.DataFrame, spec: DataSpec, path: Path) -> DataSpec | None:
    # The columns' roles with a column of ones added, where that column is the only
    # target to be found: the file has none of its own. A file that has one, or several,
    # or that fails for another reason is read (and refused) as it is.
    try:
        roles = resolve_columns(raw.assign(**{COUNT: "1"}), spec, path)
    except DataError:
        return None
    return roles if roles.targets == [COUNT] else None
