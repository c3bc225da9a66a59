"""Numbers as spreadsheets in other locales write them: decimal commas, thousands dots.

Only files not separated by commas get here: in a comma-separated file a comma cannot be
a decimal mark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.columns import is_na_word

DECIMAL_COMMA = r"\s*[+-]?\d*,\d+\s*"
THOUSAND_DOTS = r"\s*[+-]?\d{1,3}(\.\d{3})+(,\d+)?\s*"  # 1.234,5 and 12.000
WHOLE_THOUSANDS = r"[+-]?[1-9]\d{0,2}(\.\d{3})+"  # 1.136, 12.000.000 (no decimals)


def decimal_commas(raw: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers written 1,5 and 1.234,5 rewritten as 1.5 and 1234.5 (in place)."""
    # A file not separated by commas may write 1,5 for 1.5 (a European spreadsheet's
    # export), and then 1.234,5 for 1234.5: a column whose cells are numbers written so is
    # read that way. Dots are taken as thousands only where every dotted cell groups its
    # digits by three and some cell has both (1.234,5): 10.189 beside one stray 10,5 is a
    # decimal dot and a typo, not ten thousand. A plain substring test first: a regex pass
    # over every column is slow.
    for col in raw.columns:
        text = raw[col]
        if not text.str.contains(",", regex=False).any():
            continue
        cells = text[(text.str.strip() != "") & ~is_na_word(text.str.strip())]
        dotted = cells.str.contains(".", regex=False)
        if dotted.any() and not (cells[dotted].str.fullmatch(THOUSAND_DOTS).all()
                                 and cells[dotted].str.contains(",", regex=False).any()):
            continue
        numeric = (cells.str.fullmatch(DECIMAL_COMMA) | cells.str.fullmatch(r"\s*[+-]?\d+\s*")
                   | dotted)
        if numeric.mean() > 0.9:
            raw[col] = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return raw


def thousand_dots(raw: pd.DataFrame, path: Path) -> list[str]:
    """Whole numbers written 1.136 for 1136 beside 900 and 777 (a European export of counts):
    read as thousands, with a note, where the plain cells are hundreds and more. Read as
    decimals, every value past 999 became about 1, silently."""
    notes = []
    for col in raw.columns:
        text = raw[col]
        has = {c: text.str.contains(c, regex=False).any() for c in ",."}
        if has[","] or not has["."]:
            continue
        cells = text.str.strip()
        dotted = cells[cells.str.contains(".", regex=False)]
        plain = cells[cells.str.fullmatch(r"[+-]?\d+")]
        if (plain.empty or not dotted.str.fullmatch(WHOLE_THOUSANDS).all()
                or np.median(np.abs(plain.astype(np.float64))) < 100):
            continue
        raw[col] = text.str.replace(".", "", regex=False)
        notes.append(f"{path.name}: column '{col}': read {dotted.iloc[0]} as "
                     f"{dotted.iloc[0].replace('.', '')} (dots grouping thousands beside "
                     f"whole numbers such as {plain.iloc[0]})")
    return notes
