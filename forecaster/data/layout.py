"""Where a CSV's table starts and how it is separated: the lines some tools write before
the header, the separator and the header's names.

Excel in European locales starts its CSV exports with a line "sep=;" naming the separator;
data loggers start theirs with comment lines ("# exported by logger v2", "# units: degC").
Only lines before the header are read so: a '#' in a row of data is data. Every later
reading of the file starts at the header's first byte, and counts file lines from its line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import TextIO

from forecaster.data.csvlines import Span, open_span
from forecaster.data.header_rows import MAX_ROWS, stacked_header
from forecaster.data.row_names import with_row_names
from forecaster.data.table_end import WORDS
from forecaster.errors import DataError

DELIMITERS = (",", ";", "\t", "|")  # see _sniff
SNIFF_LINES = 6
# Excel's first line: sep=; (some tools quote it, or write the tab as \t).
SEP_LINE = re.compile(r'"?sep=(\\t|[^"\r\n])"?', re.IGNORECASE)
# Campbell Scientific loggers' TOA5 files: a line naming the station and program above the
# header (then rows of units and of processing, left out as units rows). Read as the
# header, it blamed the real header: "line 2 has 4 fields, the header has 8: remove it".
TOA5 = re.compile(r'"?TOA(?:5|CI1)"?[,;\t]')


@dataclass(frozen=True)
class Layout:
    """How a CSV file lays out its table.

    Attributes:
        sep: the separator.
        header: the header's names, stripped; repeated ones kept (pandas renames them).
        start: the header's first byte: 0, or past the lines before it.
        line: the header's line number in the file: 1, or past the lines before it.
        named: whether a first line "sep=;" named the separator.
        comments: how many '#' comment lines came before the header.
        titles: how many title lines came before it (see ``_title``).
        stacked: a note saying how a header of several rows (column levels) was read, where
            ``header`` names its columns and ``start`` and ``line`` are its last row's.
        row_names: a note where the rows hold one field more than the header names, row
            names (R's write.table): ``header`` then starts with an unnamed column.
    """

    sep: str
    header: list[str]
    start: int = 0
    line: int = 1
    named: bool = False
    comments: int = 0
    titles: int = 0
    stacked: str = ""
    row_names: str = ""

    def preamble(self) -> str:
        """The lines before the header, in words: "the 'sep=;' line and 2 comment lines"."""
        sep = "\\t" if self.sep == "\t" else self.sep
        parts = [f"the 'sep={sep}' line"] if self.named else []
        if self.comments:
            parts.append(f"{self.comments} comment line{'s' * (self.comments != 1)}")
        if self.titles:
            parts.append(f"{self.titles} title line{'s' * (self.titles != 1)}")
        return " and ".join(parts)

    def example_header(self) -> str:
        """A header this file could take, in its own separator and width: a comma header
        over tab-separated rows is read as one column, and fails again."""
        width = len(self.header)
        names = ["timestamp", "value"] if width <= 2 else [
            "timestamp", *(f"value{i}" for i in range(1, width))]
        if self.sep == "\t":
            return "\\t".join(names) + ", separated by tabs as the rows are"
        return self.sep.join(names)

    def span(self, stop: int | None = None) -> Span:
        """The part of the file that holds the table, up to byte ``stop`` (None: the end)."""
        return Span(start=self.start, stop=stop, line=self.line)


def read_layout(path: Path) -> Layout:
    """The separator, the header and where they lie in ``path``.

    Raises:
        DataError: the file holds only lines that come before a header.
    """
    start, line, named, comments, titles = _preamble(path)
    layout = Layout(sep=named or "", header=[], start=start, line=line, named=bool(named),
                    comments=comments, titles=titles)
    if start == path.stat().st_size:
        raise DataError(f"{path}: has no header row, only {layout.preamble()}; expected a CSV "
                        "with a header row and data rows after them: check that this is the "
                        "file (or export) holding the data")
    sep = named or _sniff(path, start)
    layout = _stacked(path, replace(layout, sep=sep, header=_header(path, sep, start)))
    return with_row_names(path, layout)


def _stacked(path: Path, layout: Layout) -> Layout:
    # A header of several rows is read from its last row on, under the names it gives:
    # row numbers in messages stay the file's lines.
    with open_span(path, Span(start=layout.start)) as fh:
        lines = list(islice(fh, MAX_ROWS + 1))
    text = [line.decode("utf-8-sig", errors="replace").rstrip("\r\n") for line in lines]
    found = stacked_header(text, layout.sep, path.name)
    if found is None:
        return layout
    skip = sum(len(line) for line in lines[:found.rows - 1])
    return replace(layout, header=found.names, start=layout.start + skip,
                   line=layout.line + found.rows - 1, stacked=found.note)


def _preamble(path: Path) -> tuple[int, int, str | None, int, int]:
    # The header's first byte and line, the separator a "sep=" line names and the numbers
    # of '#' lines and title lines before it. Blank lines count only among those: pandas
    # skips leading blank lines itself (and a file of blank lines keeps its own error).
    # Bytes that are not UTF-8 are kept as they are (surrogateescape), so that a line's
    # length in bytes is exact.
    end = len(codecs.BOM_UTF8) if _has_bom(path) else 0
    lines, named, comments, titles = 0, None, 0, 0
    with io.TextIOWrapper(open_span(path, Span(start=end)), encoding="utf-8",
                          errors="surrogateescape", newline="") as fh:
        head = list(islice(fh, SNIFF_LINES * 2))
        for n, text in enumerate(head):
            body = text.rstrip("\r\n")
            excel = SEP_LINE.fullmatch(body) if n == 0 else None
            if excel:
                named = excel.group(1).replace("\\t", "\t")
            elif body.startswith("#"):
                comments += 1
            elif _title(body, head[n + 1:]) or (n == 0 and TOA5.match(body)):
                titles += 1
            elif body.strip(",;\t| "):  # a row of separators alone is a padded blank line
                break
            end += len(text.encode("utf-8", "surrogateescape"))
            lines += 1
    if named is None and not comments and not titles:
        return 0, 1, None, 0, 0
    return end, lines + 1, named, comments, titles


def _title(body: str, after: list[str]) -> bool:
    """Whether a line is a title above the table (Google Trends' "Category: All
    categories", a download site's address): two words or more with no separator, with a
    line that has separators next after the blank lines."""
    # A spreadsheet pads a title's row to the table's width: "Report by SCADA v2,,".
    body = re.sub(r"[,;\t|]+\s*$", "", body)
    if len(WORDS.findall(body)) < 2 or any(sep in _unquoted(body) for sep in DELIMITERS):
        return False  # one word ("level") heads a column of decimal commas (1,5): a header
    following = next((line for line in after if line.strip() and not line.startswith("#")),
                     "")  # past blank and comment lines: "Sales by day", "# units EUR"
    return any(sep in _unquoted(following) for sep in DELIMITERS)


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def _has_bom(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


def _text(path: Path, start: int) -> TextIO:
    return io.TextIOWrapper(open_span(path, Span(start=start)), encoding="utf-8-sig",
                            errors="replace", newline="")


def _sniff(path: Path, start: int) -> str:
    # Semicolons (European spreadsheets, UCI's household power), tabs and pipes are as
    # common as commas. The separator is the one found the same number of times on each
    # of the first lines (a header "time<TAB>price, USD" has one comma, its rows none);
    # failing that, the one the header holds most.
    with _text(path, start) as fh:
        lines = [re.sub(r'"[^"]*"', "", line) for line in islice(fh, SNIFF_LINES)]
    lines = [line for line in lines if line.strip()] or [""]
    counts = {sep: [line.count(sep) for line in lines] for sep in DELIMITERS}
    steady = [sep for sep, c in counts.items() if min(c) > 0 and len(set(c)) == 1]
    pool = steady or list(DELIMITERS)
    return max(pool, key=lambda sep: counts[sep][0])  # ties: the comma, listed first


def _header(path: Path, sep: str, start: int) -> list[str]:
    # pandas renames repeated names ("a", "a.1"), so read them from the file itself.
    with _text(path, start) as fh:
        return [c.strip() for c in next(csv.reader(fh, delimiter=sep), [])]
