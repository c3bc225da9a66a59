"""--format's value is read whatever its case (JSON as json), from the command line, the
environment or forecast.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_format_in_capitals_is_taken(trained: Path, command: str) -> None:
    # Was: "Error: --format JSON: expected one of csv, json" (exit 2).
    extra = ["--method", "forecast", "--exit-zero"] if command == "detect-anomalies" else []
    result = runner.invoke(app, [command, "--model", str(trained), "--format", "JSON", *extra])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


def test_info_format_in_capitals_is_taken(trained: Path) -> None:
    result = runner.invoke(app, ["info", "--model", str(trained), "--format", "Json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["freq"] == "h"


def test_backtest_format_in_capitals_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    make_series(n=200).to_csv(path, index=False)
    result = runner.invoke(app, [
        "backtest", str(path), "--epochs", "1", "--hidden", "4", "--layers", "1",
        "--window", "24", "--segment", "6", "--horizon", "6", "--ensemble", "1",
        "--start", "0.9", "--format", "JSON", "-o", str(tmp_path / "bt")])
    assert result.exit_code == 0, result.output
    assert "metrics" in json.loads((tmp_path / "bt").read_text())


def test_a_format_in_capitals_in_forecast_toml_is_taken(tmp_path: Path, trained: Path,
                                                        monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text('[predict]\nformat = "JSON"\n')
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


@pytest.mark.parametrize("setting", ["environment", "file"])
def test_a_shared_format_in_capitals_is_passed_over_by_info_as_csv_is(
        tmp_path: Path, trained: Path, monkeypatch, setting: str) -> None:
    # format = "CSV" for predict made info fail, where format = "csv" is passed over.
    monkeypatch.chdir(tmp_path)
    if setting == "environment":
        monkeypatch.setenv("FORECAST_FORMAT", "CSV")
    else:
        (tmp_path / "forecast.toml").write_text('format = "CSV"\n')
    result = runner.invoke(app, ["info", "--model", str(trained)])
    assert result.exit_code == 0, result.output
    assert "frequency" in result.stdout and "info ignores it" in result.stderr
