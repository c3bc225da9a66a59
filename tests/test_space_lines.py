"""A line of only spaces or tabs inside a table is a blank line, as an empty line is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import one_error_line, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
TINY = ["--epochs", "1", "--folds", "0", "--no-anomaly", "--hidden", "4", "--layers", "1",
        "--window", "8", "--segment", "4", "--horizon", "2", "--ensemble", "1"]


def _hourly(blank: str, at: int = 101) -> list[str]:
    # 200 hourly rows; ``blank`` on line ``at + 1`` of the file (after row ``at``).
    idx = pd.date_range("2024-01-01", periods=200, freq="h")
    lines = ["time,value"] + [f"{t:%Y-%m-%d %H:%M},{i % 7}" for i, t in enumerate(idx)]
    return lines[:at] + [blank] + lines[at:]


@pytest.mark.parametrize("blank", ["   ", "\t", " \t ", "  \r"])
def test_train_takes_a_line_of_spaces_in_the_middle(tmp_path: Path, engine: str,
                                                    blank: str) -> None:
    # Was: "line 102 has 1 field, the header has 2; ... fix or remove that line" (exit 65).
    path = write_lines(tmp_path, _hourly(blank))
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert len(load_frame(path, DataSpec()).series[0].index) == 200


def test_a_wide_line_after_a_line_of_spaces_is_named_by_its_line(tmp_path: Path,
                                                                  engine: str) -> None:
    lines = _hourly("   ")
    lines.insert(151, "2024-01-09 00:00,1,2")  # line 152 of the file
    result = runner.invoke(app, ["train", str(write_lines(tmp_path, lines)),
                                 "--model", str(tmp_path / "m"), *TINY])
    assert "line 152 has 3 fields, the header has 2" in one_error_line(result, 65)


def test_a_bad_time_after_a_line_of_spaces_is_named_by_its_line(tmp_path: Path,
                                                                engine: str) -> None:
    lines = _hourly("  ")
    lines[151] = "2024-01-01Tbad,3"  # line 152 of the file
    result = runner.invoke(app, ["train", str(write_lines(tmp_path, lines)),
                                 "--model", str(tmp_path / "m"), *TINY])
    assert "row 152, column 'time': cannot parse '2024-01-01Tbad'" in one_error_line(result, 65)


def test_a_line_of_spaces_in_a_one_column_file_is_no_row(tmp_path: Path, engine: str) -> None:
    # Read as a row of one missing value, filled in, where an empty line is no row.
    spaced = load_frame(write_lines(tmp_path, ["value", *"1234", "   ", *"5678"]), DataSpec())
    empty = load_frame(write_lines(tmp_path, ["value", *"1234", "", *"5678"], "e.csv"),
                       DataSpec())
    assert spaced.notes == [n.replace("e.csv", "data.csv") for n in empty.notes]
    assert spaced.series[0].values[:, 0].tolist() == list(range(1, 9))
    assert spaced.n_filled == 0

