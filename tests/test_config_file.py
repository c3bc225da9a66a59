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
    assert typed.exit_code == 0, typed.output
    assert "Warning" not in typed.stderr


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


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_data_in_the_table_of_a_command_with_data_option_is_read(
        tmp_path: Path, trained: Path, monkeypatch, command: str) -> None:
    # `[predict] data = "x.csv"` was "unknown key 'data'", though predict --data exists.
    # (The tiny bundle has no anomaly model: detect-anomalies scores forecast residuals.)
    extra = 'method = "forecast"\n' if command == "detect-anomalies" else ""
    _config(tmp_path, monkeypatch, f'model = "{trained}"\n[{command}]\ndata = "feed.csv"\n'
            + extra)
    line = _error(runner.invoke(app, [command]), 66)
    assert "feed.csv: no such file" in line  # the file's, not the bundle's recorded one


def test_data_in_trains_table_says_it_is_the_argument(tmp_path: Path, monkeypatch) -> None:
    _config(tmp_path, monkeypatch, '[train]\ndata = "x.csv"\n')
    line = _error(runner.invoke(app, ["predict"]))
    assert line == ("Error: forecast.toml: 'data' in table [train] is the DATA argument of "
                    "'forecast train', given on its command line (forecast train DATA.csv); "
                    "remove it from the file")


def test_a_file_starting_with_a_byte_order_mark_is_read(tmp_path: Path, monkeypatch) -> None:
    # Notepad's UTF-8: refused as "Invalid statement (at line 1, column 1)".
    _config(tmp_path, monkeypatch, '\ufeff[predict]\nformat = "xml"\n')
    line = _error(runner.invoke(app, ["predict", "--model", str(tmp_path / "none")]))
    assert line.startswith("Error: --format xml: expected one of csv, json")  # read, then


@pytest.mark.parametrize(("text", "said"), [
    ('[predict]\nmax_age = "1h"\nmax-age = "2h"\n',
     "max_age and max-age in table [predict] both set --max-age"),
    ('fmt = "json"\nformat = "csv"\n', "fmt and format at the top level both set --format"),
    ("[train]\nanomaly = true\nno-anomaly = true\n",
     "anomaly and no-anomaly in table [train] both set --anomaly"),
])
def test_two_keys_for_one_option_in_one_table_are_refused(tmp_path: Path, monkeypatch,
                                                          text: str, said: str) -> None:
    # One of them won without a word.
    _config(tmp_path, monkeypatch, text)
    line = _error(runner.invoke(app, ["predict", "--model", str(tmp_path / "none")]))
    assert line == f"Error: forecast.toml: {said}; keep one of them"


@pytest.mark.parametrize(("var", "command", "expected"), [
    ("FORECAST_MODEL_DIR", "predict", "a value for --model"),
    ("FORECAST_MAX_AGE", "detect-anomalies", "a value for --max-age"),
    ("FORECAST_TARGET", "backtest", "a value for --target"),
    ("FORECAST_STRICT", "predict", "a value for --strict"),
    ("FORECAST_CONFIG", "info", "the path of a TOML file (/dev/null for none)"),
    ("FORECAST_LOG_FORMAT", "info", "text or json"),
])
def test_an_empty_variable_is_an_error_naming_it(tmp_path: Path, monkeypatch, var: str,
                                                 command: str, expected: str) -> None:
    # FORECAST_MODEL_DIR= (an unset shell variable in a crontab) silently meant the
    # default bundle, while FORECAST_LEVEL= was an error.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(var, "")
    args = [str(tmp_path / "x.csv")] if command == "backtest" else []
    line = _error(runner.invoke(app, [command, *args]))
    assert line == (f"Error: environment variable {var} is set but empty; expected "
                    f"{expected}: set one, or unset {var}")


def test_an_empty_variable_under_a_typed_flag_is_moot(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FORECAST_MODEL_DIR", "")
    assert "FORECAST_MODEL_DIR is set but empty" in _error(runner.invoke(app, ["predict"]))
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "none")])
    assert "no model bundle here" in _error(result, 66)
    monkeypatch.setenv("FORECAST_CONFIG", " ")
    result = runner.invoke(app, ["--config", "/dev/null", "predict", "--model",
                                 str(tmp_path / "none")])
    assert "no model bundle here" in _error(result, 66)


def test_forecast_model_and_forecast_model_dir_that_differ_are_refused(
        tmp_path: Path, monkeypatch) -> None:
    # FORECAST_MODEL (the generic FORECAST_<OPTION> of --model) lost to FORECAST_MODEL_DIR
    # without a word.
    monkeypatch.setenv("FORECAST_MODEL", str(tmp_path / "a"))
    monkeypatch.setenv("FORECAST_MODEL_DIR", str(tmp_path / "b"))
    line = _error(runner.invoke(app, ["info"]))
    assert line == (f"Error: environment variables FORECAST_MODEL={tmp_path / 'a'} and "
                    f"FORECAST_MODEL_DIR={tmp_path / 'b'} both set --model and differ; keep "
                    "one of them")
    monkeypatch.setenv("FORECAST_MODEL_DIR", str(tmp_path / "a"))  # the same: no conflict
    assert f"{tmp_path / 'a'}: no model bundle" in _error(runner.invoke(app, ["info"]), 66)
    monkeypatch.chdir(tmp_path)  # one directory written two ways is the same too
    monkeypatch.setenv("FORECAST_MODEL", "a")
    monkeypatch.setenv("FORECAST_MODEL_DIR", f"{tmp_path / 'a'}/")
    assert "no model bundle" in _error(runner.invoke(app, ["info"]), 66)


def test_an_empty_thread_count_is_refused_too() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "FORECAST_THREADS": ""}
    out = subprocess.run([sys.executable, "-m", "forecaster", "info", "--model", "nowhere"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("Error: FORECAST_THREADS='': expected a whole number")


def test_a_table_named_with_an_underscore_is_told_its_hyphen(tmp_path: Path,
                                                             monkeypatch) -> None:
    _config(tmp_path, monkeypatch, "[detect_anomalies]\nlast = 5\n")
    line = _error(runner.invoke(app, ["info"]))
    assert line == ("Error: forecast.toml: unknown key 'detect_anomalies'; the table of "
                    "'forecast detect-anomalies' is [detect-anomalies], with a hyphen: rename it")


def test_a_folder_named_forecast_toml_is_an_error_naming_it(tmp_path: Path, monkeypatch) -> None:
    # Ignored before: the run went on without any of the settings meant to be in it.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").mkdir()
    line = _error(runner.invoke(app, ["info", "--model", str(tmp_path / "m")]), code=66)
    assert line.startswith(f"Error: {tmp_path / 'forecast.toml'} (read as the configuration "
                           "file of the working directory): a folder, not a file; ")


def test_a_path_starting_with_a_tilde_no_shell_expanded_is_refused(tmp_path: Path,
                                                                   monkeypatch) -> None:
    # A crontab's FORECAST_MODEL=~/models/plant made a folder named '~' in the working
    # directory, and the bundle went there.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", "/home/ops")
    monkeypatch.setenv("FORECAST_MODEL", "~/models/plant")
    (tmp_path / "data.csv").write_text("timestamp,value\n", encoding="utf-8")
    result = runner.invoke(app, ["train", "data.csv"])
    assert result.exit_code == 2, result.output
    assert ("~/models/plant starts with '~', which no shell expanded here (a crontab's "
            "variables and forecast.toml's values are taken as written); expected a path "
            "without '~': write /home/ops/models/plant") in result.stderr
    assert not (tmp_path / "~").exists()
    _config(tmp_path, monkeypatch, '[predict]\noutput = "~/forecast.csv"\n')
    result = runner.invoke(app, ["predict", "--model", "m"])
    assert result.exit_code == 2, result.output
    assert "write /home/ops/forecast.csv" in result.stderr


def test_a_dangling_forecast_toml_link_is_an_error_naming_its_target(tmp_path: Path,
                                                                    monkeypatch) -> None:
    # Skipped before, as if there were no file: the settings it was meant to point at
    # (a moved /etc/forecast/plant.toml) were silently not used.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").symlink_to(tmp_path / "gone" / "plant.toml")
    line = _error(runner.invoke(app, ["info", "--model", str(tmp_path / "m")]), code=66)
    assert line == (f"Error: {tmp_path / 'forecast.toml'} (read as the configuration file of "
                    f"the working directory): a symbolic link to {tmp_path / 'gone'}/plant.toml, "
                    "which does not exist; point it at the TOML file, or remove it")


def test_a_configured_warm_start_without_a_bundle_names_where_it_was_set(
        tmp_path: Path, monkeypatch) -> None:
    # "run 'forecast train data.csv' without --warm-start first": run so, the file set
    # it again, and the same error came back.
    _config(tmp_path, monkeypatch, "[train]\nwarm-start = true\n")
    (tmp_path / "data.csv").write_text("timestamp,value\n" + "".join(
        f"2024-01-01 {h:02d}:00:00,{h}\n" for h in range(24)), encoding="utf-8")
    result = runner.invoke(app, ["train", "data.csv", "--model", "m"])
    assert result.exit_code == 2, result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    assert line.startswith("Error: --warm-start: no bundle in m to continue from; ")
    assert line.endswith("(the value came from file forecast.toml, table [train]: fix or "
                         "remove it there)")


def test_relative_paths_in_a_config_file_are_taken_from_its_folder(
        tmp_path: Path, trained: Path, monkeypatch) -> None:
    # A cron job runs in / or $HOME: `model = "m"` in /srv/plant/forecast.toml read /m.
    (tmp_path / "forecast.toml").write_text(
        f'model = "{trained.name}"\n[predict]\noutput = "fc.csv"\n', encoding="utf-8")
    (tmp_path / "cron").mkdir()
    monkeypatch.chdir(tmp_path / "cron")
    result = runner.invoke(app, ["--config", str(tmp_path / "forecast.toml"), "predict"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fc.csv").stat().st_size > 0
    assert not (tmp_path / "cron" / "fc.csv").exists()
