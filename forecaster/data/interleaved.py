"""Series stacked in one file whose timestamps never collide: a series key left out.

Historians scan their tags at different phases (OSIsoft PI's FIC101.PV on the hour,
TIC202.PV on the half hour; Zabbix items polled at :07 and :37; Home Assistant's
entities), so no timestamp repeats and the duplicate check never names the key column.
Read as one series, the rows alternate between the tags: a forecast of 49, 80, 49, 80.
Each tag alone is regular; together they look like a finer or irregular grid.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import shown
from forecaster.data.spec import DataSpec
from forecaster.errors import TrainOptionError

# Rows a group needs before its spacing says anything, and the most groups a key has.
_MIN_ROWS = 3
_MOST_GROUPS = 1000
_CANDIDATES = 8  # the first key-like columns tried, to bound the work on wide files
# A spacing within this share of the median is the same step (a poll a second late).
_JITTER = 0.05
# The share of spacings at the step that makes rows regular: a few outages allowed.
_REGULAR = 0.8
# A cell like a date or a clock time: a second timestamp, not a key.
_TIME_LIKE = r"\d[-/:]\d"
# Whole numbers are read as ids only under an id's name (Zabbix's itemid, a sensor_id):
# a reading of few values (23, 24, 25 degrees) may take turns with the time as well.
_ID_NAME = re.compile(r"(?i)(^|[_\s.-]|item|sensor|device|host|node|tag|point|meter|entity|"
                      r"metadata|machine|channel|station)id($|[_\s.-])|^(item|tag|sensor|"
                      r"device|host|node|channel|meter|station|entity)$")
# Tags scanned at their own phase are sampled within the day; daily groups taking turns
# are a calendar's labels (a Day column of Mon, Tue, ... beside dates; month names).
_DAY = 86_400.0


def refuse_interleaved(raw: pd.DataFrame, data: pd.DataFrame, spec: DataSpec,
                       path: Path) -> None:
    """Refuse a file whose rows a column splits into regular series taking turns in time.

    Args:
        raw: the file's cells, as text, by file row.
        data: the rows read, with a ``__time`` column, indexed by file row.
        spec: the resolved roles: a file given --series-col, or whose timestamps repeat
            (the duplicate check names the key there), is not looked at.
        path: the file, for the message.

    Raises:
        DataError: naming the column, its number of values and the --series-col to give.
    """
    times = data["__time"]
    if spec.series_cols or len(times) < 2 * _MIN_ROWS or times.duplicated().any():
        return
    merged = np.sort(_seconds(times))
    tried = 0
    for name in (c for c in _varied(raw, data.index, spec) if tried < _CANDIDATES):
        cells = raw.loc[data.index, name].str.strip()
        if not _key_like(cells, name):
            continue
        tried += 1
        if _interleaved(cells, times, merged):
            raise TrainOptionError(_message(path, name, cells), _message(path, name, cells,
                                                                         reading=True))


def _varied(raw: pd.DataFrame, rows: pd.Index, spec: DataSpec) -> list[str]:
    # The columns given no role that, in the rows read, hold two values at least and no
    # empty cell: found at once over the table, not column by column (5,000 constant
    # columns of a logger took seconds); stripping spaces makes no column more varied,
    # nor a cell less empty, so none that ``_key_like`` takes is left out.
    others = [c for c in raw.columns if c not in spec.named]
    cells = raw.loc[rows, others].to_numpy(dtype=object)
    if not cells.size:
        return others
    keep = ~(cells == cells[0]).all(axis=0) & ~(cells == "").any(axis=0)
    return [c for c, k in zip(others, keep, strict=True) if k]


def _key_like(cells: pd.Series, name: str) -> bool:
    # A column that can name a series: text, or whole numbers under an id's name, with a
    # few values each on several rows and no empty cell.
    count = cells.nunique()
    if not 2 <= count <= min(_MOST_GROUPS, len(cells) // _MIN_ROWS) or (cells == "").any():
        return False
    head = cells.drop_duplicates()  # the values alone: cheap on a million rows
    if pd.to_numeric(head, errors="coerce").notna().all():
        return bool(head.str.fullmatch(r"-?\d+").all() and _ID_NAME.search(name))
    return not head.str.contains(_TIME_LIKE).mean() > 0.5


def _interleaved(cells: pd.Series, times: pd.Series, merged: np.ndarray) -> bool:
    """Whether each group of rows is regular, and the groups take turns in time, so that
    together they are finer than any one (or irregular)."""
    steps = []
    for _, when in times.groupby(cells.to_numpy(), sort=False):
        step = _regular_step(np.sort(_seconds(when)))
        if step is None or step >= _DAY:
            return False  # a status column (Good/Bad): its groups are not series
        steps.append(step)
    finer = _regular_step(merged)
    if finer is not None and finer >= min(steps) * (1 - _JITTER):
        return False  # together as regular as apart: blocks (weekdays, shifts), not tags
    order = cells.to_numpy()[np.argsort(_seconds(times), kind="stable")]
    turns = int((order[1:] != order[:-1]).sum())
    return turns >= min(cells.value_counts())  # taking turns, not one after another


def _seconds(times: pd.Series) -> np.ndarray:
    # Seconds since the first row, whatever the times' unit (and pre-1677 years).
    index = pd.DatetimeIndex(times)
    return np.asarray((index - index.min()) / pd.Timedelta(seconds=1), dtype=np.float64)


def _regular_step(times: np.ndarray) -> float | None:
    # The median spacing, where most spacings are that step (a few gaps allowed).
    if len(times) < _MIN_ROWS:
        return None
    gaps = np.diff(times).astype(np.float64)
    step = float(np.median(gaps))
    if step <= 0 or (np.abs(gaps - step) <= _JITTER * step).mean() < _REGULAR:
        return None
    return step


def _message(path: Path, name: str, cells: pd.Series, reading: bool = False) -> str:
    """The error; ``reading``: for predict and detect-anomalies, which have no
    --series-col (the bundle's key holds): the retrain that gives it."""
    values = list(dict.fromkeys(cells))
    shown_values = ", ".join(f"'{shown(v)}'" for v in values[:3])
    more = ", ..." if len(values) > 3 else ""
    option = f"--series-col {shlex.quote(name)}"
    todo = (f"retrain with 'forecast train {path} {option}' (predict and detect-anomalies "
            "read the data as the model was trained)" if reading else f"give {option}")
    return (f"{path}: column '{name}' holds {len(values)} distinct values ({shown_values}"
            f"{more}) whose rows each lie on a regular grid of their own, taking turns in "
            "time: read as one series they would be merged; expected one series, or a "
            f"column naming each: if it names the series, {todo}; else drop the column from "
            "the file")
