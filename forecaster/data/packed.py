"""A compressed file or a spreadsheet given as the CSV: what it is, and how to get the CSV.

Told by its first bytes, whatever its name. A gzip file or a zip archive holding a CSV
needs unpacking, not re-saving from a spreadsheet: "save it as UTF-8 CSV" sent the user
who gave ``data.csv.gz`` looking for a spreadsheet to export from.
"""

from __future__ import annotations

import shlex
import zipfile
from pathlib import Path

from forecaster.data.cells import shown as cell
from forecaster.errors import DataError

GZIP = b"\x1f\x8b"
ZIP = b"PK\x03\x04"
XLS = b"\xd0\xcf\x11\xe0"  # the OLE container of Excel's .xls
EXPECTED = "expected a UTF-8 CSV file"
SPREADSHEET = "save it as UTF-8 CSV (from the spreadsheet, export as CSV)"


def is_packed(head: bytes) -> bool:
    """Whether ``head``, a file's first bytes, starts a gzip, zip or Excel .xls file."""
    return head.startswith((GZIP, ZIP, XLS))


def packed_error(path: Path, head: bytes) -> DataError | None:
    """The error for a gzip, zip or Excel file given as the CSV (None for another file).

    Args:
        path: the file, as the message names it.
        head: its first bytes.
    """
    if head.startswith(GZIP):
        return DataError(f"{path}: a gzip file (compressed); expected an uncompressed UTF-8 "
                         f"CSV file: decompress it first ({_gunzip(path)})")
    if head.startswith(ZIP):
        return _zip_error(path)
    if head.startswith(XLS):
        return DataError(f"{path}: an Excel .xls file; {EXPECTED}: {SPREADSHEET}")
    return None


def _gunzip(path: Path) -> str:
    """How to decompress ``path``: gunzip keeps a name ending in .gz, less it, and
    refuses any other ("unknown suffix")."""
    if path.suffix.lower() == ".gz":
        return f"gunzip -k {shlex.quote(str(path))}, then give {path.with_suffix('')}"
    # Beside it under a name of its own: "> data.csv" from its folder emptied data.csv
    # before gunzip read it.
    out = path.with_name(f"{path.stem}.unpacked.csv")
    return f"gunzip -c {shlex.quote(str(path))} > {shlex.quote(str(out))}, then give {out}"


def _zip_error(path: Path) -> DataError:
    """A zip archive: an Excel workbook (.xlsx is one) to export, or files to unzip."""
    unzip = f"unzip {shlex.quote(str(path))}"
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):  # cut short: cannot tell
        return DataError(f"{path}: a zip file (an Excel .xlsx?); {EXPECTED}: unzip it "
                         f"({unzip}) and give the CSV it holds, or for a workbook, "
                         f"{SPREADSHEET}")
    if any(n.startswith("xl/") for n in names):
        return DataError(f"{path}: an Excel .xlsx workbook; {EXPECTED}: {SPREADSHEET}")
    shown = ", ".join(cell(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
    return DataError(f"{path}: a zip archive (holding {shown or 'no files'}); {EXPECTED}, "
                     f"not an archive: unzip it first ({unzip}) and give the CSV it holds")
