"""The targets' and features' cells read as numbers: missing where empty, an NA word or a
``--na-values`` marker; a cell of text or an infinite value is refused with its row."""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data import sentinels
from forecaster.data.cells import shown
from forecaster.data.columns import is_na_word
from forecaster.data.number_spellings import (
    priced_among_plain,
    signed_twice,
    spelled_infinities,
)
from forecaster.data.row_lines import RowLines, line_of
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError, TrainOptionError

THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+"  # 3,227: commas that may group thousands


def numeric_block(raw: pd.DataFrame, spec: DataSpec, path: Path,
                  first_row: RowLines) -> pd.DataFrame:
    """The targets' and features' cells as float64, one column each; ``first_row`` is the
    first row's line in the file (rows are told by their lines).

    Raises:
        DataError: a cell that is no number (nor missing), or an infinite one.
    """
    out = {}
    for name in spec.targets + spec.features:
        text = raw[name].str.strip()
        values = pd.to_numeric(text.where(text != "", None), errors="coerce")
        marked = sentinels.marker_cells(text, values, spec.na_values)  # --na-values
        values = values.mask(marked)
        bad = np.flatnonzero((values.isna() & (text != "") & ~is_na_word(text)
                              & ~marked).to_numpy())
        if bad.size:  # MSVC's 1.#INF: refused below as 'inf' is
            values = spelled_infinities(text.iloc[bad], values)
            bad = bad[values.iloc[bad].isna().to_numpy()]
        if bad.size:
            _refuse_mixed_decimals(text, values, bad, name, path, first_row)
            row = int(bad[0])
            signed = (signed_twice(text.iloc[bad], text)
                      or priced_among_plain(text.iloc[bad], text))
            todo, by_option = (signed, False) if signed else _not_number_todo(
                name, spec, bad.size > len(text) // 2, text.iloc[bad])
            message = (f"{path}: row {line_of(first_row, row)}, column '{name}': "
                       f"'{shown(text.iloc[row])}' is not a number; expected numeric values "
                       f"({bad.size} bad in all); {todo}")
            if by_option:  # --na-values, --features, --target: options predict lacks
                raise TrainOptionError(message, f"{message} (at training: predict and "
                                                "detect-anomalies use the model's choice)")
            raise DataError(message)
        arr = values.to_numpy(dtype=np.float64)
        inf = np.flatnonzero(np.isinf(arr) | (np.abs(arr) > 1e30))
        if inf.size:
            at = int(inf[0])
            raise DataError(f"{path}: row {line_of(first_row, at)}, column '{name}': value "
                            f"'{shown(text.iloc[at])}' is infinite or too large; "
                            "remove or fix it (empty cells are filled by --fill)")
        if name in spec.targets:  # a feature this small reads as 0, which does no harm
            _refuse_tiny(arr, name, path)
        out[name] = arr
    return pd.DataFrame(out, index=raw.index)


def _refuse_tiny(arr: np.ndarray, name: str, path: Path) -> None:
    """Refuse a column whose every value is under 1e-30 in size but not all zero: squared,
    they underflow (a sine of amplitude 1e-200 was forecast at 0.01, with a band of 1e-8)."""
    top = np.nanmax(np.abs(arr)) if np.isfinite(arr).any() else 0.0
    if 0 < top < 1e-30:
        raise DataError(f"{path}: column '{name}': its largest value is {top:.3g} in size; "
                        "expected values of 1e-30 or more in size (the arithmetic underflows "
                        "below): rescale the column (e.g. to nano- or pico-units)")


def _refuse_mixed_decimals(text: pd.Series, values: pd.Series, bad: np.ndarray, name: str,
                           path: Path, first_row: RowLines) -> None:
    """Refuse a column whose values are written 20,1 in some rows and 18.2 in others (an
    export whose locale changed): told as text, the advice was to forecast another column.

    Raises:
        DataError: naming a row of each way and the one separator to write.
    """
    dotted = np.flatnonzero((values.notna() & text.str.contains(".", regex=False)).to_numpy())
    commas = text.iloc[bad]
    # "3,227" alone may group thousands: ``_not_number_todo`` says so.
    if (not dotted.size or not commas.str.fullmatch(r"[+-]?\d*,\d+").all()
            or commas.str.fullmatch(THOUSANDS).all()):
        return
    comma, point = int(bad[0]), int(dotted[0])
    raise DataError(f"{path}: column '{name}' mixes decimal commas (row "
                    f"{line_of(first_row, comma)}: '{shown(text.iloc[comma])}') and decimal "
                    f"points (row {line_of(first_row, point)}: '{shown(text.iloc[point])}'); "
                    "expected one decimal separator throughout: write every value with a "
                    "point (or every one with a comma)")


def _not_number_todo(name: str, spec: DataSpec, mostly: bool,
                     bad: pd.Series) -> tuple[str, bool]:
    """What to do with ``bad`` cells, and whether that names an option of train."""
    # A text column (a wind direction) is no target or feature; blanking its cells is no fix.
    if bad.str.fullmatch(THOUSANDS).all():  # "3,227": 3227, or 3.227?
        return ("its commas may group thousands (3,227 for 3227) or mark decimals (3,227 "
                "for 3.227), and nothing in the column tells which: remove the commas, or "
                "write the decimals with a dot"), False
    if not mostly:
        markers = _as_markers(bad)
        return "fix or blank those cells" + markers, bool(markers)
    if name in spec.features:
        return "it holds text: drop it from --features, or encode it as numbers", True
    return ("it holds text: forecast a column of numbers (--target), or encode it as "
            "numbers"), True


def _as_markers(bad: pd.Series) -> str:
    """The few distinct bad cells as a --na-values option (Melbourne's '?0.2' cells had
    to be found one error at a time), or nothing when they are many or hold commas."""
    distinct = list(dict.fromkeys(bad))
    if len(distinct) > 5 or any("," in cell or len(cell) > 24 or not cell.isprintable()
                                for cell in distinct):
        return ""
    return f", or read them as missing with --na-values {shlex.quote(','.join(distinct))}"
