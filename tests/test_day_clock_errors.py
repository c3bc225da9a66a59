"""A date column beside a column of hours that are not all times of day: the error shows
the cell at fault, with its row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import one_error_line, write_lines
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _train(path: Path, tmp_path: Path) -> str:
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"),
                                 "--time-col", "Date,Hour", "--epochs", "1"])
    return one_error_line(result, 65)


def test_hours_ending_1_to_24_show_the_24(tmp_path: Path) -> None:
    # A grid operator's hour-ending 1..24: the error said it "holds '1'", a valid hour.
    days = pd.date_range("2026-01-01", periods=5, freq="D")
    lines = ["Date,Hour,load"] + [f"{d:%Y-%m-%d},{h},{100 + h}" for d in days
                                  for h in range(1, 25)]
    line = _train(write_lines(tmp_path, lines), tmp_path)
    assert "row 25, column 'Hour' should hold the time of day" in line, line
    assert "but holds '24'" in line, line


def test_hours_mixed_with_times_of_day_name_both(tmp_path: Path) -> None:
    # Each cell alone is fine, so the old message named '0' as the fault.
    idx = pd.date_range("2026-01-01", periods=96, freq="h")
    lines = ["Date,Hour,load"] + [
        f"{t:%Y-%m-%d},{t:%H:%M}" if i == 50 else f"{t:%Y-%m-%d},{t.hour}"
        for i, t in enumerate(idx)]
    lines = [lines[0]] + [f"{row},{i}" for i, row in enumerate(lines[1:])]
    line = _train(write_lines(tmp_path, lines), tmp_path)
    assert "column 'Hour' mixes whole hours (row 2: '0') and times of day (row 52: " \
           "'02:00')" in line, line
