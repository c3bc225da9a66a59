"""A file's text (a cell, a header name) as an error message quotes it.

Messages are one line on a terminal or in a log: a NUL or an escape sequence from the file
would be written raw (grep then takes the log for binary). Kept free of pandas: the CLI
uses ``printable`` on every error.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with each character that is not printable escaped as ``repr`` writes it
    (``\\x00``, ``\\t``, ``\\u200b``); printable text, accented letters included, is kept."""
    if text.isprintable():
        return text  # the common case, without a pass per character
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)

