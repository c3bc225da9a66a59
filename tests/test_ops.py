"""Cron-grade operation: configuration, locking, info, rollback, drift, signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app
from forecaster.config import TrainSettings
from forecaster.ops.lock import model_lock

runner = CliRunner()


def _meta(model: Path) -> dict:
    return json.loads((current_version_dir(model) / "bundle.json").read_text())


def test_precedence_flag_env_file_default(tmp_path: Path, series_csv: Path,
                                          monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text('model = "fm"\n[train]\nseed = 3\nhidden = 6\n'
                                            'batch-size = 32\n')
    monkeypatch.setenv("FORECAST_SEED", "4")
    monkeypatch.setenv("FORECAST_BATCH_SIZE", "16")
    args = [a for a in TINY if a not in ("--hidden", "8", "--batch-size", "64")]
    result = runner.invoke(app, ["train", str(series_csv), *args, "--batch-size", "8"])
    assert result.exit_code == 0, result.output
    settings = _meta(tmp_path / "fm")["settings"]
    assert settings["hidden"] == 6 and settings["sources"]["hidden"].startswith("file")
    assert settings["seed"] == 4 and settings["sources"]["seed"] == "environment FORECAST_SEED"
    assert settings["batch_size"] == 8 and settings["sources"]["batch_size"] == "flag"
    assert settings["lr"] == TrainSettings.lr and settings["sources"]["lr"] == "default"


def test_unknown_config_key_is_an_error(tmp_path: Path, series_csv: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text("[train]\nepochz = 3\n")
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "'epochz'" in result.stderr
    assert not (tmp_path / "forecast-model").exists()


def test_help_works_while_the_configuration_is_broken(tmp_path: Path, monkeypatch) -> None:
    # The error about a bad key sends the user to 'forecast COMMAND --help', which failed
    # with the same error (exit 2).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text("bogus = 1\n")
    monkeypatch.setenv("FORECAST_LOG_FORMAT", "xml")
    for command in ("predict", "train", "detect-anomalies", "backtest", "info"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.stdout
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --log-format xml") and "FORECAST_LOG_FORMAT" in \
        result.stderr
    monkeypatch.delenv("FORECAST_LOG_FORMAT")
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 2 and "unknown key 'bogus'" in result.stderr
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-m", "forecaster", "predict", "--help"],
                          env={**env, "FORECAST_THREADS": "x"}, capture_output=True, text=True)
    assert done.returncode == 0 and "Usage:" in done.stdout, done.stderr


def test_config_and_environment_take_an_options_own_name(tmp_path: Path, trained: Path,
                                                          monkeypatch) -> None:
    # --format's parameter is called fmt; the file and the environment use the option's name.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text(f'model = "{trained}"\n[predict]\nformat = "json"\n')
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["forecast"] is not None
    (tmp_path / "forecast.toml").write_text(f'model = "{trained}"\n')
    monkeypatch.setenv("FORECAST_FORMAT", "json")
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("[")


def test_explicit_config_file_missing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--config", str(tmp_path / "nope.toml"), "predict"])
    assert result.exit_code == 66
    assert "no such file" in result.stderr


def test_info_json_and_table(trained: Path) -> None:
    result = runner.invoke(app, ["info", "--model", str(trained), "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["data"]["freq"] == "h" and info["data"]["targets"] == ["value"]
    assert len(info["folds"]) == 2 and info["versions"]["torch"]
    result = runner.invoke(app, ["info", "--model", str(trained)])
    assert result.exit_code == 0 and "training period" in result.stdout, result.output
    # The fold table shows the baseline train's warning names; a narrow COLUMNS (a cron
    # environment) cut every value to '…' on stdout, which is no terminal.
    assert "seasonal naive MAE" in result.stdout
    narrow = runner.invoke(app, ["info", "--model", str(trained)], env={"COLUMNS": "10"})
    assert narrow.exit_code == 0 and "…" not in narrow.stdout, narrow.output
    assert "training period" in narrow.stdout and "seasonal naive MAE" in narrow.stdout


def test_second_train_exits_75_while_locked(trained: Path, series_csv: Path) -> None:
    before = (trained / "CURRENT").read_text()
    with model_lock(trained):
        result = runner.invoke(app, ["train", str(series_csv), "--model", str(trained), *TINY])
        assert result.exit_code == 75
        assert result.stderr.startswith("Error: ") and "--wait" in result.stderr
        # Readers take no lock: predict works while a train holds it.
        res = runner.invoke(app, ["predict", "--model", str(trained)])
        assert res.exit_code == 0, res.output
    assert (trained / "CURRENT").read_text() == before


def test_rollback_restores_previous_version(trained: Path, series_csv: Path) -> None:
    first = (trained / "CURRENT").read_text()
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(trained), *TINY,
                                 "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert (trained / "CURRENT").read_text() != first
    res = runner.invoke(app, ["rollback", "--model", str(trained)])
    assert res.exit_code == 0, res.output
    assert (trained / "CURRENT").read_text() == first
    result = runner.invoke(app, ["rollback", "--model", str(trained)])
    assert result.exit_code == 2 and "nothing to roll back" in result.stderr


def test_drift_warns_and_strict_fails(trained: Path, tmp_path: Path) -> None:
    shifted = make_series()
    shifted["value"] += 1000.0
    other = tmp_path / "shifted.csv"
    shifted.to_csv(other, index=False)
    result = runner.invoke(app, ["predict", "--model", str(trained), "--data", str(other)])
    assert result.exit_code == 0 and "data drift" in result.stderr, result.output
    result = runner.invoke(app, ["predict", "--model", str(trained), "--data", str(other),
                                 "--strict"])
    assert result.exit_code == 65 and result.stderr.startswith("Error: data drift")


def test_same_seed_gives_byte_identical_outputs(tmp_path: Path, series_csv: Path) -> None:
    outs = []
    for name in ("a", "b"):
        model = tmp_path / name
        args = ["train", str(series_csv), "--model", str(model), *TINY, "--deterministic"]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        outs.append(runner.invoke(app, ["predict", "--model", str(model)]).stdout)
    assert outs[0] == outs[1]


@pytest.mark.parametrize("given", [None, ":16:8"])
def test_deterministic_sets_the_cublas_workspace_before_switching_on(
        tmp_path: Path, series_csv: Path, monkeypatch: pytest.MonkeyPatch,
        given: str | None) -> None:
    # Without CUBLAS_WORKSPACE_CONFIG, torch on CUDA >= 10.2 raised at the first matmul of
    # 'train --deterministic --device cuda'; a value the user set is theirs to keep.
    import torch

    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", given or "")  # restored after the test
    if given is None:
        monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG")
    seen = []
    monkeypatch.setattr(torch, "use_deterministic_algorithms",
                        lambda on: seen.append((on, os.environ.get("CUBLAS_WORKSPACE_CONFIG"))))
    args = ["train", str(series_csv), "--model", str(tmp_path / "m"), *TINY, "--deterministic"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen == [(True, given or ":4096:8")]


def test_json_log_lines(trained: Path) -> None:
    result = runner.invoke(app, ["--log-format", "json", "rollback", "--model", str(trained)])
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert result.exit_code == 2 or lines
    for line in lines:
        assert line["ts"].endswith("Z") and line["level"]


def test_json_log_format_writes_errors_as_json_too(tmp_path: Path) -> None:
    missing = tmp_path / "nothing"
    result = runner.invoke(app, ["--log-format", "json", "predict", "--model", str(missing)])
    assert result.exit_code == 66, result.output
    (line,) = result.stderr.splitlines()
    error = json.loads(line)
    assert error["level"] == "error" and error["ts"].endswith("Z")
    assert error["msg"].startswith(f"{missing}: no model bundle here")
    plain = runner.invoke(app, ["predict", "--model", str(missing)])
    assert plain.stderr.startswith(f"Error: {missing}: no model bundle here")


def test_option_errors_name_the_command_and_follow_the_log_format() -> None:
    # Caught by the option parser in main(), before any command runs.
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "forecaster", *args], capture_output=True,
                              text=True, timeout=60)

    plain = run("predict", "--level", "120")
    assert plain.returncode == 2
    # (run as 'python -m forecaster' here, so that is the program name it gives)
    assert plain.stderr == ("Error: Invalid value for '--level': Input should be less than or "
                            "equal to 99 (see 'python -m forecaster predict --help')\n")
    # NaN fails every bound; it was told it "should be less than or equal to 99".
    assert run("predict", "--level", "nan").stderr.startswith(
        "Error: Invalid value for '--level': expected a number, not nan (see ")
    (line,) = run("--log-format", "json", "predict", "--level", "0.9").stderr.splitlines()
    assert json.loads(line)["level"] == "error"
    assert json.loads(line)["msg"].endswith("predict --help')")


def test_option_errors_name_an_environment_variable_or_file(tmp_path: Path) -> None:
    # The parser blames '--level', a flag never typed: the message names the real source.
    def run(env: dict[str, str]) -> str:
        return subprocess.run([sys.executable, "-m", "forecaster", "predict"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, **env}).stderr

    err = run({"FORECAST_LEVEL": "abc"})
    assert err.startswith("Error: Invalid value for '--level'")
    assert ("(the value came from environment variable FORECAST_LEVEL: fix or remove it "
            "there)") in err
    (tmp_path / "forecast.toml").write_text('level = "abc"\n')
    assert "(the value came from file forecast.toml: fix or remove it there)" in run({})


def test_sigterm_stops_cleanly(trained: Path, series_csv: Path) -> None:
    before = (trained / "CURRENT").read_text()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "forecaster", "train", str(series_csv),
                             "--model", str(trained), "--no-anomaly", "--epochs", "500",
                             "--patience", "500", "--window", "24", "--segment", "6",
                             "--horizon", "6", "--folds", "1", "--verbose"],
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()  # the first epoch line (--verbose): training has started
    assert "epoch" in line, line
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1].startswith("Error: terminated")
    assert (trained / "CURRENT").read_text() == before
    assert not list((trained / "versions").glob(".incoming-*"))


def test_warm_start_continues_from_previous_weights(trained: Path, tmp_path: Path) -> None:
    grown = tmp_path / "grown.csv"
    make_series(n=560).to_csv(grown, index=False)
    before = _meta(trained)
    result = runner.invoke(app, ["train", str(grown), "--model", str(trained), *TINY,
                                 "--warm-start"])
    assert result.exit_code == 0, result.output
    after = _meta(trained)
    assert after["warm_start"]["from"] != current_version_dir(trained).name
    assert after["metrics"]["folds"] == before["metrics"]["folds"]
    assert after["data"]["series"][""]["rows"] == 560
    res = runner.invoke(app, ["predict", "--model", str(trained)])
    assert res.exit_code == 0, res.output
    # info said nothing of the carried-over fold metrics: they read as just measured.
    info = runner.invoke(app, ["info", "--model", str(trained), "--format", "json"])
    assert json.loads(info.stdout)["warm_start"]["inherited"] == ["fold metrics", "intervals"]
    table = runner.invoke(app, ["info", "--model", str(trained)]).stdout
    assert "carried over by --warm-start" in table and "not re-measured" in table
    result = runner.invoke(app, ["train", str(grown), "--model", str(trained), *TINY,
                                 "--hidden", "5", "--warm-start"])
    assert result.exit_code == 2, result.output
    assert ("another model shape: hidden 8 in the bundle, 5 now; leave those options out"
            in result.stderr)


def test_warm_start_takes_the_bundles_settings_when_not_given(tmp_path: Path) -> None:
    # The README's nightly line: 'forecast train data.csv --warm-start', without the first
    # run's --target, --features and model options.
    data = make_series(n=480).assign(hum=lambda d: d["value"] * 2 + 1)
    csv, model = tmp_path / "plant.csv", tmp_path / "m"
    data.to_csv(csv, index=False)
    first = [*TINY, "--target", "value", "--features", "hum"]
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *first])
    assert result.exit_code == 0, result.output
    make_series(n=520).assign(hum=lambda d: d["value"] * 2 + 1).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start",
                                 "--epochs", "1"])
    assert result.exit_code == 0, result.output
    meta = _meta(model)
    assert meta["data"]["targets"] == ["value"] and meta["data"]["columns"] == ["value", "hum"]
    assert meta["forecaster"]["config"]["hidden"] == 8 and meta["settings"]["epochs"] == 1
    assert meta["settings"]["anomaly"] is False  # --no-anomaly, carried over too


def test_detect_anomalies_drift_gate(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "am"
    args = [a for a in TINY if a != "--no-anomaly"]
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *args,
                                 "--anomaly-window", "24", "--anomaly-segment", "6",
                                 "--anomaly-epochs", "2"])
    assert result.exit_code == 0, result.output
    shifted = make_series()
    shifted["value"] += 1000.0
    other = tmp_path / "shifted.csv"
    shifted.to_csv(other, index=False)
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data",
                                 str(other), "--strict"])
    assert result.exit_code == 65 and result.stderr.startswith("Error: data drift")


def test_a_mistyped_model_dir_is_not_created(tmp_path: Path, series_csv: Path) -> None:
    typo = tmp_path / "plant-7-typo"
    result = runner.invoke(app, ["rollback", "--model", str(typo)])
    assert result.exit_code == 66 and "no model bundle here" in result.stderr
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(typo), *TINY,
                                 "--warm-start"])
    assert result.exit_code == 2 and "--warm-start: no bundle in" in result.stderr
    assert not typo.exists()  # a later predict still says "no model", not "damaged"


def test_a_log_gets_one_line_per_fit_and_each_epoch_with_verbose(capsys) -> None:
    from forecaster.report import Reporter

    def fit(reporter: Reporter) -> list[str]:
        with reporter.epochs("fold 1/2", 30) as hook:
            for epoch, val in ((1, 2.0), (2, 1.0), (3, 1.5)):
                hook(epoch, 0.5, val)
        return capsys.readouterr().err.splitlines()

    (line,) = fit(Reporter(tty=False))
    assert line.endswith("fold 1/2: 3 epoch(s), last train loss 0.50000, best validation loss "
                         "1.00000 at epoch 2")
    lines = fit(Reporter(tty=False, verbose=True))
    assert [x.split("Z ", 1)[1] for x in lines] == [
        f"fold 1/2: epoch {e}/30 train loss 0.50000 validation loss {v:.5f}"
        for e, v in ((1, 2.0), (2, 1.0), (3, 1.5))]
    assert fit(Reporter(tty=False, quiet=True)) == []


def test_our_option_checks_name_the_variable_or_file_too(tmp_path: Path, series_csv: Path,
                                                          monkeypatch) -> None:
    # Checked after parsing (our own ConfigError), not by the option parser.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_FILL", "bogus")
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: --fill bogus: expected one of")
    assert result.stderr.rstrip().endswith(
        "(the value came from environment variable FORECAST_FILL: fix or remove it there)")
    monkeypatch.delenv("FORECAST_FILL")
    (tmp_path / "forecast.toml").write_text('[train]\nresample = "hh"\n')
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 2, result.output
    assert ("(the value came from file forecast.toml, table [train]: fix or remove it "
            "there)") in result.stderr
    typed = runner.invoke(app, ["train", str(series_csv), *TINY, "--resample", "hh"])
    assert "came from" not in typed.stderr  # typed on the command line: nothing to add


def test_a_flags_negative_form_is_read_from_the_environment(tmp_path: Path, series_csv: Path,
                                                            monkeypatch) -> None:
    # FORECAST_NO_ANOMALY=1 (how --no-anomaly is spelt) was ignored: the anomaly model was
    # trained anyway, without a word.
    monkeypatch.setenv("FORECAST_NO_ANOMALY", "yes")
    model = tmp_path / "m"
    tiny = [a for a in TINY if a != "--no-anomaly"]
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *tiny])
    assert result.exit_code == 0, result.output
    info = json.loads(runner.invoke(app, ["info", "--model", str(model), "--format",
                                          "json"]).stdout)
    assert info["anomaly"] is None
    # Both forms set: the negation won without a word.
    monkeypatch.setenv("FORECAST_ANOMALY", "1")
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model), *tiny])
    assert result.exit_code == 2
    assert "FORECAST_ANOMALY and FORECAST_NO_ANOMALY are both set" in result.stderr


def test_true_for_a_number_in_the_config_file_is_refused(tmp_path: Path, series_csv: Path,
                                                          monkeypatch) -> None:
    # click reads true as 1: `epochs = true` trained a single epoch without a word.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text("[train]\nepochs = true\n")
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: forecast.toml: epochs = true: expected a value")
    assert not (tmp_path / "forecast-model").exists()


def test_a_misspelt_variable_is_named_and_others_are_left_alone(tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("FORECAST_EPOCH", "3")  # FORECAST_EPOCHS meant: silently ignored
    monkeypatch.setenv("FORECAST_API_KEY", "x")  # another program's: not ours to judge
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "none")])
    assert result.exit_code == 66
    assert "FORECAST_EPOCH is not a setting" in result.stderr
    assert "did you mean FORECAST_EPOCHS?" in result.stderr
    assert "FORECAST_API_KEY" not in result.stderr


def test_dropout_with_one_layer_is_named(tmp_path: Path, series_csv: Path) -> None:
    # Dropout sits between layers: with one it did nothing, without a word.
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                 *TINY, "--dropout", "0.5"])
    assert result.exit_code == 0, result.output
    assert "Warning: --dropout 0.5 has no effect with --layers 1" in result.stderr


def test_fold_options_with_no_folds_are_named(tmp_path: Path, series_csv: Path) -> None:
    # --folds 0 cuts no validation folds: the options that shape them did nothing, silently.
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                 *TINY, "--folds", "0", "--val-size", "48", "--gap", "3",
                                 "--window-kind", "sliding"])
    assert result.exit_code == 0, result.output
    assert ("Warning: --val-size 48, --gap 3, --window-kind sliding: no effect with --folds 0, "
            "which trains without validation folds") in result.stderr
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m2"),
                                 *TINY, "--val-size", "48"])
    assert result.exit_code == 0, result.output
    assert "no effect" not in result.stderr


def test_a_flags_negative_form_is_read_from_the_config_file(tmp_path: Path, series_csv: Path,
                                                           monkeypatch) -> None:
    # `no-anomaly = true` was refused as an unknown key, though --no-anomaly is the flag.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text("[train]\nno-anomaly = true\n")
    tiny = [a for a in TINY if a != "--no-anomaly"]
    result = runner.invoke(app, ["train", str(series_csv), *tiny])
    assert result.exit_code == 0, result.output
    assert _meta(tmp_path / "forecast-model").get("anomaly") is None
    (tmp_path / "forecast.toml").write_text('no-anomaly = "yes"\n')
    result = runner.invoke(app, ["train", str(series_csv), *tiny])
    assert result.exit_code == 2
    assert "no-anomaly = 'yes': expected true or false" in result.stderr


def test_a_project_folder_copied_with_its_bundle_warns_of_the_data_it_reads(
        tmp_path: Path) -> None:
    # cp -r plantA plantB: plantB's predict read plantA/data.csv in silence.
    first = tmp_path / "plantA"
    first.mkdir()
    make_series().to_csv(first / "data.csv", index=False)
    train = ["train", str(first / "data.csv"), "--model", str(first / "m"), *TINY]
    assert runner.invoke(app, train).exit_code == 0
    second = Path(shutil.copytree(first, tmp_path / "plantB"))
    make_series(seed=1).to_csv(second / "data.csv", index=False)
    result = runner.invoke(app, ["predict", "--model", str(second / "m")])
    assert result.exit_code == 0, result.output
    assert (f"Warning: {first / 'data.csv'}: the training CSV the bundle recorded is read, not "
            f"{second / 'data.csv'} beside the bundle (a folder copied with its bundle?)"
            ) in result.stderr
    assert f"'--data {first / 'data.csv'}' keeps this one and ends this warning" in (
        result.stderr)
    # A second data.csv kept there on purpose: the recorded file named keeps cron logs clean.
    result = runner.invoke(app, ["predict", "--model", str(second / "m"),
                                 "--data", str(first / "data.csv")])
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output
    result = runner.invoke(app, ["predict", "--model", str(first / "m")])
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output
