"""Line-level checks on a CSV file: rows of the wrong width, repeated headers, encodings;
and refusing what is not a file (a pipe, standard input).

A logger that starts writing another column leaves rows wider than the header: told here by
file line numbers (the header's is 1 unless lines such as "sep=;" or "# comments" come
before it: see ``layout``). Where the table ends (a footer, a last line still being
written) is ``table_end``'s.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from forecaster.data.json_file import refuse_json
from forecaster.data.packed import is_packed, packed_error
from forecaster.data.space_lines import blank_row
from forecaster.errors import DataError, MissingInputError


@dataclass(frozen=True)
class Span:
    """The part of a CSV file that holds its table, from the header on.

    Attributes:
        start: the header's first byte (past any lines before it).
        stop: the byte to stop reading at (None: the end of the file).
        line: the header's line number in the file.
    """

    start: int = 0
    stop: int | None = None
    line: int = 1


class _Head(io.RawIOBase):
    """The first ``size`` bytes of an open binary file, as a file of its own."""

    def __init__(self, fh: BinaryIO, size: int) -> None:
        super().__init__()
        self._fh, self._left = fh, size

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray | memoryview) -> int:
        n = self._fh.readinto(memoryview(buf)[:self._left]) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()


def open_span(path: Path, span: Span) -> BinaryIO:
    """Open the bytes of ``path`` that ``span`` covers for reading, binary."""
    fh = open(path, "rb")  # noqa: SIM115 (closed with the returned file)
    fh.seek(span.start)
    return fh if span.stop is None else io.BufferedReader(_Head(fh, span.stop - span.start))


def check_regular_file(path: Path) -> None:
    """Refuse standard input, pipes and devices: the data is read more than once (and its
    path is recorded at training), so it must be a file.

    Raises:
        MissingInputError: ``path`` is ``-`` (and no such file) or not a regular file.
    """
    if path.name == "-" and not path.exists():  # "-", or made absolute: /home/me/-
        what, path = "standard input is not supported", Path("-")
    elif path.exists() and not path.is_dir() and not path.is_file():
        what = "is a pipe" if path.is_fifo() else "is a device, not a regular file"
    elif re.fullmatch(r"(pipe|socket):\[\d+\]", path.name):  # /dev/fd/63 once resolved
        # The link's target names no file the user typed: say what it was.
        what = "is a pipe (/dev/stdin fed by a pipe, or a shell's <(...))"
    else:
        return
    raise MissingInputError(f"{path}: {what}; expected a CSV file, which is read more than "
                            "once: write the data to a file first (e.g. cmd > data.csv) and "
                            "give its path")


# Byte-order marks of text that is not UTF-8, with the name iconv knows it by. UTF-32's
# come first: UTF-32LE's mark begins with UTF-16LE's.
BOMS = {codecs.BOM_UTF32_LE: "UTF-32", codecs.BOM_UTF32_BE: "UTF-32",
        codecs.BOM_UTF16_LE: "UTF-16", codecs.BOM_UTF16_BE: "UTF-16"}
HEAD_BYTES = 64  # the bytes that tell a file's kind


def refuse_packed(path: Path) -> None:
    """A gzip, zip or Excel file under a .csv name, UTF-16/UTF-32 text or JSON: say what it is,
    before parsing it (wide text without a byte-order mark reads as valid UTF-8, a NUL
    beside each letter)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if is_packed(head) or _wide_text(head):
        raise not_utf8(path)
    refuse_json(path)


def check_utf8(path: Path, span: Span = Span(), chunk: int = 1 << 20) -> None:
    """Raise ``not_utf8`` unless the part of the file that ``span`` covers (from its
    header on) decodes as UTF-8: the comment lines before the header are never read, by
    any engine, nor a row a logger is half-way through writing after it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open_span(path, span) as fh:
            while block := fh.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def not_utf8(path: Path) -> DataError:
    """The error for a file that is not UTF-8 text, naming what it is when its first bytes
    tell (a gzip, zip or Excel file, UTF-16 or UTF-32 text)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    wide = _wide_text(head)
    if wide:
        name, code, mark = wide
        return DataError(f"{path}: looks like {name} text {mark}; expected UTF-8: re-save it "
                         f"as UTF-8 (iconv -f {code} -t utf-8)")
    return packed_error(path, head) or DataError(
        f"{path}: not UTF-8 text (latin-1, or a binary file?); expected a UTF-8 CSV file: "
        "save it as UTF-8 CSV (from a spreadsheet, export as CSV)")


def _wide_text(head: bytes) -> tuple[str, str, str] | None:
    """UTF-16 or UTF-32 text, told by its byte-order mark or, without one, by its ASCII
    letters: each one's other bytes are NUL, on the same side.

    Returns:
        The encoding's name, its iconv name and whether it has a mark, in words; None for
        other files.
    """
    bom = next((b for b in BOMS if head.startswith(b)), None)
    if bom is not None:  # iconv reads the byte order from the mark
        return BOMS[bom], BOMS[bom].lower(), "with a byte-order mark"
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        units = [head[i:i + width] for i in range(0, len(head) // width * width, width)]
        for end, letter in (("le", 0), ("be", width - 1)):
            if len(units) > 1 and all(u[letter] and u.count(0) == width - 1 for u in units):
                return name, f"{name.lower()}{end}", "without a byte-order mark"
    return None


def parse_error(path: Path, exc: Exception, sep: str, width: int, span: Span) -> DataError:
    """The error for a file pandas cannot parse: the first line whose number of fields is
    not the header's, else pandas' own message."""
    error = width_error(path, sep, width, span)
    if error:
        return error
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    msg = "".join(ch if ch.isprintable() else "?" for ch in msg[:120])
    return DataError(f"{path}: cannot parse as CSV ({msg}); expected comma-separated "
                     "columns with a header row")


def check_padded_rows(raw: pd.DataFrame, path: Path, sep: str, width: int,
                      span: Span) -> None:
    """Refuse rows of the wrong width that pandas' C parser let through.

    It pads a short row with empty cells, and takes a first column more than the header
    names (on every row) as the index. The file is read again only then: a padded row
    ends with an empty cell.

    Raises:
        DataError: naming the first line whose number of fields is not the header's.
    """
    if raw.empty or (isinstance(raw.index, pd.RangeIndex)
                     and not (raw.iloc[:, -1] == "").any()):
        return
    error = width_error(path, sep, width, span)
    if error:
        raise error


def width_error(path: Path, sep: str, width: int, span: Span) -> DataError | None:
    """The error for the first line whose number of fields is not the header's.

    Args:
        path: the CSV file.
        sep: its separator.
        width: the number of fields of its header.
        span: where the table lies in the file (its line numbers count from its header's).

    Returns:
        The error naming that line, or None when every line has ``width`` fields (or the
        file cannot be read as CSV by Python's reader).
    """
    text = {"encoding": "utf-8-sig", "errors": "replace", "newline": ""}
    with io.TextIOWrapper(open_span(path, span), **text) as fh:
        rows = csv.reader(fh, delimiter=sep)
        start = 1
        try:
            next(rows, None)  # the header
            for row in rows:
                first, start = start + 1, rows.line_num
                if not blank_row(row, sep) and len(row) != width:
                    if first == 2 and len(row) < width and _all_as_wide(rows, len(row), sep):
                        return _not_the_header(path, span.line, width, len(row))
                    return _width_error(path, span.line - 1 + first, len(row), width,
                                        span.line - 1 + rows.line_num)
        except csv.Error as exc:  # a field over the csv module's limit (128 KiB)
            return DataError(f"{path}: line {span.line + rows.line_num - 1}: {exc}; expected "
                             "short fields: fix or remove that line")
    return None


def _all_as_wide(rows: Iterator[list[str]], fields: int, sep: str, lines: int = 20) -> bool:
    # The next rows are all ``fields`` wide: the line above them is what differs.
    return all(len(row) == fields for row in islice(rows, lines) if not blank_row(row, sep))


def _not_the_header(path: Path, line: int, width: int, fields: int) -> DataError:
    # A note above the header ("Station,Berlin,Exported,2026-01-05") read as the header:
    # "line 2 has 2 fields, the header has 4: fix or remove that line" had the user remove
    # the real header.
    return DataError(f"{path}: line {line}, read as the header, has {width} field"
                     f"{'s' * (width != 1)}, and the lines below it {fields}; expected the "
                     "header first, as wide as the rows: if that line is a title or a note "
                     "above the header, remove it; else fix the header's names")


def _width_error(path: Path, line: int, fields: int, width: int, last: int) -> DataError:
    if last > line:  # one row over several lines: a quote opened and never closed
        return DataError(f"{path}: line {line} opens a quoted field that runs to line {last}; "
                         'expected each " to be closed on its line: fix that line')
    todo = ("fix that line, or add the new column's name to the header" if fields > width
            else "fix or remove that line")
    return DataError(f"{path}: line {line} has {fields} field{'s' * (fields != 1)}, the header "
                     f"has {width}; expected one field per header column: {todo}")


def with_cut_line(exc: DataError, notes: list[str]) -> DataError:
    """``exc``, saying that the last line was left out where a note says so: a file of three
    rows whose last has no line end was "only 2 timestamps", and the note never shown."""
    if type(exc) is not DataError or not any("the last line has no line end" in n
                                             for n in notes):
        return exc
    return DataError(f"{exc} (the file's last line has no line end and was left out as one "
                     "still being written: end the file with a line break to keep it)")
