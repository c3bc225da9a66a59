"""A JSON file given as the CSV: the error says it is JSON and how to convert it.

JSON lines were read as a CSV whose header was the first record: "no time column found
among {"timestamp": ...}", with advice (--time-col) that cannot help; a JSON document had
"no columns to parse".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_series, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.json_file import refuse_json
from forecaster.errors import EXIT_DATA

runner = CliRunner()
RECORDS = make_series(30).astype({"timestamp": str}).to_dict(orient="records")


@pytest.mark.parametrize(("text", "kind", "how"), [
    ("".join(json.dumps(r) + "\n" for r in RECORDS), "JSON lines (one record a line)",
     ", lines=True"),
    (json.dumps(RECORDS, indent=2), "JSON", ""),
    (json.dumps(RECORDS), "JSON", ""),
])
def test_a_json_file_says_to_convert_it(tmp_path: Path, text: str, kind: str,
                                        how: str) -> None:
    data = tmp_path / "export.json"
    data.write_text(text, encoding="utf-8")
    model = tmp_path / "m"
    line = one_error_line(runner.invoke(app, ["train", str(data), "--model", str(model)]),
                          EXIT_DATA)
    out = tmp_path / "export.csv"
    assert f"{data}: looks like {kind}, not CSV; expected a CSV file with a header row: " \
           f"convert it first (in Python: pandas.read_json({str(data)!r}{how})" \
           f".to_csv({str(out)!r}, index=False)), then give {out}" in line, line
    assert "--time-col" not in line and not model.exists()
    # An export.csv already there is not the advice's target: to_csv would overwrite it.
    out.write_text("kept\n", encoding="utf-8")
    line = one_error_line(runner.invoke(app, ["train", str(data), "--model", str(model)]),
                          EXIT_DATA)
    assert f".to_csv({str(tmp_path / 'export.converted.csv')!r}, index=False)" in line, line


@pytest.mark.parametrize("header", ["[time],[value]", "{time},value", '"[a]",b', "a,b"])
def test_a_csv_header_with_brackets_is_no_json(tmp_path: Path, header: str) -> None:
    data = tmp_path / "data.csv"
    data.write_text(f"{header}\n2024-01-01,1\n", encoding="utf-8")
    refuse_json(data)  # raises nothing
