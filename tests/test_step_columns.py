"""Errors about the 'step' column that numbers the rows of a file of values alone: it is
the reader's, so a message listing a file's columns names the file's own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import one_error_line, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app

TINY = ["--epochs", "1", "--hidden", "8", "--window", "24", "--segment", "4", "--horizon", "4",
        "--ensemble", "1", "--folds", "1", "--no-anomaly"]
runner = CliRunner()


def _values(path: Path, timed: bool) -> Path:
    # A sine wave, with hourly times before its values or alone (a tutorial's sinewave.csv).
    rows = [f"{np.sin(i / 8):.5f}" for i in range(200)]
    if timed:
        rows = [f"2026-01-{1 + i // 24:02d}T{i % 24:02d}:00:00,{v}" for i, v in enumerate(rows)]
    path.write_text(("timestamp,sinewave\n" if timed else "sinewave\n") + "\n".join(rows) + "\n")
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("step_columns")
    return {kind: train_tiny(_values(root / f"{kind}.csv", kind == "timed"), root / kind,
                             tiny=TINY) for kind in ("timed", "steps")}


def test_a_values_only_file_for_a_model_with_times_lists_its_own_columns(
        models: dict[str, Path], tmp_path: Path) -> None:
    # The file holds sinewave alone; the message said "the columns are step, sinewave".
    data = _values(tmp_path / "new.csv", timed=False)
    result = runner.invoke(app, ["predict", "--model", str(models["timed"]), "--data", str(data)])
    line = one_error_line(result, 65)
    assert "no column 'timestamp'" in line and "holds only sinewave" in line, line
    assert "step" not in line, line


def test_a_file_with_times_for_a_model_of_row_steps_says_what_step_is(
        models: dict[str, Path], tmp_path: Path) -> None:
    # "no column 'step'" alone sent the user looking for a column their file never had.
    data = _values(tmp_path / "new.csv", timed=True)
    result = runner.invoke(app, ["predict", "--model", str(models["steps"]), "--data", str(data)])
    line = one_error_line(result, 65)
    assert "no column 'step'" in line and "the columns are timestamp, sinewave" in line, line
    assert "row numbers given to a file of values alone" in line, line


def test_train_naming_a_missing_step_column_is_refused_as_any_missing_name(
        tmp_path: Path) -> None:
    data = _values(tmp_path / "data.csv", timed=True)
    result = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"),
                                 "--time-col", "step", *TINY])
    line = one_error_line(result, 65)
    assert "no column 'step'" in line and "values alone" not in line, line
