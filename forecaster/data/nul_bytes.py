"""NUL bytes in a CSV's table: what a crash or a power cut leaves where a logger was
appending (the file's size was written, its blocks were not). Refused by the line they
are on, before any parsing: a run of them had been read as a timestamp in a second
format, or as a row of one field."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from forecaster.data.csvlines import Span, check_utf8, open_span
from forecaster.errors import DataError

CHUNK = 1 << 20  # bytes read at a time


def refuse_nul(path: Path, span: Span, chunk: int = CHUNK) -> None:
    """Raise DataError naming the first line of the table (from its header on, to the end
    of the file) that holds a NUL byte: a last line with no line end, which ``span``
    leaves out as one still being written, is more often a crash's run of NULs.

    Text of UTF-16 or UTF-32, a NUL beside each letter, is refused before this
    (``csvlines.refuse_packed``) with its own advice.
    """
    lines, whole = 0, replace(span, stop=None)  # line ends before the current block
    with open_span(path, whole) as fh:
        while block := fh.read(chunk):
            at = block.find(b"\x00")  # memchr: a pass over 100 MB takes milliseconds
            if at >= 0:
                check_utf8(path, whole)  # a binary file is "not UTF-8", which says more
                raise _nul_error(path, span.line + lines + block.count(b"\n", 0, at), span)
            lines += block.count(b"\n")


def _nul_error(path: Path, line: int, span: Span) -> DataError:
    where = f"the header (line {line})" if line == span.line else f"row {line}"
    return DataError(f"{path}: {where} holds NUL bytes (\\x00), as a crash or a power cut "
                     "leaves them; expected text: remove them (tr -d '\\000' < old.csv > "
                     "new.csv) or delete that row")
