"""A compressed file or a workbook given as the CSV: the error says how to get the CSV out.

A gzip file was told to "save it as UTF-8 CSV (from a spreadsheet, export as CSV)": there
is no spreadsheet, the file needs decompressing (and a zip archive unzipping).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import shlex
import zipfile
from pathlib import Path

import pytest
from conftest import make_series, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.packed import is_packed
from forecaster.errors import EXIT_DATA

runner = CliRunner()
CSV = make_series(60).to_csv(index=False)


def _train(tmp_path: Path, data: Path) -> str:
    """The one error line of a train on ``data``; no model directory is created."""
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(data), "--model", str(model)])
    line = one_error_line(result, EXIT_DATA)
    assert not model.exists()
    return line


def test_a_gzip_file_named_csv_is_never_told_to_overwrite_itself(tmp_path: Path) -> None:
    # "gunzip -c data.csv > data.csv", run from its folder, emptied data.csv before gunzip
    # read it: the advice writes beside it under a name of its own.
    packed = tmp_path / "data.csv"
    packed.write_bytes(gzip.compress(CSV.encode()))
    line = _train(tmp_path, packed)
    out = tmp_path / "data.unpacked.csv"
    assert f"(gunzip -c {shlex.quote(str(packed))} > {shlex.quote(str(out))}, then give " \
           f"{out})" in line, line
    assert "> data.csv" not in line, line


def test_a_zip_archive_says_to_unzip_it(tmp_path: Path) -> None:
    packed = tmp_path / "base.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("base.csv", CSV)
    line = _train(tmp_path, packed)
    assert f"{packed}: a zip archive (holding base.csv); expected a UTF-8 CSV file" in line
    assert f"unzip it first (unzip {shlex.quote(str(packed))}) and give the CSV" in line, line
    assert "spreadsheet" not in line and "Excel" not in line, line


def test_an_xlsx_workbook_still_says_to_export_it(tmp_path: Path) -> None:
    packed = tmp_path / "book.csv"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    line = _train(tmp_path, packed)
    assert f"{packed}: an Excel .xlsx workbook; expected a UTF-8 CSV file: save it as UTF-8 " \
           "CSV (from the spreadsheet, export as CSV)" in line, line
    assert "unzip" not in line, line


@pytest.mark.parametrize(("suffix", "pack", "kind", "tool"), [
    (".gz", gzip.compress, "a gzip", "gunzip"),
    (".bz2", bz2.compress, "a bzip2", "bunzip2"),
    (".xz", lzma.compress, "an xz", "unxz"),
    (".zst", lambda raw: b"\x28\xb5\x2f\xfd\x24" + raw, "a zstd", "unzstd"),  # magic, frame
])
def test_other_compressed_files_say_to_decompress_them(tmp_path: Path, suffix: str, pack,
                                                       kind: str, tool: str) -> None:
    # They were "not UTF-8 text (latin-1, or a binary file?)": save it as UTF-8 CSV from
    # a spreadsheet, for a file that needs decompressing (gzip: "save it as UTF-8" too).
    packed = tmp_path / f"base.csv{suffix}"
    packed.write_bytes(pack(CSV.encode()))
    line = _train(tmp_path, packed)
    assert f"{packed}: {kind} file (compressed); expected an uncompressed UTF-8 CSV" in line
    assert f"decompress it first ({tool} -k {shlex.quote(str(packed))}, then give " \
           f"{tmp_path / 'base.csv'})" in line, line
    assert "spreadsheet" not in line and "latin-1" not in line, line
    assert "save it as UTF-8" not in line, line


def test_a_parquet_file_says_to_convert_it(tmp_path: Path) -> None:
    packed = tmp_path / "base.parquet"
    # Parquet's magic, then a page header (binary), as pandas' to_parquet writes it.
    packed.write_bytes(b"PAR1\x15\x04\x15\xa0\x08\x15\x9c\x06L\x15\x14\x15\x00" + b"\0" * 64
                       + b"PAR1")
    line = _train(tmp_path, packed)
    out = tmp_path / "base.csv"
    assert f"{packed}: a Parquet file; expected a UTF-8 CSV file: convert it first (in " \
           f"Python: pandas.read_parquet({str(packed)!r}).to_csv({str(out)!r})), then give " \
           f"{out}" in line, line
    assert "NUL" not in line and "latin-1" not in line, line
    # A base.csv already there is not the advice's target: to_csv would overwrite it.
    out.write_text("kept\n", encoding="utf-8")
    line = _train(tmp_path, packed)
    assert f".to_csv({str(tmp_path / 'base.unpacked.csv')!r})" in line, line


def test_a_header_that_starts_like_a_magic_number_is_text() -> None:
    # A CSV whose first column is named PAR1 or BZh9 is no Parquet or bzip2 file.
    assert not is_packed(b"PAR1,value\r\n2024-01-01,1\n")
    assert not is_packed(b"BZh9,value\n2024-01-01,1\n")
