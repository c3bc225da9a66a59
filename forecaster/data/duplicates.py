"""Rows that share a timestamp: an error naming them, or the --duplicates policy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.data.dup_keys import key_advice, key_advice_reading, key_columns
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError, TrainOptionError


def _clock_change_hint(times: pd.Series) -> str:
    # Local clock times repeat one hour when daylight saving time ends (late October in
    # Europe, early November in North America, April in the south); dropping them would
    # lose a real hour. Every repeat in the night of such a month, each time twice: one
    # hour in a day or in each of several years (PJM's hourly loads).
    times = pd.DatetimeIndex(times)
    days = times.normalize()
    twice = bool((times.value_counts() == 2).all())
    each_day = (pd.Series(times).groupby(days).agg(lambda t: t.max() - t.min())
                <= pd.Timedelta(hours=1)).all()
    if twice and each_day and times.month.isin((3, 4, 10, 11)).all() and (times.hour < 4).all():
        return ("; if these are local clock times repeated when daylight saving time ended, "
                "write the timestamps with their UTC offset (e.g. +02:00, then +01:00) or in UTC")
    return ""


def handle_duplicates(data: pd.DataFrame, spec: DataSpec, path: Path, written: pd.Series,
                      first_row: RowLines = 2, notes: list[str] | None = None,
                      hours: str | None = None,
                      cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Apply ``--duplicates`` to rows sharing a (series, timestamp) key.

    Args:
        data: the rows, with ``__series`` and ``__time`` (UTC) columns, indexed by file row.
        spec: the data layout (``duplicates`` policy, ``series_col``).
        path: the file, for messages.
        written: the timestamps' text as written in the file, by file row.
        first_row: the first row's line in the file, for messages.
        notes: where a note on what the policy did goes (none: no note).
        hours: a column of whole hours beside the dates (``hour_column``), for the advice.
        cells: the file's cells as text, by file row: a row repeating an earlier one in
            every cell is left out (with a note) rather than refused.

    Raises:
        DataError: with the default policy "error", naming the first repeated timestamp.
    """
    dup = data.duplicated(["__series", "__time"], keep=False)
    if not dup.any():
        return data
    if spec.duplicates == "error":
        # A row repeated in every cell (a logger writing it twice) says nothing new: left
        # out, with a note. Refused, it stopped every cron run until someone came.
        twice = _repeated_rows(data, dup, cells, spec)
        if twice.any():
            if notes is not None:
                line = line_of(first_row, int(data.index[twice].min()))  # first in the file
                notes.append(f"{path.name}: left out {int(twice.sum())} row(s) repeating an "
                             f"earlier row's time and values, first on line {line}")
            return handle_duplicates(data[~twice], spec, path, written, first_row, notes,
                                     hours, cells)
        raise _duplicate_error(data, dup, spec, path, written, first_row, hours, cells)
    if notes is not None:  # what the policy did, in numbers: a cron log shows it growing
        kept = "mean" if spec.duplicates == "mean" else f"{spec.duplicates} row"
        notes.append(f"{path.name}: {_count(data, dup)}; kept the {kept} of each "
                     f"(--duplicates {spec.duplicates})")
    if spec.duplicates == "mean":
        return data.groupby(["__series", "__time"], as_index=False, sort=False).mean()
    return data.drop_duplicates(["__series", "__time"], keep=spec.duplicates)


def _duplicate_error(data: pd.DataFrame, dup: pd.Series, spec: DataSpec, path: Path,
                     written: pd.Series, first_row: RowLines, hours: str | None,
                     cells: pd.DataFrame | None) -> DataError:
    first = data.index[dup][0]
    key = data.loc[first, ["__series", "__time"]]
    same = (data["__series"] == key["__series"]) & (data["__time"] == key["__time"])
    rows = sorted(line_of(first_row, int(i)) for i in data.index[same])[:2]
    column = spec.time_col if spec.time_col is not None else " + ".join(spec.time_parts)
    when = str(written.loc[first]).strip()
    series = f" in series '{key['__series']}'" if spec.series_cols else ""
    where = (f"{path}: duplicate timestamp {when}{series} (rows "
             f"{' and '.join(map(str, rows))} of time column '{column}'; {_count(data, dup)}); ")
    spaced = _spaced_names(data.index[same], cells, spec)
    if spaced:
        return DataError(where + spaced)
    keys = key_columns(data, dup, cells, spec, hours)
    if keys:  # a key column left out: --duplicates would merge different series
        return TrainOptionError(
            where + key_advice(keys, spec, key["__series"], when),
            where + key_advice_reading(keys, spec, key["__series"], when, str(path)))
    repeated = data.loc[dup & (data["__series"] == key["__series"]), "__time"]
    several = "" if spec.series_cols else ("if the file holds several series, name their "
                                          "column with --series-col; else ")
    # Most rows repeating a time: a wrong time column (InfluxDB's _start), or dates whose
    # time of day sits in another column, as likely as several series.
    other = (f"if '{column}' is not the time column, name the right one with --time-col; "
             if dup.mean() > 0.5 else "")
    if hours and dup.mean() > 0.5:
        other = f"if '{hours}' holds each date's hour, give --time-col {column},{hours}; "
    return DataError(f"{where}{other}{several}keep one "
                     "with --duplicates first|last|mean, or "
                     "for an event log bin the rows with --resample (at training: predict and "
                     "detect-anomalies use the model's choice)"
                     f"{_clock_change_hint(repeated)}")


def _spaced_names(rows: pd.Index, cells: pd.DataFrame | None, spec: DataSpec) -> str:
    # Names are read without surrounding spaces (an "a, b" export pads every cell), so
    # ' sp' and 'sp' are one series: --duplicates would then merge two series' rows.
    if cells is None:
        return ""
    for col in spec.series_cols:
        written = pd.unique(cells.loc[rows, col].astype(str))
        if len(written) > 1:
            shown = " and ".join(repr(str(w)) for w in written[:2])
            return (f"its rows name their series {shown} in column '{col}', one name once "
                    "surrounding spaces are dropped: if they are two series, rename one in "
                    "the file; if one, keep one row with --duplicates first|last|mean")
    return ""


def _repeated_rows(data: pd.DataFrame, dup: pd.Series, cells: pd.DataFrame | None,
                   spec: DataSpec) -> pd.Series:
    # Rows repeating an earlier row: the same time and values as read, and the same text in
    # every cell not read. An uploader re-sending its last row as 18.1190 for 18.119, or
    # +00:00 for Z, was refused on every cron run until someone edited the file.
    twice = pd.Series(False, index=data.index)
    if cells is not None:
        # Series names as written: ' sp' and 'sp' may be two series (_spaced_names).
        read = {*spec.targets, *spec.features, *spec.time_parts, spec.time_col}
        rows = data.index[dup]
        others = cells.loc[rows, [c for c in cells.columns if c not in read]]
        same = pd.concat([data.loc[rows], others], axis=1).duplicated(keep="first")
        twice[same.index[same.to_numpy()]] = True
    return twice


def _count(data: pd.DataFrame, dup: pd.Series) -> str:
    # "2 timestamps repeat (4 rows)": PJM's two clock changes were "4 rows share a timestamp".
    keys = data.loc[dup, ["__series", "__time"]].drop_duplicates()
    return f"{len(keys)} timestamp(s) repeat, in {int(dup.sum())} rows"
