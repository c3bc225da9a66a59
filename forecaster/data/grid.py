"""Put each series on a regular time grid and fill its gaps by a stated policy."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from forecaster.data.freq_steps import as_steps
from forecaster.data.grid_checks import few_weekend, period_start
from forecaster.data.grid_series import off_grid_frame, regular_series
from forecaster.data.grid_size import check_grid_size
from forecaster.data.month_days import month_day_alias, to_step
from forecaster.data.spec import DataSpec
from forecaster.errors import ConfigError, DataError

# Daily rows without a weekend among at least this many: business days (two weeks).
MIN_BUSINESS_ROWS = 10


def infer_freq(times: pd.DatetimeIndex, path: Path) -> str:
    """Guess the sampling frequency, robust to a few gaps.

    Args:
        times: sorted unique timestamps of one series.
        path: the file, for messages.

    Returns:
        A pandas frequency alias such as "h" or "15min".
    """
    if len(times) < 3:
        # predict and detect-anomalies take no --freq: more rows is the remedy they have.
        raise DataError(f"{path}: only {len(times)} timestamp(s); need at least 3 to infer "
                        "the frequency: give more rows (train also takes --freq)")
    with warnings.catch_warnings():
        # pandas 3 warns that infer_freq will return an offset; either form works here.
        warnings.simplefilter("ignore")
        exact = pd.infer_freq(times[: min(len(times), 200)])
    if exact is not None:
        return _plain(getattr(exact, "freqstr", exact))
    diffs = np.diff(times.asi8)  # integers in the index's own unit
    values, counts = np.unique(diffs, return_counts=True)
    step = pd.Timedelta(int(values[np.argmax(counts)]), unit=times.unit)
    if _business_days(times, step):
        return "B"
    # Rows on the 15th of each month: no pandas alias, a month-day step of its own.
    calendar = _calendar(times, step) or month_day_alias(times, step)
    if calendar:
        return calendar
    if step % pd.Timedelta(days=1) == pd.Timedelta(0):  # "D" as pandas names whole days
        return _plain(f"{step // pd.Timedelta(days=1)}D")
    return _plain(pd.tseries.frequencies.to_offset(step).freqstr)


def same_step(a: str, b: str) -> bool:
    """Whether two aliases are one step: "D" and "24h" are (pandas 3 tells them apart,
    and bundles of daily rows with a gap recorded "24h"), and "W-MON" and "168h"."""
    try:  # --freq 10 is ten steps (freq_steps): the same step as a bundle's "10ns"
        x, y = to_step(as_steps(a)), to_step(as_steps(b))
        return x == y or _length(x) == _length(y)
    except (ValueError, TypeError):  # calendar steps (months) have no fixed length
        return False


def _length(offset: pd.DateOffset) -> pd.Timedelta:
    # An anchored week (W-MON) is seven days: weekly rows with a gap were recorded '168h'.
    if isinstance(offset, pd.offsets.Week):
        return pd.Timedelta(weeks=offset.n)
    return pd.Timedelta(offset)


def _anchor(first: pd.Timestamp, alias: str) -> str:
    """The anchor pandas itself infers: a week's day; quarters starting in JAN-MAR and ending in
    OCT-DEC (QE-DEC, not the same dates as QE-MAR), years in their own month."""
    if alias.startswith("W"):
        return first.strftime("%a").upper()
    month = first.month
    if alias.startswith(("QS", "BQS")):
        month = (month - 1) % 3 + 1
    elif alias.startswith(("QE", "BQE")):
        month = (month - 1) % 3 + 10
    return pd.Timestamp(2000, month, 1).strftime("%b").upper()


# Calendar steps by their most common length in days, and the anchors tried for each.
_CALENDAR = (((7, 7), ("W-{m}",)),
             ((28, 31), ("MS", "ME", "BMS", "BME")),
             ((89, 92), ("QS-{m}", "QE-{m}", "BQS-{m}", "BQE-{m}")),
             ((365, 366), ("YS-{m}", "YE-{m}", "BYS-{m}", "BYE-{m}")))


def _calendar(times: pd.DatetimeIndex, step: pd.Timedelta) -> str | None:
    """Weeks, months, quarters or years with a gap (pandas then finds no frequency, and a
    fixed 31 days fits no calendar month): the alias whose anchor every row sits on, as
    pandas names it for the same rows without the gap (a warm start compares them)."""
    days = step / pd.Timedelta(days=1)
    for (lo, hi), aliases in _CALENDAR:
        if lo <= days <= hi:
            for alias in (a.format(m=_anchor(times[0], a)) for a in aliases):
                offset = pd.tseries.frequencies.to_offset(alias)
                if all(offset.is_on_offset(t) for t in times[:200]):
                    return alias
    return None


def _business_days(times: pd.DatetimeIndex, step: pd.Timedelta) -> bool:
    # Daily rows that (almost) never fall on a Saturday or Sunday (market prices, office
    # metrics): a business-day grid, so weekends are neither filled in nor forecast. A
    # few weekend rows (a special Saturday session) are dropped with a note, as rows off
    # any grid are: read as calendar days, they had a third of the grid filled in.
    return (step == pd.Timedelta(days=1) and len(times) >= MIN_BUSINESS_ROWS
            and few_weekend(times))


def _plain(alias: str) -> str:
    # "1h" and "h" mean the same; keep the short form for messages and bundles.
    return alias[1:] if alias.startswith("1") and not alias[1:2].isdigit() else alias


def check_freq(alias: str, path: Path) -> pd.DateOffset:
    """Parse a user-given frequency alias, with a clear error."""
    return parse_step(alias, "--freq", "h, 15min, D, W, MS or MS-15 (monthly on the 15th)",
                      parse=to_step)


def parse_step(alias: str | None, option: str, examples: str,
               parse: Callable = pd.tseries.frequencies.to_offset) -> pd.DateOffset:
    """A step given to ``option`` (--freq, --resample) as an offset, or a ConfigError;
    ``parse`` reads it (--freq also takes month days, MS-15, which --resample cannot bin)."""
    try:
        offset = parse(alias)
        if pd.Timestamp("2000-01-01") + offset <= pd.Timestamp("2000-01-01"):
            raise ValueError(alias)
    except (ValueError, TypeError) as exc:
        hint = _hint(_renamed(str(alias), str(exc)), option)
        raise ConfigError(f"{option} {alias}: unknown or non-positive step; expected a "
                          f"pandas alias such as {examples}{hint}") from None
    return offset


def _hint(renamed: str | None, option: str) -> str:
    """Advice naming the new spelling; for M, Q and Y both ends of the period, or the
    start alone for --resample, whose bins are labelled by their first day."""
    if renamed is None:
        return ""
    start = period_start(renamed)
    if start and option == "--resample":
        return f"; give {option} {start} (bins labelled by their first day)"
    if start:
        return (f"; pandas now spells it {renamed}: give {option} {renamed} for rows on the "
                f"last day of each period, {option} {start} for rows on the first")
    return f"; pandas now spells it {renamed}: give {option} {renamed}"


def _renamed(alias: str, error: str) -> str | None:
    """The alias as pandas now spells it (``H`` -> ``h``, ``15T`` -> ``15min``, ``M`` ->
    ``ME``), when its error names the new spelling and that parses; else None."""
    found = (re.search(r"Invalid frequency: (\w+)\. Did you mean (\w+)\?", error)
             or re.search(r"'(\w+)' is no longer supported for offsets\. Please use '(\w+)'",
                          error))
    if found is None or not alias.endswith(found[1]):
        return None
    fixed = alias[:len(alias) - len(found[1])] + found[2]
    for spelling in (fixed, fixed + "E"):  # 'A' -> 'Y', itself now 'YE'
        try:
            pd.tseries.frequencies.to_offset(spelling)
        except ValueError:
            continue
        return spelling
    return None


class Regular(NamedTuple):
    """The series on their grid, and what it took to put them there.

    Attributes:
        series: the regular series.
        freq: the frequency alias.
        n_filled: values filled in (gaps and missing cells).
        n_off: rows dropped for lying off the grid (a few are tolerated).
        first_off: the first dropped row's timestamp and series name, or None.
    """

    series: list
    freq: str
    n_filled: int
    n_off: int
    first_off: tuple[pd.Timestamp, str] | None


def regularise(data: pd.DataFrame, spec: DataSpec, path: Path,
               read_times: dict[str, pd.DatetimeIndex] | None = None) -> Regular:
    """Reindex every series onto one frequency grid and fill gaps.

    Args:
        data: sorted, de-duplicated rows with ``__series``, ``__time`` and the
            numeric columns.
        spec: the resolved spec (fill policy, frequency).
        path: the file, for messages.
        read_times: each series' times as read, before --resample binned them (None:
            those of ``data``): advice on a step is worked out from them.

    Returns:
        The series, frequency, filled values and dropped off-grid rows.
    """
    groups = list(data.groupby("__series", sort=True))
    longest = max((rows for _, rows in groups), key=len)
    _check_series_rows(groups, len(longest), spec, path)
    freq = spec.resample or spec.freq or infer_freq(pd.DatetimeIndex(longest["__time"]), path)
    offset = check_freq(freq, path)
    columns = spec.targets + spec.features
    every = read_times
    out, n_filled, n_off, first_off = [], 0, 0, None
    for name, rows in groups:
        times = pd.DatetimeIndex(rows["__time"])
        check_grid_size(times, offset, spec, freq, path)
        grid = pd.date_range(times[0], times[-1], freq=offset)
        if _is_grid(times, grid):  # the common case skips the checks and the reindex
            frame, late = rows[columns].set_axis(grid), times[:0]
        else:  # only here: the regular common case never pays for every series' times
            every = every if every is not None else series_times(data)
            frame, grid, late, off = off_grid_frame(rows, times, grid, columns, spec, freq,
                                                    path, name, every)
            # Tolerated off-grid rows vanish in the reindex: count them for a note.
            n_off += int(off.sum())
            if first_off is None and off.any():
                first_off = (times[off][0], str(name))
        series, filled = regular_series(name, frame, grid, late, spec.fill, path)
        out.append(series)
        n_filled += filled
    return Regular(out, freq, n_filled, n_off, first_off)


def _check_series_rows(groups: list, longest: int, spec: DataSpec, path: Path) -> None:
    # A series column that changes on every row (a reading, a row id) splits the file into
    # one-row series, and the error said to give --freq, which could not help; with --freq
    # (or --resample) given, it said the data was too short.
    given = bool(spec.resample or spec.freq)
    if len(groups) > 1 and longest < (2 if given else 3):
        cols = ", ".join(spec.series_cols)
        few = "to forecast" if given else "to infer the frequency"
        raise DataError(f"{path}: {len(groups)} series by column(s) {cols}, none with more "
                        f"than {longest} row(s), too few {few}; expected "
                        "series of many rows each: give more rows per series, or, if "
                        "--series-col names a reading or a row id, name the column(s) naming "
                        "each series")


def series_times(data: pd.DataFrame) -> dict[str, pd.DatetimeIndex]:
    """Each series' sorted times, by name, from rows with ``__series`` and ``__time``."""
    return {str(name): pd.DatetimeIndex(rows["__time"]).sort_values()
            for name, rows in data.groupby("__series", sort=True)}


def _is_grid(times: pd.DatetimeIndex, grid: pd.DatetimeIndex) -> bool:
    """Whether the rows are exactly the grid: every step there, none off it."""
    return len(times) == len(grid) and bool((times == grid).all())
