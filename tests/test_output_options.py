"""What --output (and --plot) may name: never the training CSV the bundle records, which
runs without --data read by default; ``-`` for stdout; never a path ending in a slash; and
the format a .json or .csv suffix names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import one_error_line
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_CSV = FIXTURES / "tiny.csv"
# A backtest in about a second: one tiny fit, a few origins.
BACKTEST = ["--epochs", "1", "--hidden", "4", "--layers", "1", "--window", "24", "--segment",
            "6", "--horizon", "6", "--ensemble", "1", "--quiet"]
HEADERS = {"predict": "series,timestamp,target,forecast",
           "detect-anomalies": "series,timestamp,value,score",
           "backtest": "series,origin,timestamp,step"}


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
    line = one_error_line(result, 73)
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
    line = one_error_line(result, 73)
    assert line.startswith(f"Error: --plot {recorded}: that is the training data the bundle "
                           f"{model} records ({recorded})")
    assert recorded.read_bytes() == before and not out.exists()


def _command(command: str, model: Path) -> list[str]:
    """The command line of ``command`` on the tiny data, without its output options."""
    if command == "backtest":
        return ["backtest", str(TINY_CSV), *BACKTEST]
    extra = ["--exit-zero"] if command == "detect-anomalies" else []
    return [command, "--model", str(model), "--data", str(TINY_CSV), "--quiet", *extra]


# --- "-" is stdout ------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["predict", "detect-anomalies", "backtest"])
@pytest.mark.parametrize("option", ["--output", "-o"])
def test_output_dash_writes_to_stdout(model: Path, tmp_path: Path, command: str, option: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # `-o -` wrote a file named '-' and printed nothing (exit 0).
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    result = runner.invoke(app, [*_command(command, model), option, "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(HEADERS[command]) and len(result.stdout.splitlines()) > 1
    assert sorted(tmp_path.iterdir()) == before  # no file named '-'


@pytest.mark.parametrize("command", ["detect-anomalies", "backtest"])
def test_plot_dash_is_a_usage_error(model: Path, tmp_path: Path, command: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    result = runner.invoke(app, [*_command(command, model), "--output", "out.csv",
                                 "--plot", "-"])
    assert result.exit_code == 2, result.output
    # The parser's error: the CLI's own entry point prints it as one line (CliRunner adds
    # click's usage lines above it).
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--plot': '-' (stdout) is not taken for a plot, which is an "
        "image; expected a file path such as plot.png")
    assert sorted(tmp_path.iterdir()) == before


# --- a slash at the end names a folder --------------------------------------------------

@pytest.mark.parametrize(("command", "option", "path"), [
    ("predict", "--output", "x.csv/"), ("predict", "-o", "x.csv/."),
    ("detect-anomalies", "--output", "x.csv/"), ("detect-anomalies", "--plot", "x.png/"),
    ("backtest", "--output", "x.csv/"), ("backtest", "--plot", "x.png/")])
def test_a_path_ending_in_a_slash_is_refused(model: Path, tmp_path: Path, command: str,
                                             option: str, path: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # `-o x.csv/` wrote the file x.csv, exit 0: pathlib drops the slash.
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    result = runner.invoke(app, [*_command(command, model), option, path])
    line = one_error_line(result, 73)
    name = "--output" if option == "-o" else option
    stem = path.rstrip("/.")
    assert line == (f"Error: {name} {stem}/: ends in a slash, so it names a folder; expected a "
                    "file path: drop the slash or add a file name")
    assert sorted(tmp_path.iterdir()) == before and result.stdout == ""



# --- the format the suffix names ---------------------------------------------------------

@pytest.mark.parametrize("command", ["predict", "detect-anomalies", "backtest"])
def test_a_json_suffix_sets_the_format_where_none_is_given(model: Path, tmp_path: Path,
                                                           command: str) -> None:
    # `-o forecast.json` wrote CSV into the .json file (exit 0).
    out = tmp_path / "out.JSON"
    result = runner.invoke(app, [*_command(command, model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    rows = doc["forecasts"] if command == "backtest" else doc
    assert rows and HEADERS[command].split(",")[:2] == list(rows[0])[:2]
    # Another suffix keeps the default, CSV.
    other = tmp_path / "out.txt"
    result = runner.invoke(app, [*_command(command, model), "-o", str(other)])
    assert result.exit_code == 0 and other.read_text().startswith(HEADERS[command])


@pytest.mark.parametrize(("command", "name", "fmt"), [
    ("predict", "x.json", "csv"), ("detect-anomalies", "x.json", "csv"),
    ("backtest", "x.json", "csv"), ("predict", "x.csv", "json")])
def test_a_format_that_contradicts_the_suffix_is_a_usage_error(
        model: Path, tmp_path: Path, command: str, name: str, fmt: str) -> None:
    out = tmp_path / name
    result = runner.invoke(app, [*_command(command, model), "-o", str(out), "--format", fmt])
    line = one_error_line(result, 2)
    named = out.suffix[1:]
    assert line == (f"Error: --format {fmt}: contradicts --output {out}, whose suffix names "
                    f"{named}; drop --format, or name a .{fmt} file")
    assert not out.exists()


def test_a_format_from_the_environment_that_contradicts_the_suffix_is_kept_with_a_warning(
        model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A crontab's FORECAST_FORMAT=json beside the README's -o forecast.csv wrote JSON before
    # suffixes counted: the job goes on as it did, and the log says why.
    monkeypatch.setenv("FORECAST_FORMAT", "csv")
    out = tmp_path / "x.json"
    result = runner.invoke(app, [*_command("predict", model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (f"Warning: --output {out} names json, but --format csv is set by environment "
            "variable FORECAST_FORMAT: writing csv") in result.stderr
    assert out.read_text().startswith("series,timestamp")
