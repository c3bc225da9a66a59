"""A column without a single value beside the one forecast by default: said in a note.

An export whose 'value' column came out empty (a query for the wrong field) beside a
numeric 'quality' column trained on 'quality' without a word: an empty column is no
number, and only the columns of text were named as left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
TINY = ["--no-anomaly", "--epochs", "1", "--folds", "0", "--ensemble", "1", "--window", "8",
        "--segment", "4", "--horizon", "2", "--hidden", "4"]
HOURS = pd.date_range("2024-01-01", periods=48, freq="h")


def test_an_empty_column_passed_over_by_the_default_target_is_named(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["timestamp,value,quality"] + [
        f"{t:%Y-%m-%d %H:%M},{'NA' if i % 7 == 0 else ''},{i % 3}" for i, t in enumerate(HOURS)])
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert "data.csv: forecasting quality, the only numeric column; left out as empty: " \
           "value (every cell empty or a missing-value word): name the target with " \
           "--target if it is one of those" in result.stderr, result.stderr
    # Named, the column is the user's choice: no note.
    frame = load_frame(path, DataSpec(targets=["quality"]))
    assert not any("left out" in n for n in frame.notes), frame.notes
