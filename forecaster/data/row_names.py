"""R's ``write.table`` (and ``write.csv`` with ``col.names=NA`` left out): a header one
name short of its rows, whose first cells number them ("1", "2", ...).

UCI's Occupancy Detection files (``datatraining.txt``) are written so: every line had one
field more than the header, an error on line 2. The rows' first cells are row names; the
header's names belong to the fields after them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from forecaster.data.csvlines import Span, open_span

if TYPE_CHECKING:  # layout imports this module
    from forecaster.data.layout import Layout

LOOK = 5  # rows after the header that must all show it


def with_row_names(path: Path, layout: Layout) -> Layout:
    """``layout`` with an unnamed first column where the rows hold row names the header
    does not name, and a note saying so; ``layout`` itself otherwise."""
    width = len(layout.header)
    if width < 2 or layout.stacked:  # one name over "1,5": a decimal comma, not a row name
        return layout
    try:
        with open_span(path, Span(start=layout.start)) as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
            rows = list(islice(csv.reader(text, delimiter=layout.sep), LOOK + 1))[1:]
    except csv.Error:  # a cell past the csv module's limit: the reader's checks say so
        return layout
    if not rows or any(len(r) != width + 1 for r in rows):
        return layout
    if [r[0].strip() for r in rows] != [str(i) for i in range(1, len(rows) + 1)]:
        return layout
    note = (f"{path.name}: the header (line {layout.line}) names one column fewer than its "
            "rows hold, whose first cells number them 1, 2, 3, ... (R's write.table): "
            "those are read as row names")
    return replace(layout, header=["", *layout.header], row_names=note)
