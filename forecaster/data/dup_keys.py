"""Columns that tell apart rows sharing a series and a timestamp: a key left out.

Kaggle's stacked files key a series by two columns (store and item); keyed by the store
alone, a store's items repeat each date. --duplicates mean would average different items
together, so the duplicate error names the column to add to the key instead.
"""

from __future__ import annotations

import shlex
from itertools import combinations

import pandas as pd

from forecaster.data.spec import DataSpec

# Key columns tried together, at most: two (store, item) covers the stacked files seen.
_MOST = 2
_CANDIDATES = 8  # the first key-like columns tried, to bound the pairs on wide files
# A cell like a date or a clock time (2024-01-31, 13/01, 12:00): a column of times of day
# beside dates is a split timestamp, not a key; a decimal point alone is a number.
_TIME_LIKE = r"\d[-/:]\d"


def key_columns(data: pd.DataFrame, dup: pd.Series, cells: pd.DataFrame | None,
                spec: DataSpec, hours: str | None = None) -> list[str]:
    """The fewest columns, in file order, whose cells tell apart every set of rows
    sharing a series and a timestamp.

    Args:
        data: the rows, with ``__series`` and ``__time`` columns, indexed by file row.
        dup: the rows whose (series, timestamp) repeats.
        cells: the file's cells as text, by file row (None: nothing to look at).
        spec: the resolved roles; their columns are no candidates.
        hours: a column of whole hours beside the dates: part of the time, not a key.

    Returns:
        One or two column names, or none where no such column tells the rows apart.
    """
    if cells is None:
        return []
    rows = cells.loc[data.index[dup]].apply(lambda col: col.astype(str).str.strip())
    taken = spec.named | {hours}
    names = [c for c in rows.columns if c not in taken and _key_like(rows[c])][:_CANDIDATES]
    when = data.loc[rows.index, ["__series", "__time"]]
    for size in range(1, _MOST + 1):
        for combo in combinations(names, size):
            if not pd.concat([when, rows[list(combo)]], axis=1).duplicated().any():
                return list(combo)
    return []


def _key_like(col: pd.Series) -> bool:
    # A key repeats across timestamps (item 7 on every date): a column of distinct cells
    # is a row number (Favorita's id) or a measurement, not a key.
    return col.nunique() * 2 <= len(col) and col.str.contains(_TIME_LIKE).mean() <= 0.5


def key_advice(keys: list[str], spec: DataSpec, series: str, when: str) -> str:
    """What to say of ``keys``: add them to --series-col, rather than merge their rows.

    Args:
        keys: the columns that tell the rows apart (``key_columns``).
        spec: the resolved roles.
        series: the series whose rows repeat a timestamp ("" for none given).
        when: that timestamp, as the file writes it.
    """
    listed = " and ".join(f"'{k}'" for k in keys)
    column = f"column{'s' * (len(keys) > 1)} {listed}"
    option = "--series-col " + shlex.quote(",".join([*spec.series_cols, *keys]))
    if spec.series_cols:
        return (f"rows of series '{series}' at {when} differ in {column}: add "
                f"{'them' if len(keys) > 1 else 'it'} to the key, {option} (--duplicates "
                "would merge their rows)")
    names = "they name" if len(keys) > 1 else "it names"
    return (f"rows at {when} differ in {column}: if {names} the series, give {option}; "
            "else keep one with --duplicates first|last|mean")


def key_advice_reading(keys: list[str], spec: DataSpec, series: str, when: str,
                       path: str) -> str:
    """``key_advice`` for predict and detect-anomalies, which read the data with the
    bundle's series key and have no --series-col: retrain with the key, or give a file
    that keeps to it. Arguments as ``key_advice``; ``path``, the data file."""
    listed = " and ".join(f"'{k}'" for k in keys)
    column = f"column{'s' * (len(keys) > 1)} {listed}"
    retrain = (f"retrain with 'forecast train {path} --series-col "
               f"{shlex.quote(','.join([*spec.series_cols, *keys]))}' (predict and "
               "detect-anomalies read the data as the model was trained)")
    if spec.series_cols:
        return (f"rows of series '{series}' at {when} differ in {column}: to add "
                f"{'them' if len(keys) > 1 else 'it'} to the key, {retrain}")
    names = "they name" if len(keys) > 1 else "it names"
    return (f"rows at {when} differ in {column}, and the model reads one series: if {names} "
            f"the series, {retrain}; else give a file with one row per timestamp")


def time_keys(raw: pd.DataFrame, times: list[str], series: list[str],
              columns: list[str]) -> tuple[list[str], str]:
    """Before any target is chosen: the columns among ``columns`` that tell apart the rows
    sharing a series and a timestamp as written (Walmart's Store and Dept), and the first
    such timestamp.

    Args:
        raw: the file's cells, as text.
        times: the time column, or the columns a timestamp is split over.
        series: the series columns given (none: one series).
        columns: the columns that may be keys.

    Returns:
        The key columns (none where timestamps do not repeat or nothing tells the rows
        apart), and the first repeated timestamp.
    """
    parts = raw[[*times, *series]].astype(str).apply(lambda col: col.str.strip())
    group = parts.iloc[:, 0].str.cat([parts[c] for c in parts.columns[1:]], sep="\x1f")
    dup = group.duplicated(keep=False)
    if not dup.any() or not columns:
        return [], ""
    data = pd.DataFrame({"__series": "", "__time": group})
    return (key_columns(data, dup, raw[columns], DataSpec()),
            " ".join(parts.loc[dup.idxmax(), times]))


def row_numbers(col: pd.Series) -> bool:
    """Whether a column numbers the rows (Favorita's id: 0, 1, 2, ...): no value to forecast."""
    if not _row_numbers_head(col.head(ROWS_LOOKED_AT_FIRST)):
        return False
    values = pd.to_numeric(col.str.strip(), errors="coerce")
    steps = values.sort_values().diff().dropna()
    return bool(values.notna().all() and len(steps) > 0 and (steps == 1).all())


# Row numbers are looked for in every numeric column; the first rows rule out a column of
# readings at once (1.5 s a column on 2 million rows, read whole).
ROWS_LOOKED_AT_FIRST = 1000


def _row_numbers_head(col: pd.Series) -> bool:
    """Whether ``col``'s cells may be some of a column's row numbers: numbers, none twice,
    each a whole number of steps from the others (row numbers sorted step by 1)."""
    values = pd.to_numeric(col.str.strip(), errors="coerce")
    apart = values - values.min()
    return bool(values.notna().all() and not values.duplicated().any()
                and (apart == apart.round()).all())
