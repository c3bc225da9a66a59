"""Times given on the command line (--since, --start, --end), read as the file's own are.

A file's dates are read with its conventions: a two-digit year lies in the past (Jun-60 is
1960 in AirPassengers), and a column may be day first (30/12/2006 in UCI's household
power). One value on the command line cannot show which order it is in, so where its two
readings differ the file's own order decides (``DataSpec.day_first``, found on reading);
in a file that writes no such dates, the reading that names one of its timestamps. Where
neither tells, the value is refused rather than guessed: a cron job's --since read the
wrong way round would silently score nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

import numpy as np
import pandas as pd
from dateutil import parser as date_parser

from forecaster.data.numeric_times import COMPACT, COMPACT_DIGITS, MAX_STEP, epoch_times
from forecaster.data.time_bounds import outside_span
from forecaster.data.time_guess import period_notation, pivot_years
from forecaster.data.timestamps import EPOCH, is_steps
from forecaster.data.year_less import CENTURY, YEAR_MONTH
from forecaster.data.zone_names import zone_hint
from forecaster.errors import ConfigError

# Unix times by the digits before any fraction: seconds, milliseconds, microseconds,
# nanoseconds (1973 onwards).
EPOCH_DIGITS = {9: "s", 10: "s", 12: "ms", 13: "ms", 15: "us", 16: "us", 18: "ns", 19: "ns"}
EPOCH_TEXT = re.compile(r"(\d+)(\.\d*)?")
# 2/1/2007, 02.01.07, 2-1-2007: day and month in either order before the year.
DAY_MONTH_START = r"\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d"  # 2/1/2007 and the like
MAX_ORDER_ROWS = 100_000  # rows that decide a file's day order (it writes one throughout)
DAY_MONTH = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?!\d)")
# Words for a time relative to the run: pandas reads 'today' and 'now' as this instant.
RELATIVE = re.compile(r"\b(now|today|tonight|yesterday|tomorrow|midnight|noon)\b", re.I)


def parse_when(text: str, times: pd.DatetimeIndex, option: str = "--since",
               day_first: bool | None = None) -> pd.Timestamp:
    """A time given to ``option`` in UTC: a step number for a step-indexed series, else a
    timestamp (no zone means UTC) read as the data's own times are.

    Args:
        text: the option's value.
        times: the data's timestamps.
        option: the option's name, for messages.
        day_first: how the file writes dates like 2/1/2007 (``Frame.spec.day_first``);
            None where it writes none such: then the data's timestamps decide.

    Raises:
        ValueError: no reading applies, or the text is empty or NaT.
        ConfigError: the text reads as two dates (month or day first) and neither the
            file's order nor its timestamps tell which is meant, or it is no fixed date
            or lies outside the years that can be read (``refuse_undated``).
    """
    text = str(text).strip()
    if is_steps(times) and text.isdigit():
        # A step past any a series can hold is past its end, not "no time".
        return EPOCH + pd.Timedelta(min(int(text), MAX_STEP + 1), unit="ns")
    refuse_undated(text, option)
    readings = _year_less(text, times) or _readings(text)
    if len(readings) == 2 and text.isdigit():
        # 2024010905: a compact date as the file writes them, or Unix seconds in 2034?
        # The reading nearer the data: a cron's --since lies just past its end.
        return _in_unit(min(readings, key=lambda t: _distance(t, times)), times)
    if len(readings) == 1:
        return _in_unit(readings[0], times)
    if day_first is not None:
        return _in_unit(readings[1] if day_first else readings[0], times)
    named = [t for t in readings if t in times]
    if len(named) == 1:
        return _in_unit(named[0], times)
    month_first, day_first_reading = readings
    raise ConfigError(f"{option} {text}: reads as {month_first:%Y-%m-%d} (month first) or "
                      f"{day_first_reading:%Y-%m-%d} (day first), and the data do not tell "
                      "which; write it year first (YYYY-MM-DD)")


def check_readable(text: str, option: str = "--since") -> None:
    """Refuse, before any data is read, a time that no data could make readable: not a
    step number, not a year-less month, and no reading of its own. What the data decides
    (steps or dates, the day order) is left to ``parse_when``.

    Raises:
        ConfigError: ``text`` reads as no time, whatever the data (``unreadable``), as
            no fixed date or outside the years that can be read (``refuse_undated``).
    """
    plain = str(text).strip()
    # Any number is left to the data: on steps, "-1" and "590.5" get the steps' message.
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", plain) or re.fullmatch(YEAR_MONTH, plain):
        return
    refuse_undated(plain, option)
    try:
        _readings(plain)
    except ValueError:
        raise unreadable(text, option) from None


def refuse_undated(text: str, option: str = "--since") -> None:
    """Refuse a time that names no fixed date (``refuse_relative``, ``refuse_clock_only``)
    or one outside the years 1677 to 2262 that the data's timestamps can hold.

    Raises:
        ConfigError: ``text`` is such a time.
    """
    refuse_relative(text, option)
    refuse_clock_only(text, option)
    number = EPOCH_TEXT.fullmatch(str(text).strip())
    if number and len(number[1]) in EPOCH_DIGITS:
        return  # a Unix time past 2262 reads as past the data's end (``_readings``)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # to microseconds, which reach past 2262, unlike the data's nanoseconds
            when = pd.Timestamp(text)
        except (ValueError, OverflowError):
            return  # no time at all, or a Unix time: the callers decide
    if pd.isna(when):
        return
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    message = outside_span(when, text, option)
    if message:
        raise ConfigError(message)


def refuse_relative(text: str, option: str = "--since") -> None:
    """Refuse a time relative to the run (today, now, yesterday, midnight).

    pandas reads 'today' and 'now' as the instant of the run, not as midnight, so a daily
    cron's ``--since today`` lay past every row and scored nothing, each day, while the
    warning blamed the data feed; the other words were "not a timestamp".

    Raises:
        ConfigError: ``text`` holds such a word.
    """
    found = RELATIVE.search(str(text))
    if found is None:
        return
    other = ", or --last N for the newest N rows" if option == "--since" else ""
    raise ConfigError(f"{option} {text}: '{found[1]}' names no fixed time (pandas reads "
                      "'today' and 'now' as this very instant, past every row); expected "
                      "a date such as 2026-03-01 or 2026-03-01T23:00 (today's in a script: "
                      f"$(date -u +%F)){other}")


def refuse_clock_only(text: str, option: str = "--since") -> None:
    """Refuse a time of day without a date (10:00, 23:00:00Z, 10pm, a TOML local time).

    The parser dates such a time today, so a cron run just after midnight whose
    ``--since 23:00`` meant last night would look an hour into the future and score
    nothing. A time counts as such when no part of its date (year, month, day) was
    written: parsed against two different default dates, none of the three agrees.

    Raises:
        ConfigError: ``text`` is a time of day alone.
    """
    dates = []
    for default in (dt.datetime(1, 1, 1), dt.datetime(2, 2, 2)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # dateutil's UnknownTimezoneWarning (CET)
                dates.append(date_parser.parse(str(text).strip(), default=default).date())
        except (ValueError, OverflowError):
            return  # no time at all: the callers' own messages say so
    if dates != [dt.date(1, 1, 1), dt.date(2, 2, 2)]:
        return
    other = ", or --last N for the newest N rows" if option == "--since" else ""
    raise ConfigError(f"{option} {text}: a time of day without a date, which would be dated "
                      "today (after midnight, yesterday's 23:00 would lie in the future); "
                      f"expected a full timestamp such as 2026-03-01T23:00{other}")


def unreadable(text: str, option: str = "--since") -> ConfigError:
    """The error for a time ``option`` cannot read."""
    return ConfigError(f"{option} {text}: not a timestamp; expected e.g. 2026-03-01 or "
                       "2026-03-01T12:00 (a step number for a series indexed by steps)"
                       f"{zone_hint(text)}")


def _year_less(text: str, times: pd.DatetimeIndex) -> list[pd.Timestamp]:
    """``3-01`` as the file's own year-less months are read (1903-01: ``year_less``), where
    the data's times lie in those years; else nothing."""
    found = re.fullmatch(YEAR_MONTH, text)
    years = times.year if len(times) else pd.Index([])
    if not found or not len(years) or years.min() <= CENTURY or years.max() > CENTURY + 9:
        return []
    return [pd.Timestamp(f"{CENTURY + int(found[1])}-{found[2]}-01", tz="UTC")]


def day_order(written: pd.Series, times: pd.Series | pd.DatetimeIndex) -> bool | None:
    """Whether a file writes dates like 2/1/2007 day first (True) or month first (False),
    told by its cells whose first two numbers differ; None where it writes none such.

    Args:
        written: the time column's cells as the file writes them.
        times: what they were read as, row for row.
    """
    # A file writes one format throughout (mixed ones are refused), so its first cells
    # tell whether there is anything to decide, and its first rows decide it: the pass over
    # every cell of a million-row file was a third of a cron run's time.
    pattern = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d"
    if not written.head(50).astype(str).str.match(DAY_MONTH_START).any():
        return None
    parts = written.head(MAX_ORDER_ROWS).astype(str).str.extract(pattern)
    when = pd.DatetimeIndex(times)[:MAX_ORDER_ROWS]
    a, b = (pd.to_numeric(parts[i], errors="coerce").to_numpy() for i in (0, 1))
    telling = (a != b) & ~np.isnan(a) & ~np.isnan(b)
    if not telling.any():
        return None
    days = when.day.to_numpy()[telling]
    return bool((days == a[telling]).mean() > 0.5)


def _distance(when: pd.Timestamp, times: pd.DatetimeIndex) -> pd.Timedelta:
    """How far ``when`` lies outside the data's span (zero inside it)."""
    return max(times[0] - when, when - times[-1], pd.Timedelta(0))


def _in_unit(ts: pd.Timestamp, times: pd.DatetimeIndex) -> pd.Timestamp:
    """``ts`` in the unit of the data's timestamps, which comparisons need; a time finer
    than that unit (12:00:00.000000001 against microseconds) moves to the next one."""
    out = ts.as_unit(times.unit)  # rounds to the nearest
    if out < ts:
        out = ts.ceil(pd.Timedelta(1, unit=times.unit)).as_unit(times.unit)
    return out


def shown_as(text: str, when: pd.Timestamp, times: pd.DatetimeIndex) -> str:
    """``text`` for a message, with how it was read unless it was written year first (or
    is a step number)."""
    text = str(text).strip()
    if re.match(r"\d{4}-\d", text) or is_steps(times) or re.fullmatch(r"\d{1,8}", text):
        return text
    return f"{text} (read as {when.isoformat()})"


def _readings(text: str) -> list[pd.Timestamp]:
    """The distinct UTC times ``text`` may mean: one, or month and day first. Numbers of
    9 or 10 digits (before any fraction) are Unix seconds, of 12 or 13 milliseconds, of 15
    or 16 microseconds, of 18 or 19 nanoseconds."""
    period = period_notation(pd.Series([text]))
    if period is not None and not period.isna().any():
        return [period.iloc[0].as_unit("ns")]  # 1949M01, 2000Q1, Jun-60
    number = EPOCH_TEXT.fullmatch(text)
    unit = EPOCH_DIGITS.get(len(number.group(1))) if number else None
    if unit:  # date +%s in a cron line; pandas reads no such number as a time
        try:
            epoch = epoch_times(pd.Series([text]), unit)[0]
        except OverflowError:  # past any time a file holds: past the end, as steps are
            epoch = pd.Timestamp("2262-04-11", tz="UTC")  # the last day any unit holds
        if len(text) in COMPACT and re.fullmatch(COMPACT_DIGITS, text):
            return [epoch, pd.to_datetime(text, format=COMPACT[len(text)], utc=True)]
        return [epoch]
    first = _read(text, pd.Timestamp)
    if DAY_MONTH.match(text):
        try:
            other = _read(text, lambda t: pd.to_datetime(t, dayfirst=True))
        except ValueError:
            return [first]
        if other != first:
            return [first, other]
    return [first]


def _read(text: str, parse) -> pd.Timestamp:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' "parsing dates in %d/%m/%Y format" advice
        ts = parse(text)
    if pd.isna(ts):
        # '' and 'NaT' parse as NaT, which is neither before nor after any row: a cron
        # job's unset variable would silently select nothing.
        raise ValueError(f"{text!r} is not a time")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    # '-1' parses as the year -1, which the data's nanosecond timestamps cannot be
    # compared with: OutOfBoundsDatetime (a ValueError) here rather than later.
    ts = ts.as_unit("ns")
    return pivot_years(pd.Series([ts]), pd.Series([text])).iloc[0]  # 1/2/60 is 1960
