"""Time-zone abbreviations (CET, EST) after a time, which no parser here reads: they are
ambiguous (IST is India, Ireland or Israel) and say nothing of daylight saving time. Each
message that refuses such a time says to write the UTC offset instead.

After an offset the name adds nothing: Go's ``time.Time`` writes ``2024-01-17 14:00:00
+0100 CET`` (and ``+0000 UTC``), refused as "cannot parse ... expected ISO 8601". The name
is dropped there, the offset read; so is Java's ``[Europe/Berlin]`` after an offset. An
IANA name alone (``14:00 Europe/Berlin``) is refused with the same advice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI's --help reads this module without pandas
    import pandas as pd

# A zone's capitals after a clock time: 14:00 CET, 07:00:00 EST; UTC, GMT and Z are read,
# and AM/PM belong to the clock.
ZONE_NAME = re.compile(r":\d\d(?:\.\d+)?\s*(?!(?:UTC|GMT|AM|PM)\s*$)([A-Z]{2,5})\s*$")
# An IANA zone name after a time: 14:00 Europe/Berlin, or Java's 14:00+01:00[Europe/Berlin].
IANA_NAME = re.compile(r":\d\d(?:\.\d+)?\s*\[?([A-Za-z][A-Za-z_]*(?:/[A-Za-z0-9_+-]+)+)\]?\s*$")
# 14:00:00 +0100 CET (Go); 14:00+01:00[Europe/Berlin] and 14:00Z[UTC] (Java's ZonedDateTime)
NAMED_OFFSET = (r"(:\d\d(?:\.\d+)? ?(?:Z|[+-]\d\d:?\d\d))"
                r"(?: [A-Z]{2,5}| ?\[[A-Za-z][A-Za-z0-9_/+-]*\])$")


def drop_zone_names(raw: pd.DataFrame, time_col: str | None) -> pd.DataFrame:
    """``raw`` with the zone names after its times' UTC offsets left out (Go's format).

    Args:
        raw: the file's cells, as text.
        time_col: the time column given, or None to look at every column (by its first
            cell: a wide file's thousands of columns are not all read).
    """
    if raw.empty:
        return raw
    for col in [time_col] if time_col in raw.columns else list(raw.columns):
        if re.search(NAMED_OFFSET, str(raw[col].iloc[0]).strip()):
            text = raw[col].astype(str).str.strip()
            raw = raw.assign(**{col: text.str.replace(NAMED_OFFSET, r"\1", regex=True)})
    return raw


def zone_hint(text: object) -> str:
    """Advice for a time that ends in a zone abbreviation or an IANA zone name ('' for any
    other): the offset to write in its place."""
    found = IANA_NAME.search(str(text))
    if found is not None:
        return (f"; a zone name ({found[1]}) cannot be read: write each time's UTC offset "
                "instead, as in 2024-01-17 14:00+01:00 (or the time in UTC)")
    found = ZONE_NAME.search(str(text))
    if found is None:
        return ""
    return (f"; a zone abbreviation ({found[1]}) cannot be read: write the UTC offset "
            "instead, as in 2024-01-17 14:00+01:00 (or the time in UTC)")
