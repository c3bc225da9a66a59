"""Daily midnights of zones east of UTC with daylight saving, written in UTC.

pandas' ``tz_convert("UTC")`` of a Berlin daily index puts its midnights at 23:00Z in winter
and 22:00Z in summer, on the UTC day before. The same two UTC hours are also a time of day
further west (Sydney's 13:00Z and 14:00Z are 09:00 in New York), so a pair is read as a
zone's midnights only where its clock changes on that zone's daylight-saving dates.
"""

from __future__ import annotations

import pandas as pd

# Windows (month, day) to (month, day), by UTC date of the first row on the new clock, for
# the change to summer time and back: Europe's last Sundays of March and October, eastern
# Australia's first Sundays of October and April, New Zealand's last of September and first
# of April; a day more for Easter Monday in Europe's spring, a few more elsewhere. Europe's
# autumn window ends on 31 October: America's change, on its first Sunday of November (1
# November in 2020 and 2026), put New York's 18:00 (22:00Z, then 23:00Z) on Berlin's
# midnights.
EUROPE = (((3, 25), (4, 1)), ((10, 25), (10, 31)))
AUSTRALIA = (((10, 1), (10, 11)), ((4, 1), (4, 11)))
NEW_ZEALAND = (((9, 24), (10, 4)), ((4, 1), (4, 11)))
# UTC hours of a pair (sorted) -> the summer one, and the zone's windows: Eastern and
# Central Europe, the UK, eastern Australia, New Zealand.
PAIRS = {(21, 22): (21, EUROPE), (22, 23): (22, EUROPE), (0, 23): (23, EUROPE),
         (13, 14): (13, AUSTRALIA), (11, 12): (11, NEW_ZEALAND)}


def east_midnights(cells: pd.Series, hours: pd.Series) -> bool:
    """Whether daily rows ``cells`` (ISO text) at UTC ``hours`` (two, an hour apart) are a
    zone's midnights east of UTC: the pair is one of ``PAIRS`` and every change of hour
    falls on that zone's daylight-saving dates."""
    rule = PAIRS.get(tuple(sorted(set(hours))))
    if rule is None:
        return False
    summer, (to_summer, to_winter) = rule
    switch = (hours != hours.shift()).to_numpy().copy()
    switch[0] = False
    if not switch.any():
        return False
    days = pd.to_datetime(cells[switch].str[:10], format="%Y-%m-%d")
    return all(_within(day, to_summer if hour == summer else to_winter)
               for day, hour in zip(days, hours[switch], strict=True))


def _within(day: pd.Timestamp, window: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    return window[0] <= (day.month, day.day) <= window[1]
