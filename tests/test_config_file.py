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
    (line,) = [x for x in result.stderr.splitlines() if "Warning: " not in x]
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



def _warning(stderr: str) -> str:
    (line,) = [x for x in stderr.splitlines() if "Warning: " in x]
    return line.split("Warning: ", 1)[1]


@pytest.mark.parametrize(("setting", "origin"), [
    ("environment", "environment variable FORECAST_FORMAT"),
    ("file", "the top level of forecast.toml"),
])
def test_a_shared_format_meant_for_the_other_commands_is_ignored_by_info(
        tmp_path: Path, trained: Path, monkeypatch, setting: str, origin: str) -> None:
    # FORECAST_FORMAT=csv (or format = "csv" at the top of forecast.toml), for predict's
    # CSV, made `forecast info` fail: its --format is table or json.
    monkeypatch.chdir(tmp_path)
    if setting == "environment":
        monkeypatch.setenv("FORECAST_FORMAT", "csv")
    else:
        (tmp_path / "forecast.toml").write_text('format = "csv"\n')
    result = runner.invoke(app, ["info", "--model", str(trained)])
    assert result.exit_code == 0, result.output
    assert "frequency" in result.stdout and not result.stdout.startswith("{")  # the table
    assert _warning(result.stderr) == (
        f"--format csv from {origin} is not a value 'forecast info' takes (expected one of "
        "table, json): info ignores it and uses its default, table; to set --format for "
        "info alone, give it or set it in the [info] table of forecast.toml")
    # A flag makes the variable moot: nothing to say.
    typed = runner.invoke(app, ["info", "--model", str(trained), "--format", "json"])
    assert typed.exit_code == 0 and "Warning" not in typed.stderr


def test_a_value_no_command_takes_or_set_for_the_command_itself_is_still_an_error(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_FORMAT", "xml")  # no command's: a mistake, named
    line = _error(runner.invoke(app, ["info", "--model", str(tmp_path / "none")]))
    assert line.startswith("Error: --format xml: expected one of table, json")
    assert "environment variable FORECAST_FORMAT" in line
    monkeypatch.delenv("FORECAST_FORMAT")
    (tmp_path / "forecast.toml").write_text('[info]\nformat = "csv"\n')  # info's own table
    line = _error(runner.invoke(app, ["info", "--model", str(tmp_path / "none")]))
    assert line.startswith("Error: --format csv: expected one of table, json")
    # Under the passed-over variable, info's own table holds.
    (tmp_path / "forecast.toml").write_text('[info]\nformat = "bogus"\n')
    monkeypatch.setenv("FORECAST_FORMAT", "csv")
    line = _error(runner.invoke(app, ["info", "--model", str(tmp_path / "none")]))
    assert line.startswith("Error: --format bogus: expected one of table, json")


@pytest.mark.parametrize("setting", ["environment", "file"])
def test_folds_0_for_train_is_ignored_by_backtest(tmp_path: Path, monkeypatch,
                                                  setting: str) -> None:
    # FORECAST_FOLDS=0 (train without evaluation) made every backtest a usage error.
    monkeypatch.chdir(tmp_path)
    if setting == "environment":
        monkeypatch.setenv("FORECAST_FOLDS", "0")
    else:
        (tmp_path / "forecast.toml").write_text("folds = 0\n")
    result = runner.invoke(app, ["backtest", str(tmp_path / "missing.csv")])
    assert "no such file" in _error(result, 66)  # past the options, to the data
    warning = _warning(result.stderr)
    assert warning.startswith("--folds 0 from ")
    assert "is not a value 'forecast backtest' takes (input should be greater than or " \
           "equal to 1): backtest ignores it and uses its default, 1" in warning
