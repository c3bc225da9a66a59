"""Where a CSV's table ends: before free text after it (a footer), or before a last line
that a writer may still be writing; either is left out with a note.

Data loggers append to the files this tool reads, so the last line may still be being
written when it is read. The classic data sets of the forecasting tutorials come as
DataMarket exports that end with a blank line and a line describing the series
("International airline passengers: monthly totals in thousands. Jan 49 ? Dec 60"). Such
lines are no rows: the table ends before them. Only text is taken for a footer, and only a
few lines of it at the very end of the file, after a blank line or one field wide; any other
line of the wrong width is still refused with its line number (a logger writing a new
column, a row cut short).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from forecaster.data.cells import NA_WORDS

TAIL_BYTES = 1 << 16  # read backwards in steps of this many bytes to find the last line
MAX_LINES = 5  # a footer is a caption, not a second table
# Words of three letters or more, two to a line: text, not a row cut short ("Jan-61").
WORDS = re.compile(r"[^\W\d_]{3,}")
# A summary's figure: 123.456, -5, 1,234.5, 1.234,5 (grouped or with a decimal comma).
FIGURE = re.compile(r"[-+]?[\d.,']*\d[\d.,']*%?")


def table_end(path: Path, sep: str, width: int) -> tuple[int | None, str | None]:
    """Where the table ends: before a footer of text, or before a last line still being
    written (``unfinished_last_line``).

    Args:
        path: the CSV file.
        sep: its separator.
        width: the number of fields of its header.

    Returns:
        How many bytes to read, and a note naming what was left out (None when there is
        nothing to say).
    """
    size, lines = _tail_lines(path)
    stop, note = _footer(path, size, lines, sep, width)
    if stop is None:
        stop, note = _short_padding(path, size, lines, sep, width)
    if stop is None:
        stop = _blank_tail(size, lines, sep)
    return (stop, note) if stop is not None else unfinished_last_line(path, sep, width)


def _tail_lines(path: Path) -> tuple[int, list[bytes]]:
    """The file's size and its last lines, read once (up to ``TAIL_BYTES``); the first
    of them left out where it may be cut."""
    size = path.stat().st_size
    start = max(0, size - TAIL_BYTES)
    with open(path, "rb") as fh:
        fh.seek(start)
        return size, fh.read().splitlines(keepends=True)[1 if start else 0:]


def _short_padding(path: Path, size: int, lines: list[bytes], sep: str,
                   width: int) -> tuple[int | None, str | None]:
    """The byte a run of last lines of bare separators starts at, where one of them is
    narrower or wider than the header (``,,`` under four columns: a sheet's padding that
    one reader refused and the other took); Nones otherwise. Padding rows as wide as the
    header are read, and left out with the padding columns (``drop_padding``)."""
    bare = sep.encode() + b" \t\r\n"
    run = []
    for line in reversed(lines):
        if line.strip(bare):
            break
        run.append(line)
    else:
        return None, None  # padding all the way up: no table to end
    cells = [line.strip() for line in run if line.strip()]
    if all(len(c.split(sep.encode())) == width for c in cells):
        return None, None
    return size - sum(map(len, run)), (f"{path.name}: left out {len(cells)} line(s) of "
                                       "bare separators at the end (spreadsheet padding)")


def _blank_tail(size: int, lines: list[bytes], sep: str) -> int | None:
    """The byte a run of last lines holding only spaces or tabs starts at; None when there
    is none. An editor's stray indent ("   " or a tab on the last line) is a blank line:
    pandas skips only empty ones, and such a line was refused as a row of one field."""
    space = b" \t".replace(sep.encode(), b"")  # a tab in a TSV is a separator, not space
    run = []
    for line in reversed(lines):
        if line.strip(space + b"\r\n"):
            break
        run.append(line)
    else:
        return None  # blank all the way up: the file's own error says so
    return size - sum(map(len, run)) if any(line.strip(b"\r\n") for line in run) else None


def _footer(path: Path, size: int, lines: list[bytes], sep: str,
            width: int) -> tuple[int | None, str | None]:
    """The byte a footer (with the blank lines before it) starts at, and a note; Nones
    when there is none."""
    run = _trailing(lines, sep, width)
    if run is None:
        return None, None
    text = [line.decode("utf-8", "replace").strip() for line in run]
    words = [t for t in text if t]
    if not words or len(words) > MAX_LINES or not all(_text(t, sep) for t in words):
        return None, None
    if text[0] and (any(field_count(t, sep) > 1 for t in words)
                    or not run[-1].endswith((b"\n", b"\r"))):
        # Not set apart by a blank line: only whole lines of one field are a caption; a
        # last line without a line end may be a row still being written.
        return None, None
    first = size - sum(len(line) for line in run)
    shown = words[0] if len(words[0]) <= 60 else words[0][:57] + "..."
    return first, (f"{path.name}: left out {len(words)} line(s) of text after the table "
                   f"(a footer: '{shown}')")


def _trailing(lines: list[bytes], sep: str, width: int) -> list[bytes] | None:
    """The lines after the last one ``width`` fields wide (the header's or a row's), in
    file order; None when there are too many to be a footer, or no such line."""
    run: list[bytes] = []
    texts = [line.decode("utf-8", "replace").strip() for line in lines]
    for i in range(len(lines) - 1, -1, -1):
        text = texts[i]
        above = next((t for t in reversed(texts[:i]) if t), "")
        if text and field_count(text, sep) == width and not _caption(text, above, sep):
            return run[::-1]
        run.append(lines[i])
        if len(run) > 2 * MAX_LINES:
            return None
    return None


def _caption(text: str, above: str, sep: str) -> bool:
    """Whether a line as wide as the header reads as a caption, not a row: its first field
    words without a digit ("Daily total female births in California, 1959") where the
    line above starts with one (a date, a number). Rows of a city column ("New York,...")
    stay rows. Taken for a footer only after a blank line (``_footer``)."""
    first, before = ((next(csv.reader([t], delimiter=sep), None) or [""])[0]
                     for t in (text, above))
    return ((len(WORDS.findall(first)) >= 2 or _summary(text, sep))
            and not any(c.isdigit() for c in first) and any(c.isdigit() for c in before))


def _text(line: str, sep: str) -> bool:
    """Whether a line reads as text: two words or more, or a summary (``_summary``)."""
    return len(WORDS.findall(line)) >= 2 or _summary(line, sep)


def _summary(line: str, sep: str) -> bool:
    """Whether a line is a summary's one word before figures (a spreadsheet's
    "Total,123.456"; the README promised it left out after a blank line, and it was
    refused as a row whose time is 'Total')."""
    first, *rest = next(csv.reader([line], delimiter=sep), None) or [""]
    figures = [c.strip() for c in rest if c.strip()]
    return (bool(WORDS.fullmatch(first.strip())) and first.strip().lower() not in NA_WORDS
            and bool(figures) and all(FIGURE.fullmatch(c) for c in figures))


def unfinished_last_line(path: Path, sep: str, width: int) -> tuple[int | None, str | None]:
    """Deal with a last line that has no line end: a writer may still be writing it.

    Args:
        path: the CSV file.
        sep: its separator.
        width: the number of fields of its header.

    Returns:
        How many bytes to read, and a note (None when there is nothing to say). Only whole
        lines are read, as a log tailer reads them: a last line with every field may still
        be cut short ("1" of "18.56" was scored as a fault, and paged someone), and train,
        predict and detect-anomalies must read the same rows (a row only train kept read as
        rows lost since training). Never "to the end": a row appended half-way after this
        look was parsed, and the cron run failed with the file's format to blame.
    """
    size = path.stat().st_size
    last = _last_line(path, size)
    if last is None or not last.strip():
        return size, None
    if not last.strip(sep.encode() + b" \t\r"):
        return size - len(last), (f"{path.name}: left out 1 line(s) of bare separators at the "
                                  "end (spreadsheet padding)")
    fields = field_count(last.decode("utf-8", "replace"), sep)
    if fields > width:
        return size, None  # a row too wide: width_error tells its line
    if fields == width:
        return size - len(last), (f"{path.name}: the last line has no line end (a writer may "
                                  "still be writing it); it was left out until it ends: end "
                                  "the file with a line break to keep it")
    return size - len(last), (f"{path.name}: the last line has no line end and only {fields} "
                              f"of {width} fields (a writer may still be writing it); it was "
                              "left out")


def field_count(line: str, sep: str) -> int:
    """The fields of one line of text, as a CSV reader splits it (quotes respected)."""
    return len(next(csv.reader([line], delimiter=sep), []))


def _last_line(path: Path, size: int) -> bytes | None:
    # The bytes after the last line end, or None when the file ends with one; only the
    # end of the file is read (more only for a last line longer than TAIL_BYTES).
    tail = b""
    with open(path, "rb") as fh:
        while len(tail) < size:
            start = max(0, size - len(tail) - TAIL_BYTES)
            fh.seek(start)
            tail = fh.read(size - len(tail) - start) + tail
            if tail.endswith((b"\n", b"\r")):
                return None
            cut = max(tail.rfind(b"\n"), tail.rfind(b"\r"))
            if cut >= 0:
                return tail[cut + 1:]
    return tail
