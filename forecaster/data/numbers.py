"""Numbers as spreadsheets in other locales write them: decimal commas, thousands dots,
(quoted, in comma-separated files) thousands commas; and currency signs ($106.79).
Accounting's and SAP's negatives and thousands grouped by apostrophes or spaces are
``number_spellings``'.

Decimal commas and thousands dots are looked for in files not separated by commas, and
quoted ("1.132,83") in comma-separated ones where a column shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.data.column_note import ColumnNote
from forecaster.data.columns import is_na_word
from forecaster.data.needed import only
from forecaster.data.number_spellings import SIGNS, spelled_numbers

DECIMAL_COMMA = r"[+-]?\d*,\d+"  # 1,5 (between spaces: fullmatch_spaced)
THOUSAND_DOTS = r"\s*[+-]?\d{1,3}(\.\d{3})+(,\d+)?\s*"  # 1.234,5 and 12.000
WHOLE_THOUSANDS = r"[+-]?[1-9]\d{0,2}(\.\d{3})+"  # 1.136, 12.000.000 (no decimals)
THOUSAND_COMMAS = r"\s*[+-]?\d{1,3}(,\d{3})+(\.\d+)?\s*"  # "5,003.46", "1,000,000"
SURE_COMMAS = r"\s*[+-]?\d{1,3}(,\d{3})+\.\d+\s*|\s*[+-]?\d{1,3}(,\d{3}){2,}\s*"
QUOTED_DECIMAL = r"\s*[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*|\s*[+-]?\d+\s*"  # 1.132,83 0,5 7
SURE_DECIMAL = r"\s*[+-]?\d{1,3}(\.\d{3})+,\d+\s*|\s*[+-]?\d*,(\d{1,2}|\d{4,})\s*"
# The rows a column's first look takes: a cell there that rules the column out spares the
# look at every row (a column that passes is looked at whole, so answers do not change).
SAMPLE = 1000
MINUS = "\u2212"  # the minus sign, not the hyphen-minus of "-5"
MINUS_NUMBER = rf"^\s*{MINUS}\s*[\d.,]"
_AMOUNT = r"[+-]?(\d[\d,.]*|[.,]\d+)"
PRICED = (rf"\s*[+-]?\s*(?P<a>[{SIGNS}])\s*{_AMOUNT}\s*"  # $106.79, -$5, $-5
          rf"|\s*{_AMOUNT}\s*(?P<b>[{SIGNS}])\s*")  # 1.132,83 €


def read_columns_only(notes: list[str], columns: list[str],
                      raw: pd.DataFrame | None = None) -> list[str]:
    """``notes`` less the column notes on columns not in ``columns``; those columns of
    ``raw`` get their cells as written back (in place): series keys "1,2" and "1,10"
    had been rewritten as decimals, and named series '1.2' and '1.10'."""
    if raw is not None:
        for note in reversed(notes):  # the first rewrite's cells last: those of the file
            if isinstance(note, ColumnNote) and note.column not in columns \
                    and note.original is not None and note.column in raw.columns:
                raw[note.column] = note.original
    return [ColumnNote(n.column, str(n)) if isinstance(n, ColumnNote) else n
            for n in notes if not isinstance(n, ColumnNote) or n.column in columns]


def locale_numbers(raw: pd.DataFrame, path: Path, sep: str,
                   columns: list[str] | None = None) -> list[str]:
    """Rewrite the cells of numbers written in a locale's way as plain numbers (in place).

    Args:
        raw: the file's cells, as text.
        path: the file, for the notes.
        sep: its separator: decimal commas are looked for only where it is no comma.
        columns: the columns to look at (``needed.needed_columns``); None for all.

    Returns:
        Notes (``ColumnNote``) on the columns read so.
    """
    part = only(raw, columns)
    # First: "(1,234.50)" and "1 234,5" are then a thousands comma and a decimal comma.
    notes = spelled_numbers(part, path)
    notes += minus_signs(part, path)  # first: "−1,5" is then a decimal comma
    notes += currency_signs(part, path)  # first: "$1,234.56" is then a thousands comma
    if sep != ",":
        decimal_commas(part)
        notes += thousand_dots(part, path, sep)
    else:
        notes += thousand_commas(part, path) + quoted_decimal_commas(part, path)
    if columns:
        raw[columns] = part
    return notes


def minus_signs(raw: pd.DataFrame, path: Path) -> list[str]:
    """Negative numbers written with the minus sign (U+2212: Nordic locales' spreadsheets,
    text copied from the web) read with a hyphen, with a note. Refused as "'−5.3' is not a
    number; expected plain numbers", which it looks like."""
    notes = []
    for col in raw.columns:
        text = raw[col]
        # A plain substring test first: the pattern's \s sends it to Python's regex engine,
        # 4 s over UCI's household power file, none of whose cells holds the sign.
        if not text.str.contains(MINUS, regex=False).any():
            continue
        signed = text.str.contains(MINUS_NUMBER, regex=True)
        if not signed.any():
            continue
        raw[col] = text.where(~signed, text.str.replace(MINUS, "-", n=1, regex=False))
        first = text[signed].iloc[0].strip()
        notes.append(ColumnNote(col, f"{path.name}: column '{col}': read {first} as "
                                f"{first.replace(MINUS, '-', 1)} (a minus sign)", text))
    return notes


def currency_signs(raw: pd.DataFrame, path: Path) -> list[str]:
    """Amounts written with a currency sign ($106.79, Nasdaq.com's prices; 5,20 €) read
    without it, with a note, in a column whose every value carries the same sign. Read as
    text, such columns were passed over and another (the volume) forecast silently."""
    notes = []
    for col in raw.columns:
        text = raw[col]
        if not text.str.contains(f"[{SIGNS}]", regex=True).any():
            continue
        cells = text.str.strip()
        cells = cells[(cells != "") & ~is_na_word(cells)]
        found = cells.str.extract(f"^(?:{PRICED})$")
        signs = found["a"].fillna(found["b"])
        if signs.isna().any() or signs.nunique() != 1:
            continue
        raw[col] = text.str.replace(f"\\s*[{SIGNS}]\\s*", "", regex=True)
        first = cells.iloc[0]
        notes.append(ColumnNote(col, f"{path.name}: column '{col}': read {first} as "
                                f"{raw[col][cells.index[0]].strip()} (a currency sign)", text))
    return notes


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
        numeric = fullmatch_spaced(cells, rf"{DECIMAL_COMMA}|[+-]?\d+") | dotted
        if numeric.mean() > 0.9:
            raw[col] = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return raw


def fullmatch_spaced(cells: pd.Series, core: str) -> pd.Series:
    """Which ``cells`` are ``core`` between spaces: ``fullmatch(rf"\\s*(?:{core})\\s*")``.

    The spaces (\\s) send a pattern to Python's regex engine, 12 s over the 7 million
    cells of a year of the UCI electricity file; cells of printable ASCII alone (no space
    at all) are matched to ``core`` by pyarrow's, and only the others by Python's.
    """
    plain = ~cells.str.contains(r"[^!-~]", regex=True, na=True)
    bare = cells[plain].str.fullmatch(core)
    spaced = cells[~plain].str.fullmatch(rf"\s*(?:{core})\s*")
    return pd.concat([bare, spaced]).reindex(cells.index).astype(bool)


def thousand_dots(raw: pd.DataFrame, path: Path, sep: str = ";") -> list[str]:
    """Whole numbers written 1.136 for 1136 beside 900 and 777 (a European export of counts):
    read as thousands, with a note, where the plain cells are hundreds and more. Read as
    decimals, every value past 999 became about 1, silently."""
    notes = []
    for col in raw.columns:
        text = raw[col]
        has = {c: text.str.contains(c, regex=False).any() for c in ",."}
        if has[","] or not has["."] or not _whole_thousands(text.head(SAMPLE), dotted=True):
            continue
        cells = text.str.strip()
        cells = cells[~is_na_word(cells)]  # FRED's missing "." is no decimal mark
        dotted = cells[cells.str.contains(".", regex=False)]
        plain = cells[cells.str.fullmatch(r"[+-]?\d+")]
        if (plain.empty or not dotted.str.fullmatch(WHOLE_THOUSANDS).all()
                or np.median(np.abs(plain.astype(np.float64))) < 100):
            continue
        raw[col] = text.str.replace(".", "", regex=False)
        notes.append(ColumnNote(col, f"{path.name}: column '{col}': read {dotted.iloc[0]} as "
                     f"{dotted.iloc[0].replace('.', '')} (dots grouping thousands beside "
                     f"whole numbers such as {plain.iloc[0]})"))
    # Semicolons: a European spreadsheet's export, where a dot is more often thousands.
    return notes + (_ambiguous_dots(raw, path) if sep == ";" else [])


def _ambiguous_dots(raw: pd.DataFrame, path: Path) -> list[str]:
    """A note for each column whose every value is written 2.181: decimals here, but a
    European export of watts writes 2181 so; nothing in the file tells which."""
    notes = []
    for col in raw.columns:
        if not _whole_thousands(raw[col].head(SAMPLE)):
            continue
        cells = raw[col].str.strip()
        cells = cells[(cells != "") & ~is_na_word(cells)]
        if len(cells) > 1 and cells.str.fullmatch(WHOLE_THOUSANDS).all():
            notes.append(ColumnNote(col, f"{path.name}: column '{col}': read {cells.iloc[0]} "
                                    "as a decimal; if its dots group thousands (every value "
                                    "has three digits after the dot), remove the dots from "
                                    "the file"))
    return notes


def _whole_thousands(text: pd.Series, dotted: bool = False) -> bool:
    """Whether every filled cell of ``text`` (every dotted one, with ``dotted``) is written
    1.136: run on a column's first rows, a cell that is not rules the column out before
    the checks over all its rows (seconds on a file of millions)."""
    cells = text.str.strip()
    cells = cells[(cells != "") & ~is_na_word(cells)]
    if dotted:
        cells = cells[cells.str.contains(".", regex=False)]
    return bool(cells.str.fullmatch(WHOLE_THOUSANDS).all())


def thousand_commas(raw: pd.DataFrame, path: Path) -> list[str]:
    """Quoted numbers written "5,003.46" in a comma-separated file (Investing.com, a web
    table pasted into a sheet): read without their commas, with a note. Only where the
    column shows it: a cell with both marks or two commas, or whole numbers "1,204" beside
    plain ones in the hundreds (Kaggle's daily website visitors, 921 then "1,204"); "1,500"
    alone, or beside "0,750", may be quoted decimal commas."""
    notes = []
    for col, text, cells in _comma_columns(raw):
        grouped = cells.str.fullmatch(THOUSAND_COMMAS)
        plain = cells.str.fullmatch(r"[+-]?\d+(\.\d+)?")
        if not (grouped | plain).all() or not (cells.str.fullmatch(SURE_COMMAS).any()
                                               or _beside_hundreds(cells, grouped)):
            continue
        raw[col] = text.str.replace(",", "", regex=False)
        first = cells[grouped].iloc[0]
        notes.append(ColumnNote(col, f"{path.name}: column '{col}': read {first} as "
                                f"{first.replace(',', '')} (commas grouping thousands)", text))
    return notes


def _comma_columns(raw: pd.DataFrame) -> Iterator[tuple[str, pd.Series, pd.Series]]:
    """Each column holding a comma: its name, its cells, and those holding a value,
    stripped."""
    for col in raw.columns:
        text = raw[col]
        if text.str.contains(",", regex=False).any():
            cells = text.str.strip()
            yield col, text, cells[(cells != "") & ~is_na_word(cells)]


def _beside_hundreds(cells: pd.Series, grouped: pd.Series) -> bool:
    # Whole numbers grouped by commas beside plain whole numbers of 100 and more: counts.
    # Alone, "3,227" may as well be 3.227 kg with a decimal comma: not guessed.
    whole = cells.str.fullmatch(r"[+-]?\d+")
    if not grouped.any() or not whole.any() or not (grouped | whole).all():
        return False
    return bool(cells[grouped].str.fullmatch(r"[+-]?[1-9]\d{0,2}(,\d{3})+").all()
                and np.median(np.abs(cells[whole].astype(np.float64))) >= 100)


def quoted_decimal_commas(raw: pd.DataFrame, path: Path) -> list[str]:
    """Quoted numbers written "1.132,83" in a comma-separated file (investing.com in a German
    locale): read as 1132.83, with a note, where the column shows it: a cell with dots
    grouping thousands before the comma, or a comma not followed by three digits ("0,5").
    "3,227" alone may be 3227: left to the refusal that says so."""
    notes = []
    for col, text, cells in _comma_columns(raw):
        sure = cells.str.fullmatch(SURE_DECIMAL)
        if not sure.any() or not cells.str.fullmatch(QUOTED_DECIMAL).all():
            continue
        # "2,175" may be 2175: one "12,5" among many such cells is a slip, not the
        # column's way (it read every 2,175 as 2.175).
        if cells.str.fullmatch(r"\s*[+-]?\d{1,3},\d{3}\s*").sum() > sure.sum():
            continue
        raw[col] = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        first = cells[sure].iloc[0]
        notes.append(ColumnNote(col, f"{path.name}: column '{col}': read {first} as "
                                f"{raw[col][cells[sure].index[0]].strip()} (a decimal comma"
                                f"{', dots grouping thousands' * ('.' in first)})", text))
    return notes
