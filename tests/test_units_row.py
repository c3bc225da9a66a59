"""A row of units or descriptions under the header (PI DataLink's ``Units,degC``), and a
cell of the time column that is no time at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY, make_series, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()


def _rows(n: int = 480, sep: str = ",") -> list[str]:
    data = make_series(n=n)
    return [f"{t:%Y-%m-%d %H:%M:%S}{sep}{v:.3f}" for t, v in zip(data["timestamp"],
                                                                 data["value"], strict=True)]


@pytest.mark.parametrize(("top", "sep"), [
    (["Units,degC"], ","),
    (["Units;degC", "Description;Reactor 7 inlet"], ";"),
    # No word in the time cell (a spreadsheet's units under its names): it was "cannot
    # parse '' as a timestamp".
    ([",degC"], ","),
    ([",°C", ",inlet"], ","),
])
def test_units_rows_under_the_header_are_left_out_with_a_note(tmp_path: Path, engine: str,
                                                              top: list[str], sep: str) -> None:
    path = write_lines(tmp_path, [f"timestamp{sep}temp", *top, *_rows(sep=sep)])
    frame = load_frame(path, DataSpec())
    assert len(frame.series[0].index) == 480 and frame.series[0].observed.all()
    (note,) = [n for n in frame.notes if "units or descriptions" in n]
    assert note.startswith(f"data.csv: left out line 2 ('{top[0]}')")
    assert f"line {len(top) + 1} ('{top[-1]}')" in note


def test_a_units_row_is_left_out_by_predict_too(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["timestamp,temp", "Units,degC", *_rows()])
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), *TINY])
    assert result.exit_code == 0, result.output
    assert "left out line 2 ('Units,degC') under the header" in result.stderr
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("lines", "row"), [
    (["timestamp,temp", "Units,", *_rows()], 2),  # no unit written: not told as units
    (["timestamp,temp", *_rows()[:200], "Units,degC", *_rows()[200:]], 202),
    (["timestamp,temp", "Units,17", *_rows(1500)], 2),  # a number: no units, and more
])
def test_a_cell_that_is_no_time_is_named_with_its_row(tmp_path: Path, lines: list[str],
                                                      row: int) -> None:
    # It was told as a second date format, with advice to rewrite an ISO column in ISO.
    path = write_lines(tmp_path, lines)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 65, result.output
    assert result.stderr == (f"Error: {path}: row {row}, column 'timestamp': 'Units' cannot "
                             "be read as a time, unlike the other rows; expected a date or "
                             "time in every row (ISO 8601 like 2024-01-31 13:00:00): remove "
                             "that row if it holds units or a description of the columns, "
                             "or write its time\n")


def test_a_first_row_with_a_time_is_data_whatever_its_values(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["timestamp,temp", "2023-12-31 23:00:00,Bad Input", *_rows()])
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 65, result.output
    assert "row 2, column 'temp': 'Bad Input' is not a number" in result.stderr
