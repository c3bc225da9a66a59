"""Errors name where a bad value came from (flag, FORECAST_* variable, forecast.toml), and
--log-format json holds for every stderr line: usage errors and tables included."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY, train_tiny, write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.report import Reporter

runner = CliRunner()


def _suffix(origin: str) -> str:
    return f"(the value came from {origin}: fix or remove it there)"


def _error(stderr: str) -> str:
    (line,) = stderr.splitlines()
    assert line.startswith("Error: ")
    return line


@pytest.mark.parametrize(("var", "column"), [
    ("FORECAST_TARGET", "valu"),
    ("FORECAST_TIME_COL", "time"),
    ("FORECAST_SERIES_COL", "sensor"),
    ("FORECAST_FEATURES", "humidity"),
])
def test_a_missing_column_names_the_variable_that_named_it(series_csv: Path, monkeypatch,
                                                           var: str, column: str) -> None:
    # A stale FORECAST_TARGET in a cron job's environment: the user never typed 'valu'.
    monkeypatch.setenv(var, column)
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 65, result.output
    line = _error(result.stderr)
    assert f"no column '{column}'" in line
    assert line.endswith(_suffix(f"environment variable {var}"))


def test_a_missing_column_names_the_config_file(tmp_path: Path, series_csv: Path,
                                                monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text('[train]\ntarget = "valu"\n')
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 65, result.output
    assert _error(result.stderr).endswith(_suffix("file forecast.toml, table [train]"))
    typed = runner.invoke(app, ["train", str(series_csv), *TINY, "--target", "valu"])
    assert typed.exit_code == 65
    assert "came from" not in typed.stderr  # typed on the command line: nothing to add


def test_backtest_and_column_roles_name_the_variable_too(series_csv: Path,
                                                         monkeypatch) -> None:
    monkeypatch.setenv("FORECAST_TARGET", "valu")
    result = runner.invoke(app, ["backtest", str(series_csv), "--epochs", "1"])
    assert result.exit_code == 65, result.output
    assert _error(result.stderr).endswith(_suffix("environment variable FORECAST_TARGET"))
    # 'value' is a target by the flag and a feature by the variable: the variable is blamed.
    monkeypatch.delenv("FORECAST_TARGET")
    monkeypatch.setenv("FORECAST_FEATURES", "value")
    result = runner.invoke(app, ["train", str(series_csv), *TINY, "--target", "value"])
    assert result.exit_code == 65, result.output
    line = _error(result.stderr)
    assert "column 'value' is both a target and a feature" in line
    assert line.endswith(_suffix("environment variable FORECAST_FEATURES"))


def test_an_option_whose_parameter_has_another_name(tmp_path: Path, monkeypatch) -> None:
    # --format's parameter is called fmt: its variable is still named.
    monkeypatch.setenv("FORECAST_FORMAT", "xml")
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "none")])
    assert result.exit_code == 2, result.output
    assert _error(result.stderr).endswith(_suffix("environment variable FORECAST_FORMAT"))


def test_forecast_config_at_a_folder_or_missing_file_names_the_variable(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FORECAST_CONFIG", str(tmp_path))
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 66, result.output
    line = _error(result.stderr)
    assert line.startswith(f"Error: --config {tmp_path}: a folder, not a file")
    assert line.endswith(_suffix("environment variable FORECAST_CONFIG"))
    monkeypatch.setenv("FORECAST_CONFIG", str(tmp_path / "nope.toml"))
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 66, result.output
    assert "no such file" in result.stderr
    assert _error(result.stderr).endswith(_suffix("environment variable FORECAST_CONFIG"))
    monkeypatch.delenv("FORECAST_CONFIG")
    typed = runner.invoke(app, ["--config", str(tmp_path), "predict"])
    assert typed.exit_code == 66 and "came from" not in typed.stderr


def test_forecast_config_at_dev_null_means_no_settings(trained: Path, monkeypatch,
                                                        tmp_path: Path) -> None:
    # The Unix way to say "no config file" (GIT_CONFIG=/dev/null) was "no such file".
    monkeypatch.setenv("FORECAST_CONFIG", os.devnull)
    result = runner.invoke(app, ["predict", "--model", str(trained)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("series,timestamp,target,forecast")
    # A pipe with no writer would be read for ever: refused.
    os.mkfifo(tmp_path / "pipe")
    monkeypatch.setenv("FORECAST_CONFIG", str(tmp_path / "pipe"))
    piped = runner.invoke(app, ["predict", "--model", str(trained)])
    assert piped.exit_code == 66 and "not a regular file (a pipe or a socket)" in piped.stderr


def test_an_unreadable_config_file_is_an_error_not_a_crash(tmp_path: Path,
                                                           monkeypatch) -> None:
    config = tmp_path / "forecast.toml"
    config.write_text('level = 80\n')
    real = Path.read_text

    def refuse(self: Path, *args, **kwargs) -> str:
        if self == config:  # chmod cannot stop root, which runs the tests in CI
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    monkeypatch.setenv("FORECAST_CONFIG", str(config))
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 66, result.output
    line = _error(result.stderr)
    assert "cannot read it (Permission denied)" in line
    assert line.endswith(_suffix("environment variable FORECAST_CONFIG"))


def _forecast(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Through main(), which turns the parser's usage errors into our error line.
    return subprocess.run([sys.executable, "-m", "forecaster", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **env})


def test_a_mistyped_command_follows_the_json_log_format(tmp_path: Path) -> None:
    csv = str(tmp_path / "x.csv")
    for run in (_forecast("--log-format", "json", "trian", csv),
                _forecast("trian", csv, FORECAST_LOG_FORMAT="json")):
        assert run.returncode == 2
        (line,) = run.stderr.splitlines()
        error = json.loads(line)
        assert error["level"] == "error" and error["ts"].endswith("Z")
        assert error["msg"].startswith("No such command 'trian'")
        assert error["msg"].endswith("(see 'python -m forecaster --help')")
    plain = _forecast("trian", csv)
    assert plain.returncode == 2 and plain.stderr.startswith("Error: No such command 'trian'")


def test_json_tables_carry_ts_and_level(capsys) -> None:
    Reporter(log_format="json").table("Folds", ["fold", "MAE"], [["1", "0.5"]])
    (line,) = capsys.readouterr().err.splitlines()
    table = json.loads(line)
    assert table["ts"].endswith("Z") and table["level"] == "info"
    assert table["msg"] == table["table"] == "Folds"
    assert table["columns"] == ["fold", "MAE"] and table["rows"] == [["1", "0.5"]]
    Reporter(log_format="json", quiet=True).table("Folds", ["fold"], [["1"]])
    assert capsys.readouterr().err == ""


def test_every_json_line_of_train_has_ts_and_level(tmp_path: Path, series_csv: Path) -> None:
    result = runner.invoke(app, ["--log-format", "json", "train", str(series_csv),
                                 "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert any("table" in x for x in lines)
    for line in lines:
        assert line["ts"].endswith("Z") and line["level"] and "msg" in line


@pytest.mark.parametrize(("argv", "message"), [
    # --lr inf was exit 70: "the training loss became NaN or infinite ... report it".
    (["train", "data.csv", "--lr", "inf"], "'--lr': Input should be less than or equal to 1"),
    (["detect-anomalies", "--k", "inf"], "'--k': Input should be less than or equal to 1000"),
    # --lr 0 saved a model of random weights.
    (["train", "data.csv", "--lr", "0"], "'--lr': 0 would leave the weights where they"),
    # --k 1e308 overflowed: an inf threshold and numpy's RuntimeWarning on stderr.
    (["detect-anomalies", "--k", "1e308"], "'--k': Input should be less than or equal to 1000"),
])
def test_an_infinite_number_is_a_usage_error(argv: list[str], message: str) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {message}" in result.stderr


def test_a_typed_since_overrides_a_configured_last(tmp_path: Path, monkeypatch) -> None:
    # `last = 3` in forecast.toml made every typed --since fail: "both given".
    monkeypatch.chdir(tmp_path)
    rows = [f"2024-01-01 {h:02d}:00,{h % 5}" for h in range(24)]
    rows += [f"2024-01-{d:02d} {h:02d}:00,{(d + h) % 5}" for d in range(2, 21) for h in range(24)]
    model = train_tiny(write_lines(tmp_path, ["timestamp,value", *rows]), tmp_path / "m",
                       "--anomaly", "--anomaly-window", "8", "--anomaly-epochs", "1")
    (tmp_path / "forecast.toml").write_text("[detect-anomalies]\nlast = 3\n")
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--since",
                                 "2024-01-20 10:00", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 14  # since 10:00, not the last 3
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--exit-zero"])
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 3


def test_a_moved_training_csv_and_an_env_model_dir_say_where_they_came_from(
        tmp_path: Path, series_csv: Path, monkeypatch) -> None:
    # The recorded CSV moved: "no such file; check the path" named a path nobody typed.
    model = train_tiny(series_csv, tmp_path / "m")
    series_csv.rename(tmp_path / "moved.csv")
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 66, result.output
    assert "the training CSV the bundle recorded is gone" in result.stderr
    assert "give the data with --data FILE" in result.stderr
    monkeypatch.setenv("FORECAST_MODEL_DIR", str(tmp_path / "nothere"))
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 66, result.output
    assert ("(the value came from environment variable FORECAST_MODEL_DIR: fix or remove it "
            "there)") in result.stderr


def test_a_dumb_terminal_gets_the_per_fit_lines_not_bars(monkeypatch) -> None:
    # TERM=dumb on a terminal: rich drew no bar, and the lines a log gets were skipped too.
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert Reporter().tty
    for term in ("dumb", "unknown"):
        monkeypatch.setenv("TERM", term)
        assert not Reporter().tty
