"""``--resample``: rows binned to a coarser regular step before the grid is built.

Event logs (a row per key press, per trade, per alarm) and sensors written every few
seconds have no usable step of their own; binned to 5 minutes or an hour they become a
series the models can window. Each series is binned on its own: a bin holds the rows
from its label up to the next one (``[label, label + step)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecaster.data.grid import parse_step
from forecaster.data.grid_checks import period_start
from forecaster.data.grid_size import check_grid_size
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import is_step_freq, is_steps
from forecaster.errors import ConfigError

if TYPE_CHECKING:
    from pandas.core.resample import Resampler

TOTALS = ("sum", "count")  # an empty bin is 0, and a bin cut short undercounts
_EVERY = {"D": "daily", "h": "hourly", "W-SUN": "weekly", "MS": "monthly"}


def resample_rows(data: pd.DataFrame, spec: DataSpec, path: Path,
                  notes: list[str]) -> pd.DataFrame:
    """Bin each series' rows to ``spec.resample`` by ``spec.aggregate``.

    A bin without rows is left out, so the grid fills it by ``--fill`` and masks it
    (never scored, never a training target) — except with "sum" and "count", where an
    empty bin is a true zero (no events in that hour), and a first bin the rows start
    late in is left out (it would undercount). A bin whose rows all lack a column's value
    (a meter writing "?" all day) is a gap in that column, whatever the aggregate: pandas
    sums it to 0, a reading never taken. Sums and counts over bins missing only some
    values are kept, with a note: they undercount. A last bin that the data has not
    yet covered (a cron job reading a file still being written) is left out with a note:
    a sum over half an hour is not an hour's sum, and would read as an anomaly.

    Args:
        data: rows with ``__series``, ``__time`` (UTC, sorted) and numeric columns.
        spec: the data spec (``resample``, ``aggregate``).
        path: the file, for messages.
        notes: where a dropped partial bin is noted.

    Returns:
        Rows of the same layout, one per (series, bin).
    """
    offset = check_step(spec.resample, path)
    _check_times(data, offset, spec, path)
    cols = [c for c in data.columns if not c.startswith("__")]
    # The file's rows, all series together: how far the file has got decides whether a
    # series' last bin is over (a quiet host's last hour is complete once others log on).
    every = data["__time"].sort_values(ignore_index=True)
    parts = [_bin_series(name, rows, cols, every, offset, spec, path, notes)
             for name, rows in data.groupby("__series", sort=True)]
    return pd.concat(parts, ignore_index=True)


def _check_times(data: pd.DataFrame, offset: pd.DateOffset, spec: DataSpec, path: Path) -> None:
    """Refuse step-numbered rows, and a span too long for bins of ``offset``."""
    # Step numbers are binned by a number of steps (--resample 10, read as 10ns), never by
    # a span of time; times are left to check_grid_size (10ns on hours: too many bins).
    if is_steps(data["__time"]) and not is_step_freq(spec.resample):
        raise ConfigError(f"--resample {spec.resample}: {path.name} is indexed by step "
                          "numbers, not times, and bins of it are a number of steps; give "
                          "one (--resample 10: bins of ten steps), or leave --resample out")
    check_grid_size(pd.DatetimeIndex(data["__time"].sort_values()), offset, spec,
                    spec.resample, path)


def _bin_series(name: object, rows: pd.DataFrame, cols: list[str], every: pd.Series,
                offset: pd.DateOffset, spec: DataSpec, path: Path,
                notes: list[str]) -> pd.DataFrame:
    """One series' rows binned, its partial edge bins left out (with notes)."""
    bins = rows.set_index("__time")[cols].resample(offset, label="left", closed="left")
    held, size = bins.count(), bins.size()  # values per bin and column; rows per bin
    binned = _bins(bins, held, size, spec.aggregate)
    if spec.aggregate in TOTALS:
        short = _undercount(held, size, offset, spec)
        notes += [f"{path.name}: {short[0]}{_named(name)} {short[1]}"] if short else []
        binned = _zeros_to_end(binned, every.iloc[-1], offset)
        if _partial_first_bin(rows["__time"], binned.index):
            binned = binned.iloc[1:]
    if _partial_last_bin(every, binned.index, offset):
        notes.append(f"{path.name}: the last --resample {spec.resample} bin"
                     f"{_named(name)}, from {binned.index[-1].isoformat()}, is not yet "
                     "complete: left out until it is")
        binned = binned.iloc[:-1]
    binned.insert(0, "__time", binned.index)
    binned.insert(0, "__series", name)
    return binned.reset_index(drop=True)


def newest_rows(data: pd.DataFrame, spec: DataSpec) -> dict[str, pd.Timestamp]:
    """Each series' newest row holding a value, by name, as read before binning.

    ``--max-age`` measures from it: a bin is labelled by its start and a last bin not yet
    complete is left out, so 5-minute rows binned to hours looked over an hour old on a
    live feed. With "sum" and "count" a series' silence is zeros up to the file's newest
    row (``_zeros_to_end``), so that row is every series' newest.
    """
    if spec.aggregate in TOTALS:
        last = data["__time"].max()
        return {str(name): last for name in data["__series"].unique()}
    cols = [c for c in data.columns if not c.startswith("__")]
    held = data[data[cols].notna().any(axis=1)]
    return {str(name): t for name, t in held.groupby("__series")["__time"].max().items()}


def check_step(alias: str | None, path: Path) -> pd.DateOffset:
    """The ``--resample`` step, with a clear error for a bad one."""
    offset = parse_step(alias, "--resample", "5min, h, D, W, MS (months) or QS (quarters)")
    if type(offset).__name__.endswith("End"):
        # Bins are labelled by their start: a month-end bin would run from 31 October to
        # 29 November under the label 2023-10-31, not hold October.
        start = period_start(offset.freqstr) or "MS"
        raise ConfigError(f"--resample {alias}: bins are labelled by their first day, and "
                          f"an end-of-period step would not hold its own period; use "
                          f"--resample {start}")
    return offset


def _bins(bins: Resampler, held: pd.DataFrame, size: pd.Series, how: str) -> pd.DataFrame:
    out = held if how == "count" else bins.agg(how)
    if how in TOTALS:
        # Rows but no value (all "?"): a gap, not the 0 pandas sums it to. A bin without
        # rows stays 0: nothing happened.
        empty = (size == 0).to_numpy()[:, None]
        out = out.where(held.gt(0).to_numpy() | empty)
    else:
        out = out.dropna(how="all")  # no values: a gap for --fill, not a value
    # 15 digits: a mean's float noise (51.922000000000004) would be echoed as the value.
    return out.astype(np.float64).map(lambda v: float(f"{v:.15g}"))


def _undercount(held: pd.DataFrame, size: pd.Series, offset: pd.DateOffset,
                spec: DataSpec) -> tuple[str, str] | None:
    """The bins summed (or counted) with some of their rows' values missing, as the two
    halves of a note around the series' name ("3 daily bins", "summed with ...").

    Such a bin is kept as the sum of what was read, not scaled up: the note says it
    undercounts, and names the bin missing the most.

    Args:
        held: values per bin and column.
        size: rows per bin.
        offset: the ``--resample`` step.
        spec: the data spec (``resample``, ``aggregate``).

    Returns:
        The halves, or None when no bin misses only part of its values.
    """
    missing = held.rsub(size, axis=0).where(held.gt(0)).max(axis=1)
    missing = missing[missing > 0]
    if missing.empty:
        return None
    worst = missing.idxmax()
    every = _EVERY.get(offset.freqstr, f"--resample {spec.resample}")
    done, what = ("summed", "sums") if spec.aggregate == "sum" else ("counted", "counts")
    return (f"{len(missing)} {every} bin{'s' * (len(missing) > 1)}",
            f"{done} with some readings missing (the most: {_label(worst, offset)}, "
            f"{int(missing[worst])} of {int(size[worst])}); their {what} undercount")


def _label(stamp: pd.Timestamp, offset: pd.DateOffset) -> str:
    # A bin of a day or more by its date, a finer one by its time too.
    epoch = pd.Timestamp(0)
    daily = epoch + offset >= epoch + pd.Timedelta(days=1)
    return stamp.strftime("%Y-%m-%d") if daily else stamp.isoformat()


def _zeros_to_end(binned: pd.DataFrame, end: pd.Timestamp,
                  offset: pd.DateOffset) -> pd.DataFrame:
    """Counts or sums of one series, with zero bins up to the bin that holds ``end``.

    A host that stops logging has no rows after its last event: its silent hours are
    zeros, to be forecast and scored as such, not a series that ended.
    """
    labels = pd.date_range(binned.index[0], end, freq=offset)
    return binned.reindex(binned.index.union(labels), fill_value=0.0)


def _partial_last_bin(times: pd.Series, labels: pd.DatetimeIndex,
                      offset: pd.DateOffset) -> bool:
    """Whether the rows stop before the last bin's end by more than their usual spacing."""
    spacing = _spacing(times, labels)
    return spacing is not None and times.iloc[-1] + spacing < labels[-1] + offset


def _partial_first_bin(times: pd.Series, labels: pd.DatetimeIndex) -> bool:
    """Whether the rows start after the first bin's start by more than their usual spacing."""
    spacing = _spacing(times, labels)
    return spacing is not None and times.iloc[0] - spacing >= labels[0]


def _spacing(times: pd.Series, labels: pd.DatetimeIndex) -> pd.Timedelta | None:
    # The median spacing of the rows' distinct times (dates of an order log repeat: a
    # spacing of 0 made both edge bins "partial", and a whole first and last day were
    # dropped); None when too few rows or bins to judge an edge by.
    steps = pd.Series(times.to_numpy()).diff()
    steps = steps[steps > pd.Timedelta(0)]
    if len(labels) < 2 or len(steps) < 2:
        return None
    return pd.Timedelta(steps.median())


def _named(name: object) -> str:
    return f" of series '{name}'" if str(name) else ""
