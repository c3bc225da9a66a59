"""Option values that asked for more than a machine has: refused before any work."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()
QUICK = ["--epochs", "1", "--no-anomaly", "--ensemble", "1", "--folds", "0"]


def _error_line(result, code: int) -> str:
    """The Error line. Usage errors (exit 2) become one line in main(), which CliRunner
    does not run (tests/test_ops.py runs it); here they keep click's usage lines."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "frame #" not in result.stderr
    lines = [x for x in result.stderr.strip().splitlines() if x.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    if code != 2:
        assert result.stderr.strip() == lines[0]
    return lines[0]


@pytest.mark.parametrize("option", [["--freq", "1ms"], ["--freq", "1ns"],
                                    ["--resample", "1ms"], ["--resample", "1ns"]])
def test_a_step_far_finer_than_the_rows_is_refused_before_the_grid_is_built(
        tmp_path: Path, series_csv: Path, option: list[str]) -> None:
    # "--freq 1ms" (a slip for MS) over 480 hourly rows asked for 13 GiB: a MemoryError
    # (exit 70); "--resample 1ns" divided by zero.
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *QUICK,
                                 *option])
    line = _error_line(result, 65)
    assert f"{' '.join(option)} would make 1,72" in line and "for 480 rows" in line
    assert not model.exists()


@pytest.mark.parametrize("option, value", [
    ("--hidden", "99999999999999999999999"), ("--hidden", "10000000"), ("--layers", "100"),
    ("--seed", "99999999999999999999999"), ("--anomaly-hidden", "10000000"),
])
def test_sizes_past_memory_are_usage_errors(tmp_path: Path, series_csv: Path, option: str,
                                            value: str) -> None:
    # They were internal errors: an overflow inside torch with a C++ stack on stderr, or
    # an allocation failure.
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                 *QUICK, option, value])
    assert f"Invalid value for '{option}'" in _error_line(result, 2)


@pytest.mark.parametrize("command", ["train", "predict", "detect-anomalies", "info"])
def test_an_empty_model_option_is_refused(tmp_path: Path, series_csv: Path, monkeypatch,
                                          command: str) -> None:
    # Path("") is ".": an empty --model (an unset shell variable) wrote a bundle into the
    # working directory.
    monkeypatch.chdir(tmp_path)
    args = [command, *([str(series_csv)] if command == "train" else []), "--model", ""]
    line = _error_line(runner.invoke(app, args), 2)
    assert "'--model'" in line and "empty" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["series.csv"]


def test_a_row_centuries_off_is_named_as_such(tmp_path: Path) -> None:
    # Minute rows and one typed 2204 for 2024: told to "give the data's own step", which
    # it already was (and which predict and detect-anomalies cannot take).
    times = [f"{t:%Y-%m-%d %H:%M}" for t in pd.date_range("2024-01-01", periods=2000,
                                                           freq="min")]
    path = tmp_path / "typo.csv"
    path.write_text("timestamp,value\n" + "".join(f"{t},{i % 60}\n" for i, t in
                                                 enumerate(times)) + "2204-01-02 10:00,5\n")
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *QUICK])
    line = _error_line(result, 65)
    assert "to 2204-01-02T10:00:00+00:00" in line and "remove a row far from the others" in line


@pytest.mark.parametrize("wait", ["inf", "1e309"])
def test_an_infinite_wait_is_refused_before_training(tmp_path: Path, series_csv: Path,
                                                     wait: str) -> None:
    # It crashed after the whole training run: JSON, and so the bundle, holds no infinity.
    result = CliRunner().invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                      "--wait", wait])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: --wait inf: expected a number of seconds")
    assert not (tmp_path / "m").exists()


def test_an_empty_target_is_refused_not_detected(tmp_path: Path, series_csv: Path) -> None:
    # --target "$COL" with COL unset: detecting would quietly pick whatever column it finds.
    result = CliRunner().invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                      "--target", " "])
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: --target is empty; expected a column name (leave "
                             "--target out to detect the one numeric column)\n")
