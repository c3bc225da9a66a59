"""Lines of only spaces or tabs inside a table: blank lines, as empty lines are.

An editor's stray indent ("   " on a line of its own) in the middle of a file was refused
by pyarrow's reader as a row of one field ("line 102 has 1 field, the header has 2"), and
read as a row of one missing value in a file of one column, where pandas' C reader skips
it as it skips an empty line. Lines after it were named one line too early. (A last line
of spaces is ``table_end``'s: it is cut before any reader sees it.)
"""

from __future__ import annotations

import re
from typing import BinaryIO

SCAN_BYTES = 1 << 20  # read in blocks of this size: files may be larger than memory


def space(sep: str) -> bytes:
    """The bytes a blank line may hold: spaces and tabs, less a tab that separates fields
    (a line of tabs in a TSV is a row of empty cells, as pandas reads it)."""
    return b" \t".replace(sep.encode(), b"")


def blank_lines(sep: str, empty: bool = True) -> re.Pattern[bytes]:
    """A line inside the text that is blank: of spaces or tabs only (or empty, if ``empty``)."""
    return re.compile(rb"\n[" + re.escape(space(sep)) + (rb"]*" if empty else rb"]+")
                      + rb"\r?\n")


def is_blank(line: bytes, sep: str) -> bool:
    """Whether a line of the file (its line end included or not) is blank."""
    return not line.strip(space(sep) + b"\r\n")


def blank_row(row: list[str], sep: str) -> bool:
    """Whether the csv module read ``row`` from a blank line: no field, or one of spaces."""
    return not row or (len(row) == 1 and not row[0].strip(space(sep).decode()))


def has_space_lines(fh: BinaryIO, sep: str) -> bool:
    """Whether the table read from ``fh`` (from its header on) has a line of only spaces or
    tabs after its header. Read block by block: one pass at a regular expression's speed."""
    found = blank_lines(sep, empty=False)
    if is_blank(fh.readline(), sep):
        return False  # no header: a file of blank lines keeps its own error
    tail = b"\n"  # the header's line end: the line after it may be blank
    while block := fh.read(SCAN_BYTES):
        text = tail + block
        if found.search(text):
            return True
        # A blank line cut by the block's end is matched with the next block.
        cut = text.rfind(b"\n")
        tail = text[cut:] if cut >= 0 else b""
    return False
