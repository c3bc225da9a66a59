"""A file's text (a cell, a header name) as an error message quotes it.

Messages are one line on a terminal or in a log: a NUL or an escape sequence from the file
would be written raw (grep then takes the log for binary), and a 200,000-character cell
would make a 200 KB line. Kept free of pandas: the CLI uses ``printable`` on every error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI's --help reads this module without pandas
    import pandas as pd

CELL_CHARS = 40  # a cell longer than this is cut in messages
# Missing values as written, lower case: "." is FRED's, "#N/A" Excel's.
NA_WORDS = frozenset({"nan", "na", "n/a", "null", "none", "-", "?", ".", "#n/a", "--"}
                     # C's printf of a NaN: glibc's "-nan"; MSVC's "-nan(ind)", and before
                     # 2015 "-1.#IND" ("-1.#IND00" by %f). Refused, unlike "nan", as text.
                     | {sign + word for sign in ("", "-", "+") for word in (
                         "nan", "nan(ind)", "nan(snan)", "1.#ind", "1.#ind00", "1.#qnan",
                         "1.#qnan0", "1.#snan", "1.#snan0")})


def printable(text: str) -> str:
    """``text`` with each character that is not printable escaped as ``repr`` writes it
    (``\\x00``, ``\\t``, ``\\u200b``); printable text, accented letters included, is kept."""
    if text.isprintable():
        return text  # the common case, without a pass per character
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shown(text: object, limit: int = CELL_CHARS) -> str:
    """A cell for a message: cut to ``limit`` characters (then '...'), escaped by
    ``printable``.

    Args:
        text: the cell as read (any value is taken as its ``str``).
        limit: the most characters of the cell to show.

    Returns:
        The text to put between quotes in a message.
    """
    text = str(text)
    cut = "..." if len(text) > limit else ""
    return printable(text[:limit]) + cut


def is_na_word(text: pd.Series) -> pd.Series:
    """Cells that spell a missing value (NA, NaN, null, ...)."""
    return text.str.lower().isin(NA_WORDS)
