"""Fields set apart by runs of spaces: a layout this reader does not take, told plainly.

NASA's C-MAPSS turbofan files (``train_FD001.txt``, the LSTM remaining-useful-life example)
and R's ``write.table(sep=" ")`` align their fields with spaces; read with the separators
known, each line is one column, and the message was "found 1 column".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecaster.errors import DataError


def refuse_spaced(raw: pd.DataFrame, path: Path, header: list[str]) -> None:
    """Refuse a file whose fields are set apart by runs of spaces (NASA's C-MAPSS
    ``train_FD001.txt``, R's write.table with sep=" "), read as one column, with the
    conversion that makes it a CSV. Multiple spaces are no separator this reader takes."""
    if raw.shape[1] != 1 or raw.empty:
        return
    widths = {len(str(cell).split()) for cell in [header[0], *raw.iloc[:5, 0]]}
    if len(widths) != 1 or min(widths) < 2:
        return
    first = " ".join(str(header[0]).split())
    raise DataError(f"{path}: found 1 column whose lines hold {widths.pop()} fields set apart "
                    f"by spaces ('{first[:40]}{'...' * (len(first) > 40)}'); expected fields "
                    "separated by commas, semicolons, tabs or pipes: convert the file, e.g. "
                    f"sed -E 's/^ +//; s/ +$//; s/ +/,/g' {path.name} > {path.stem}.csv (and "
                    "add a header row naming the columns if it has none)")
