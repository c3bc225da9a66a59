"""A JSON file given as the CSV (an API's export, pandas' ``to_json``): say what it is.

Read as CSV, a JSON document on one line had "no columns to parse", and JSON lines had "no
time column found among {"timestamp": ...}" (naming a record as the header), whose advice
(--time-col) cannot help. Told by its first line: one JSON object or array, or the opening
of one ('{"', '[{', a bracket alone), which no CSV header writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from forecaster.data.packed import converted_csv
from forecaster.errors import DataError

HEAD_CHARS = 1 << 16  # the first line looked at: a record of an API's export fits
OPENING = re.compile(r'\A(\{\s*"|\[\s*[\[{"]|[\[{]\s*\Z)')


def refuse_json(path: Path) -> None:
    """Raise a ``DataError`` for a JSON document or JSON lines; return for other text.

    Args:
        path: the file, which exists and is no compressed or UTF-16 file.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEAD_CHARS).decode("utf-8-sig", errors="replace").lstrip()
    first, _, rest = head.partition("\n")
    if not (OPENING.match(first.strip()) or _record(first)):
        return
    lines = _record(first) and rest.lstrip().startswith(("{", "["))
    kind, how = ("JSON lines (one record a line)", ", lines=True") if lines else ("JSON", "")
    out = converted_csv(path, "converted")
    raise DataError(f"{path}: looks like {kind}, not CSV; expected a CSV file with a header "
                    f"row: convert it first (in Python: pandas.read_json({str(path)!r}{how})"
                    f".to_csv({str(out)!r}, index=False)), then give {out}")


def _record(line: str) -> bool:
    # One whole JSON object or array on the line (a header of names never parses as one).
    try:
        return isinstance(json.loads(line), (dict, list))
    except ValueError:
        return False
