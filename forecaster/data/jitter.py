"""Rows a little late or early around a round step: put each on its nearest grid point.

Scrapers and loggers stamp one-minute rows at 00:01:00.001, 00:01:59.995, ...: no row sits
on an exact grid, the inferred step was a 59990ms no other row fits, and even --freq min
refused them as off its grid. Where every row lies within a tenth of a step of a round
grid, the rows are that grid, stamped late or early.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.freq_steps import grid_word, on_steps, step_word
from forecaster.data.grid_checks import MAX_OFF_GRID, ROUND_STEPS, few_off
from forecaster.data.month_days import to_step
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import step_numbers
from forecaster.errors import DataError

# Most a row may lie from its grid point to be moved there. Rows a tenth of a step off at
# most are still 0.8 of a step apart, so each row's nearest point is unambiguous, and
# the values moved are those of their own step; farther off, the rows are irregular and
# binning them (--resample) is the honest reading.
MAX_JITTER = 0.1
# How near the rows' median spacing must lie to a round step for that step to be theirs.
STEP_TOLERANCE = 0.05
# Resolutions a grid's phase is rounded to (a scraper's 00:00:17 of each minute).
PHASE_UNITS = ("1min", "1s", "100ms", "10ms", "1ms")


def snap_jitter(data: pd.DataFrame, spec: DataSpec, path: Path, notes: list[str],
                first_row: RowLines = 2) -> pd.DataFrame:
    """``data`` with jittered times moved to the nearest point of their round grid.

    Rows already on a grid, with at most the few strays the grid checks drop, are left as
    they are; so are rows with no round step, or any farther than ``MAX_JITTER`` of a step
    from it. Two rows moved to one point are duplicates: kept by the --duplicates policy.

    Args:
        data: sorted rows with ``__series`` and ``__time`` columns, indexed by file row.
        spec: the data spec (a --freq gives the step; with --resample nothing moves).
        path: the file, named in the note.
        notes: where the note on the rows moved goes.
        first_row: the first row's line in the file, for messages.

    Raises:
        DataError: two rows of different times moved to one point, with --duplicates error.
    """
    groups = data.groupby("__series", sort=False).indices  # each series' positions
    index = pd.DatetimeIndex(data["__time"]).as_unit("ns")
    times = index.asi8
    longest = index[max(groups.values(), key=len)]
    step = None if spec.resample or len(longest) < 3 else _step(longest, spec.freq)
    if step is None:
        return data
    moves = {name: _moves(times[rows], step.value)
             for name, rows in groups.items()}
    if any(m is None for m in moves.values()) or all(few_off(m != 0) for m in moves.values()):
        return data  # on a grid (the grid checks drop a few strays), or irregular
    shift = np.zeros(len(data), dtype=np.int64)
    for name, rows in groups.items():
        shift[rows] = moves[name]
    snapped = data.copy()
    snapped["__time"] = index - pd.to_timedelta(shift, unit="ns")  # by position
    keys = ["__series", "__time"]
    merged = snapped.duplicated(keys) & ~data.duplicated(keys)  # moved onto a held point
    if (shift == 0).mean() > 0.5 and merged.any():
        # Rows a little after rows on the grid (a retry 2 minutes later) land on held points:
        # not jitter. The grid checks name them as rows off the grid, as without this step.
        return data
    freq = spec.freq or _alias(step)
    if spec.duplicates == "error" and merged.any():
        _refuse_merged(data, snapped, merged, path, freq, first_row)
    notes.append(_note(path, freq, shift, index))
    return snapped


def _refuse_merged(data: pd.DataFrame, snapped: pd.DataFrame, merged: pd.Series,
                   path: Path, freq: str, first_row: RowLines) -> None:
    """Refuse two rows of different times moved to one grid point (``merged``: a scrape
    repeated a second later): reported as a duplicate timestamp, it named a time the file
    wrote once."""
    i = int(np.argmax(merged.to_numpy()))  # sorted: the row before shares its point
    (a, b), point = data.index[i - 1:i + 1], snapped["__time"].iloc[i]
    times = pd.DatetimeIndex(data["__time"])
    pair, near = _pair_text(data["__time"].iloc[i - 1], data["__time"].iloc[i], point, freq,
                            times)
    raise DataError(f"{path}: rows {line_of(first_row, a)} and {line_of(first_row, b)} "
                    f"({pair}) both lie nearest {near} on "
                    f"{grid_word(freq, times)} the other rows' timestamps jitter around; expected "
                    "one row per step: keep one with --duplicates first|last|mean, or bin the "
                    f"rows with --resample {step_word(freq, times)}")


def _pair_text(ta: pd.Timestamp, tb: pd.Timestamp, point: pd.Timestamp, freq: str,
               times: pd.DatetimeIndex) -> tuple[str, str]:
    """Two rows' times and the grid point they share, for a message: ISO 8601, or step
    numbers on rows indexed by step numbers ("steps 9998 and 10003", "step 10000"), which
    read as 1970-01-01T00:00:00.000009998+00:00 otherwise."""
    if not on_steps(freq, times):
        return f"{ta.isoformat()} and {tb.isoformat()}", point.isoformat()
    a, b, p = step_numbers(pd.DatetimeIndex([ta, tb, point]))
    return f"steps {a} and {b}", f"step {p}"


def _step(times: pd.DatetimeIndex, freq: str | None) -> pd.Timedelta | None:
    """The round step the rows jitter around (the given --freq, if fixed), or None."""
    spacing = pd.Timedelta(int(np.median(np.diff(times.as_unit("ns").asi8))), unit="ns")
    if freq is not None:
        try:
            candidates = [pd.Timedelta(to_step(freq))]
        except (ValueError, TypeError):  # a calendar step (MS, B): no fixed length
            return None
    else:
        candidates = [pd.Timedelta(a) for a in ROUND_STEPS]
    # Days and longer are left alone: rows an hour off there are local clock times
    # across a daylight saving change, not jitter.
    near = [c for c in candidates
            if c < pd.Timedelta(days=1) and abs(spacing - c) <= STEP_TOLERANCE * c]
    return near[0] if near else None


def _moves(ns: np.ndarray, unit: int) -> np.ndarray | None:
    """Each of the times ``ns`` less its nearest point of a grid of ``unit`` (both in ns),
    or None where one lies farther than ``MAX_JITTER`` of a step from it.

    The grid's phase is the rows' median one (relative to the first row, so the jitter
    never wraps round a step). Rows on that grid but a few stray ones do not move (the
    grid checks drop the strays, with a note); jittered ones move to it, its phase rounded
    where most rows are off it: a scraper at 00:00:17.0xx of each minute moves to :17.
    """
    if _own_grid(ns):
        return np.zeros(len(ns), dtype=np.int64)
    first = int(ns[0])
    anchor = first + int(np.median(_wrapped(ns - first, unit)))
    moves = _wrapped(ns - anchor, unit)
    if few_off(moves != 0):
        return np.zeros(len(ns), dtype=np.int64)
    if (moves != 0).mean() > 0.5:  # mostly jittered: no exact phase of their own to keep
        rounding = _phase_unit(pd.Timedelta(unit, unit="ns"))
        moves = _wrapped(ns - pd.Timestamp(anchor, unit="ns").round(rounding).value, unit)
    return moves if np.abs(moves).max() <= MAX_JITTER * unit else None


def _own_grid(ns: np.ndarray) -> bool:
    """Whether rows keep one spacing of their own: nearly every gap the same, or nearly
    every row on the grid of the commonest gap (rows missing aside).

    Such rows are no jitter. Rows exactly 59.9 s apart were moved to whole minutes while
    their drift stayed under a tenth of a step: a short file read as 'min', the same feed
    longer as '59900ms', and predict refused the one for the other's model; hourly rows
    whose clock moved 3 minutes at a restart were put on a grid no row lay on.
    """
    if len(ns) < 3:  # one gap or none: nothing to tell jitter by
        return True
    gaps = np.diff(ns)
    values, counts = np.unique(gaps, return_counts=True)
    common = int(values[np.argmax(counts)])
    if common <= 0 or counts.max() >= (1 - MAX_OFF_GRID) * len(gaps):
        return True
    return bool(((ns - ns[0]) % common == 0).mean() >= 1 - MAX_OFF_GRID)


def _wrapped(offsets: np.ndarray, unit: int) -> np.ndarray:
    # Each offset less its nearest multiple of ``unit``: within half a step either side.
    return (offsets + unit // 2) % unit - unit // 2


def _phase_unit(step: pd.Timedelta) -> str:
    # The coarsest resolution well inside the jitter allowed: seconds for minutes.
    return next((u for u in PHASE_UNITS if pd.Timedelta(u) <= step / 20), "1ns")


def _alias(step: pd.Timedelta) -> str:
    # A round step as --freq takes it: "min", not "1min".
    alias = pd.tseries.frequencies.to_offset(step).freqstr
    return alias[1:] if alias.startswith("1") and not alias[1:2].isdigit() else alias


def _note(path: Path, freq: str, shift: np.ndarray, times: pd.DatetimeIndex) -> str:
    moved = np.abs(shift)
    most = pd.Timedelta(int(moved.max()), unit="ns")
    by = f"{most.value} step(s)" if on_steps(freq, times) else _duration(most)  # not "1ns"
    return (f"{path.name}: moved {int((moved > 0).sum())} row(s) to the nearest step of "
            f"{grid_word(freq, times)}, none by more than {by} (timestamps jittered around "
            "the step)")


def _duration(span: pd.Timedelta) -> str:
    """A short span as people write it: 80ms, 3s, 1.5s."""
    for unit, size in (("min", 60e9), ("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if span.value >= size:
            return f"{span.value / size:.3g}{unit}"
    return f"{span.value}ns"
