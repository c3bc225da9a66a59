"""A compressed file, a spreadsheet or a Parquet file given as the CSV: what it is, and how
to get the CSV.

Told by its first bytes, whatever its name. A gzip, bzip2, xz or zstd file or a zip archive
holding a CSV needs unpacking, not re-saving from a spreadsheet: "save it as UTF-8 CSV" sent
the user who gave ``data.csv.gz`` (or ``.bz2``, ``.xz``, ``.zst``, or a Parquet file)
looking for a spreadsheet to export from.
"""

from __future__ import annotations

import re
import shlex
import zipfile
from pathlib import Path

from forecaster.data.cells import shown as cell
from forecaster.errors import DataError

GZIP = b"\x1f\x8b"
ZIP = b"PK\x03\x04"
XLS = b"\xd0\xcf\x11\xe0"  # the OLE container of Excel's .xls
PARQUET = b"PAR1"
# The other compressors: magic bytes (bzip2's with its block size and the start of a block
# or of the end: a header "BZh..." is text), the file's kind, the tool and its suffix.
COMPRESSED = ((re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)"), "a bzip2", "bunzip2", ".bz2"),
              (re.compile(rb"\xfd7zXZ\x00"), "an xz", "unxz", ".xz"),
              (re.compile(rb"\x28\xb5\x2f\xfd"), "a zstd", "unzstd", ".zst"))
EXPECTED = "expected a UTF-8 CSV file"
SPREADSHEET = "save it as UTF-8 CSV (from the spreadsheet, export as CSV)"


def is_packed(head: bytes) -> bool:
    """Whether ``head``, a file's first bytes, starts a compressed file (gzip, bzip2, xz,
    zstd), a zip archive, an Excel .xls file or a Parquet file."""
    return (head.startswith((GZIP, ZIP, XLS)) or _compressed(head) is not None
            or _parquet(head))


def _compressed(head: bytes) -> tuple[str, str, str] | None:
    # A bzip2, xz or zstd file: its kind, tool and suffix (None for another file).
    return next((rest for magic, *rest in COMPRESSED if magic.match(head)), None)


def _parquet(head: bytes) -> bool:
    # Its magic, then binary (a header cell "PAR1" is followed by text).
    return head.startswith(PARQUET) and any(b < 9 or 13 < b < 32 for b in head[4:16])


def packed_error(path: Path, head: bytes) -> DataError | None:
    """The error for a gzip, zip or Excel file given as the CSV (None for another file).

    Args:
        path: the file, as the message names it.
        head: its first bytes.
    """
    if head.startswith(GZIP):
        return DataError(f"{path}: a gzip file (compressed); expected an uncompressed UTF-8 "
                         f"CSV file: decompress it first ({_gunzip(path)})")
    found = _compressed(head)
    if found is not None:
        kind, tool, suffix = found
        return DataError(f"{path}: {kind} file (compressed); expected an uncompressed UTF-8 "
                         f"CSV file: decompress it first ({_unpack(path, tool, suffix)})")
    if head.startswith(ZIP):
        return _zip_error(path)
    if head.startswith(XLS):
        return DataError(f"{path}: an Excel .xls file; {EXPECTED}: {SPREADSHEET}")
    if _parquet(head):
        out = converted_csv(path, "unpacked")
        # to_csv writes the index: a time index stays a column, as the reader takes it.
        return DataError(f"{path}: a Parquet file; {EXPECTED}: convert it first (in Python: "
                         f"pandas.read_parquet({str(path)!r}).to_csv({str(out)!r})), then "
                         f"give {out}")
    return None


def converted_csv(path: Path, tag: str) -> Path:
    """Where the advice converts ``path`` to: ``<stem>.csv`` beside it, or ``<stem>.<tag>.csv``
    where that name is ``path`` itself or another file already there (pandas' ``to_csv``
    overwrites it)."""
    out = path.with_name(f"{path.stem}.csv")
    return path.with_name(f"{path.stem}.{tag}.csv") if out == path or out.exists() else out


def _gunzip(path: Path) -> str:
    """How to decompress ``path`` with gzip (see ``_unpack``)."""
    return _unpack(path, "gunzip", ".gz")


def _unpack(path: Path, tool: str, suffix: str) -> str:
    """How to decompress ``path`` with ``tool``: it keeps a name ending in ``suffix``, less
    it, and refuses any other ("unknown suffix")."""
    if path.suffix.lower() == suffix:
        return f"{tool} -k {shlex.quote(str(path))}, then give {path.with_suffix('')}"
    # Beside it under a name of its own: "> data.csv" from its folder emptied data.csv
    # before the tool read it.
    out = path.with_name(f"{path.stem}.unpacked.csv")
    return f"{tool} -c {shlex.quote(str(path))} > {shlex.quote(str(out))}, then give {out}"


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
