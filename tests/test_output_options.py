"""What --output (and --plot) may name: never the training CSV the bundle records, which
runs without --data read by default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_CSV = FIXTURES / "tiny.csv"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A private copy of the committed bundle, recording ``tmp_path/train.csv``."""
    dest = Path(shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m"))
    shutil.copy(TINY_CSV, tmp_path / "train.csv")
    meta_path = current_version_dir(dest) / "bundle.json"
    meta = json.loads(meta_path.read_text())
    meta["data"]["path"] = str(tmp_path / "train.csv")
    meta_path.write_text(json.dumps(meta))
    return dest


def _one_error_line(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# --- the training data the bundle records -------------------------------------------------

@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
@pytest.mark.parametrize("option", ["--output", "-o"])
def test_output_over_the_recorded_training_csv_is_refused_with_other_data(
        model: Path, tmp_path: Path, command: str, option: str) -> None:
    # `detect-anomalies --data new.csv -o sensor.csv` replaced the training CSV (exit 0),
    # and the next plain `forecast predict` read the detection table.
    recorded, other = tmp_path / "train.csv", tmp_path / "new.csv"
    shutil.copy(TINY_CSV, other)
    before = recorded.read_bytes()
    extra = ["--exit-zero"] if command == "detect-anomalies" else []
    result = runner.invoke(app, [command, "--model", str(model), "--data", str(other),
                                 option, str(recorded), *extra])
    line = _one_error_line(result, 73)
    assert line == (f"Error: --output {recorded}: that is the training data the bundle {model} "
                    f"records ({recorded}), which predict and detect-anomalies read when no "
                    "--data is given; choose another path")
    assert recorded.read_bytes() == before and result.stdout == ""
    again = runner.invoke(app, ["predict", "--model", str(model), "--quiet"])
    assert again.exit_code == 0 and again.stdout.startswith("series,timestamp"), again.output


def test_plot_over_the_recorded_training_csv_is_refused(model: Path, tmp_path: Path) -> None:
    recorded, other, out = tmp_path / "train.csv", tmp_path / "new.csv", tmp_path / "d.csv"
    shutil.copy(TINY_CSV, other)
    before = recorded.read_bytes()
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(other), "--output", str(out), "--plot", str(recorded)])
    line = _one_error_line(result, 73)
    assert line.startswith(f"Error: --plot {recorded}: that is the training data the bundle "
                           f"{model} records ({recorded})")
    assert recorded.read_bytes() == before and not out.exists()
