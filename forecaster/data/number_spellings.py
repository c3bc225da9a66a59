"""Numbers as accounting, SAP, Swiss and French exports spell them: negatives in brackets
((12.04), "(1,234.50)") or with a trailing minus (12.5-), thousands grouped by apostrophes
(10'000.0) or spaces (10 000.5, no-break ones too); and MSVC's infinity (1.#INF).

Each way is read only where a column shows it throughout: brackets also mark provisional
figures in some statistics tables, and a space may join two numbers. A column that also
writes "-5" beside "(5)", or "12 34" beside "1 234", is left to the refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.cells import is_na_word, shown
from forecaster.data.column_note import ColumnNote

SIGNS = "$€£¥"  # currency signs, read by numbers.currency_signs
_AMOUNT = rf"[{SIGNS}]?\s*(\d[\d,.]*|[.,]\d+)\s*[{SIGNS}]?"  # 1,234.50  $5  5,20 €
BRACKETED = rf"\(\s*{_AMOUNT}\s*\)"  # (12.04), (1,234.50), ($5)
TRAILING_MINUS = r"(\d[\d,.]*|[.,]\d+)-"  # 12.5-, 1.234,50-
UNSIGNED = rf"\+?{_AMOUNT}([eE][+-]?\d+)?"  # the other cells of a column of such negatives
AMOUNT = rf"{BRACKETED}|-\s*{_AMOUNT}|{UNSIGNED}"  # ($5.25), -$5.25, $5.25 (and plain ones)
GROUP_MARKS = {"apostrophes": "'\u2019", "spaces": " \u00a0\u202f"}
# A cell that may hold one of these ways ("12.5- " holds a space): one pass, one class
# (a regex of alternatives and anchors doubled the reading of a file of 400 columns).
MAY_HOLD = "[('\u2019\u00a0\u202f ]"
INFINITY = r"[+-]?1\.#INF0*"  # MSVC's printf: 1.#INF, -1.#INF00 (by %f)

Reading = tuple[pd.Series, str] | None  # a column's cells rewritten, and what was read


def spelled_numbers(raw: pd.DataFrame, path: Path) -> list[str]:
    """Rewrite the cells of numbers spelled as accounting, SAP, Swiss or French exports
    write them as plain numbers (in place), where a whole column is written so.

    Args:
        raw: the file's cells, as text.
        path: the file, for the notes.

    Returns:
        Notes (``ColumnNote``) on the columns read so.
    """
    notes = []
    for col in raw.columns:
        original = raw[col]
        if not (original.str.contains(MAY_HOLD, regex=True).any()
                or original.str.endswith("-").any()):
            continue
        for way in _WAYS:  # grouping first: "(1 234.50)" is then in brackets
            read = way(raw[col], _values(raw[col]))
            if read is not None:
                raw[col] = read[0]
                notes.append(ColumnNote(col, f"{path.name}: column '{col}': {read[1]}",
                                        original))
    return notes


def _values(text: pd.Series) -> pd.Series:
    """The cells holding a value, stripped."""
    cells = text.str.strip()
    return cells[(cells != "") & ~is_na_word(cells)]


def grouped_thousands(text: pd.Series, cells: pd.Series) -> Reading:
    """Thousands grouped by apostrophes (Swiss: 10'000.0) or spaces (French, SI: 10 000.5,
    often a no-break space) read without them, where every cell so marked groups its
    digits by three. Refused as text, they had to be found one error at a time."""
    for name, marks in GROUP_MARKS.items():
        marked = cells[cells.str.contains(rf"\d[{marks}]\d", regex=True)]
        if marked.empty:
            continue
        regular = (rf"[(+-]?\s?[{SIGNS}]?\s?\d{{1,3}}([{marks}]\d{{3}})+([.,]\d+)?"
                   rf"\s?[{SIGNS}]?\s?[)-]?")
        if not marked.str.fullmatch(regular).all():
            return None
        between = rf"(?<=\d)[{marks}](?=\d{{3}})"
        plain = re.sub(between, "", marked.iloc[0])
        return (text.str.replace(between, "", regex=True),
                f"read {shown(marked.iloc[0])} as {plain} ({name} grouping thousands)")
    return None


def _negatives(text: pd.Series, cells: pd.Series, form: str, told: str,
               number: Callable[[pd.Series], pd.Series]) -> Reading:
    """Cells of ``form`` read as negatives (``number`` gives each one's digits), where
    every other cell is a number written without a sign; ``told`` names the form."""
    hit = cells.str.fullmatch(form)
    if not hit.any() or not cells[~hit].str.fullmatch(UNSIGNED).all():
        return None
    priced = cells.str.contains(f"[{SIGNS}]", regex=True)
    if priced[hit].any() and not priced.all():  # "-$5" beside "10.00": refused as "-$5"
        return None
    read = "-" + number(cells[hit])
    out = text.copy()
    out.loc[read.index] = read
    n = int(hit.sum())
    return (out,
            f"read {n} value{'s' * (n > 1)} written {told} as negative{'s' * (n > 1)} "
            f"(e.g. '{shown(cells[hit].iloc[0])}' as {shown(read.iloc[0])})")


def bracketed(text: pd.Series, cells: pd.Series) -> Reading:
    """Accounting's negatives, (12.04) for -12.04 (Excel's accounting format, exported
    ledgers), read so."""
    return _negatives(text, cells, BRACKETED, "in brackets",
                      lambda c: c.str.slice(1, -1).str.strip())


def trailing_minus(text: pd.Series, cells: pd.Series) -> Reading:
    """SAP's negatives, 12.5- for -12.5, read so."""
    return _negatives(text, cells, TRAILING_MINUS, "with a trailing minus",
                      lambda c: c.str.slice(0, -1))


_WAYS = (grouped_thousands, bracketed, trailing_minus)


def spelled_infinities(bad: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` with the cells of ``bad`` (cells read as no number) that spell infinity
    as MSVC's printf does (1.#INF, -1.#INF) read as infinite: refused then as 'inf' is,
    not as text to blank or to read as missing."""
    hit = bad[bad.str.fullmatch(INFINITY, case=False)]
    if hit.empty:
        return values
    values = values.copy()
    values.loc[hit.index] = np.where(hit.str.startswith("-"), -np.inf, np.inf)
    return values


def signed_twice(bad: pd.Series, text: pd.Series) -> str:
    """What to do with ``bad`` cells (cells of ``text`` read as no number) that are all
    negatives written in brackets or with a trailing minus, in a column also written with
    a leading minus: nothing tells the brackets are negatives there, and the advice to
    read them as missing would lose every one. Empty for other cells and columns."""
    if not text.str.match(r"\s*-\s*[\d.,]").any():
        return ""
    for form, told in ((BRACKETED, "brackets mark"), (TRAILING_MINUS, "a trailing minus marks")):
        if bad.str.fullmatch(form).all():
            return (f"{told} negatives in accounting exports, but this column also writes "
                    "values with a leading minus sign, so they may mean something else: write "
                    "every negative with a leading minus sign, or blank those cells")
    return ""


def priced_among_plain(bad: pd.Series, text: pd.Series) -> str:
    """What to do with ``bad`` cells (cells of ``text`` read as no number) that are all
    amounts with a currency sign (($5.25) for a negative, -$5.25, $5.25) in a column whose
    other values, most of them, are plain numbers: a sign is read only where every value
    carries it, and the advice to read them as missing would lose them. Empty for other
    cells."""
    values = text[(text != "") & ~is_na_word(text)]
    priced = bad.str.fullmatch(AMOUNT) & bad.str.contains(f"[{SIGNS}]", regex=True)
    if not priced.all() or 2 * len(bad) > len(values):  # mostly priced: not "among plain"
        return ""
    first, n = bad.iloc[0], len(bad)
    plain = re.sub(rf"[{SIGNS}\s]", "", first)
    plain = f"-{plain[1:-1]}" if plain.startswith("(") else plain
    what = ("negative amount{} written in brackets with a currency sign"
            if bad.str.fullmatch(BRACKETED).all() else "amount{} written with a currency sign")
    said = f"it is a{'n' * what.startswith('a')} {what.format('')}" if n == 1 \
        else f"they are {what.format('s')}"
    how = f"it as {plain}" if n == 1 else f"them as plain numbers ('{shown(first)}' as {plain})"
    return (f"{said}, but this column's other values are plain numbers, and a currency "
            f"sign is read only where every value carries it: write {how}, or blank "
            f"{'it' if n == 1 else 'them'}")
