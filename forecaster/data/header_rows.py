"""Headers of several rows: yfinance's ``yf.download(...).to_csv()`` (0.2.48 on).

yfinance writes its columns' two levels and the index's name as three header rows::

    Price,Close,High,Low,Open,Volume
    Ticker,AAPL,AAPL,AAPL,AAPL,AAPL
    Date,,,,,
    2024-01-02,185.6,...

Read with its first row alone for the header, the file had no time column ("Price") and a
row of tickers for data. Only this shape is taken for such a header: below the first row,
rows whose first cell is a word and whose other cells are words (tickers), the last of
them naming the time column with its other cells empty, right above a row of data.

pandas writes any frame with columns of several levels (``pivot_table``, ``unstack``) so,
its levels' names (or nothing, for a level without one) in the first cells::

    ,temp,temp
    sensor,s1,s2
    timestamp,,
    2024-01-02 00:00:00,20.5,21.0

The file was refused for "repeated column name(s) 'temp': rename them", or its second and
third rows read as data. A level's cells there are any text (s1, degC, %, 7).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass

from forecaster.data.timestamps import TIME_NAMES

UNNAMED = "Unnamed: 0"  # pandas' name for a first header cell left empty
MAX_ROWS = 4  # header rows looked for: yfinance writes 3 (2 levels and the index's name)
WORD = re.compile(r"[A-Za-z][A-Za-z _]*")  # a row's name: Ticker, Price, Date


@dataclass(frozen=True)
class Stacked:
    """A header of several rows, read as one.

    Attributes:
        rows: how many lines the header takes.
        names: the columns' names: the time column's, then the values'.
        note: what was read, in words, for the user.
    """

    rows: int
    names: list[str]
    note: str


def stacked_header(lines: list[str], sep: str, name: str) -> Stacked | None:
    """The header of several rows that ``lines`` (the header's line on) start with.

    Args:
        lines: the first lines of the table, from its header line on.
        sep: the separator.
        name: the file's name, for the note.

    Returns:
        The header read as one, or None where the first line alone is the header.
    """
    try:
        rows = [next(csv.reader([line], delimiter=sep), []) for line in lines]
    except csv.Error:  # a stray carriage return in binary junk: no header of several rows
        return None
    rows = [[cell.strip() for cell in row] for row in rows]
    top = rows[0] if rows else []
    # The first row names the columns' level (Price), not the time column: a header
    # "date,value" over a row "Ticker,AAPL" is a header over a bad row.
    if (len(rows) < 3 or len(top) < 2 or not all(top[1:]) or not _level(top[0])
            or top[0].lower() in TIME_NAMES):
        return None
    for last in range(1, min(MAX_ROWS, len(rows) - 1)):
        if _lowest(rows[last], len(rows[0])):
            return _named(rows[:last + 1], name) if _data(rows[last + 1]) else None
        if not _tickers(rows[last], len(rows[0])):
            return None
        if not top[0] and not rows[last][0] and _data(rows[last + 1]):
            # pandas' levels over an index without a name: no row names the time column,
            # named as pandas names a header cell left empty (a one-row header's reading).
            return _named(rows[:last + 1] + [[UNNAMED] + [""] * (len(top) - 1)], name,
                          last + 1)
    return None


def _level(cell: str) -> bool:
    # A level's name (Price, Ticker, sensor), or none: pandas writes a level without one so.
    return not cell or bool(WORD.fullmatch(cell))


def _tickers(row: list[str], width: int) -> bool:
    # A row between the first and the last: its level's name (Ticker) or none, then a cell
    # each column (a ticker, a sensor, a unit: any text, no gap).
    return len(row) == width and _level(row[0]) and all(row[1:])


def _lowest(row: list[str], width: int) -> bool:
    # The index's name (Date, Datetime) over empty cells: the last header row.
    return len(row) == width and row[0].lower() in TIME_NAMES and not any(row[1:])


def _data(row: list[str]) -> bool:
    return bool(row) and any(ch.isdigit() for ch in row[0])


def _named(rows: list[list[str]], name: str, lines: int | None = None) -> Stacked:
    # The first row naming each column once names them (one ticker: Close, High, ...);
    # else the rows' names are joined (two tickers: "Close AAPL", "Close MSFT"). The last
    # row names the time column; ``lines``: the header's lines, where that row is none.
    levels = [row[1:] for row in rows[:-1]]
    titles = [row[0] for row in rows[:-1]]  # the levels' names ('' for none: pandas')
    unique = next((i for i, level in enumerate(levels) if max(Counter(level).values()) == 1),
                  None)
    if unique is not None:
        values = levels[unique]
        how = f"named by header row {unique + 1}" + _titled(titles[unique:unique + 1])
    else:
        values = [" ".join(cells) for cells in zip(*levels, strict=True)]
        how = (f"named by joining header rows 1 to {len(levels)}{_titled(titles)}, "
               f"e.g. '{values[0]}'")
    lines = lines or len(rows)
    time = (f"time column '{rows[-1][0]}' from row {lines}" if lines == len(rows)
            else "the time column unnamed")
    note = (f"{name}: read {lines} header rows (column levels, as pandas and yfinance "
            f"write them): {time}, value columns {how}")
    return Stacked(rows=lines, names=[rows[-1][0], *values], note=note)


def _titled(titles: list[str]) -> str:
    # The levels' names in brackets, where they have any: " ('Price', 'Ticker')".
    return f" ({', '.join(repr(t) for t in titles)})" if any(titles) else ""
