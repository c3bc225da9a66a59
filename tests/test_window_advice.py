"""Too little data for the window: the advice names the option that set the window's length.

With --segment given and no --window, the automatic window is whole segments (at least two):
"need at least 2080 for --window 2000 ...; use a shorter --window" sent the user to an option
they never gave, and --window 2 then clashed with their --segment.
"""

from __future__ import annotations

from pathlib import Path

from conftest import one_error_line
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.errors import EXIT_DATA

runner = CliRunner()
QUICK = ["--no-anomaly", "--epochs", "1", "--ensemble", "1", "--hidden", "4"]


def _train(series_csv: Path, tmp_path: Path, *options: str) -> str:
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *QUICK,
                                 *options])
    line = one_error_line(result, EXIT_DATA)
    assert not model.exists()
    return line


def test_a_segment_too_long_without_folds_names_segment(series_csv: Path,
                                                        tmp_path: Path) -> None:
    line = _train(series_csv, tmp_path, "--segment", "1000", "--folds", "0")
    assert "480 rows per series at most, need at least 2080 for a window of 2000 steps (2 of " \
           "--segment 1000; no --window given) and --horizon 24" in line, line
    assert "use a shorter --segment/--horizon (--segment 1 --horizon 1 needs " in line, line
    assert "--window 2" not in line and "shorter --window" not in line, line


def test_a_segment_too_long_for_the_folds_names_segment(series_csv: Path,
                                                        tmp_path: Path) -> None:
    line = _train(series_csv, tmp_path, "--segment", "150")
    assert "480 time steps, too few for a window of 300 steps (2 of --segment 150; no " \
           "--window given), --horizon 24 and 3 folds" in line, line
    assert "use a shorter --segment/--horizon or fewer --folds" in line, line


def test_a_given_window_is_still_the_one_named(series_csv: Path, tmp_path: Path) -> None:
    line = _train(series_csv, tmp_path, "--segment", "1000", "--window", "2000", "--folds", "0")
    assert "need at least 2080 for --window 2000 and --horizon 24; use a shorter " \
           "--window/--horizon (--window 2 --horizon 1 needs " in line, line
    line = _train(series_csv, tmp_path, "--segment", "150", "--window", "300")
    assert "too few for --window 300, --horizon 24" in line, line
    assert "use a shorter --window/--horizon or fewer --folds" in line, line
