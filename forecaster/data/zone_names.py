"""Time-zone abbreviations (CET, EST) after a time, which no parser here reads: they are
ambiguous (IST is India, Ireland or Israel) and say nothing of daylight saving time. Each
message that refuses such a time says to write the UTC offset instead."""

from __future__ import annotations

import re

# A zone's capitals after a clock time: 14:00 CET, 07:00:00 EST; UTC, GMT and Z are read,
# and AM/PM belong to the clock.
ZONE_NAME = re.compile(r":\d\d(?:\.\d+)?\s*(?!(?:UTC|GMT|AM|PM)\s*$)([A-Z]{2,5})\s*$")


def zone_hint(text: object) -> str:
    """Advice for a time that ends in a zone abbreviation ('' for any other): the offset
    to write in its place."""
    found = ZONE_NAME.search(str(text))
    if found is None:
        return ""
    return (f"; a zone abbreviation ({found[1]}) cannot be read: write the UTC offset "
            "instead, as in 2024-01-17 14:00+01:00 (or the time in UTC)")
