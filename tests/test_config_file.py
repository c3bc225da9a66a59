"""forecast.toml and FORECAST_* values: wrong types, values meant for another command,
keys of every option, and variables set empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _config(tmp_path: Path, monkeypatch, text: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text(text, encoding="utf-8")


def _error(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.output, result.exception)
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line


@pytest.mark.parametrize(("text", "command", "said"), [
    ("model = 5\n", "predict", "model = 5: found an integer, expected a path in quotes"),
    ('model = ["../m1"]\n', "info", 'model = ["../m1"]: found an array, expected a path'),
    ("[predict]\noutput = 5\n", "predict", "output = 5: found an integer, expected a path"),
    ("[detect-anomalies]\nplot = 1.5\n", "detect-anomalies",
     "plot = 1.5: found a float, expected a path"),
    ("[backtest]\nplot = 2026-01-01\n", "detect-anomalies",
     "plot = 2026-01-01: found a date or time, expected a path"),
    ("[model]\n", "rollback", "model = {...}: found a table, expected a path"),
    ('[train]\ntarget = [["a"]]\n', "predict",
     'target = [["a"]]: found an array in the array, expected strings'),
    ("[train]\nna-values = [true]\n", "predict",
     "na-values = [true]: found true/false in the array"),
    ("[predict]\nlevel = [80]\n", "predict",
     "level = [80]: found an array, expected one value for --level: --level takes one value"),
])
def test_a_value_of_the_wrong_type_is_one_error_line(tmp_path: Path, monkeypatch, text: str,
                                                     command: str, said: str) -> None:
    # `model = 5` was a TypeError traceback and exit 1: for detect-anomalies, "anomalies
    # flagged", so a cron job mailed a false alert.
    _config(tmp_path, monkeypatch, text)
    line = _error(runner.invoke(app, [command]))
    assert line.startswith(f"Error: forecast.toml: {said}"), line
    assert line.endswith("; fix the file")

