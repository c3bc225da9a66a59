"""``--max-age``: refuse data whose newest row is older than the clock allows.

A cron job that forecasts or scores a file nobody writes any more goes on exiting 0 with
the same forecast (``--last N`` re-scores the same rows, and re-alerts a standing anomaly,
every hour). With ``--max-age 2h`` a feed that stopped is an error (exit 65), naming the
series and how long it has been silent, so the job's own failure mail says so. Rows ahead
of the clock (local times east of UTC read as UTC) are warned of.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.loading import Frame, Series
from forecaster.data.month_days import to_step
from forecaster.data.timestamps import is_steps, time_text
from forecaster.errors import ConfigError, DataError
from forecaster.report import Reporter

# How far ahead of this machine's clock the newest row may lie, beyond one step, unremarked:
# clocks of a logger and of this machine drift apart by seconds to minutes. One step, since
# a row labelled by the end of its period (a month's running total under 1 December, an
# hour's mean under 21:00 written at 20:59) lies up to a step ahead. Further ahead, the
# rows' times are not this clock's: local times east of UTC written without an offset
# (Tokyo's read 9 hours ahead), a logger's clock set wrong, or a misread date.
AHEAD_SLACK = pd.Timedelta(minutes=10)


def parse_age(text: str) -> pd.Timedelta:
    """``--max-age``'s value as a positive duration ("2h", "90min", "1D", "1 day")."""
    value = str(text).strip()
    if value.replace(".", "", 1).isdigit():  # pandas reads a bare 3600 as 3600 ns
        # Its value in seconds is the likeliest meaning, but 0s is refused below: no
        # advice to write it.
        seconds = f"{value}s, " if float(value) > 0 else ""
        raise ConfigError(f"--max-age {text}: a number with no unit; expected a positive "
                          f"duration such as {seconds}90min, 2h or 1D")
    try:
        age = pd.Timedelta(value)
    except ValueError:
        age = pd.NaT
    if pd.isna(age) or age <= pd.Timedelta(0):
        raise ConfigError(f"--max-age {text}: expected a positive duration such as 2h, "
                          "90min or 1D")
    return age


def check_fresh(frame: Frame, path: Path, max_age: str | None,
                now: pd.Timestamp | None = None) -> None:
    """Raise DataError when a series' newest observed row is older than ``max_age`` (None:
    no check) at ``now`` (default: the clock)."""
    if max_age is None:
        return
    age = parse_age(max_age)
    if frame.series and is_steps(frame.series[0].index):
        raise ConfigError(f"--max-age {max_age}: this data is indexed by step numbers, "
                          "not times, so it has no age; leave --max-age out")
    now = now if now is not None else pd.Timestamp.now(tz="UTC")
    stale = [(s, newest_row(s)) for s in frame.series if s.observed.any()]
    stale = [(s, t) for s, t in stale if now - t > age]
    if stale:
        s, newest = max(stale, key=lambda pair: now - pair[1])
        where = f"series '{s.name}'" if s.name else "the data"
        more = f" (and {len(stale) - 1} more series)" if len(stale) > 1 else ""
        raise DataError(f"{path}: the newest row of {where}{more} is from "
                        f"{time_text(newest, s.index)}, {_words(now - newest)} ago, over "
                        f"--max-age {max_age}: the data stopped growing; check what writes "
                        f"{path.name}{offset_hint(frame)}")


def warn_ahead(frame: Frame, path: Path, report: Reporter,
               now: pd.Timestamp | None = None) -> None:
    """Warn when the newest observed row lies ahead of the clock (``now``, default: the
    clock) by more than a step and more than ``AHEAD_SLACK``: forecasts are labelled, and
    ``--since`` picks rows, by the file's times, so hours off went unnoticed.

    Only for times written without an offset (local times east of UTC read as UTC): a
    time with its offset says where it lies, and day-ahead prices published through
    tomorrow are ahead by design (every run warned to check a clock that was right).
    """
    seen = [s for s in frame.series if s.observed.any()]
    if not seen or is_steps(seen[0].index) or not frame.naive_times:
        return
    now = now if now is not None else pd.Timestamp.now(tz="UTC")
    s, newest = max(((s, newest_row(s)) for s in seen), key=lambda pair: pair[1])
    if newest - to_step(frame.freq) <= now or (
            newest - now <= AHEAD_SLACK):
        return
    where = f"series '{s.name}'" if s.name else "the data"
    fix = f"{offset_hint(frame)}; else check the clock of what writes {path.name}"
    report.warn(f"{path.name}: the newest row of {where} is from {time_text(newest, s.index)}, "
                f"{_words(newest - now)} ahead of this machine's clock "
                f"({now.floor('s').isoformat()}); expected rows up to now: forecasts and "
                f"--since go by the file's times{fix}")


def newest_row(s: Series) -> pd.Timestamp:
    """The time of a series' newest observed row (it has one): as read, where --resample
    binned the rows (a bin is labelled by its start, and a last bin not yet complete is
    left out: an hourly bin of a live feed looked over an hour old), else its newest
    observed step (a filled-in step is no evidence that the feed is alive)."""
    if s.read_last is not None:
        return s.read_last
    return s.index[np.flatnonzero(s.observed.any(axis=1))[-1]]


def offset_hint(frame: Frame) -> str:
    """A hint where the file's times carry no UTC offset: they are read as UTC, so a
    logger's local wall-clock times made a live feed west of Greenwich look hours old
    (and one east of it hours ahead), whatever this machine's own zone."""
    if not frame.naive_times:
        return ""
    import time

    offset = time.localtime().tm_gmtoff or 0
    sign, minutes = ("+" if offset > 0 else "-"), abs(offset) // 60
    clock = (f", and this machine's clock is at UTC{sign}{minutes // 60:02d}:"
             f"{minutes % 60:02d}" if offset else "")
    return (f" (times written without a UTC offset are read as UTC{clock}: if the file's "
            "times are local, write them with their offset, as in 2026-01-10T07:00:00-05:00, "
            "or in UTC)")


def _words(delta: pd.Timedelta) -> str:
    hours = delta / pd.Timedelta(hours=1)
    if hours >= 48:
        return f"{int(hours // 24)} days"
    return f"{hours:.1f} hours" if hours >= 2 else f"{delta / pd.Timedelta(minutes=1):.0f} min"
