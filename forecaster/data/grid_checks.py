"""Checks that rows fit the grid of their frequency: few rows off it, few steps empty.

A grid mostly made of gaps, or many rows between its steps, means the frequency is wrong
for the data (or the data too irregular for any): an error that names a better --freq or
--resample step, rather than a series that is mostly filled in.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.bin_advice import STEP_COUNTS, filled_enough, fitting_bin, is_short
from forecaster.data.freq_steps import grid_word, on_steps, step_word
from forecaster.data.month_days import is_month_day, to_step
from forecaster.data.timestamps import time_text
from forecaster.errors import DataError

# Off-grid timestamps beyond this share mean the frequency guess is wrong.
MAX_OFF_GRID = 0.01
# Fewer rows than this tolerate none off the grid: one stray row would be a big share.
MIN_ROWS_FOR_OFF = 100
# The --resample steps that advice names, finest first, with their (least) lengths.
# Below an hour, for advice on data finer than that (seconds-apart scrapes, ticks).
ROUND_STEPS = ("1s", "5s", "10s", "15s", "30s", "1min", "5min", "10min", "15min", "30min", "1h")
FINE_STEPS = (("1min", pd.Timedelta(minutes=1)), ("5min", pd.Timedelta(minutes=5)),
              ("15min", pd.Timedelta(minutes=15)))
ADVICE_STEPS = (("h", pd.Timedelta(hours=1)), ("D", pd.Timedelta(days=1)),
                ("W", pd.Timedelta(days=7)), ("MS", pd.Timedelta(days=28)))
# End-of-period steps and their twins labelled by the period's first day, which binning needs.
STARTS = {"ME": "MS", "QE": "QS", "YE": "YS", "BME": "BMS", "BQE": "BQS", "BYE": "BYS",
          "SME": "SMS"}


class OffGridError(DataError):
    """Too many rows off the frequency grid: the advice names options of ``train``."""


def period_start(alias: str) -> str | None:
    """The start-labelled twin of an end-of-period step (2ME -> 2MS, QE-DEC -> QS), or
    None for any other step. Anchors are dropped: quarters ending in December start in
    January, which QS (not QS-DEC) names."""
    found = re.fullmatch(r"(\d*)([A-Z]+)(-\w+)?", alias)
    if found is None or found[2] not in STARTS:
        return None
    return found[1] + STARTS[found[2]]


def few_off(off: np.ndarray) -> bool:
    """Whether rows flagged ``off`` the grid are few enough to drop with a note: none, or
    up to 1 % of at least 100 rows."""
    return not off.any() or (off.mean() <= MAX_OFF_GRID and len(off) >= MIN_ROWS_FOR_OFF)


def few_weekend(times: pd.DatetimeIndex) -> bool:
    """Whether the weekend rows of daily data are few enough for business days: as
    ``few_off`` allows, or one in 50 rows of a file under its 100. Calendar days put two
    rows in seven on a weekend, so that few say the weekends are missing; and a model of
    business days fed the last 80 rows, one of them a Saturday session, read them as
    calendar days and refused them (the 1 % rule wants 100 rows)."""
    weekend = np.asarray(times.day_of_week >= 5)
    short = len(weekend) < MIN_ROWS_FOR_OFF
    return few_off(weekend) or (short and int(weekend.sum()) <= len(weekend) // 50)


def check_on_grid(times: pd.DatetimeIndex, grid: pd.DatetimeIndex, freq: str, path: Path,
                   name: str, given: bool = False,
                   every: dict[str, pd.DatetimeIndex] | None = None) -> np.ndarray:
    """Which rows lie off the grid; an error when more than a few do.

    With a ``given`` --freq coarser than the rows (--freq 2h on hourly rows), binning
    them to that step is what was meant: the advice names it. Otherwise it names the
    finest --resample step that fits every series (``every``: each one's times as read),
    or the series to leave out where it alone is short.
    """
    off = ~times.isin(grid)
    # Off a business-day grid, a few weekend rows only: sessions, dropped as few_weekend says.
    weekend_only = freq == "B" and bool((times[off].day_of_week >= 5).all())
    if not (few_weekend(times) if weekend_only else few_off(off)):
        where = f" (series '{name}')" if name else ""
        advice = (_given_advice(times, freq, path) if given else
                  _off_grid_advice(freq, name, every or {name: times}))
        raise OffGridError(f"{path}{where}: {int(off.sum())} timestamps are off "
                           f"{grid_word(freq, times)}, first {time_text(times[off][0], times)}; "
                           f"{advice}")
    return off


def _off_grid_advice(freq: str, name: str, every: dict[str, pd.DatetimeIndex]) -> str:
    """Advice for rows off an inferred grid: leave a short series out, or bin the rows by a
    step that fits every series."""
    times = next(iter(every.values()))
    bins = step_word(fitting_bin(list(every.values())) or _bin_example(freq, times), times)
    return _leave_out(name, freq, every, None) or ("give the right --freq, or bin the rows "
                                                   f"with --resample (e.g. --resample {bins})")


def _given_advice(times: pd.DatetimeIndex, freq: str, path: Path) -> str:
    """Advice for rows off a given --freq: the rows' own step, or binning them to the
    given one (--freq 2h on hourly rows means bins of 2 hours), by a step --resample takes."""
    from forecaster.data.grid import infer_freq  # grid imports this module

    # Month days (MS-15) have no --resample bins: months are binned by their first day.
    bins = period_start(freq) or (freq.split("-")[0] if is_month_day(freq) else freq)
    try:
        own = infer_freq(times, path)
    except DataError:  # too few or too irregular rows to have a step of their own
        own = None
    mend = f"give --freq {step_word(own, times)} (the rows' own step)" if own and own != freq else \
        "give the right --freq"
    return (f"{mend}, or bin the rows with --resample {step_word(bins, times)} instead of --freq "
            f"{step_word(freq, times)}")


def _bin_example(freq: str, times: pd.DatetimeIndex) -> str:
    """A --resample step near ``freq`` for advice: MS for rows about a month apart."""
    if on_steps(freq, times):  # step numbers: bins of a number of steps (--resample 10)
        return _more_steps(pd.Timedelta(to_step(freq)))
    offset = to_step(freq)
    if isinstance(offset, (pd.offsets.Week, pd.offsets.BusinessDay)):
        return "W" if isinstance(offset, pd.offsets.Week) else "D"
    try:
        step = pd.Timedelta(offset)
    except ValueError:
        return "MS"
    if step < pd.Timedelta(hours=1):  # jittered 15-second scrapes: not bins of an hour
        return next(a for a in ROUND_STEPS if pd.Timedelta(a) >= step)
    return ([a for a, length in ADVICE_STEPS if length <= step] or ["h"])[-1]


def _more_steps(step: pd.Timedelta) -> str:
    """The bins of ``STEP_COUNTS`` longer than ``step``, for rows indexed by step numbers."""
    return next((a for a in STEP_COUNTS if pd.Timedelta(to_step(a)) > step), STEP_COUNTS[-1])


def _step_text(spacing: pd.Timedelta, steps: bool = False) -> str:
    """A spacing as a step is written (1h, 90min, 2D), not as '0 days 01:00:00'; on rows
    indexed by step numbers, as their number ('10 steps', not 10 nanoseconds)."""
    if steps:
        return f"{spacing.value} steps"
    for unit in ("D", "h", "min", "s", "ms", "us"):
        count = spacing / pd.Timedelta(1, unit=unit)
        if count >= 1 and count == int(count):
            return f"{int(count)}{unit}"
    return str(spacing)


def _coarser(freq: str, times: pd.DatetimeIndex) -> str:
    """A --resample step coarser than ``freq`` and than the rows' median spacing (an
    hourly grid that is half empty gained nothing from the advice --resample h)."""
    spacing = pd.Timedelta(np.median(np.diff(times.asi8)), unit=times.unit)
    if on_steps(freq, times):
        return _more_steps(max(pd.Timedelta(to_step(freq)), spacing))
    try:
        step = max(pd.Timedelta(to_step(freq)), spacing)
    except ValueError:  # a calendar step (MS, B): no fixed length
        step = max(pd.Timedelta(days=28), spacing)
    return next((a for a, length in FINE_STEPS + ADVICE_STEPS if length > step), "QS")


def check_density(times: pd.DatetimeIndex, grid: pd.DatetimeIndex, freq: str, path: Path,
                   name: str, explicit: bool = False, binned: bool = False,
                   every: dict[str, pd.DatetimeIndex] | None = None) -> None:
    """Refuse a grid mostly made of gaps, or with no two rows one step apart: the
    frequency is too fine for the data (or the data too irregular for any).

    With an ``explicit`` --freq that most rows follow (median spacing one step), the
    gaps are outages, not a wrong frequency: they are filled by the --fill policy and
    masked (never scored). Tolerated off-grid rows have no step, so they count neither
    as rows nor as gap ends. The --resample step advised is the finest coarser than
    ``freq`` that fits every series (``every``: each one's times as read, before any
    binning), or the series to leave out where it alone is short.
    """
    times = times[times.isin(grid)]
    pos = grid.get_indexer(times)
    missing = len(grid) - len(times)
    if filled_enough(pos, len(grid), explicit):
        return
    where = f" (series '{name}')" if name else ""
    every = every or {name: times}
    bins = fitting_bin(list(every.values()), _length(freq))
    if binned:
        spacing = pd.Timedelta(np.median(np.diff(times.asi8)), unit=times.unit)
        steps = on_steps(freq, times)
        coarser = bins or (_more_steps(spacing) if steps else next(
            (a for a, length in ADVICE_STEPS if length >= spacing), "MS"))
        raise OffGridError(f"{path}{where}: only {len(times)} of {len(grid)} --resample "
                           f"{step_word(freq, times)} bins hold a row, {missing} would be "
                           "filled in: the bins are finer than the rows (a median "
                           f"{_step_text(spacing, steps)} apart); give a coarser --resample "
                           f"(e.g. --resample {step_word(coarser, times)})")
    gaps = np.diff(pos) - 1
    if gaps.max() * 2 > missing:  # one gap: an outage or a stray row, not a wrong step
        i = int(np.argmax(gaps))
        a, b = (time_text(t, times) for t in times[i:i + 2])
        raise DataError(f"{path}{where}: {gaps[i]} steps on {grid_word(freq, times)} have no row "
                        f"between {a} and {b}, more than the {len(times)} rows hold; expected "
                        "rows mostly one step apart: remove a stray row (a wrong date?) or "
                        "keep the rows on one side of the gap (training with --freq "
                        f"{step_word(freq, times)} fills it instead)")
    leave = _leave_out(name, freq, every, _length(freq))
    advice = leave or (
        "the timestamps are too irregular or the frequency too fine: give the right --freq, "
        "or bin the rows to a coarser step with --resample (e.g. --resample "
        f"{step_word(bins or _coarser(freq, times), times)})")
    # --freq and --resample are options of train: predict's reading says to retrain.
    raise (DataError if leave else OffGridError)(
        f"{path}{where}: only {len(times)} of {len(grid)} steps on {grid_word(freq, times)} "
        f"have a row, {missing} would be filled in; {advice}")


def _leave_out(name: str, freq: str, every: dict[str, pd.DatetimeIndex],
               above: pd.Timedelta | None) -> str | None:
    """Advice for a series too short to set the step (5 rows beside 2000): leave it out,
    the others fitting the grid (or a --resample step); None where it is not that short
    or nothing would fit the others."""
    rest = [t for n, t in every.items() if n != name]
    if name not in every or not is_short(every[name], list(every.values())):
        return None
    head = (f"the series has only {len(every[name])} rows, against {max(map(len, rest))} "
            "in another: leave its rows out of the file")
    if all(_fits_grid(t, freq) for t in rest):
        return f"{head} (the other series fit {grid_word(freq, every[name])})"
    bins = fitting_bin(rest, above)
    return f"{head}, and bin the others with --resample {step_word(bins, rest[0])}" if bins \
        else None


def _fits_grid(times: pd.DatetimeIndex, freq: str) -> bool:
    # Whether a series passes both checks on its own grid of ``freq``, as regularise builds it.
    grid = pd.date_range(times[0], times[-1], freq=to_step(freq))
    off = ~times.isin(grid)
    if not few_off(off):
        return False
    return filled_enough(grid.get_indexer(times[~off]), len(grid), explicit=False)


def _length(freq: str) -> pd.Timedelta:
    # A step's length; a calendar step (MS, B) has none fixed: at least 28 days, or a day.
    offset = to_step(freq)
    if isinstance(offset, pd.offsets.Week):  # anchored weeks (W-SUN) are 7 days
        return pd.Timedelta(weeks=offset.n)
    try:
        return pd.Timedelta(offset)
    except ValueError:
        return pd.Timedelta(days=1 if isinstance(offset, pd.offsets.BusinessDay) else 28)
