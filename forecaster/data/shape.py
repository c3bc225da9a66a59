"""The shape of a table as read: enough columns, a header that is no data, no repeated
names, some rows. Kept apart from ``loading`` so that each stays short."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from forecaster.data import events
from forecaster.data.headless import data_in_header, header_is_data
from forecaster.data.layout import Layout
from forecaster.data.row_steps import values_only
from forecaster.data.spaced import refuse_spaced
from forecaster.errors import DataError


def check_shape(raw: pd.DataFrame, path: Path, layout: Layout) -> None:
    """Refuse a table too narrow, with no header, with repeated names or with no rows.

    Raises:
        DataError: saying what was found and what to do.
    """
    header = layout.header
    if not events.times_only(raw, path):  # "2024-01-01 00:00" alone: an event log
        refuse_spaced(raw, path, header)
    if raw.shape[1] < 2 and header_is_data(header) and not events.times_only(raw, path):
        # pandas writes an unnamed Series' header as "0" (Series.to_csv(index=False)):
        # adding a name above it would have read that header as a first value of 0.
        pandas = " (if it is the '0' pandas writes for an unnamed column, replace it)" * (
            header[0].strip() == "0")
        raise DataError(f"{path}: found 1 column and no header (the first line, "
                        f"'{header[0][:30]}', is a value); expected a header naming the "
                        "column: add a first line with its name (e.g. 'value')" + pandas +
                        ", and the rows are read as steps 0, 1, 2, ...; or add a time column")
    if raw.shape[1] < 2 and not events.times_only(raw, path) and not values_only(raw, path):
        raise DataError(f"{path}: found {raw.shape[1]} column; expected a time column and "
                        "at least one numeric column: add a column of timestamps, one per "
                        "row (e.g. 2024-01-01 00:00, 2024-01-01 01:00, ...), or for values "
                        "with no times a column 'step' numbering the rows 0, 1, 2, ...")
    found = data_in_header(header, raw)
    if found:
        first = layout.sep.join(header)
        where = (f"line {layout.line}, the first after {layout.preamble()}" if layout.line > 1
                 else "the first line")
        # Some loggers write their header as a comment: "# time,value".
        todo = ", or remove the '#' of a header written as a comment" * bool(layout.comments)
        raise DataError(f"{path}: {where} ({first[:60]}{'...' * (len(first) > 60)}) "
                        f"looks like data, not a header: {found}; add a "
                        f"header row naming the columns (e.g. {layout.example_header()})"
                        f"{todo}")
    if not any(header):  # ",,": a row a spreadsheet padded, above the header
        raise DataError(f"{path}: line {layout.line}, read as the header, names no column "
                        "(separators alone); expected the header's names on it: if it is an "
                        "empty row above the header, remove it")
    repeated = [c for c, n in Counter(header).items() if n > 1]
    if repeated:
        raise DataError(f"{path}: repeated column name(s) in the header: "
                        f"{', '.join(repr(c) for c in repeated[:10])}; rename them")
    if raw.empty:
        raise DataError(f"{path}: has a header but no data rows; expected rows of data under "
                        "it: check that the export finished, or that this is the right file")

