"""Months on a fixed day other than the first: bills, statements and reports dated the 15th.

pandas has month starts (MS) and ends (ME) but no alias for "every month on the 15th", and
its ``infer_freq`` finds none for such rows. Such a step is written ``MS-15`` here (``3MS-15``
quarterly, ``12MS-15`` yearly, on that day): an alias that survives a bundle's JSON and
``--freq``, read by ``to_step`` as ``DateOffset(months=n, day=15)``, which pandas adds,
subtracts and builds date ranges with.
"""

from __future__ import annotations

import re

import pandas as pd

MONTH_DAY = re.compile(r"(\d*)MS-(\d{1,2})")
# Days every month has: the 29th to 31st are missing from some (ME names month ends).
FIRST_DAY, LAST_DAY = 2, 28
# Months per step for rows about a month, a quarter and a year apart (by days between them).
_MONTHS = (((28, 31), 1), ((89, 92), 3), ((365, 366), 12))


def to_step(alias: str) -> pd.DateOffset:
    """The offset of a frequency alias: pandas' own, or a month day such as ``MS-15``.

    Raises:
        ValueError: the alias is neither (as ``to_offset`` raises).
    """
    found = MONTH_DAY.fullmatch(str(alias))
    if found is None:
        return pd.tseries.frequencies.to_offset(alias)
    months, day = int(found[1] or 1), int(found[2])
    if months < 1 or not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"Invalid frequency: {alias}: expected a day from {FIRST_DAY} to "
                         f"{LAST_DAY} and a positive number of months")
    return pd.DateOffset(months=months, day=day)


def is_month_day(alias: str | None) -> bool:
    """Whether ``alias`` is a month-day step (``MS-15``), which pandas alone cannot read."""
    return alias is not None and MONTH_DAY.fullmatch(str(alias)) is not None


def month_day_alias(times: pd.DatetimeIndex, step: pd.Timedelta) -> str | None:
    """The month-day step of rows a month, quarter or year apart, all on one day of the
    month (2 to 28) at one time of day, a whole number of steps apart; else None."""
    days = step / pd.Timedelta(days=1)
    months = next((n for (lo, hi), n in _MONTHS if lo <= days <= hi), None)
    head = times[:200]
    if months is None or head.day.nunique() != 1 or (head - head.normalize()).nunique() != 1:
        return None
    day = int(head[0].day)
    count = head.year * 12 + head.month
    if not FIRST_DAY <= day <= LAST_DAY or ((count - count[0]) % months != 0).any():
        return None
    return f"{'' if months == 1 else months}MS-{day}"
