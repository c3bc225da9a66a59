"""A compressed file or a workbook given as the CSV: the error says how to get the CSV out.

A gzip file was told to "save it as UTF-8 CSV (from a spreadsheet, export as CSV)": there
is no spreadsheet, the file needs decompressing (and a zip archive unzipping).
"""

from __future__ import annotations

import gzip
import shlex
import zipfile
from pathlib import Path

from conftest import make_series, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app
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


def test_a_gzip_file_says_to_decompress_it(tmp_path: Path) -> None:
    packed = tmp_path / "base.csv.gz"
    packed.write_bytes(gzip.compress(CSV.encode()))
    line = _train(tmp_path, packed)
    assert f"{packed}: a gzip file (compressed); expected an uncompressed UTF-8 CSV" in line
    assert f"decompress it first (gunzip -k {shlex.quote(str(packed))}, then give " \
           f"{tmp_path / 'base.csv'})" in line, line
    assert "spreadsheet" not in line and "save it as UTF-8" not in line, line


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
